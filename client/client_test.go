package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/fixtures"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var creds = client.Credentials{
	ClientID:             "fb492b5e-7907-4d83-bc20-c7fb60ca35de",
	ClientSecret:         "Y8Kteew6GE3ZmeycEt6egg==",
	SubscriptionKey:      "0f14ebcab0eb4b29ae0cb90d91b4a84a",
	MerchantSerialNumber: "123456",
}

// seen is one request as the server received it, with the raw header names as they came off
// the wire (r.Header canonicalises them, so client_id arrives as Client_id).
type seen struct {
	Method, Path, RawPath string
	Header                http.Header
	Body                  []byte
}

// server is a tiny stand-in for a Checkout endpoint: it answers each "METHOD path" with a
// fixed status and body and keeps every request it got.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []seen
	answers  map[string]answer
}

type answer struct {
	status int
	body   string
}

func newServer(answers map[string]answer) *server {
	s := &server{answers: answers}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: b})
		s.mu.Unlock()
		a, ok := s.answers[r.Method+" "+r.URL.Path]
		if !ok {
			a = answer{404, `{"errorCode":"Session-00100","errors":{}}`}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	return s
}

func (s *server) last() seen {
	GinkgoHelper()
	s.mu.Lock()
	defer s.mu.Unlock()
	Expect(s.requests).NotTo(BeEmpty())
	return s.requests[len(s.requests)-1]
}

const sessionJSON = `{"sessionId":"s1","merchantSerialNumber":"123456","reference":"acme-order-0001","sessionState":"SessionCreated"}`

var _ = Describe("Client", func() {
	var (
		srv *server
		rec *contract.Recorder
		cl  *client.Client
		ctx context.Context
	)
	BeforeEach(func() {
		ctx = context.Background()
		srv = newServer(map[string]answer{
			"POST /checkout/v3/session":                        {200, `{"token":"tok","checkoutFrontendUrl":"https://vippscheckout.vipps.no/v1/","pollingUrl":"http://127.0.0.1/checkout/v3/session/acme-order-0001"}`},
			"GET /checkout/v3/session/acme-order-0001":         {200, sessionJSON},
			"PATCH /checkout/v3/session/acme-order-0001":       {200, sessionJSON},
			"POST /checkout/v3/session/acme-order-0001/expire": {200, strings.Replace(sessionJSON, "SessionCreated", "SessionExpired", 1)},
			"POST /checkout/v3/session/paid-order-0001/expire": {409, `{"title":"The session is paid.","status":409,"errorCode":"Session-00409","errors":{}}`},
			"GET /checkout/v3/session/broken-json-01":          {200, `{"sessionId":`},
			"GET /checkout/v3/session/plain-error-01":          {502, `<html>bad gateway</html>`},
		})
		DeferCleanup(srv.Close)
		rec = contract.NewRecorder(validator, srv.Client().Transport)
		cl = client.New(srv.URL, creds, client.WithTransport(rec))
	})

	Describe("every request", func() {
		It("carries the merchant's keys, the Vipps-System-* headers and a conforming shape", func() {
			body, err := fixtures.Valid("payment-full")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = cl.CreateSession(ctx, body, "")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = cl.GetSession(ctx, "acme-order-0001")
			Expect(err).NotTo(HaveOccurred())
			upd, err := fixtures.Valid("update")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = cl.UpdateSession(ctx, "acme-order-0001", upd, "")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = cl.ExpireSession(ctx, "acme-order-0001", "")
			Expect(err).NotTo(HaveOccurred())

			Expect(srv.requests).To(HaveLen(4))
			for _, r := range srv.requests {
				Expect(r.Header.Get("client_id")).To(Equal(creds.ClientID))
				Expect(r.Header.Get("client_secret")).To(Equal(creds.ClientSecret))
				Expect(r.Header.Get("Ocp-Apim-Subscription-Key")).To(Equal(creds.SubscriptionKey))
				Expect(r.Header.Get("Merchant-Serial-Number")).To(Equal("123456"))
				Expect(r.Header.Get("Vipps-System-Name")).To(Equal("checkoutkit"))
				Expect(r.Header.Get("Vipps-System-Version")).To(Equal(client.Version))
				Expect(r.Header.Get("Vipps-System-Plugin-Name")).To(Equal("checkoutkit-client"))
				Expect(r.Header.Get("Vipps-System-Plugin-Version")).To(Equal(client.Version))
				Expect(r.Header.Get("User-Agent")).To(Equal("checkoutkit-client/" + client.Version))
				Expect(r.Header.Get("Idempotency-Key")).To(BeEmpty())
			}
			// The contract agrees: not one request the client made has a violation.
			Expect(rec.RequestViolations()).To(BeEmpty())
			Expect(rec).To(contract.HaveNoResponseViolations())
			Expect(rec.Stats().Validated).To(Equal(4))
		})

		It("sends JSON bodies only where the operation has one", func() {
			_, _, err := cl.CreateSession(ctx, []byte(`{"a":1}`), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.last().Header.Get("Content-Type")).To(Equal("application/json"))
			Expect(string(srv.last().Body)).To(Equal(`{"a":1}`))
			_, _, err = cl.GetSession(ctx, "acme-order-0001")
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.last().Header.Get("Content-Type")).To(BeEmpty())
			Expect(srv.last().Body).To(BeEmpty())
			_, _, err = cl.ExpireSession(ctx, "acme-order-0001", "")
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.last().Body).To(BeEmpty())
		})

		It("marshals typed bodies", func() {
			req := checkout.UpdateSessionRequest{Transaction: checkout.PaymentTransaction{
				Amount: checkout.Amount{Value: 59900, Currency: "NOK"}, PaymentDescription: "Three pairs of socks"}}
			s, resp, err := cl.UpdateSession(ctx, "acme-order-0001", req, "idem-upd-1")
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Status).To(Equal(200))
			Expect(s.SessionState).To(Equal(checkout.StateSessionCreated))
			var got checkout.UpdateSessionRequest
			Expect(json.Unmarshal(srv.last().Body, &got)).To(Succeed())
			Expect(got).To(Equal(req))
			Expect(srv.last().Method).To(Equal("PATCH"))
			Expect(srv.last().Header.Get("Idempotency-Key")).To(Equal("idem-upd-1"))
			Expect(rec.RequestViolations()).To(BeEmpty())
		})

		It("honours WithSystemInfo and WithUserAgent, keeping defaults for empty fields", func() {
			c := client.New(srv.URL, creds, client.WithHTTPClient(srv.Client()),
				client.WithSystemInfo(client.SystemInfo{Name: "Acme Commerce", PluginVersion: "4.5.6"}), client.WithUserAgent("acme/1"))
			_, _, err := c.GetSession(ctx, "acme-order-0001")
			Expect(err).NotTo(HaveOccurred())
			h := srv.last().Header
			Expect(h.Get("Vipps-System-Name")).To(Equal("Acme Commerce"))
			Expect(h.Get("Vipps-System-Version")).To(Equal(client.Version))
			Expect(h.Get("Vipps-System-Plugin-Name")).To(Equal("checkoutkit-client"))
			Expect(h.Get("Vipps-System-Plugin-Version")).To(Equal("4.5.6"))
			Expect(h.Get("User-Agent")).To(Equal("acme/1"))
		})

		It("escapes the reference in the path", func() {
			cl.GetSession(ctx, "a/b c")
			Expect(srv.last().RawPath).To(Equal("/checkout/v3/session/a%2Fb%20c"))
		})

		It("joins a base URL that has a path prefix", func() {
			c := client.New(srv.URL+"/prefix/", creds, client.WithHTTPClient(srv.Client()))
			c.GetSession(ctx, "acme-order-0001")
			Expect(srv.last().Path).To(Equal("/prefix/checkout/v3/session/acme-order-0001"))
		})
	})

	Describe("answers", func() {
		It("decodes a created session", func() {
			s, resp, err := cl.CreateSession(ctx, []byte(`{}`), "idem-1")
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.OK()).To(BeTrue())
			Expect(resp.Problem).To(BeNil())
			Expect(s.Token).To(Equal("tok"))
			Expect(s.PollingURL).To(HaveSuffix("/checkout/v3/session/acme-order-0001"))
			Expect(srv.last().Header.Get("Idempotency-Key")).To(Equal("idem-1"))
		})

		It("returns a non-2xx as a Response with the problem, not as an error", func() {
			s, resp, err := cl.ExpireSession(ctx, "paid-order-0001", "")
			Expect(err).NotTo(HaveOccurred())
			Expect(s).To(BeNil())
			Expect(resp.Status).To(Equal(409))
			Expect(resp.OK()).To(BeFalse())
			Expect(resp.Problem).NotTo(BeNil())
			Expect(resp.Problem.ErrorCode).To(Equal(checkout.ErrSessionConflict))
			Expect(*resp.Problem.Title).To(Equal("The session is paid."))
			Expect(resp.Header.Get("Content-Type")).To(Equal("application/json"))

			s, resp, err = cl.GetSession(ctx, "nobody-knows-01")
			Expect(err).NotTo(HaveOccurred())
			Expect(s).To(BeNil())
			Expect(resp.Status).To(Equal(404))
			Expect(resp.Problem.ErrorCode).To(Equal(checkout.ErrSessionNotFound))
			Expect(resp.Problem.Errors).To(BeEmpty())
		})

		It("leaves Problem nil when an error body is not JSON", func() {
			_, resp, err := cl.GetSession(ctx, "plain-error-01")
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Status).To(Equal(502))
			Expect(resp.Problem).To(BeNil())
			Expect(string(resp.Body)).To(ContainSubstring("bad gateway"))
		})

		It("reports an undecodable 2xx as an error, with the Response", func() {
			s, resp, err := cl.GetSession(ctx, "broken-json-01")
			Expect(err).To(MatchError(ContainSubstring("decode the 200 answer")))
			Expect(s).To(BeNil())
			Expect(resp.Status).To(Equal(200))
		})

		It("reports a transport failure as an error", func() {
			dead := httptest.NewServer(http.NotFoundHandler())
			url := dead.URL
			dead.Close()
			_, resp, err := client.New(url, creds).GetSession(ctx, "acme-order-0001")
			Expect(err).To(HaveOccurred())
			Expect(resp).To(BeNil())
		})

		It("refuses an answer over the size limit", func() {
			c := client.New(srv.URL, creds, client.WithHTTPClient(srv.Client()), client.WithMaxResponseBody(16))
			_, resp, err := c.GetSession(ctx, "acme-order-0001")
			Expect(err).To(MatchError(client.ErrResponseTooLarge))
			Expect(resp.Body).To(HaveLen(16))
		})

		It("errors on every call when the base URL is malformed", func() {
			for _, base := range []string{"::", "127.0.0.1:8080", "ftp://127.0.0.1"} {
				_, _, err := client.New(base, creds).GetSession(ctx, "acme-order-0001")
				Expect(err).To(HaveOccurred(), base)
			}
		})
	})

	Describe("Do", func() {
		It("sends raw requests with headers added, replaced and removed", func() {
			h := http.Header{}
			h["client_id"] = nil                       // removed
			h.Set("Client_secret", "wrong-secret")     // replaced, whatever the spelling
			h.Set("X-Test", "yes")                     // added
			h["Content-Type"] = []string{"text/plain"} // replaced
			resp, err := cl.Do(ctx, http.MethodPost, "/checkout/v3/session", []byte("not json"), h)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Status).To(Equal(200))
			got := srv.last()
			Expect(got.Header.Values("client_id")).To(BeEmpty())
			Expect(got.Header.Values("client_secret")).To(Equal([]string{"wrong-secret"}))
			Expect(got.Header.Get("X-Test")).To(Equal("yes"))
			Expect(got.Header.Get("Content-Type")).To(Equal("text/plain"))
			Expect(string(got.Body)).To(Equal("not json"))
			// The Recorder saw the same bad request, and says so.
			Expect(rec.RequestViolations()).To(contract.HaveViolationAt("/header/client_id"))
		})

		It("leaves out the headers of empty credentials", func() {
			c := client.New(srv.URL, client.Credentials{ClientID: "only-id"}, client.WithHTTPClient(srv.Client()))
			_, err := c.Do(ctx, http.MethodGet, "/checkout/v3/session/acme-order-0001", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			h := srv.last().Header
			Expect(h.Get("client_id")).To(Equal("only-id"))
			for _, name := range []string{"client_secret", "Ocp-Apim-Subscription-Key", "Merchant-Serial-Number"} {
				Expect(h.Values(name)).To(BeEmpty(), name)
			}
		})
	})

	It("keeps secrets out of the recorded exchanges", func() {
		body, err := fixtures.Valid("payment-minimal")
		Expect(err).NotTo(HaveOccurred())
		cl.CreateSession(ctx, body, "")
		raw, err := json.Marshal(rec.Exchanges())
		Expect(err).NotTo(HaveOccurred())
		dump := string(raw) + fmt.Sprintf("%+v", rec.Exchanges())
		Expect(string(srv.last().Body)).To(ContainSubstring("fixture-callback-token-0001"))
		for _, s := range []string{creds.ClientSecret, creds.SubscriptionKey, "fixture-callback-token-0001"} {
			Expect(dump).NotTo(ContainSubstring(s))
		}
		Expect(dump).To(ContainSubstring(creds.ClientID))
	})
})
