package contract_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/checkoutkit/checkoutkit/contract"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	secretClient = "Y8Kteew6GE3ZmeycEt6egg=="
	secretSubKey = "0f14ebcab0eb4b29ae0cb90d91b4a84a"
	secretToken  = "cb-token-do-not-leak-7731"
	secretBearer = "Bearer bearer-do-not-leak-1234"
)

const sessionCreated = `{"sessionId":"s1","merchantSerialNumber":"123456","reference":"acme-order-0001","sessionState":"SessionCreated"}`

// cannedServer answers like a small Checkout endpoint: each path has a fixed status and body,
// and it remembers the bodies it received, so specs can check what went over the wire.
type cannedServer struct {
	*httptest.Server
	mu       sync.Mutex
	received map[string][]byte
}

func newCannedServer() *cannedServer {
	s := &cannedServer{received: map[string][]byte{}}
	mux := http.NewServeMux()
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			s.received[r.Method+" "+r.URL.Path] = b
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	mux.HandleFunc("POST /checkout/v3/session", answer(200,
		`{"token":"t","checkoutFrontendUrl":"https://vippscheckout.vipps.no/v1/","pollingUrl":"http://127.0.0.1/checkout/v3/session/acme-order-0001"}`))
	mux.HandleFunc("GET /checkout/v3/session/acme-order-0001", answer(200, sessionCreated))
	// A broken endpoint: drops the required sessionId and echoes the callback token.
	mux.HandleFunc("GET /checkout/v3/session/broken-0001", answer(200,
		`{"reference":"broken-0001","sessionState":"SessionCreated","merchantInfo":{"callbackAuthorizationToken":"`+secretToken+`"}}`))
	mux.HandleFunc("GET /checkout/v3/session/teapot-0001", answer(418, `{}`))
	mux.HandleFunc("GET /checkout/v3/session/unknown-0001", answer(404, `{"errorCode":"Session-00100","errors":{}}`))
	mux.HandleFunc("GET /healthz", answer(200, `ok`))
	mux.HandleFunc("POST /_mock/sessions/{ref}/approve", answer(204, ``))
	s.Server = httptest.NewServer(mux)
	return s
}

func (s *cannedServer) got(key string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received[key]
}

func newRequest(method, url, body string) *http.Request {
	GinkgoHelper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	Expect(err).NotTo(HaveOccurred())
	req.Header = goodHeaders()
	req.Header.Set("Authorization", secretBearer)
	return req
}

// send makes one request through client and returns the status and the body as the caller sees it.
func send(client *http.Client, req *http.Request) (int, string) {
	GinkgoHelper()
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, string(b)
}

var _ = Describe("Recorder", func() {
	var (
		srv    *cannedServer
		v      *contract.Validator
		rec    *contract.Recorder
		client *http.Client
	)
	BeforeEach(func() {
		srv = newCannedServer()
		DeferCleanup(srv.Close)
		v = validator
		rec = contract.NewRecorder(v, srv.Client().Transport)
		client = &http.Client{Transport: rec}
	})

	When("the exchange conforms", func() {
		It("records it with no violations and leaves both bodies readable", func() {
			status, body := send(client, newRequest("POST", srv.URL+"/checkout/v3/session", minimalPayment))
			Expect(status).To(Equal(200))
			Expect(body).To(ContainSubstring(`"token":"t"`))
			Expect(string(srv.got("POST /checkout/v3/session"))).To(Equal(minimalPayment))

			exs := rec.Exchanges()
			Expect(exs).To(HaveLen(1))
			Expect(exs[0].Operation).To(Equal("POST /checkout/v3/session"))
			Expect(exs[0].InScope).To(BeTrue())
			Expect(exs[0].Status).To(Equal(200))
			Expect(exs[0].Conformant()).To(BeTrue(), "%+v", exs[0])
			Expect(string(exs[0].ResponseBody)).To(Equal(body))
			Expect(exs[0].Duration).To(BeNumerically(">", 0))
			Expect(rec).To(contract.HaveNoResponseViolations())
			Expect(rec.Stats()).To(Equal(contract.RecorderStats{Exchanges: 1, Validated: 1}))
		})
	})

	When("the response breaks the contract", func() {
		It("records the violation and the matcher fails, naming the location and the fix", func() {
			status, _ := send(client, newRequest("GET", srv.URL+"/checkout/v3/session/broken-0001", ""))
			Expect(status).To(Equal(200))
			Expect(rec.ResponseViolations()).To(contract.HaveViolationAt("/body"))
			Expect(rec.RequestViolations()).To(BeEmpty())

			m := contract.HaveNoResponseViolations()
			ok, err := m.Match(rec)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeFalse())
			msg := m.FailureMessage(rec)
			for _, vi := range rec.ResponseViolations() {
				Expect(msg).To(ContainSubstring(vi.String()))
			}
			Expect(msg).To(ContainSubstring("/body"))
			Expect(msg).To(ContainSubstring("sessionId"))

			failures := InterceptGomegaFailures(func() { Expect(rec).To(contract.HaveNoResponseViolations()) })
			Expect(failures).To(HaveLen(1))
			Expect(failures[0]).To(ContainSubstring("missing property 'sessionId'"))
		})

		It("flags an undocumented status at /status", func() {
			send(client, newRequest("GET", srv.URL+"/checkout/v3/session/teapot-0001", ""))
			Expect(rec.ResponseViolations()).To(contract.HaveViolationAt("/status"))
			Expect(rec.Stats().ResponseViolations).To(Equal(1))
		})
	})

	It("validates the request before sending it, and still sends a non-conforming one", func() {
		bad := strings.Replace(minimalPayment, `"value":49900`, `"value":-5`, 1)
		req := newRequest("POST", srv.URL+"/checkout/v3/session", bad)
		req.Header.Del("client_id")
		send(client, req)
		Expect(string(srv.got("POST /checkout/v3/session"))).To(Equal(bad), "negative tests must be able to send bad requests")
		vs := rec.RequestViolations()
		Expect(vs).To(contract.HaveViolationAt("/body/transaction/amount/value"))
		Expect(vs).To(contract.HaveViolationAt("/header/client_id"))
		Expect(rec).To(contract.HaveNoResponseViolations())
	})

	It("records transport errors, with the request's violations found before the send", func() {
		failing := contract.NewRecorder(v, roundTripFunc(func(*http.Request) (*http.Response, error) {
			return nil, errors.New("connection refused (test)")
		}))
		req := newRequest("GET", "http://127.0.0.1:1/checkout/v3/session/x", "")
		req.Header.Del("Merchant-Serial-Number")
		_, err := (&http.Client{Transport: failing}).Do(req)
		Expect(err).To(MatchError(ContainSubstring("connection refused (test)")))
		exs := failing.Exchanges()
		Expect(exs).To(HaveLen(1))
		Expect(exs[0].Err).To(ContainSubstring("connection refused (test)"))
		Expect(exs[0].Status).To(BeZero())
		Expect(exs[0].RequestViolations).To(contract.HaveViolationAt("/header/Merchant-Serial-Number"))
		Expect(failing.Stats().TransportErrors).To(Equal(1))
	})

	It("records a refused connection to a closed server", func() {
		dead := httptest.NewServer(http.NotFoundHandler())
		url := dead.URL
		dead.Close()
		_, err := client.Do(newRequest("GET", url+"/checkout/v3/session/acme-order-0001", ""))
		Expect(err).To(HaveOccurred())
		Expect(rec.Exchanges()).To(ConsistOf(HaveField("Err", Not(BeEmpty()))))
	})

	Context("scope", func() {
		It("passes control and health calls through unvalidated, recorded as out of scope", func() {
			status, _ := send(client, newRequest("GET", srv.URL+"/healthz", ""))
			Expect(status).To(Equal(200))
			status, _ = send(client, newRequest("POST", srv.URL+"/_mock/sessions/acme-order-0001/approve", ""))
			Expect(status).To(Equal(204))
			exs := rec.Exchanges()
			Expect(exs).To(HaveLen(2))
			for _, e := range exs {
				Expect(e.InScope).To(BeFalse())
				Expect(e.RequestViolations).To(BeEmpty())
				Expect(e.ResponseViolations).To(BeEmpty())
			}
			Expect(exs[1].Operation).To(Equal("POST /_mock/sessions/acme-order-0001/approve"))
			Expect(rec.Stats().Validated).To(BeZero())
		})

		It("by default validates unknown paths under the API and bare paths that forgot the base", func() {
			send(client, newRequest("GET", srv.URL+"/checkout/v3/sessions/x", ""))
			send(client, newRequest("GET", srv.URL+"/session/acme-order-0001", ""))
			exs := rec.Exchanges()
			Expect(exs).To(HaveLen(2))
			for _, e := range exs {
				Expect(e.InScope).To(BeTrue(), e.URL)
				Expect(e.RequestViolations).To(contract.HaveViolationAt("/path"))
			}
		})

		It("follows WithScope", func() {
			only := contract.NewRecorder(v, srv.Client().Transport, contract.WithScope(func(r *http.Request) bool {
				return strings.HasSuffix(r.URL.Path, "/broken-0001")
			}))
			c := &http.Client{Transport: only}
			send(c, newRequest("GET", srv.URL+"/checkout/v3/session/teapot-0001", ""))
			Expect(only).To(contract.HaveNoResponseViolations())
			send(c, newRequest("GET", srv.URL+"/checkout/v3/session/broken-0001", ""))
			Expect(only).NotTo(contract.HaveNoResponseViolations())
		})
	})

	It("caps captured bodies but validates and forwards them whole", func() {
		capped := contract.NewRecorder(v, srv.Client().Transport, contract.WithCaptureLimit(16))
		c := &http.Client{Transport: capped}
		_, body := send(c, newRequest("POST", srv.URL+"/checkout/v3/session", minimalPayment))
		Expect(string(srv.got("POST /checkout/v3/session"))).To(Equal(minimalPayment))
		e := capped.Exchanges()[0]
		Expect(e.RequestBody).To(HaveLen(16))
		Expect(e.RequestTruncated).To(BeTrue())
		Expect(e.ResponseBody).To(HaveLen(16))
		Expect(e.ResponseTruncated).To(BeTrue())
		Expect(len(body)).To(BeNumerically(">", 16))
		Expect(e.Conformant()).To(BeTrue(), "validation must see the whole body: %+v", e)
	})

	It("keeps at most WithMaxExchanges and counts the dropped ones", func() {
		small := contract.NewRecorder(v, srv.Client().Transport, contract.WithMaxExchanges(3))
		c := &http.Client{Transport: small}
		for i := 0; i < 5; i++ {
			send(c, newRequest("GET", fmt.Sprintf("%s/checkout/v3/session/acme-order-0001?i=%d", srv.URL, i), ""))
		}
		exs := small.Exchanges()
		Expect(exs).To(HaveLen(3))
		for i, e := range exs { // the newest three, oldest first
			Expect(e.URL).To(HaveSuffix(fmt.Sprintf("?i=%d", i+2)))
		}
		send(c, newRequest("GET", srv.URL+"/checkout/v3/session/broken-0001", ""))
		Expect(small.Exchanges()[2].URL).To(HaveSuffix("/broken-0001"))
		Expect(small.ResponseViolations()).NotTo(BeEmpty())
		Expect(small.Stats()).To(HaveField("Dropped", 3))
		small.Reset()
		Expect(small.Exchanges()).To(BeEmpty())
		Expect(small.Stats()).To(Equal(contract.RecorderStats{}))
	})

	It("keeps everything with WithMaxExchanges(0)", func() {
		all := contract.NewRecorder(v, srv.Client().Transport, contract.WithMaxExchanges(0))
		c := &http.Client{Transport: all}
		for i := 0; i < 5; i++ {
			send(c, newRequest("GET", srv.URL+"/checkout/v3/session/acme-order-0001", ""))
		}
		Expect(all.Exchanges()).To(HaveLen(5))
		Expect(all.Stats()).To(HaveField("Dropped", 0))
	})

	It("counts what it drops", func() {
		small := contract.NewRecorder(v, srv.Client().Transport, contract.WithMaxExchanges(3))
		c := &http.Client{Transport: small}
		for i := 0; i < 5; i++ {
			send(c, newRequest("GET", srv.URL+"/checkout/v3/session/acme-order-0001", ""))
		}
		Expect(small.Stats()).To(HaveField("Exchanges", 5))
		Expect(small.Stats()).To(HaveField("Dropped", 2))
		small.Reset()
		Expect(small.Exchanges()).To(BeEmpty())
		Expect(small.Stats()).To(Equal(contract.RecorderStats{}))
	})

	It("calls the observer with every exchange", func() {
		var mu sync.Mutex
		var seen []string
		obs := contract.NewRecorder(v, srv.Client().Transport, contract.WithObserver(func(e contract.Exchange) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, e.Operation)
		}))
		send(&http.Client{Transport: obs}, newRequest("GET", srv.URL+"/checkout/v3/session/acme-order-0001", ""))
		mu.Lock()
		defer mu.Unlock()
		Expect(seen).To(Equal([]string{"GET /checkout/v3/session/{reference}"}))
	})

	It("is safe for concurrent use", func() {
		const workers, each = 16, 10
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				for i := 0; i < each; i++ {
					path := "/checkout/v3/session/acme-order-0001"
					if i%2 == 1 {
						path = "/checkout/v3/session/broken-0001"
					}
					send(client, newRequest("GET", srv.URL+path, ""))
				}
			}()
		}
		wg.Wait()
		st := rec.Stats()
		Expect(st.Exchanges).To(Equal(workers * each))
		Expect(st.ResponseViolations).To(Equal(workers * each / 2))
		Expect(rec.ResponseViolations()).To(HaveLen(workers * each / 2))
	})

	It("never lets a secret into a recorded exchange", func() {
		req := newRequest("POST", srv.URL+"/checkout/v3/session",
			strings.Replace(minimalPayment, `"tok-1"`, fmt.Sprintf("%q", secretToken), 1))
		req.Header.Set("Ocp-Apim-Subscription-Key", secretSubKey)
		req.Header["client_secret"] = []string{secretClient} // the raw spelling, as some clients send it
		send(client, req)
		send(client, newRequest("GET", srv.URL+"/checkout/v3/session/broken-0001", "")) // echoes the token
		Expect(string(srv.got("POST /checkout/v3/session"))).To(ContainSubstring(secretToken), "the wire must carry the real token")
		Expect(req.Header.Get("Authorization")).To(Equal(secretBearer), "the caller's request must not be changed")

		exs := rec.Exchanges()
		Expect(exs).To(HaveLen(2))
		raw, err := json.Marshal(exs)
		Expect(err).NotTo(HaveOccurred())
		dump := string(raw) + fmt.Sprintf("%+v", exs)
		Expect(dump).To(ContainSubstring(contract.Redacted))
		Expect(dump).To(ContainSubstring(`"requestBody":"{`), "bodies are marshalled as text, so this search can see them")
		for _, s := range []string{secretClient, secretSubKey, secretToken, secretBearer, "bearer-do-not-leak"} {
			Expect(dump).NotTo(ContainSubstring(s))
		}

		var back []contract.Exchange
		Expect(json.Unmarshal(raw, &back)).To(Succeed())
		Expect(back).To(HaveLen(2))
		Expect(back[0].RequestBody).To(Equal(exs[0].RequestBody))
		Expect(back[1].ResponseViolations).To(Equal(exs[1].ResponseViolations))
		Expect(back[0].Time.Equal(exs[0].Time)).To(BeTrue())
	})
})

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var _ = Describe("Matchers", func() {
	var (
		srv *cannedServer
		v   *contract.Validator
	)
	BeforeEach(func() {
		srv = newCannedServer()
		DeferCleanup(srv.Close)
		v = validator
	})

	get := func(path string) *http.Response {
		GinkgoHelper()
		resp, err := srv.Client().Do(newRequest("GET", srv.URL+path, ""))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(resp.Body.Close)
		return resp
	}

	Describe("ConformToContract", func() {
		It("accepts a conforming response and leaves its body readable", func() {
			resp := get("/checkout/v3/session/acme-order-0001")
			Expect(resp).To(contract.ConformToContract(v))
			b, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).To(Equal(sessionCreated))
		})

		It("accepts a documented error response", func() {
			Expect(get("/checkout/v3/session/unknown-0001")).To(contract.ConformToContract(v))
		})

		It("rejects a response that drops a required field, saying where", func() {
			resp := get("/checkout/v3/session/broken-0001")
			m := contract.ConformToContract(v)
			ok, err := m.Match(resp)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeFalse())
			msg := m.FailureMessage(resp)
			Expect(msg).To(ContainSubstring("200 response to GET /checkout/v3/session/broken-0001"))
			Expect(msg).To(ContainSubstring("/body: missing property 'sessionId'"))
			Expect(msg).To(ContainSubstring("[spec "))
		})

		It("rejects an undocumented status", func() {
			failures := InterceptGomegaFailures(func() {
				Expect(get("/checkout/v3/session/teapot-0001")).To(contract.ConformToContract(v))
			})
			Expect(failures).To(ConsistOf(ContainSubstring("/status")))
		})

		It("errors on something that is not a response with a request", func() {
			_, err := contract.ConformToContract(v).Match("nope")
			Expect(err).To(HaveOccurred())
			_, err = contract.ConformToContract(v).Match(&http.Response{StatusCode: 200})
			Expect(err).To(MatchError(ContainSubstring("resp.Request")))
		})
	})

	Describe("HaveViolationAt", func() {
		vs := []contract.Violation{{Location: "/body/reference", Message: "too short"}, {Location: "/header/client_id", Message: "missing"}}
		It("matches an exact location only", func() {
			Expect(vs).To(contract.HaveViolationAt("/body/reference"))
			Expect(vs).To(contract.HaveViolationAt("/header/client_id"))
			Expect(vs).NotTo(contract.HaveViolationAt("/body"))
			Expect(vs).NotTo(contract.HaveViolationAt("/body/reference/x"))
		})
		It("fails with the violations it did find", func() {
			m := contract.HaveViolationAt("/body/transaction")
			ok, err := m.Match(vs)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeFalse())
			Expect(m.FailureMessage(vs)).To(ContainSubstring("/body/reference: too short"))
			ok, _ = m.Match([]contract.Violation(nil))
			Expect(ok).To(BeFalse())
		})
		It("errors on the wrong type", func() {
			_, err := contract.HaveViolationAt("/x").Match("nope")
			Expect(err).To(HaveOccurred())
		})
	})

	Describe("HaveNoResponseViolations", func() {
		It("errors on something that is not a Recorder", func() {
			_, err := contract.HaveNoResponseViolations().Match(v)
			Expect(err).To(HaveOccurred())
		})
	})
})
