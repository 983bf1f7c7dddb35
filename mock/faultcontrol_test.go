package mock_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/mock"
)

// faultsCall sends one request to the fault control endpoint.
func (e *env) faultsCall(method, body string) reply {
	GinkgoHelper()
	var b []byte
	h := http.Header{}
	if body != "" {
		b = []byte(body)
		h.Set("Content-Type", "application/json")
	}
	return e.send(method, mock.FaultControlPath, b, h)
}

func (r reply) faults() mock.FaultsRequest {
	GinkgoHelper()
	var fr mock.FaultsRequest
	Expect(json.Unmarshal(r.body, &fr)).To(Succeed(), "body: %s", r.body)
	return fr
}

var _ = Describe("Fault control endpoint", func() {
	// One request per operation, each valid for a session in SessionCreated, in an order
	// (expire last) that keeps them valid one after another.
	type opReq struct {
		op, method, path string
		body             []byte
	}
	requests := func(ref string) []opReq {
		return []opReq{
			{mock.OpCreate, http.MethodPost, "/checkout/v3/session", paymentBody(newRef(), loopbackCallback)},
			{mock.OpGet, http.MethodGet, "/checkout/v3/session/" + ref, nil},
			{mock.OpUpdate, http.MethodPatch, "/checkout/v3/session/" + ref, updateBody},
			{mock.OpExpire, http.MethodPost, "/checkout/v3/session/" + ref + "/expire", nil},
		}
	}
	sendOp := func(e *env, q opReq) (*http.Response, []byte) {
		GinkgoHelper()
		h := headers(mock.DefaultMerchant)
		if q.body == nil {
			h.Del("Content-Type")
			return e.raw(q.method, q.path, nil, h)
		}
		return e.raw(q.method, q.path, bytesReader(q.body), h)
	}

	DescribeTable("injects the status it is given on exactly the operation named, until cleared",
		func(status int, code string) {
			e := newEnv()
			for _, target := range requests("") {
				By("failing " + target.op)
				// A fresh session per round (the round's own expire ends it), made while no
				// fault is in force.
				Expect(e.m.SetFaults(mock.Faults{})).To(Succeed())
				ref := e.into(stCreated)
				set := e.faultsCall(http.MethodPut, `{"errors":[{"operation":"`+target.op+`","status":`+strconv.Itoa(status)+`,"rate":1,"retryAfter":"2s"}]}`)
				Expect(set.status).To(Equal(http.StatusOK), "body: %s", set.body)
				Expect(set.faults().Errors).To(HaveLen(1))
				for _, q := range requests(ref) {
					resp, body := sendOp(e, q)
					if q.op != target.op {
						Expect(resp.StatusCode).To(BeNumerically("<", 300), "%s must be untouched while %s fails: %s", q.op, target.op, body)
						continue
					}
					Expect(resp.StatusCode).To(Equal(status), "%s: %s", q.op, body)
					r := reply{status: resp.StatusCode, header: resp.Header, body: body}
					Expect(r.problem().ErrorCode).To(Equal(code))
					if status == http.StatusTooManyRequests {
						Expect(resp.Header.Get("Retry-After")).To(Equal("2"))
					} else {
						Expect(resp.Header.Get("Retry-After")).To(BeEmpty())
					}
				}
				// Every injected answer went through the contract validator in env's transport.
				Expect(e.tr.take()).To(BeEmpty(), "injected answers must conform to the contract")
			}

			By("clearing")
			cleared := e.faultsCall(http.MethodDelete, "")
			Expect(cleared.status).To(Equal(http.StatusOK))
			Expect(cleared.faults().Errors).To(BeEmpty())
			Expect(e.m.Faults().Errors).To(BeEmpty())
			for _, q := range requests(e.into(stCreated)) {
				resp, body := sendOp(e, q)
				Expect(resp.StatusCode).To(BeNumerically("<", 300), "%s after clearing: %s", q.op, body)
			}
		},
		Entry("429", http.StatusTooManyRequests, checkout.ErrRateLimited),
		Entry("500", http.StatusInternalServerError, checkout.ErrInternal),
		Entry("502", http.StatusBadGateway, checkout.ErrBadGateway),
	)

	It("shows the configuration in force, latency included, and PUT replaces it whole", func() {
		e := newEnv()
		Expect(e.faultsCall(http.MethodGet, "").faults()).To(Equal(mock.FaultsRequest{Errors: []mock.ErrorRuleRequest{}, Latency: map[string]string{}}))
		got := e.faultsCall(http.MethodPut, `{"errors":[{"operation":"*","status":500,"rate":0.25}],"latency":{"get":"uniform:10ms..50ms","expire":"60ms"},"seed":7}`).faults()
		Expect(got.Errors).To(HaveLen(1))
		Expect(*got.Errors[0].Rate).To(Equal(0.25))
		Expect(got.Latency).To(Equal(map[string]string{"get": "uniform:10ms..50ms", "expire": "60ms"}))
		Expect(got.Seed).To(BeEquivalentTo(7))
		Expect(e.faultsCall(http.MethodGet, "").faults()).To(Equal(got))

		By("a rate left out meaning 1, and the latency taking effect")
		e.faultsCall(http.MethodPut, `{"latency":{"expire":"60ms"},"errors":[{"operation":"update","status":502}]}`)
		Expect(e.m.Faults().Errors).To(ConsistOf(HaveField("Rate", 1.0)))
		start := time.Now()
		e.expire(newRef())
		Expect(time.Since(start)).To(BeNumerically(">=", 60*time.Millisecond))
		resp, _ := e.raw(http.MethodPatch, "/checkout/v3/session/"+newRef(), bytesReader(updateBody), headers(mock.DefaultMerchant))
		Expect(resp.StatusCode).To(Equal(http.StatusBadGateway))
	})

	DescribeTable("refuses a bad configuration with the Checkout error body and changes nothing",
		func(body, key string) {
			e := newEnv(mock.WithFaults(mock.Faults{Errors: []mock.ErrorRule{{Op: mock.OpGet, Status: 500, Rate: 0}}}))
			before := e.faultsCall(http.MethodGet, "").faults()
			r := e.faultsCall(http.MethodPut, body)
			Expect(r.status).To(Equal(http.StatusBadRequest), "body: %s", r.body)
			p := r.problem()
			Expect(p.ErrorCode).To(Equal(checkout.ErrValidation))
			Expect(p.Errors).To(HaveKey(key))
			Expect(e.faultsCall(http.MethodGet, "").faults()).To(Equal(before))
		},
		Entry("malformed JSON", `{"errors":[`, "Body"),
		Entry("not an object", `[]`, "Body"),
		Entry("an unknown field", `{"errors":[{"operation":"get","status":500,"retry_after":"1s"}]}`, "Body"),
		Entry("two objects", `{} {}`, "Body"),
		Entry("an unknown operation", `{"errors":[{"operation":"capture","status":500}]}`, "Errors[0].Operation"),
		Entry("a status that is not 429, 500 or 502", `{"errors":[{"operation":"get","status":503}]}`, "Errors[0].Status"),
		Entry("a 404", `{"errors":[{"operation":"get","status":500},{"operation":"get","status":404}]}`, "Errors[1].Status"),
		Entry("a rate above 1", `{"errors":[{"operation":"get","status":500,"rate":1.5}]}`, "Errors[0].Rate"),
		Entry("a negative rate", `{"errors":[{"operation":"get","status":500,"rate":-0.1}]}`, "Errors[0].Rate"),
		Entry("a bad Retry-After", `{"errors":[{"operation":"get","status":429,"retryAfter":"soon"}]}`, "Errors[0].RetryAfter"),
		Entry("a bad latency", `{"latency":{"get":"uniform:50ms..10ms"}}`, "Latency.get"),
		Entry("a latency for an unknown operation", `{"latency":{"capture":"10ms"}}`, "Latency.capture"),
	)

	It("is not served with WithFaultControl(false), while SetFaults still works", func() {
		e := newEnv(mock.WithFaultControl(false))
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			r := e.faultsCall(m, `{}`)
			Expect(r.status).To(Equal(http.StatusNotFound), m)
			Expect(r.problem().ErrorCode).To(Equal(checkout.ErrNotFound))
		}
		Expect(e.m.SetFaults(mock.Faults{Errors: []mock.ErrorRule{{Op: mock.OpGet, Status: 502, Rate: 1}}})).To(Succeed())
		resp, _ := e.raw(http.MethodGet, "/checkout/v3/session/"+newRef(), nil, headers(mock.DefaultMerchant))
		Expect(resp.StatusCode).To(Equal(http.StatusBadGateway))
	})

	It("SetFaults refuses an invalid configuration and keeps the old one", func() {
		e := newEnv()
		old := mock.Faults{Errors: []mock.ErrorRule{{Op: mock.OpGet, Status: 502, Rate: 1}}}
		Expect(e.m.SetFaults(old)).To(Succeed())
		for _, bad := range []mock.Faults{
			{Errors: []mock.ErrorRule{{Op: "capture", Status: 500, Rate: 1}}},
			{Errors: []mock.ErrorRule{{Op: mock.OpGet, Status: 418, Rate: 1}}},
			{Errors: []mock.ErrorRule{{Op: mock.OpGet, Status: 500, Rate: 2}}},
			{Latency: map[string]mock.Latency{mock.OpGet: {Kind: mock.LatencyFixed, Fixed: -time.Second}}},
		} {
			err := e.m.SetFaults(bad)
			Expect(errors.Is(err, mock.ErrBadFault)).To(BeTrue(), "%+v: %v", bad, err)
		}
		Expect(e.m.Faults()).To(Equal(old))
	})

	It("can be changed while requests are served (run with -race)", func() {
		e := newEnv()
		ref := e.into(stCreated)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int]int{}
		for range 4 {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, _ := e.raw(http.MethodGet, "/checkout/v3/session/"+ref, nil, headers(mock.DefaultMerchant))
					mu.Lock()
					seen[resp.StatusCode]++
					mu.Unlock()
				}
			}()
		}
		for i := range 100 {
			if i%2 == 0 {
				Expect(e.faultsCall(http.MethodPut, `{"errors":[{"operation":"get","status":502}]}`).status).To(Equal(http.StatusOK))
			} else {
				Expect(e.m.SetFaults(mock.Faults{})).To(Succeed())
			}
			time.Sleep(time.Millisecond)
		}
		close(stop)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		Expect(seen).To(HaveKey(http.StatusOK))
		Expect(seen).To(HaveKey(http.StatusBadGateway))
		for st := range seen {
			Expect(st).To(BeElementOf(http.StatusOK, http.StatusBadGateway), "statuses seen: %v", seen)
		}
	})
})
