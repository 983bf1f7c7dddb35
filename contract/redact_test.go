package contract

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestRedactHeader(t *testing.T) {
	h := http.Header{}
	h.Set("client_id", "the-id")
	h.Set("client_secret", "s3cret")        // stored canonicalised as Client_secret
	h["client_secret"] = []string{"raw-s3"} // and a raw, non-canonical key
	h.Set("Ocp-Apim-Subscription-Key", "subkey")
	h.Set("Authorization", "Bearer tok")
	h.Add("Authorization", "second")
	h.Set("Vipps-System-Name", "checkoutkit")
	got := RedactHeader(h)
	for name, vals := range got {
		for _, v := range vals {
			if IsSecretHeader(name) && v != Redacted {
				t.Errorf("%s = %q; want %q", name, v, Redacted)
			}
		}
	}
	if got.Get("client_id") != "the-id" || got.Get("Vipps-System-Name") != "checkoutkit" {
		t.Errorf("non-secret headers changed: %v", got)
	}
	if n := len(got.Values("Authorization")); n != 2 {
		t.Errorf("Authorization has %d values; want both kept, redacted", n)
	}
	if h.Get("client_secret") != "s3cret" || h["client_secret"][0] != "raw-s3" {
		t.Errorf("RedactHeader modified its argument")
	}
	if RedactHeader(nil) != nil {
		t.Errorf("RedactHeader(nil) != nil")
	}
	for _, name := range []string{"CLIENT_SECRET", "ocp-apim-subscription-key", "authorization"} {
		if !IsSecretHeader(name) {
			t.Errorf("IsSecretHeader(%q) = false", name)
		}
	}
	if IsSecretHeader("client_id") || IsSecretHeader("Merchant-Serial-Number") {
		t.Errorf("IsSecretHeader treats an identifier as a secret")
	}
}

func TestRedactBody(t *testing.T) {
	const secret = "tok-SECRET-42"
	tests := []struct {
		name, in string
		want     string // "" = only check that the secret is gone and REDACTED is present
	}{
		{"flat", `{"callbackAuthorizationToken":"tok-SECRET-42"}`, `{"callbackAuthorizationToken":"REDACTED"}`},
		{"nested with spaces", `{"merchantInfo": {"callbackUrl":"http://127.0.0.1/cb", "callbackAuthorizationToken" : "tok-SECRET-42"}}`,
			`{"merchantInfo": {"callbackUrl":"http://127.0.0.1/cb", "callbackAuthorizationToken" : "REDACTED"}}`},
		{"escaped quote in value", `{"callbackAuthorizationToken":"tok-SECRET-42\"x"}`, `{"callbackAuthorizationToken":"REDACTED"}`},
		{"truncated value", `{"merchantInfo":{"callbackAuthorizationToken":"tok-SECRET-4`, `{"merchantInfo":{"callbackAuthorizationToken":"REDACTED"`},
		{"in an array", `[{"callbackAuthorizationToken":"tok-SECRET-42"},{"callbackAuthorizationToken":"tok-SECRET-42"}]`,
			`[{"callbackAuthorizationToken":"REDACTED"},{"callbackAuthorizationToken":"REDACTED"}]`},
		{"escaped key", `{"callbackAuthorization\u0054oken":"tok-SECRET-42"}`, ""},
		{"other case", `{"CallbackAuthorizationToken":"tok-SECRET-42"}`, ""},
		{"non-string", `{"callbackAuthorizationToken":12345}`, `{"callbackAuthorizationToken":"REDACTED"}`},
	}
	for _, tt := range tests {
		got := string(RedactBody([]byte(tt.in)))
		if strings.Contains(got, secret) || strings.Contains(got, "SECRET") || strings.Contains(got, "12345") {
			t.Errorf("%s: secret survives: %s", tt.name, got)
		}
		if !strings.Contains(got, Redacted) {
			t.Errorf("%s: no %s in %s", tt.name, Redacted, got)
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, got, tt.want)
		}
	}
	plain := []byte(`{"reference":"acme-1234","token":"frontend-token"}`)
	if got := RedactBody(plain); string(got) != string(plain) {
		t.Errorf("a body without secrets changed: %s", got)
	}
	if RedactBody(nil) != nil {
		t.Errorf("RedactBody(nil) != nil")
	}
}

// FuzzRedactBody: RedactBody never panics on any bytes, and in any JSON body it leaves the
// token value REDACTED and every other value as it was.
func FuzzRedactBody(f *testing.F) {
	f.Add("tok-1", "other", []byte(`{"callbackAuthorizationToken":"x"`))
	f.Add(`we"ird\u0000`, `"callbackAuthorizationToken":"y"`, []byte(`[{"callbackAuthorizationToken":`))
	f.Add("", "", []byte(`"callbackAuthorizationToken"  :  "`))
	f.Fuzz(func(t *testing.T, tok, other string, raw []byte) {
		_ = RedactBody(raw)
		body, err := json.Marshal(map[string]any{
			"merchantInfo": map[string]any{"callbackAuthorizationToken": tok, "returnUrl": other},
			"other":        other,
		})
		if err != nil {
			t.Skip()
		}
		var got struct {
			MerchantInfo struct {
				Token     string `json:"callbackAuthorizationToken"`
				ReturnURL string `json:"returnUrl"`
			}
			Other string
		}
		out := RedactBody(body)
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("RedactBody(%s) = %s: not JSON any more: %v", body, out, err)
		}
		if got.MerchantInfo.Token != Redacted {
			t.Fatalf("token survived: %s -> %s", body, out)
		}
		// json.Marshal turns invalid UTF-8 into U+FFFD; compare with what the input decodes to.
		var want struct{ Other string }
		_ = json.Unmarshal(body, &want)
		if got.Other != want.Other || got.MerchantInfo.ReturnURL != want.Other {
			t.Fatalf("other values changed: %s -> %s", body, out)
		}
	})
}
