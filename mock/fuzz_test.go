package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

var (
	fuzzRefs atomic.Int64
	fuzzOnce sync.Once
	fuzzSrv  *Server
)

// fuzzServer is one mock shared by every fuzz input (building the validator per input would
// make fuzzing crawl). References are varied by the inputs themselves.
func fuzzServer(t testing.TB) *Server {
	fuzzOnce.Do(func() {
		c, err := contract.Default()
		if err != nil {
			t.Fatal(err)
		}
		v, err := contract.NewValidator(c)
		if err != nil {
			t.Fatal(err)
		}
		fuzzSrv = New(WithValidator(v), WithCallbackBackoff(0, 0))
	})
	return fuzzSrv
}

func fuzzHeaders() http.Header {
	h := http.Header{}
	m := DefaultMerchant
	h.Set(checkout.HeaderClientID, m.ClientID)
	h.Set(checkout.HeaderClientSecret, m.ClientSecret)
	h.Set(checkout.HeaderSubscriptionKey, m.SubscriptionKey)
	h.Set(checkout.HeaderMSN, m.MSN)
	h.Set("Content-Type", "application/json")
	return h
}

// checkAnswer asserts the invariants: no 5xx, no panic caught, a JSON problem body with an
// errorCode and an errors object on every 4xx, and a response that conforms to the contract.
func checkAnswer(t *testing.T, s *Server, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s", req.Method, req.URL, rec.Code, rec.Body.Bytes())
	}
	if n := s.Panics(); n != 0 {
		t.Fatalf("the recover middleware caught %d panics", n)
	}
	if rec.Code >= 400 {
		var p struct {
			ErrorCode string          `json:"errorCode"`
			Errors    json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.ErrorCode == "" || !bytes.HasPrefix(p.Errors, []byte("{")) {
			t.Fatalf("%d without a problem body: %s", rec.Code, rec.Body.Bytes())
		}
	}
	if _, known := s.v.Contract().FindOperation(req.Method, req.URL.Path); known {
		vs, err := s.v.ValidateResponseParts(req.Method, req.URL.RequestURI(), rec.Code, rec.Header(), rec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("response violation: %s\nbody: %s", v, rec.Body.Bytes())
		}
	}
}

func serve(s *Server, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

var createSeeds = []string{
	`{"type":"PAYMENT","reference":"fuzz-seed-0001","transaction":{"amount":{"value":1000,"currency":"NOK"},"paymentDescription":"Socks"},"merchantInfo":{"callbackUrl":"http://127.0.0.1:9/cb","returnUrl":"http://127.0.0.1:9/r","callbackAuthorizationToken":"t"}}`,
	`{"type":"SUBSCRIPTION","reference":"fuzz-seed-0002","subscription":{"productName":"p","amount":{"value":1,"currency":"DKK"},"interval":{"unit":"DAY","count":1},"merchantAgreementUrl":"http://127.0.0.1/a"},"merchantInfo":{"callbackUrl":"http://127.0.0.1:9/cb","returnUrl":"http://x/r","callbackAuthorizationToken":"t"}}`,
	`{"type":"PAYMENT","transaction":{"reference":"fuzz-seed-0003","amount":{"value":1e30,"currency":"NOK"},"paymentDescription":"Socks"}}`,
	`{"type":"PAYMENT","logistics":{"fixedOptions":[{"brand":"OTHER","id":"x","priority":-1,"isDefault":true}]}}`,
	`[]`, `null`, `{`, `"x"`, `{"type":null}`, "{\"type\":\"PAYMENT\",\"reference\":\"\xff\xfe\"}",
}

func FuzzCreateBody(f *testing.F) {
	for _, s := range createSeeds {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`{}`), "application/vnd.x+json; charset=utf-8")
	f.Add([]byte(`{}`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		s := fuzzServer(t)
		req := httptest.NewRequest(http.MethodPost, "/checkout/v3/session", bytes.NewReader(body))
		req.Header = fuzzHeaders()
		req.Header.Set("Content-Type", contentType)
		checkAnswer(t, s, req, serve(s, req))
	})
}

func FuzzPatchBody(f *testing.F) {
	f.Add([]byte(`{"transaction":{"amount":{"value":1,"currency":"NOK"},"paymentDescription":"abc"}}`), "fuzz-patch-0001")
	f.Add([]byte(`{"transaction":{"amount":{"value":1,"currency":"NOK"},"paymentDescription":"abc"},"logisticOptions":[{"brand":"POSTI","id":"a","priority":0,"isDefault":true,"amount":{"value":1,"currency":"EUR"}}]}`), "fuzz-patch-0002")
	f.Add([]byte(`{"transaction":{"reference":"other-ref-x","amount":{"value":1,"currency":"NOK"},"paymentDescription":"abc"}}`), "fuzz-patch-0003")
	f.Add([]byte(`{"transaction":null}`), "x")
	f.Add([]byte(`[`), "%zz")
	f.Fuzz(func(t *testing.T, body []byte, ref string) {
		s := fuzzServer(t)
		// Make sure a session exists, so PATCH reaches the logic and not only the 404.
		create := httptest.NewRequest(http.MethodPost, "/checkout/v3/session", strings.NewReader(createSeeds[0]))
		create.Header = fuzzHeaders()
		serve(s, create)
		target := "/checkout/v3/session/" + ref
		if strings.ContainsAny(ref, "/?#% \x00\r\n\t") || ref == "" || !isPrintableASCII(ref) {
			target = "/checkout/v3/session/fuzz-seed-0001"
		}
		req := httptest.NewRequest(http.MethodPatch, target, bytes.NewReader(body))
		req.Header = fuzzHeaders()
		checkAnswer(t, s, req, serve(s, req))
	})
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func FuzzHeaders(f *testing.F) {
	f.Add("Acme", "1.0", "plugin", "2.0", "key-1", "123456", "127.0.0.1:8080")
	f.Add(strings.Repeat("n", 31), "", "", "", "", "", "%zz")
	f.Add("", "", "", "", strings.Repeat("k", 200), "999999", "[::1")
	f.Add("ø", "\t", "x y", "🙂", "", "123456", "a b")
	f.Add("", "", "", "", "", "", "[::1]:80")
	f.Add("", "", "", "", "", "", "h%41st")
	f.Fuzz(func(t *testing.T, name, version, plugin, pluginVersion, idemKey, msn, host string) {
		s := fuzzServer(t)
		for _, v := range []string{name, version, plugin, pluginVersion, idemKey, msn, host} {
			if strings.ContainsAny(v, "\r\n\x00") {
				return // not representable as a header value on the wire
			}
		}
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			var req *http.Request
			if method == http.MethodPost {
				// A fresh reference each time, so the Host reaches a 200 and its pollingUrl.
				req = createReq(fmt.Sprintf("fuzz-host-%d", fuzzRefs.Add(1)))
			} else {
				req = httptest.NewRequest(method, "/checkout/v3/session/fuzz-seed-0001", nil)
			}
			if method == http.MethodGet {
				req.Header = fuzzHeaders()
			}
			req.Host = host
			set := func(k, v string) {
				if v != "" {
					req.Header.Set(k, v)
				}
			}
			set(checkout.HeaderSystemName, name)
			set(checkout.HeaderSystemVersion, version)
			set(checkout.HeaderPluginName, plugin)
			set(checkout.HeaderPluginVersion, pluginVersion)
			set(checkout.HeaderIdempotencyKey, idemKey)
			set(checkout.HeaderMSN, msn)
			checkAnswer(t, s, req, serve(s, req))
		}
	})
}

func FuzzParseLatency(f *testing.F) {
	for _, s := range []string{"get=20ms", "*=uniform:10ms..50ms", "create=exp:30ms", "update=exponential:1s",
		"get=uniform:50ms..10ms", "get=-1s", "=", "get=uniform:..", "x=1s", "get=exp:0s", "get=9999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		op, l, err := ParseLatency(s)
		if err != nil {
			if !errors.Is(err, ErrBadFault) {
				t.Fatalf("ParseLatency(%q): error %v is not ErrBadFault", s, err)
			}
			return
		}
		if !validOp(op) || l.Fixed < 0 || l.Min < 0 || l.Max < l.Min || l.Mean < 0 {
			t.Fatalf("ParseLatency(%q) accepted %q %+v", s, op, l)
		}
		// What GET /_mock/faults shows parses back to the same latency.
		shown := faultsRequest(Faults{Latency: map[string]Latency{op: l}}).Latency[op]
		op2, l2, err := ParseLatency(op + "=" + shown)
		if err != nil || op2 != op || l2 != l {
			t.Fatalf("ParseLatency(%q) = %+v shows as %q, which parses to %+v, %v", s, l, shown, l2, err)
		}
	})
}

func FuzzParseErrorRule(f *testing.F) {
	for _, s := range []string{"create=500:0.1", "*=429:0.05", "get=429:0.1:retry=2s", "get=502:1:retry=2s",
		"get=429:1e-300", "get=429:-0", "get=429:0x1p-2", "get=429:1:retry=", "::::", "get=429:1:retry=2s:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseErrorRule(s)
		if err != nil {
			if !errors.Is(err, ErrBadFault) {
				t.Fatalf("ParseErrorRule(%q): error %v is not ErrBadFault", s, err)
			}
			return
		}
		if !validOp(r.Op) || (r.Status != 429 && r.Status != 500 && r.Status != 502) || !(r.Rate >= 0 && r.Rate <= 1) ||
			r.RetryAfter < 0 || (r.RetryAfter != 0 && r.Status != 429) {
			t.Fatalf("ParseErrorRule(%q) accepted %+v", s, r)
		}
		// The injected answer of an accepted rule is a well-formed problem with a sane Retry-After.
		res := injectedResult(r)
		if res.status != r.Status || !json.Valid(res.body) {
			t.Fatalf("rule %+v injects %d %s", r, res.status, res.body)
		}
		if r.Status == 429 {
			if n, err := strconv.Atoi(res.retryAfter); err != nil || n < 1 {
				t.Fatalf("rule %+v: Retry-After %q", r, res.retryAfter)
			}
		}
	})
}

var (
	faultSrvOnce sync.Once
	faultSrv     *Server
)

func FuzzFaultsRequest(f *testing.F) {
	for _, s := range []string{
		`{"errors":[{"operation":"create","status":502,"rate":1,"retryAfter":"1s"}],"latency":{"get":"uniform:10ms..50ms"},"seed":42}`,
		`{"errors":[{"operation":"*","status":429,"retryAfter":"-1s"}]}`, `{"latency":{"x":"1s","get":"exp:0s"}}`,
		`{"errors":[{"operation":"get","status":500,"rate":1e400}]}`, `{"errors":null,"latency":null}`,
		`{"unknown":1}`, `[]`, `null`, `{`, `{"seed":-1}`, `{"errors":[{"rate":"NaN"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		// Straight through the conversion: accepted requests round-trip through what GET shows.
		var fr FaultsRequest
		if json.Unmarshal([]byte(body), &fr) == nil {
			if got, errs := fr.Faults(); errs == nil {
				if _, errs2 := faultsRequest(got).Faults(); errs2 != nil {
					t.Fatalf("%s was accepted but its rendering is refused: %v", body, errs2)
				}
			}
		}
		// And through the endpoint: never a 5xx or a panic, always the problem body on a 4xx.
		// A server of its own, so the faults it sets never reach the other fuzz targets' server.
		faultSrvOnce.Do(func() { faultSrv = New(WithValidator(fuzzServer(t).v)) })
		req := httptest.NewRequest(http.MethodPut, FaultControlPath, strings.NewReader(body))
		rec := serve(faultSrv, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("PUT %s answered %d: %s", body, rec.Code, rec.Body.Bytes())
		}
		if faultSrv.Panics() != 0 {
			t.Fatalf("panic on PUT %s", body)
		}
		if rec.Code == http.StatusBadRequest && !strings.Contains(rec.Body.String(), `"errorCode":"Validation-00001"`) {
			t.Fatalf("400 without the problem body: %s", rec.Body.Bytes())
		}
	})
}
