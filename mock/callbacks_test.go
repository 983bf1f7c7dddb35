package mock_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
)

var _ = Describe("Payment callbacks", func() {
	DescribeTable("are sent on approve and reject with the token and the session body",
		func(action string, wantState checkout.SessionState) {
			rcv := newReceiver(0)
			e := newEnv()
			ref := newRef()
			Expect(e.create(paymentBody(ref, rcv.srv.URL+"/callbacks/payment")).status).To(Equal(http.StatusOK))
			Expect(e.control(ref, mock.ActionInitiate, nil).status).To(Equal(http.StatusOK))
			Expect(rcv.attempts.Load()).To(BeZero(), "no callback for CREATED")
			Expect(e.control(ref, action, nil).status).To(Equal(http.StatusOK))
			Eventually(rcv.attempts.Load).Should(BeEquivalentTo(1))
			auth, body := rcv.last()
			Expect(auth).To(Equal("cb-token-" + ref))
			vs, err := validator.ValidateCallback(contract.CallbackPayment, body)
			Expect(err).NotTo(HaveOccurred())
			Expect(vs).To(BeEmpty())
			var s checkout.SessionResponse
			Expect(json.Unmarshal(body, &s)).To(Succeed())
			Expect(s.SessionState).To(Equal(wantState))
			Expect(body).To(MatchJSON(e.get(ref).body), "the callback body is what GET shows")
			Consistently(rcv.attempts.Load, 50*time.Millisecond).Should(BeEquivalentTo(1))
		},
		Entry(nil, mock.ActionApprove, checkout.StatePaymentSuccessful),
		Entry(nil, mock.ActionReject, checkout.StatePaymentTerminated),
	)

	It("retries a failing receiver: two failures then success make 3 attempts", func() {
		rcv := newReceiver(2)
		e := newEnv()
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL)).status).To(Equal(http.StatusOK))
		e.control(ref, mock.ActionInitiate, nil)
		e.control(ref, mock.ActionApprove, nil)
		e.m.Close()
		Expect(rcv.attempts.Load()).To(BeEquivalentTo(3))
	})

	It("gives up after 1 + 3 attempts when the receiver always fails, and Close waits for them", func() {
		rcv := newReceiver(-1)
		e := newEnv()
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL)).status).To(Equal(http.StatusOK))
		e.control(ref, mock.ActionInitiate, nil)
		e.control(ref, mock.ActionReject, nil)
		e.m.Close()
		Expect(rcv.attempts.Load()).To(BeEquivalentTo(4))
	})

	It("sends no callback when a session expires unpaid, unless asked to", func() {
		rcv := newReceiver(0)
		e := newEnv()
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL)).status).To(Equal(http.StatusOK))
		Expect(e.expire(ref).status).To(Equal(http.StatusOK))
		e.m.Close()
		Expect(rcv.attempts.Load()).To(BeZero())

		e2 := newEnv(mock.WithExpiredCallbacks(true))
		ref = newRef()
		Expect(e2.create(paymentBody(ref, rcv.srv.URL)).status).To(Equal(http.StatusOK))
		Expect(e2.expire(ref).status).To(Equal(http.StatusOK))
		e2.m.Close()
		Expect(rcv.attempts.Load()).To(BeEquivalentTo(1))
	})

	It("allows more callback hosts with WithCallbackHosts", func() {
		e := newEnv(mock.WithCallbackHosts("merchant.example.com", "10.0.0.0/8"))
		for _, u := range []string{"http://merchant.example.com/cb", "https://10.1.2.3:8443/cb"} {
			Expect(e.create(paymentBody(newRef(), u)).status).To(Equal(http.StatusOK), u)
		}
		Expect(e.create(paymentBody(newRef(), "http://other.example.com/cb")).status).To(Equal(http.StatusBadRequest))
	})

	It("moves sessions through initiate and approve on its own in auto mode", func() {
		rcv := newReceiver(0)
		e := newEnv(mock.WithAutoMode(10 * time.Millisecond))
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL)).status).To(Equal(http.StatusOK))
		Eventually(func() checkout.SessionState { return e.get(ref).session().SessionState }).
			Should(Equal(checkout.StatePaymentSuccessful))
		Eventually(rcv.attempts.Load).Should(BeEquivalentTo(1))
	})
})

// logisticsReceiver answers the dynamic logistics callback with answer after delay.
type logisticsReceiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	body  []byte
	auth  string
	calls int
}

func newLogisticsReceiver(status int, answer string, delay time.Duration) *logisticsReceiver {
	GinkgoHelper()
	l := &logisticsReceiver{}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.body, l.auth, l.calls = b, r.Header.Get("Authorization"), l.calls+1
		l.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	DeferCleanup(l.srv.Close)
	return l
}

const address = `{"streetAddress":"Robert Levins gate 5","postalCode":"0154","region":"Oslo","country":"NO"}`

var _ = Describe("The dynamic logistics callback", func() {
	sessionWithDynamic := func(e *env, url string) string {
		GinkgoHelper()
		ref := newRef()
		Expect(e.create(paymentBodyWith(ref, loopbackCallback, func(q *checkout.InitiateSessionRequest) {
			q.Logistics.DynamicOptionsCallback = checkout.Ptr(url)
		})).status).To(Equal(http.StatusOK))
		return ref
	}

	It("is called with the address and the token, and its options are offered", func() {
		l := newLogisticsReceiver(200, `[{"brand":"POSTNORD","type":"HOME_DELIVERY","id":"pn-home","priority":0,"isDefault":true,"amount":{"value":9900,"currency":"NOK"}}]`, 0)
		e := newEnv()
		ref := sessionWithDynamic(e, l.srv.URL+"/logistics")
		r := e.control(ref, mock.ActionAddress, []byte(address))
		Expect(r.status).To(Equal(http.StatusOK), "body: %s", r.body)
		var out mock.AddressResult
		Expect(json.Unmarshal(r.body, &out)).To(Succeed())
		Expect(out.Source).To(Equal("dynamic"))
		Expect(out.Selected).To(Equal("pn-home"))
		l.mu.Lock()
		Expect(l.body).To(MatchJSON(address))
		Expect(l.auth).To(Equal("cb-token-" + ref))
		vs, err := validator.ValidateCallback(contract.CallbackLogistics, l.body)
		l.mu.Unlock()
		Expect(err).NotTo(HaveOccurred())
		Expect(vs).To(BeEmpty())

		s := e.control(ref, mock.ActionInitiate, nil).session()
		Expect(*s.ShippingDetails.ShippingMethodID).To(Equal("pn-home"))
		Expect(*s.ShippingDetails.City).To(Equal("Oslo"))
		Expect(s.PaymentDetails.Amount.Value).To(Equal(int64(49900 + 9900)))
	})

	DescribeTable("falls back to the fixed options",
		func(status int, answer string, delay time.Duration, reason string) {
			l := newLogisticsReceiver(status, answer, delay)
			e := newEnv()
			ref := sessionWithDynamic(e, l.srv.URL)
			r := e.control(ref, mock.ActionAddress, []byte(address))
			Expect(r.status).To(Equal(http.StatusOK), "body: %s", r.body)
			var out mock.AddressResult
			Expect(json.Unmarshal(r.body, &out)).To(Succeed())
			Expect(out.Source).To(Equal("fixed"))
			Expect(out.Selected).To(Equal("posten-pickup"))
			Expect(out.FallbackReason).To(ContainSubstring(reason))
		},
		Entry("on a timeout", 200, `[]`, 2*time.Second, "longer than"),
		Entry("on an error status", 500, `{}`, time.Duration(0), "answered 500"),
		Entry("on an empty list", 200, `[]`, time.Duration(0), "empty"),
		Entry("on null", 200, `null`, time.Duration(0), "empty"),
		Entry("on an answer that breaks the contract", 200, `[{"brand":"POSTEN","id":"x","priority":0,"isDefault":true}]`, time.Duration(0), "does not conform"),
	)

	It("refuses an address that is not the contract's address body", func() {
		e := newEnv()
		ref := e.into(stCreated)
		r := e.control(ref, mock.ActionAddress, []byte(`{"streetAddress":"x"}`))
		Expect(r.status).To(Equal(http.StatusBadRequest))
		Expect(r.problem().Errors).To(HaveKey("PostalCode"))
	})

	It("offers the fixed options when there is no dynamic callback", func() {
		e := newEnv()
		ref := e.into(stCreated)
		r := e.control(ref, mock.ActionAddress, []byte(address))
		Expect(r.status).To(Equal(http.StatusOK))
		Expect(r.json()["source"]).To(Equal("fixed"))
	})
})
