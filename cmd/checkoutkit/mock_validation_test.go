package main

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/fixtures"
	"github.com/checkoutkit/checkoutkit/mock"
)

// TestMockLibraryValidationFlag: with and without --library-validation the mock answers a valid
// and an invalid create alike (the fast path changes speed, not answers), and every response
// conforms to the contract.
func TestMockLibraryValidationFlag(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	valid, err := fixtures.Valid("payment-minimal")
	if err != nil {
		t.Fatal(err)
	}
	invalid := bytes.Replace(valid, []byte(`"NOK"`), []byte(`"XXX"`), 1)
	if bytes.Equal(invalid, valid) {
		t.Fatal("the fixture has no NOK currency to break")
	}
	var answers []string // the answer to the invalid create, per mode
	for _, args := range [][]string{nil, {"--library-validation"}} {
		base := startMockCmd(t, args...)
		rec := contract.NewRecorder(v, http.DefaultTransport)
		cl := &http.Client{Transport: rec}
		for i, body := range [][]byte{valid, invalid} {
			b, err := fixtures.WithReference(body, []string{"libflag-valid-0001", "libflag-invalid-01"}[i])
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPost, base+checkout.BasePath+"/session", bytes.NewReader(b))
			m := mock.DefaultMerchant
			req.Header.Set("Content-Type", "application/json")
			req.Header[checkout.HeaderClientID] = []string{m.ClientID}
			req.Header[checkout.HeaderClientSecret] = []string{m.ClientSecret}
			req.Header.Set(checkout.HeaderSubscriptionKey, m.SubscriptionKey)
			req.Header.Set(checkout.HeaderMSN, m.MSN)
			for _, k := range []string{checkout.HeaderSystemName, checkout.HeaderSystemVersion, checkout.HeaderPluginName, checkout.HeaderPluginVersion} {
				req.Header.Set(k, "checkoutkit-test")
			}
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := []int{http.StatusOK, http.StatusBadRequest}[i]
			if resp.StatusCode != want {
				t.Fatalf("%v: status %d, want %d: %s", args, resp.StatusCode, want, out)
			}
			if i == 1 {
				answers = append(answers, string(out))
			}
		}
		if vs := rec.ResponseViolations(); len(vs) > 0 {
			t.Fatalf("%v: violations: %v", args, vs)
		}
	}
	if len(answers) != 2 || answers[0] != answers[1] {
		t.Fatalf("the invalid create was answered differently with and without the fast path:\n%q", answers)
	}
}
