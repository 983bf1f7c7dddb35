package contract

import (
	"strings"
	"testing"
)

func TestValidateCallbackAnswer(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	good := `[{"brand":"POSTEN","type":"PICKUP_POINT","id":"p1","priority":0,"isDefault":true,"amount":{"value":4900,"currency":"NOK"}}]`
	cases := []struct {
		name, body string
		wantAt     string // "" means no violation
	}{
		{"a list of options", good, ""},
		{"null", `null`, ""},
		{"an empty list", `[]`, ""},
		{"an option without id", `[{"brand":"POSTEN","type":"PICKUP_POINT","priority":0,"isDefault":true,"amount":{"value":4900,"currency":"NOK"}}]`, "/body/0"},
		{"an object, not a list", `{"options":[]}`, "/body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := v.ValidateCallbackAnswer(CallbackLogistics, 200, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantAt == "" {
				if len(vs) != 0 {
					t.Fatalf("want no violations, got %v", vs)
				}
				return
			}
			if len(vs) == 0 {
				t.Fatalf("want a violation at %s, got none", tc.wantAt)
			}
			for _, vi := range vs {
				if vi.Direction != DirCallback || vi.Status != 200 || !strings.HasPrefix(vi.Location, tc.wantAt) {
					t.Errorf("violation %+v: want callback 200 under %s", vi, tc.wantAt)
				}
			}
		})
	}
	// Errors, not violations, when the contract declares nothing to check against.
	if _, err := v.ValidateCallbackAnswer(CallbackPayment, 200, []byte(`{}`)); err == nil {
		t.Error("the payment callback's 200 declares no schema: want an error")
	}
	if _, err := v.ValidateCallbackAnswer(CallbackLogistics, 204, []byte(`[]`)); err == nil {
		t.Error("the logistics callback declares no 204: want an error")
	}
	if _, err := v.ValidateCallbackAnswer("noSuchCallback", 200, []byte(`[]`)); err == nil || !strings.Contains(err.Error(), "declares no callback") {
		t.Errorf("unknown callback: err %v", err)
	}
}
