package contract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// goodHeaders are the headers every Checkout request carries (values from the reference page).
func goodHeaders() http.Header {
	h := http.Header{}
	h.Set("client_id", "fb492b5e-7907-4d83-bc20-c7fb60ca35de")
	h.Set("client_secret", "Y8Kteew6GE3ZmeycEt6egg==")
	h.Set("Ocp-Apim-Subscription-Key", "0f14ebcab0eb4b29ae0cb90d91b4a84a")
	h.Set("Merchant-Serial-Number", "123456")
	h.Set("Vipps-System-Name", "checkoutkit")
	h.Set("Vipps-System-Version", "0.1.0")
	h.Set("Vipps-System-Plugin-Name", "checkoutkit-test")
	h.Set("Vipps-System-Plugin-Version", "0.1.0")
	h.Set("Content-Type", "application/json")
	return h
}

const minimalPayment = `{"type":"PAYMENT","reference":"acme-order-0001",
 "transaction":{"amount":{"value":49900,"currency":"NOK"},"paymentDescription":"One pair of socks"},
 "merchantInfo":{"callbackUrl":"http://127.0.0.1:9000/cb","returnUrl":"http://127.0.0.1:9000/r","callbackAuthorizationToken":"tok-1"}}`

// with replaces the first occurrence of old in minimalPayment, failing loudly if it is absent
// so a test case cannot silently send the valid body.
func with(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(minimalPayment, old) {
		t.Fatalf("test body does not contain %q", old)
	}
	return strings.Replace(minimalPayment, old, new, 1)
}

func TestValidateRequest(t *testing.T) {
	_, v := sharedValidator(t)
	without := func(name string) http.Header { h := goodHeaders(); h.Del(name); return h }
	withHdr := func(name, val string) http.Header { h := goodHeaders(); h.Set(name, val); return h }
	tests := []struct {
		name         string
		method, path string
		header       http.Header
		body         string
		wantLoc      string // "" = conforms
		wantKeyword  string // suffix of Keyword
	}{
		{"minimal payment", "POST", "/checkout/v3/session", goodHeaders(), minimalPayment, "", ""},
		{"get", "GET", "/checkout/v3/session/acme-order-0001", goodHeaders(), "", "", ""},
		{"expire", "POST", "/checkout/v3/session/acme-order-0001/expire", goodHeaders(), "", "", ""},
		{"update", "PATCH", "/checkout/v3/session/acme-order-0001", goodHeaders(),
			`{"transaction":{"amount":{"value":100,"currency":"NOK"},"paymentDescription":"abc"}}`, "", ""},
		{"missing client_id", "GET", "/checkout/v3/session/acme-order-0001", without("client_id"), "", "/header/client_id", "required"},
		{"missing subscription key", "POST", "/checkout/v3/session", without("Ocp-Apim-Subscription-Key"), minimalPayment, "/header/Ocp-Apim-Subscription-Key", "required"},
		{"system name too long", "GET", "/checkout/v3/session/acme-order-0001", withHdr("Vipps-System-Name", strings.Repeat("x", 31)), "", "/header/Vipps-System-Name", "maxLength"},
		{"negative amount", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"value":49900`, `"value":-1`), "/body/transaction/amount/value", "minimum"},
		{"amount not an integer", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"value":49900`, `"value":499.5`), "/body/transaction/amount/value", "type"},
		{"reference too short", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"acme-order-0001"`, `"short"`), "/body/reference", "minLength"},
		{"reference pattern", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"acme-order-0001"`, `"acme_order_0001"`), "/body/reference", "pattern"},
		{"unknown currency", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"NOK"`, `"SEK"`), "/body/transaction/amount/currency", "enum"},
		{"missing merchantInfo", "POST", "/checkout/v3/session", goodHeaders(),
			`{"type":"PAYMENT","reference":"acme-order-0001","transaction":{"amount":{"value":1,"currency":"NOK"},"paymentDescription":"abc"}}`, "/body", "required"},
		{"description too short", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"One pair of socks"`, `"ab"`), "/body/transaction/paymentDescription", "minLength"},
		{"callbackUrl not a URI", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"http://127.0.0.1:9000/cb"`, `"not a url"`), "/body/merchantInfo/callbackUrl", "format"},
		{"unknown type", "POST", "/checkout/v3/session", goodHeaders(), with(t, `"PAYMENT"`, `"INVOICE"`), "/body/type", "const"},
		{"malformed JSON", "POST", "/checkout/v3/session", goodHeaders(), `{"type":"PAYMENT"`, "/body", ""},
		{"unknown path", "GET", "/checkout/v3/sessions/x", goodHeaders(), "", "/path", ""},
		{"undeclared method", "DELETE", "/checkout/v3/session/acme-order-0001", goodHeaders(), "", "/path", ""},
		{"reference over 50 in path", "GET", "/checkout/v3/session/" + strings.Repeat("a", 51), goodHeaders(), "", "/path/reference", "maxLength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			vs, err := v.ValidateRequestParts(tt.method, tt.path, tt.header, body)
			if err != nil {
				t.Fatalf("ValidateRequestParts: %v", err)
			}
			checkViolations(t, vs, tt.wantLoc, tt.wantKeyword, DirRequest)
		})
	}
}

func checkViolations(t *testing.T, vs []Violation, loc, keyword string, dir Direction) {
	t.Helper()
	if loc == "" {
		if len(vs) != 0 {
			t.Fatalf("want no violations, got:\n%s", listViolations(vs))
		}
		return
	}
	for _, v := range vs {
		if v.Location == loc && strings.HasSuffix(v.Keyword, keyword) {
			if v.Direction != dir {
				t.Errorf("violation at %s has direction %q; want %q", loc, v.Direction, dir)
			}
			if v.Operation == "" || v.Message == "" {
				t.Errorf("violation at %s lacks operation or message: %+v", loc, v)
			}
			return
		}
	}
	t.Fatalf("want a violation at %s with keyword ending %q, got:\n%s", loc, keyword, listViolations(vs))
}

// TestMissingHeaderKeyword pins the agreement in the shared interfaces: a missing required
// header is reported at /header/<Name> with Keyword exactly "required".
func TestMissingHeaderKeyword(t *testing.T) {
	_, v := sharedValidator(t)
	h := goodHeaders()
	h.Del("Merchant-Serial-Number")
	vs, err := v.ValidateRequestParts("GET", "/checkout/v3/session/acme-order-0001", h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Location != "/header/Merchant-Serial-Number" || vs[0].Keyword != "required" {
		t.Fatalf("want one violation at /header/Merchant-Serial-Number with Keyword required, got:\n%s%+v", listViolations(vs), vs)
	}
}

func TestValidateResponse(t *testing.T) {
	_, v := sharedValidator(t)
	jsonH := func() http.Header { return http.Header{"Content-Type": {"application/json"}} }
	const created = `{"sessionId":"s1","merchantSerialNumber":"123456","reference":"acme-order-0001","sessionState":"SessionCreated"}`
	tests := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		wantLoc      string
		wantKeyword  string
	}{
		{"create 200", "POST", "/checkout/v3/session", 200, jsonH(),
			`{"token":"t","checkoutFrontendUrl":"https://vippscheckout.vipps.no/v1/","pollingUrl":"http://127.0.0.1:1/checkout/v3/session/acme-order-0001"}`, "", ""},
		{"get 200", "GET", "/checkout/v3/session/acme-order-0001", 200, jsonH(), created, "", ""},
		{"404 problem", "GET", "/checkout/v3/session/acme-order-0001", 404, jsonH(), `{"errorCode":"Session-00100","errors":{}}`, "", ""},
		{"problem+json accepted", "GET", "/checkout/v3/session/acme-order-0001", 404,
			http.Header{"Content-Type": {"application/problem+json"}}, `{"errorCode":"Session-00100","errors":{}}`, "", ""},
		{"create missing token", "POST", "/checkout/v3/session", 200, jsonH(),
			`{"checkoutFrontendUrl":"https://x.example/","pollingUrl":"https://x.example/p"}`, "/body", "required"},
		{"wrong session state", "GET", "/checkout/v3/session/acme-order-0001", 200, jsonH(),
			strings.Replace(created, "SessionCreated", "SessionStarted", 1), "/body/sessionState", "enum"},
		{"payment state enum", "GET", "/checkout/v3/session/acme-order-0001", 200, jsonH(),
			strings.Replace(created, `"SessionCreated"`, `"PaymentInitiated","paymentDetails":{"amount":{"value":1,"currency":"NOK"},"state":"RESERVED"}`, 1),
			"/body/paymentDetails/state", "enum"},
		{"problem without errors", "GET", "/checkout/v3/session/acme-order-0001", 404, jsonH(), `{"errorCode":"Session-00100"}`, "/body", "required"},
		{"undocumented status", "GET", "/checkout/v3/session/acme-order-0001", 418, jsonH(), `{}`, "/status", ""},
		{"409 not documented for get", "GET", "/checkout/v3/session/acme-order-0001", 409, jsonH(), `{"errorCode":"x","errors":{}}`, "/status", ""},
		{"unknown path", "GET", "/nope", 200, jsonH(), `{}`, "/path", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := v.ValidateResponseParts(tt.method, tt.path, tt.status, tt.header, []byte(tt.body))
			if err != nil {
				t.Fatalf("ValidateResponseParts: %v", err)
			}
			checkViolations(t, vs, tt.wantLoc, tt.wantKeyword, DirResponse)
			for _, v := range vs {
				if v.Status != tt.status {
					t.Errorf("violation status %d; want %d", v.Status, tt.status)
				}
			}
		})
	}
}

func TestValidateRequestRestoresBody(t *testing.T) {
	_, v := sharedValidator(t)
	req := httptest.NewRequest("POST", "/checkout/v3/session", strings.NewReader(minimalPayment))
	req.Header = goodHeaders()
	vs, err := v.ValidateRequest(req)
	if err != nil || len(vs) != 0 {
		t.Fatalf("ValidateRequest = %v, %v", vs, err)
	}
	got, _ := io.ReadAll(req.Body)
	if string(got) != minimalPayment {
		t.Fatalf("body after validation = %q; want the original", got)
	}
}

func TestValidateCallback(t *testing.T) {
	_, v := sharedValidator(t)
	tests := []struct {
		kind, body, wantLoc string
	}{
		{CallbackPayment, `{"sessionId":"s","reference":"acme-order-0001","sessionState":"PaymentSuccessful"}`, ""},
		{CallbackPayment, `{"sessionId":"s","reference":"acme-order-0001","sessionState":"Paid"}`, "/body/sessionState"},
		{CallbackLogistics, `{"streetAddress":"Robert Levins gate 5","postalCode":"0154","region":"Oslo","country":"NO"}`, ""},
		{CallbackLogistics, `{"streetAddress":"Robert Levins gate 5","postalCode":"0154","country":"NO"}`, "/body"},
	}
	for _, tt := range tests {
		vs, err := v.ValidateCallback(tt.kind, []byte(tt.body))
		if err != nil {
			t.Fatalf("ValidateCallback(%s): %v", tt.kind, err)
		}
		if (tt.wantLoc == "") != (len(vs) == 0) || (tt.wantLoc != "" && !hasLocation(vs, tt.wantLoc)) {
			t.Errorf("ValidateCallback(%s, %s) = %v; want location %q", tt.kind, tt.body, vs, tt.wantLoc)
		}
	}
	if _, err := v.ValidateCallback("noSuchCallback", []byte(`{}`)); err == nil {
		t.Errorf("ValidateCallback with an unknown kind returned no error")
	}
}

// TestValidatorConcurrent shares one Validator across 16 goroutines, each checking valid and
// invalid requests and responses; run with -race. Every goroutine must get the same answers as a
// lone caller would.
func TestValidatorConcurrent(t *testing.T) {
	_, v := sharedValidator(t)
	const workers, rounds = 16, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				ref := fmt.Sprintf("acme-w%02d-%04d", w, i)
				good := strings.Replace(minimalPayment, "acme-order-0001", ref, 1)
				vs, err := v.ValidateRequestParts("POST", "/checkout/v3/session", goodHeaders(), []byte(good))
				if err != nil || len(vs) != 0 {
					errs <- fmt.Errorf("worker %d: valid request gave %v, %v", w, vs, err)
					return
				}
				bad := strings.Replace(good, `"value":49900`, fmt.Sprintf(`"value":-%d`, i+1), 1)
				vs, err = v.ValidateRequestParts("POST", "/checkout/v3/session", goodHeaders(), []byte(bad))
				if err != nil || !hasLocation(vs, "/body/transaction/amount/value") {
					errs <- fmt.Errorf("worker %d: invalid request gave %v, %v", w, vs, err)
					return
				}
				body := fmt.Sprintf(`{"sessionId":"s%d","reference":%q,"sessionState":"SessionCreated"}`, i, ref)
				vs, err = v.ValidateResponseParts("GET", "/checkout/v3/session/"+ref, 200, http.Header{"Content-Type": {"application/json"}}, []byte(body))
				if err != nil || len(vs) != 0 {
					errs <- fmt.Errorf("worker %d: valid response gave %v, %v", w, vs, err)
					return
				}
				vs, err = v.ValidateCallback(CallbackPayment, bytes.Replace([]byte(body), []byte("SessionCreated"), []byte("Nope"), 1))
				if err != nil || !hasLocation(vs, "/body/sessionState") {
					errs <- fmt.Errorf("worker %d: invalid callback gave %v, %v", w, vs, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRawHeaderKeys: headers held under raw, non-canonical keys (as a client that sends
// client_id in its documented spelling holds them) are found, not reported missing.
func TestRawHeaderKeys(t *testing.T) {
	_, v := sharedValidator(t)
	h := http.Header{}
	for k, vs := range goodHeaders() {
		h[strings.ToLower(k)] = vs
	}
	vs, err := v.ValidateRequestParts("GET", "/checkout/v3/session/acme-order-0001", h, nil)
	if err != nil || len(vs) != 0 {
		t.Fatalf("raw lower-case header keys: %v, %v", vs, err)
	}
}
