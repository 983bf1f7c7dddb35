package mock_test

import (
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/mock"
)

var _ = Describe("Idempotency-Key", func() {
	It("replays the first outcome for the same key and body, with no second session", func() {
		e := newEnv()
		ref := newRef()
		first := e.createKey(paymentBody(ref, loopbackCallback), "key-1")
		Expect(first.status).To(Equal(http.StatusOK))
		again := e.createKey(paymentBody(ref, loopbackCallback), "key-1")
		Expect(again.status).To(Equal(http.StatusOK))
		Expect(again.body).To(Equal(first.body), "the same token, URLs and all")
		Expect(e.m.SessionCount()).To(Equal(1))
		// Without the key the same body is a duplicate reference.
		Expect(e.create(paymentBody(ref, loopbackCallback)).status).To(Equal(http.StatusConflict))
	})

	It("replays a 4xx outcome too", func() {
		e := newEnv()
		bad := []byte(`{"type":"PAYMENT","reference":"short"}`)
		first := e.createKey(bad, "key-bad")
		Expect(first.status).To(Equal(http.StatusBadRequest))
		again := e.createKey(bad, "key-bad")
		Expect(again.status).To(Equal(http.StatusBadRequest))
		Expect(again.body).To(Equal(first.body))
	})

	It("answers 409 Idempotency-00409 for the same key with another body", func() {
		e := newEnv()
		Expect(e.createKey(paymentBody(newRef(), loopbackCallback), "key-2").status).To(Equal(http.StatusOK))
		r := e.createKey(paymentBody(newRef(), loopbackCallback), "key-2")
		Expect(r.status).To(Equal(http.StatusConflict))
		Expect(r.problem().ErrorCode).To(Equal(checkout.ErrIdempotencyConflict))
		Expect(e.m.SessionCount()).To(Equal(1))
	})

	It("scopes keys by path: the same key on expire is another key", func() {
		e := newEnv()
		ref := newRef()
		Expect(e.createKey(paymentBody(ref, loopbackCallback), "key-3").status).To(Equal(http.StatusOK))
		h := headers(mock.DefaultMerchant)
		h.Del("Content-Type")
		h.Set(checkout.HeaderIdempotencyKey, "key-3")
		Expect(e.send(http.MethodPost, "/checkout/v3/session/"+ref+"/expire", nil, h).status).To(Equal(http.StatusOK))
	})

	It("is ignored by GET", func() {
		e := newEnv()
		ref := e.into(stCreated)
		h := headers(mock.DefaultMerchant)
		h.Set(checkout.HeaderIdempotencyKey, "key-get")
		Expect(e.send(http.MethodGet, "/checkout/v3/session/"+ref, nil, h).session().SessionState).To(Equal(checkout.StateSessionCreated))
		Expect(e.expire(ref).status).To(Equal(http.StatusOK))
		Expect(e.send(http.MethodGet, "/checkout/v3/session/"+ref, nil, h).session().SessionState).To(Equal(checkout.StateSessionExpired))
	})

	It("lets exactly one of 32 concurrent same-key creates make a session", func() {
		e := newEnv()
		ref := newRef()
		body := paymentBody(ref, loopbackCallback)
		var wg sync.WaitGroup
		statuses := make([]int, 32)
		bodies := make([][]byte, 32)
		for i := range 32 {
			wg.Go(func() {
				defer GinkgoRecover()
				r := e.createKey(body, "key-concurrent")
				statuses[i], bodies[i] = r.status, r.body
			})
		}
		wg.Wait()
		Expect(e.m.SessionCount()).To(Equal(1))
		var okBody []byte
		for i, st := range statuses {
			Expect(st).To(BeElementOf(http.StatusOK, http.StatusConflict))
			if st == http.StatusOK {
				if okBody == nil {
					okBody = bodies[i]
				}
				Expect(bodies[i]).To(Equal(okBody), "every 200 is the replay of the one create")
			} else {
				Expect(bodies[i]).To(ContainSubstring(checkout.ErrIdempotencyConflict), "in flight: 409 Idempotency-00409")
			}
		}
		Expect(okBody).NotTo(BeNil())
	})

	It("forgets a key after the TTL", func() {
		e := newEnv(mock.WithIdempotencyTTL(time.Hour))
		Expect(e.createKey(paymentBody(newRef(), loopbackCallback), "key-ttl").status).To(Equal(http.StatusOK))
		e.clock.Advance(59 * time.Minute)
		Expect(e.createKey(paymentBody(newRef(), loopbackCallback), "key-ttl").status).To(Equal(http.StatusConflict))
		e.clock.Advance(time.Minute)
		Expect(e.createKey(paymentBody(newRef(), loopbackCallback), "key-ttl").status).To(Equal(http.StatusOK))
	})

	It("evicts the oldest key when the store is full", func() {
		e := newEnv(mock.WithIdempotencyCapacity(2))
		refA := newRef()
		bodyA := paymentBody(refA, loopbackCallback)
		Expect(e.createKey(bodyA, "key-a").status).To(Equal(http.StatusOK))
		Expect(e.createKey(paymentBody(newRef(), loopbackCallback), "key-b").status).To(Equal(http.StatusOK))
		Expect(e.createKey(paymentBody(newRef(), loopbackCallback), "key-c").status).To(Equal(http.StatusOK))
		// key-a was evicted: the retry is a fresh request, now a duplicate reference.
		r := e.createKey(bodyA, "key-a")
		Expect(r.status).To(Equal(http.StatusConflict))
		Expect(r.problem().ErrorCode).To(Equal(checkout.ErrSessionConflict))
		// key-c is still held and replays.
		Expect(e.m.IdempotencyKeys()).To(Equal(2))
	})

	It("does not store injected 5xx answers", func() {
		e := newEnv(mock.WithFaults(mock.Faults{Errors: []mock.ErrorRule{{Op: mock.OpCreate, Status: 500, Rate: 1}}, Seed: 1}))
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/checkout/v3/session", nil)
		req.Header = headers(mock.DefaultMerchant)
		req.Header.Set(checkout.HeaderIdempotencyKey, "key-5xx")
		resp, err := e.client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		Expect(e.m.IdempotencyKeys()).To(BeZero())
	})
})
