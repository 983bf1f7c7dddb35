package mock_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
)

// state names a starting point of the state-machine table.
type state string

const (
	stCreated    state = "SessionCreated"
	stInitiated  state = "PaymentInitiated"
	stSuccessful state = "PaymentSuccessful"
	stTerminated state = "PaymentTerminated"
	stExpired    state = "SessionExpired"
	stPurged     state = "purged"
	stUnknown    state = "unknown"
)

// into creates a session and drives it into st, returning its reference.
func (e *env) into(st state) string {
	GinkgoHelper()
	ref := newRef()
	if st == stUnknown {
		return ref
	}
	Expect(e.create(paymentBody(ref, loopbackCallback)).status).To(Equal(http.StatusOK))
	switch st {
	case stInitiated:
		Expect(e.control(ref, mock.ActionInitiate, nil).status).To(Equal(http.StatusOK))
	case stSuccessful, stTerminated:
		Expect(e.control(ref, mock.ActionInitiate, nil).status).To(Equal(http.StatusOK))
		action := mock.ActionApprove
		if st == stTerminated {
			action = mock.ActionReject
		}
		Expect(e.control(ref, action, nil).status).To(Equal(http.StatusOK))
	case stExpired, stPurged:
		Expect(e.expire(ref).status).To(Equal(http.StatusOK))
		if st == stPurged {
			e.clock.Advance(mock.DefaultRetention + time.Second)
		}
	}
	return ref
}

var _ = Describe("The session state machine", func() {
	DescribeTable("answers each operation in each state as the contract says",
		func(op string, st state, want int, wantCode string) {
			e := newEnv()
			ref := e.into(st)
			var r reply
			switch op {
			case "get":
				r = e.get(ref)
			case "patch":
				r = e.patch(ref, updateBody)
			case "expire":
				r = e.expire(ref)
			case "create-same-reference":
				r = e.create(paymentBody(ref, loopbackCallback))
			}
			Expect(r.status).To(Equal(want), "body: %s", r.body)
			if wantCode != "" {
				Expect(r.problem().ErrorCode).To(Equal(wantCode))
			} else if op != "create-same-reference" {
				Expect(r.session().Reference).To(Equal(ref))
			}
		},
		Entry(nil, "get", stCreated, 200, ""),
		Entry(nil, "get", stInitiated, 200, ""),
		Entry(nil, "get", stSuccessful, 200, ""),
		Entry(nil, "get", stTerminated, 200, ""),
		Entry(nil, "get", stExpired, 200, ""),
		Entry(nil, "get", stPurged, 404, checkout.ErrSessionNotFound),
		Entry(nil, "get", stUnknown, 404, checkout.ErrSessionNotFound),
		Entry(nil, "patch", stCreated, 200, ""),
		Entry(nil, "patch", stInitiated, 409, checkout.ErrSessionConflict),
		Entry(nil, "patch", stSuccessful, 409, checkout.ErrSessionConflict),
		Entry(nil, "patch", stTerminated, 409, checkout.ErrSessionConflict),
		Entry(nil, "patch", stExpired, 409, checkout.ErrSessionConflict),
		Entry(nil, "patch", stPurged, 404, checkout.ErrSessionNotFound),
		Entry(nil, "patch", stUnknown, 404, checkout.ErrSessionNotFound),
		Entry(nil, "expire", stCreated, 200, ""),
		Entry(nil, "expire", stInitiated, 409, checkout.ErrSessionConflict),
		Entry(nil, "expire", stSuccessful, 409, checkout.ErrSessionConflict),
		Entry(nil, "expire", stTerminated, 409, checkout.ErrSessionConflict),
		Entry(nil, "expire", stExpired, 200, ""),
		Entry(nil, "expire", stPurged, 404, checkout.ErrSessionNotFound),
		Entry(nil, "expire", stUnknown, 404, checkout.ErrSessionNotFound),
		Entry(nil, "create-same-reference", stCreated, 409, checkout.ErrSessionConflict),
		Entry(nil, "create-same-reference", stInitiated, 409, checkout.ErrSessionConflict),
		Entry(nil, "create-same-reference", stSuccessful, 409, checkout.ErrSessionConflict),
		Entry(nil, "create-same-reference", stTerminated, 409, checkout.ErrSessionConflict),
		Entry(nil, "create-same-reference", stExpired, 409, checkout.ErrSessionConflict),
		Entry(nil, "create-same-reference", stPurged, 200, ""),
		Entry(nil, "create-same-reference", stUnknown, 200, ""),
	)

	DescribeTable("refuses customer steps the state does not allow",
		func(st state, action string) {
			e := newEnv()
			ref := e.into(st)
			r := e.control(ref, action, nil)
			if st == stPurged || st == stUnknown {
				Expect(r.status).To(Equal(http.StatusNotFound))
				return
			}
			Expect(r.status).To(Equal(http.StatusConflict), "body: %s", r.body)
			Expect(r.problem().ErrorCode).To(Equal(checkout.ErrSessionConflict))
		},
		Entry(nil, stCreated, mock.ActionApprove),
		Entry(nil, stCreated, mock.ActionReject),
		Entry(nil, stInitiated, mock.ActionInitiate),
		Entry(nil, stSuccessful, mock.ActionReject),
		Entry(nil, stTerminated, mock.ActionApprove),
		Entry(nil, stExpired, mock.ActionInitiate),
		Entry(nil, stUnknown, mock.ActionInitiate),
	)
})

var _ = Describe("Creating a session", func() {
	It("answers 200 with a token, a frontend URL and the polling URL of the reference", func() {
		e := newEnv()
		ref := newRef()
		r := e.create(paymentBody(ref, loopbackCallback))
		Expect(r.status).To(Equal(http.StatusOK), "body: %s", r.body)
		m := r.json()
		Expect(m["pollingUrl"]).To(Equal(e.srv.URL + "/checkout/v3/session/" + ref))
		Expect(strings.Count(m["token"].(string), ".")).To(Equal(2))
		Expect(m["checkoutFrontendUrl"]).To(HavePrefix(e.srv.URL))
		s := e.get(ref).session()
		Expect(s.SessionID).To(MatchRegexp(`^[A-Za-z0-9_-]{22}$`))
	})

	It("uses WithPublicBaseURL for the polling URL", func() {
		e := newEnv(mock.WithPublicBaseURL("http://checkout.example.test:8080/"))
		ref := newRef()
		Expect(e.create(paymentBody(ref, loopbackCallback)).json()["pollingUrl"]).
			To(Equal("http://checkout.example.test:8080/checkout/v3/session/" + ref))
	})

	It("takes the deprecated transaction.reference when the top-level one is absent", func() {
		e := newEnv()
		ref := newRef()
		r := e.create(paymentBodyWith("", loopbackCallback, func(q *checkout.InitiateSessionRequest) {
			q.Reference = nil
			q.Transaction.Reference = checkout.Ptr(ref)
		}))
		Expect(r.status).To(Equal(http.StatusOK), "body: %s", r.body)
		Expect(e.get(ref).status).To(Equal(http.StatusOK))
	})

	It("creates a SUBSCRIPTION session and reports an agreement once approved", func() {
		e := newEnv()
		ref := newRef()
		body := mustJSON(checkout.InitiateSessionRequest{
			Type: checkout.TypeSubscription, Reference: checkout.Ptr(ref),
			Subscription: &checkout.Subscription{ProductName: "Socks of the month", Amount: checkout.Amount{Value: 9900, Currency: "NOK"},
				Interval: checkout.Interval{Unit: "MONTH", Count: 1}, MerchantAgreementURL: "http://127.0.0.1:9/agreements"},
			MerchantInfo: &checkout.MerchantInfo{CallbackURL: loopbackCallback, ReturnURL: "http://127.0.0.1:9/r", CallbackAuthorizationToken: "t"},
		})
		Expect(e.create(body).status).To(Equal(http.StatusOK))
		Expect(e.control(ref, mock.ActionInitiate, nil).status).To(Equal(http.StatusOK))
		s := e.control(ref, mock.ActionApprove, nil).session()
		Expect(s.SubscriptionDetails).NotTo(BeNil())
		Expect(*s.SubscriptionDetails.State).To(Equal("ACTIVE"))
		Expect(s.SubscriptionDetails.AgreementID).NotTo(BeNil())
		Expect(s.PaymentDetails).To(BeNil(), "no transaction, so no payment")
	})
})

var _ = Describe("Reading a session", func() {
	It("shows only the identity fields before a payment starts", func() {
		e := newEnv()
		ref := e.into(stCreated)
		m := e.get(ref).json()
		Expect(m).To(HaveLen(4))
		Expect(m).To(HaveKeyWithValue("sessionState", "SessionCreated"))
		Expect(m).To(HaveKeyWithValue("merchantSerialNumber", mock.DefaultMerchant.MSN))
		Expect(m).To(HaveKey("sessionId"))
		Expect(m).To(HaveKeyWithValue("reference", ref))
	})

	It("adds payment, shipping and billing once the payment is initiated, with shipping in the amount", func() {
		e := newEnv()
		ref := e.into(stInitiated)
		s := e.get(ref).session()
		Expect(s.SessionState).To(Equal(checkout.StatePaymentInitiated))
		Expect(*s.PaymentMethod).To(Equal("Wallet"))
		Expect(s.PaymentDetails.State).To(Equal(checkout.PaymentCreated))
		Expect(*s.PaymentDetails.Type).To(Equal("WALLET"))
		Expect(s.PaymentDetails.Amount).To(Equal(checkout.Amount{Value: 49900 + 4900, Currency: "NOK"}))
		Expect(*s.ShippingDetails.ShippingMethodID).To(Equal("posten-pickup"))
		Expect(s.ShippingDetails.PickupPoint).NotTo(BeNil())
		Expect(s.BillingDetails).NotTo(BeNil())
		Expect(s.UserInfo).To(BeNil(), "userInfo only when requireUserInfo is set")
	})

	It("marks an approved payment AUTHORIZED with the authorised amount in the aggregate", func() {
		e := newEnv()
		ref := e.into(stSuccessful)
		s := e.get(ref).session()
		Expect(s.PaymentDetails.State).To(Equal(checkout.PaymentAuthorized))
		Expect(s.PaymentDetails.Aggregate.AuthorizedAmount.Value).To(Equal(int64(54800)))
		Expect(e.get(e.into(stTerminated)).session().PaymentDetails.State).To(Equal(checkout.PaymentTerminated))
	})

	It("sends userInfo when the session asked for it", func() {
		e := newEnv()
		ref := newRef()
		Expect(e.create(paymentBodyWith(ref, loopbackCallback, func(q *checkout.InitiateSessionRequest) {
			q.Configuration = &checkout.CheckoutConfig{RequireUserInfo: checkout.Ptr(true), Elements: checkout.Ptr("PaymentOnly")}
		})).status).To(Equal(http.StatusOK))
		s := e.control(ref, mock.ActionInitiate, nil).session()
		Expect(s.UserInfo).NotTo(BeNil())
		Expect(s.ShippingDetails).To(BeNil(), "PaymentOnly has no address")
		Expect(s.BillingDetails).To(BeNil(), "PaymentOnly has no contact info")
	})

	It("never shows one merchant's session to another", func() {
		other := mock.Merchant{ClientID: "other-id", ClientSecret: "other-secret", SubscriptionKey: "other-sub", MSN: "654321"}
		e := newEnv(mock.WithMerchants(mock.DefaultMerchant, other))
		ref := e.into(stCreated)
		r := e.send(http.MethodGet, "/checkout/v3/session/"+ref, nil, headers(other))
		Expect(r.status).To(Equal(http.StatusNotFound))
		Expect(r.problem().ErrorCode).To(Equal(checkout.ErrSessionNotFound))
		// The other merchant may use the same reference: references are per MSN.
		r = e.send(http.MethodPost, "/checkout/v3/session", paymentBody(ref, loopbackCallback), headers(other))
		Expect(r.status).To(Equal(http.StatusOK), "body: %s", r.body)
	})
})

var _ = Describe("Updating a session", func() {
	It("replaces the amount and the fixed options while SessionCreated", func() {
		e := newEnv()
		ref := e.into(stCreated)
		body := []byte(`{"transaction":{"amount":{"value":100,"currency":"NOK"},"paymentDescription":"Cheaper"},
			"logisticOptions":[{"brand":"OTHER","id":"new","title":"New option","priority":0,"isDefault":true,"amount":{"value":200,"currency":"NOK"}}]}`)
		r := e.patch(ref, body)
		Expect(r.status).To(Equal(http.StatusOK), "body: %s", r.body)
		Expect(r.session().SessionState).To(Equal(checkout.StateSessionCreated))
		s := e.control(ref, mock.ActionInitiate, nil).session()
		Expect(s.PaymentDetails.Amount.Value).To(Equal(int64(300)))
		Expect(*s.ShippingDetails.ShippingMethodID).To(Equal("new"))
	})
})

var _ = Describe("Session lifetime", func() {
	It("expires an unpaid session after the TTL and purges it after the retention", func() {
		e := newEnv()
		ref := e.into(stCreated)
		e.clock.Advance(mock.DefaultSessionTTL - time.Second)
		Expect(e.get(ref).session().SessionState).To(Equal(checkout.StateSessionCreated))
		e.clock.Advance(time.Second)
		Expect(e.get(ref).session().SessionState).To(Equal(checkout.StateSessionExpired))
		Expect(e.m.SessionCount()).To(Equal(1))
		e.clock.Advance(mock.DefaultRetention - time.Second)
		Expect(e.get(ref).status).To(Equal(http.StatusOK))
		e.clock.Advance(time.Second)
		Expect(e.get(ref).status).To(Equal(http.StatusNotFound))
		Expect(e.m.SessionCount()).To(BeZero(), "a purged session is gone from memory")
	})

	It("honours WithSessionTTL and WithRetention", func() {
		e := newEnv(mock.WithSessionTTL(time.Minute), mock.WithRetention(time.Minute))
		ref := e.into(stCreated)
		e.clock.Advance(time.Minute)
		Expect(e.get(ref).session().SessionState).To(Equal(checkout.StateSessionExpired))
		e.clock.Advance(time.Minute)
		Expect(e.get(ref).status).To(Equal(http.StatusNotFound))
	})

	It("purges sessions nobody reads again when later sessions are created", func() {
		e := newEnv()
		for range 5 {
			e.into(stCreated)
		}
		Expect(e.m.SessionCount()).To(Equal(5))
		e.clock.Advance(mock.DefaultSessionTTL + mock.DefaultRetention)
		e.into(stCreated)
		Expect(e.m.SessionCount()).To(Equal(1))
	})

	It("terminates a payment still in progress when the session TTL passes, and calls back", func() {
		rcv := newReceiver(0)
		e := newEnv()
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL+"/cb")).status).To(Equal(http.StatusOK))
		Expect(e.control(ref, mock.ActionInitiate, nil).status).To(Equal(http.StatusOK))
		e.clock.Advance(mock.DefaultSessionTTL)
		s := e.get(ref).session()
		Expect(s.SessionState).To(Equal(checkout.StatePaymentTerminated))
		Expect(s.PaymentDetails.State).To(Equal(checkout.PaymentTerminated))
		Eventually(rcv.attempts.Load).Should(BeEquivalentTo(1))
	})
})

var _ = Describe("Endpoints outside the API", func() {
	It("answers /healthz", func() {
		e := newEnv()
		r := e.send(http.MethodGet, "/healthz", nil, nil)
		Expect(r.status).To(Equal(http.StatusOK))
		Expect(r.json()).To(Equal(map[string]any{"status": "ok"}))
	})

	DescribeTable("answers unknown paths and methods with the error body",
		func(method, path string, want int) {
			e := newEnv()
			r := e.send(method, path, nil, headers(mock.DefaultMerchant))
			Expect(r.status).To(Equal(want), "body: %s", r.body)
			r.problem()
		},
		Entry(nil, http.MethodGet, "/", 404),
		Entry(nil, http.MethodGet, "/checkout/v2/session/abcdefgh", 404),
		Entry(nil, http.MethodGet, "/checkout/v3/session/", 404),
		Entry(nil, http.MethodGet, "/checkout/v3//session/abcdefgh", 404),
		Entry(nil, http.MethodGet, "/checkout/v3/session/a/../abcdefgh", 404),
		Entry(nil, http.MethodDelete, "/checkout/v3/session/abcdefgh", 405),
		Entry(nil, http.MethodGet, "/checkout/v3/session", 405),
		Entry(nil, http.MethodOptions, "/checkout/v3/session", 405),
		Entry(nil, http.MethodPut, "/checkout/v3/session/abcdefgh/expire", 405),
		Entry(nil, http.MethodGet, "/_mock/sessions/x/approve", 404),
	)

	It("answers HEAD without a server error", func() {
		e := newEnv()
		r := e.send(http.MethodHead, "/checkout/v3/session/"+e.into(stCreated), nil, headers(mock.DefaultMerchant))
		Expect(r.status).To(BeNumerically("<", 500))
	})

	It("refuses an unknown control action", func() {
		e := newEnv()
		ref := e.into(stCreated)
		r := e.control(ref, "explode", nil)
		Expect(r.status).To(Equal(http.StatusNotFound))
		r.problem()
	})
})

var _ = Describe("Conformance through the shared contract.Recorder", func() {
	It("records a whole session lifecycle with no request or response violations", func() {
		e := newEnv()
		rec := contract.NewRecorder(validator, http.DefaultTransport)
		e.client = &http.Client{Transport: rec}
		rcv := newReceiver(0)
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL)).status).To(Equal(http.StatusOK))
		Expect(e.get(ref).status).To(Equal(http.StatusOK))
		Expect(e.patch(ref, updateBody).status).To(Equal(http.StatusOK))
		Expect(e.control(ref, mock.ActionInitiate, nil).status).To(Equal(http.StatusOK))
		Expect(e.control(ref, mock.ActionApprove, nil).status).To(Equal(http.StatusOK))
		Expect(e.get(ref).status).To(Equal(http.StatusOK))
		Expect(e.expire(ref).status).To(Equal(http.StatusConflict))
		Expect(e.get(newRef()).status).To(Equal(http.StatusNotFound))
		Expect(rec).To(contract.HaveNoResponseViolations())
		Expect(rec.RequestViolations()).To(BeEmpty())
		Expect(rec.Stats().Validated).To(Equal(6), "the two control calls are out of scope")
	})
})

var _ = Describe("Logs", func() {
	It("carry method, path, status, MSN and reference, and never a secret", func() {
		var buf syncBuffer
		rcv := newReceiver(-1)
		e := newEnv(mock.WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		ref := newRef()
		Expect(e.create(paymentBody(ref, rcv.srv.URL+"/cb?token=query-secret")).status).To(Equal(http.StatusOK))
		e.get(ref)
		e.control(ref, mock.ActionInitiate, nil)
		e.control(ref, mock.ActionApprove, nil)
		h := headers(mock.DefaultMerchant)
		h.Set(checkout.HeaderClientSecret, "wrong-secret-value")
		e.send(http.MethodGet, "/checkout/v3/session/"+ref, nil, h)
		e.m.Close()
		logs := buf.String()
		Expect(logs).To(ContainSubstring(`"reference":"` + ref + `"`))
		Expect(logs).To(ContainSubstring(`"msn":"123456"`))
		Expect(logs).To(ContainSubstring(`"status":401`))
		Expect(logs).To(ContainSubstring("payment callback failed"))
		for _, secret := range []string{mock.DefaultMerchant.ClientSecret, mock.DefaultMerchant.SubscriptionKey,
			"wrong-secret-value", "cb-token-" + ref, "query-secret", mock.DefaultMerchant.ClientID} {
			Expect(logs).NotTo(ContainSubstring(secret))
		}
	})
})

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ = Describe("The session cap", func() {
	It("evicts the oldest session beyond WithMaxSessions", func() {
		e := newEnv(mock.WithMaxSessions(2))
		first, second := e.into(stCreated), e.into(stCreated)
		third := e.into(stCreated)
		Expect(e.m.SessionCount()).To(Equal(2))
		Expect(e.get(first).status).To(Equal(http.StatusNotFound))
		Expect(e.get(second).status).To(Equal(http.StatusOK))
		Expect(e.get(third).status).To(Equal(http.StatusOK))
	})
})
