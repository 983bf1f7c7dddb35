package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
)

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	c := Credentials{
		ClientID:             "fb492b5e-7907-4d83-bc20-c7fb60ca35de",
		ClientSecret:         "Y8Kteew6GE3ZmeycEt6egg==",
		SubscriptionKey:      "0f14ebcab0eb4b29ae0cb90d91b4a84a",
		MerchantSerialNumber: "123456",
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10.3v"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c), fmt.Sprintf(verb, []Credentials{c}))
	}
	outs = append(outs, fmt.Sprint(c), fmt.Sprintln(c), fmt.Sprintf("%v", struct{ C Credentials }{c}))
	cl := New("http://127.0.0.1:1", c)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, cl))
	}
	if !strings.Contains(fmt.Sprint(cl), c.ClientID) {
		t.Errorf("Client prints without its client id: %v", cl)
	}
	var logBuf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logBuf, nil), slog.NewJSONHandler(&logBuf, nil)} {
		l := slog.New(h)
		l.Info("creds", "creds", c)
		l.Info("creds", slog.Any("ptr", &c))
	}
	outs = append(outs, logBuf.String())
	js, err := json.Marshal(struct{ Creds Credentials }{c})
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(js))

	for _, out := range outs {
		for _, secret := range []string{c.ClientSecret, c.SubscriptionKey, "Y8Kteew6", "0f14ebca", "59384b74" /* hex of Y8Kt */} {
			if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
				t.Errorf("secret %q printed in %q", secret, out)
			}
		}
	}
	// Redacted, not dropped: the identifiers stay useful and the output says what happened.
	for _, out := range []string{fmt.Sprint(c), logBuf.String(), string(js)} {
		if !strings.Contains(out, c.ClientID) || !strings.Contains(out, contract.Redacted) || !strings.Contains(out, "123456") {
			t.Errorf("output lacks the id, the MSN or %s: %s", contract.Redacted, out)
		}
	}
	if !strings.Contains(logBuf.String(), `"client_secret":"REDACTED"`) {
		t.Errorf("slog JSON output does not redact via LogValue: %s", logBuf.String())
	}
	if got := fmt.Sprint(Credentials{ClientID: "x"}); strings.Contains(got, contract.Redacted) {
		t.Errorf("empty secrets should print empty, not %s: %s", contract.Redacted, got)
	}
	if !c.Complete() || (Credentials{ClientID: "x"}).Complete() {
		t.Errorf("Complete() is wrong")
	}
}
