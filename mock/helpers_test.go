package mock_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
)

// validatingTransport validates every response to a contract operation and records the
// violations; env's cleanup fails the spec if any were found (unless the spec expects some).
type validatingTransport struct {
	v    *contract.Validator
	next http.RoundTripper
	mu   sync.Mutex
	vs   []contract.Violation
}

func (t *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if _, known := t.v.Contract().FindOperation(req.Method, req.URL.Path); !known {
		return resp, nil // control API, /healthz, deliberate 404/405: outside the contract
	}
	vs, verr := t.v.ValidateResponse(req, resp)
	t.mu.Lock()
	defer t.mu.Unlock()
	if verr != nil {
		t.vs = append(t.vs, contract.Violation{Location: "/", Message: verr.Error()})
	}
	t.vs = append(t.vs, vs...)
	return resp, nil
}

func (t *validatingTransport) take() []contract.Violation {
	t.mu.Lock()
	defer t.mu.Unlock()
	vs := t.vs
	t.vs = nil
	return vs
}

// env is one mock on its own loopback server.
type env struct {
	m       *mock.Server
	srv     *httptest.Server
	clock   *mock.ManualClock
	tr      *validatingTransport
	client  *http.Client
	allowVs bool
}

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newEnv(opts ...mock.Option) *env {
	GinkgoHelper()
	e := &env{clock: mock.NewManualClock(t0)}
	all := append([]mock.Option{mock.WithValidator(validator), mock.WithClock(e.clock),
		mock.WithCallbackBackoff(5*time.Millisecond, 3), mock.WithLogisticsBudget(300 * time.Millisecond)}, opts...)
	e.m = mock.New(all...)
	e.srv = httptest.NewServer(e.m)
	e.tr = &validatingTransport{v: validator, next: http.DefaultTransport}
	e.client = &http.Client{Transport: e.tr, Timeout: 10 * time.Second}
	DeferCleanup(func() {
		e.srv.Close()
		e.m.Close()
		Expect(e.m.Panics()).To(BeZero(), "the recover middleware caught a panic")
		if !e.allowVs {
			Expect(e.tr.take()).To(BeEmpty(), "the mock sent a response that violates the contract")
		}
	})
	return e
}

// reply is a finished response.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json() map[string]any {
	GinkgoHelper()
	var m map[string]any
	Expect(json.Unmarshal(r.body, &m)).To(Succeed(), "body: %s", r.body)
	return m
}

func (r reply) problem() checkout.ProblemDetails {
	GinkgoHelper()
	var p checkout.ProblemDetails
	Expect(json.Unmarshal(r.body, &p)).To(Succeed(), "body: %s", r.body)
	Expect(p.ErrorCode).NotTo(BeEmpty(), "body: %s", r.body)
	Expect(p.Errors).NotTo(BeNil(), "errors must always be present: %s", r.body)
	Expect(r.header.Get("Content-Type")).To(HavePrefix("application/json"))
	return p
}

func (r reply) session() checkout.SessionResponse {
	GinkgoHelper()
	var s checkout.SessionResponse
	Expect(json.Unmarshal(r.body, &s)).To(Succeed(), "body: %s", r.body)
	return s
}

// headers are the default request headers: the reference page's keys and system headers.
func headers(m mock.Merchant) http.Header {
	h := http.Header{}
	h.Set(checkout.HeaderClientID, m.ClientID)
	h.Set(checkout.HeaderClientSecret, m.ClientSecret)
	h.Set(checkout.HeaderSubscriptionKey, m.SubscriptionKey)
	h.Set(checkout.HeaderMSN, m.MSN)
	h.Set(checkout.HeaderSystemName, "checkoutkit-test")
	h.Set(checkout.HeaderSystemVersion, "1.0.0")
	h.Set(checkout.HeaderPluginName, "mock-suite")
	h.Set(checkout.HeaderPluginVersion, "1.0.0")
	h.Set("Content-Type", "application/json")
	return h
}

// send sends a request; mod may change the headers.
func (e *env) send(method, path string, body []byte, h http.Header) reply {
	GinkgoHelper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	Expect(err).NotTo(HaveOccurred())
	if h != nil {
		req.Header = h
	}
	resp, err := e.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.StatusCode).To(BeNumerically("<", 500), "unexpected server error: %s", b)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) create(body []byte) reply {
	GinkgoHelper()
	return e.send(http.MethodPost, "/checkout/v3/session", body, headers(mock.DefaultMerchant))
}

func (e *env) createKey(body []byte, key string) reply {
	GinkgoHelper()
	h := headers(mock.DefaultMerchant)
	h.Set(checkout.HeaderIdempotencyKey, key)
	return e.send(http.MethodPost, "/checkout/v3/session", body, h)
}

func (e *env) get(ref string) reply {
	GinkgoHelper()
	return e.send(http.MethodGet, "/checkout/v3/session/"+ref, nil, headers(mock.DefaultMerchant))
}

func (e *env) patch(ref string, body []byte) reply {
	GinkgoHelper()
	return e.send(http.MethodPatch, "/checkout/v3/session/"+ref, body, headers(mock.DefaultMerchant))
}

func (e *env) expire(ref string) reply {
	GinkgoHelper()
	h := headers(mock.DefaultMerchant)
	h.Del("Content-Type")
	return e.send(http.MethodPost, "/checkout/v3/session/"+ref+"/expire", nil, h)
}

func (e *env) control(ref, action string, body []byte) reply {
	GinkgoHelper()
	h := http.Header{}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return e.send(http.MethodPost, "/_mock/sessions/"+ref+"/"+action, body, h)
}

var refSeq atomic.Int64

// newRef returns a unique valid reference.
func newRef() string { return fmt.Sprintf("ckk-test-%06d", refSeq.Add(1)) }

const loopbackCallback = "http://127.0.0.1:9/callback"

// paymentBody is a valid PAYMENT create body.
func paymentBody(ref, callbackURL string) []byte {
	return paymentBodyWith(ref, callbackURL, nil)
}

func paymentBodyWith(ref, callbackURL string, mutate func(*checkout.InitiateSessionRequest)) []byte {
	req := checkout.InitiateSessionRequest{
		Type: checkout.TypePayment, Reference: checkout.Ptr(ref),
		Transaction: &checkout.PaymentTransaction{Amount: checkout.Amount{Value: 49900, Currency: "NOK"}, PaymentDescription: "One pair of socks"},
		Logistics: &checkout.Logistics{FixedOptions: []checkout.LogisticsOption{
			{Brand: checkout.BrandPosten, Type: checkout.Ptr("PICKUP_POINT"), ID: "posten-pickup", Priority: 0, IsDefault: true, Amount: &checkout.Amount{Value: 4900, Currency: "NOK"}},
			{Brand: checkout.BrandOther, ID: "shop-pickup", Title: checkout.Ptr("Pick up in the shop"), Priority: 1, Amount: &checkout.Amount{Value: 0, Currency: "NOK"}},
		}},
		MerchantInfo: &checkout.MerchantInfo{CallbackURL: callbackURL, ReturnURL: "http://127.0.0.1:9/return", CallbackAuthorizationToken: "cb-token-" + ref},
	}
	if mutate != nil {
		mutate(&req)
	}
	b, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	return b
}

var updateBody = []byte(`{"transaction":{"amount":{"value":59900,"currency":"NOK"},"paymentDescription":"Two pairs of socks"}}`)

// receiver is a local callback receiver.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	auths    []string
	attempts atomic.Int64
	failN    int64 // answer 500 to the first failN attempts (-1: always)
}

func newReceiver(failN int64) *receiver {
	GinkgoHelper()
	r := &receiver{failN: failN}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.attempts.Add(1)
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.auths = append(r.auths, req.Header.Get("Authorization"))
		r.mu.Unlock()
		if r.failN < 0 || n <= r.failN {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	DeferCleanup(r.srv.Close)
	return r
}

func (r *receiver) last() (auth string, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		return "", nil
	}
	return r.auths[len(r.auths)-1], r.bodies[len(r.bodies)-1]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = strings.TrimSpace

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
