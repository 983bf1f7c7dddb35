package mock_test

import (
	"io"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
)

// raw sends without the <500 assertion of env.send, for injected faults.
func (e *env) raw(method, path string, body io.Reader, h http.Header) (*http.Response, []byte) {
	GinkgoHelper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	Expect(err).NotTo(HaveOccurred())
	req.Header = h
	resp, err := e.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp, b
}

var _ = Describe("Fault injection", func() {
	DescribeTable("answers every request with the injected error at rate 1",
		func(status int, code string) {
			e := newEnv(mock.WithFaults(mock.Faults{Errors: []mock.ErrorRule{{Op: mock.OpGet, Status: status, Rate: 1, RetryAfter: 2 * time.Second}}}))
			for range 5 {
				resp, body := e.raw(http.MethodGet, "/checkout/v3/session/"+newRef(), nil, headers(mock.DefaultMerchant))
				Expect(resp.StatusCode).To(Equal(status))
				Expect(body).To(ContainSubstring(code))
				if status == http.StatusTooManyRequests {
					Expect(resp.Header.Get("Retry-After")).To(Equal("2"))
				}
			}
			// Other operations are untouched.
			Expect(e.create(paymentBody(newRef(), loopbackCallback)).status).To(Equal(http.StatusOK))
		},
		Entry(nil, 500, checkout.ErrInternal),
		Entry(nil, 502, checkout.ErrBadGateway),
		Entry(nil, 429, checkout.ErrRateLimited),
	)

	It("injects at roughly the configured rate, repeatably with a seed", func() {
		count := func() int {
			e := newEnv(mock.WithFaults(mock.Faults{Errors: []mock.ErrorRule{{Op: mock.OpAll, Status: 502, Rate: 0.3}}, Seed: 42}))
			n := 0
			for range 200 {
				resp, _ := e.raw(http.MethodGet, "/checkout/v3/session/"+newRef(), nil, headers(mock.DefaultMerchant))
				if resp.StatusCode == 502 {
					n++
				}
			}
			return n
		}
		n := count()
		Expect(n).To(BeNumerically("~", 60, 25))
		Expect(count()).To(Equal(n), "the same seed gives the same faults")
	})

	It("adds latency to the configured operation", func() {
		e := newEnv(mock.WithFaults(mock.Faults{Latency: map[string]mock.Latency{mock.OpGet: {Kind: mock.LatencyFixed, Fixed: 60 * time.Millisecond}}}))
		start := time.Now()
		e.get(newRef())
		Expect(time.Since(start)).To(BeNumerically(">=", 60*time.Millisecond))
		start = time.Now()
		e.expire(newRef())
		Expect(time.Since(start)).To(BeNumerically("<", 60*time.Millisecond))
	})
})

var _ = Describe("Breakage modes", func() {
	// Each mode must produce exactly the violations it promises, so a suite run against a
	// broken mock is known to fail.
	DescribeTable("produce the violations they promise",
		func(b mock.Breakage, op string, wantStatus int, wantLoc string) {
			e := newEnv(mock.WithBreakage(b))
			e.allowVs = true
			ref := newRef()
			resp, _ := e.raw(http.MethodPost, "/checkout/v3/session", bytesReader(paymentBody(ref, loopbackCallback)), headers(mock.DefaultMerchant))
			Expect(resp.StatusCode).To(BeElementOf(200, 201))
			if op != "create" {
				e.tr.take()
				var path, method = "/checkout/v3/session/" + ref, http.MethodGet
				var body io.Reader
				h := headers(mock.DefaultMerchant)
				switch op {
				case "patch":
					method, body = http.MethodPatch, bytesReader(updateBody)
				case "expire":
					method, path = http.MethodPost, path+"/expire"
					h.Del("Content-Type")
				}
				resp, _ = e.raw(method, path, body, h)
			}
			Expect(resp.StatusCode).To(Equal(wantStatus))
			vs := e.tr.take()
			Expect(vs).To(ContainElement(HaveField("Location", wantLoc)), "violations: %v", vs)
			Expect(vs).To(contract.HaveViolationAt(wantLoc))
		},
		Entry(nil, mock.BreakDropRequiredField, "create", 200, "/body"),
		Entry(nil, mock.BreakDropRequiredField, "get", 200, "/body"),
		Entry(nil, mock.BreakDropRequiredField, "patch", 200, "/body"),
		Entry(nil, mock.BreakDropRequiredField, "expire", 200, "/body"),
		Entry(nil, mock.BreakWrongEnum, "get", 200, "/body/sessionState"),
		Entry(nil, mock.BreakWrongEnum, "expire", 200, "/body/sessionState"),
		Entry(nil, mock.BreakUndocumentedStatus, "create", 201, "/status"),
		Entry(nil, mock.BreakUndocumentedStatus, "expire", 418, "/status"),
	)

	It("names the dropped field in the violation", func() {
		e := newEnv(mock.WithBreakage(mock.BreakDropRequiredField))
		e.allowVs = true
		ref := newRef()
		e.raw(http.MethodPost, "/checkout/v3/session", bytesReader(paymentBody(ref, loopbackCallback)), headers(mock.DefaultMerchant))
		Expect(e.tr.take()).To(ContainElement(HaveField("Message", ContainSubstring("pollingUrl"))))
		e.get(ref)
		Expect(e.tr.take()).To(ContainElement(HaveField("Message", ContainSubstring("sessionState"))))
	})

	It("is off by default: the same requests conform", func() {
		e := newEnv()
		ref := e.into(stCreated)
		e.get(ref)
		e.patch(ref, updateBody)
		e.expire(ref)
		Expect(e.tr.take()).To(BeEmpty())
	})
})
