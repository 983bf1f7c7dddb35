package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/fixtures"
	"github.com/checkoutkit/checkoutkit/mock"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Against the real mock, end to end: every exchange goes through the Recorder, so a request
// the client gets wrong or an answer the mock gets wrong fails the spec with its location.
var _ = Describe("Client against the mock", Label("integration"), func() {
	var (
		rec *contract.Recorder
		cl  *client.Client
		ctx context.Context
	)
	BeforeEach(func() {
		ctx = context.Background()
		m := mock.New(mock.WithValidator(validator))
		srv := httptest.NewServer(m)
		DeferCleanup(m.Close) // after srv.Close: cleanups run last-in first-out
		DeferCleanup(srv.Close)
		rec = contract.NewRecorder(validator, srv.Client().Transport)
		dm := mock.DefaultMerchant
		cl = client.New(srv.URL, client.Credentials{
			ClientID: dm.ClientID, ClientSecret: dm.ClientSecret, SubscriptionKey: dm.SubscriptionKey, MerchantSerialNumber: dm.MSN,
		}, client.WithTransport(rec))
	})

	AfterEach(func() {
		Expect(rec).To(contract.HaveNoResponseViolations())
	})

	It("drives create → get → update → expire", func() {
		const ref = "client-it-0001"
		body, err := fixtures.Valid("payment-full")
		Expect(err).NotTo(HaveOccurred())
		body, err = fixtures.WithReference(body, ref)
		Expect(err).NotTo(HaveOccurred())

		created, resp, err := cl.CreateSession(ctx, body, "client-it-idem-1")
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusOK), string(resp.Body))
		Expect(created.Token).NotTo(BeEmpty())
		Expect(created.PollingURL).To(HaveSuffix("/checkout/v3/session/" + ref))

		got, resp, err := cl.GetSession(ctx, ref)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusOK), string(resp.Body))
		Expect(got.Reference).To(Equal(ref))
		Expect(got.SessionState).To(Equal(checkout.StateSessionCreated))

		upd := checkout.UpdateSessionRequest{Transaction: checkout.PaymentTransaction{
			Amount: checkout.Amount{Value: 59900, Currency: "NOK"}, PaymentDescription: "Three pairs of socks"}}
		updated, resp, err := cl.UpdateSession(ctx, ref, upd, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusOK), string(resp.Body))
		Expect(updated.SessionState).To(Equal(checkout.StateSessionCreated))

		expired, resp, err := cl.ExpireSession(ctx, ref, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusOK), string(resp.Body))
		Expect(expired.SessionState).To(Equal(checkout.StateSessionExpired))

		got, resp, err = cl.GetSession(ctx, ref)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusOK))
		Expect(got.SessionState).To(Equal(checkout.StateSessionExpired))

		// The client's own requests conform too, and every exchange was validated.
		Expect(rec.RequestViolations()).To(BeEmpty())
		Expect(rec.Stats()).To(HaveField("Validated", 5))
	})

	It("gets documented, conforming errors as Responses", func() {
		_, resp, err := cl.GetSession(ctx, "client-it-unknown")
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusNotFound))
		Expect(resp.Problem).NotTo(BeNil())
		Expect(resp.Problem.ErrorCode).To(Equal(checkout.ErrSessionNotFound))

		bad, err := fixtures.Valid("payment-minimal")
		Expect(err).NotTo(HaveOccurred())
		_, _, err = cl.CreateSession(ctx, bad, "")
		Expect(err).NotTo(HaveOccurred())
		_, resp, err = cl.CreateSession(ctx, bad, "") // same reference again
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusConflict))
		Expect(resp.Problem.ErrorCode).To(Equal(checkout.ErrSessionConflict))
	})

	It("sees each indexed invalid body refused with its error key", func() {
		cases, err := fixtures.Invalid()
		Expect(err).NotTo(HaveOccurred())
		// Updates need a session in SessionCreated for their body to be judged at all; an
		// invalid update changes nothing, so one session serves every case.
		const updRef = "client-it-upd-0001"
		body, err := fixtures.Valid("payment-minimal")
		Expect(err).NotTo(HaveOccurred())
		body, err = fixtures.WithReference(body, updRef)
		Expect(err).NotTo(HaveOccurred())
		_, resp, err := cl.CreateSession(ctx, body, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Status).To(Equal(http.StatusOK), string(resp.Body))
		for _, c := range cases {
			path := strings.ReplaceAll(c.PathTemplate(), "{reference}", updRef)
			resp, err := cl.Do(ctx, c.Method(), path, c.Body, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Status).To(Equal(c.Status), "%s: %s", c.Name, resp.Body)
			Expect(resp.Problem).NotTo(BeNil(), c.Name)
			Expect(resp.Problem.ErrorCode).To(Equal(checkout.ErrValidation), c.Name)
			Expect(resp.Problem.Errors).To(HaveKey(c.ErrorKey), "%s: %s", c.Name, resp.Body)
		}
	})
})

// The same flow against a mock that breaks the contract on purpose: the Recorder must catch
// each breakage at its location, so the assertion above is known to be able to fail.
var _ = Describe("Client against a broken mock", Label("integration"), func() {
	DescribeTable("the Recorder catches the breakage",
		func(b mock.Breakage, op, location string) {
			ctx := context.Background()
			m := mock.New(mock.WithValidator(validator), mock.WithBreakage(b))
			srv := httptest.NewServer(m)
			DeferCleanup(m.Close)
			DeferCleanup(srv.Close)
			rec := contract.NewRecorder(validator, srv.Client().Transport)
			dm := mock.DefaultMerchant
			cl := client.New(srv.URL, client.Credentials{
				ClientID: dm.ClientID, ClientSecret: dm.ClientSecret, SubscriptionKey: dm.SubscriptionKey, MerchantSerialNumber: dm.MSN,
			}, client.WithTransport(rec))

			body, err := fixtures.Valid("payment-minimal")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = cl.CreateSession(ctx, body, "")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = cl.GetSession(ctx, "checkoutkit-fixture-0001")
			Expect(err).NotTo(HaveOccurred())

			var at []contract.Violation
			for _, v := range rec.ResponseViolations() {
				if strings.HasPrefix(v.Operation, op) {
					at = append(at, v)
				}
			}
			Expect(at).To(contract.HaveViolationAt(location))
			failures := InterceptGomegaFailures(func() { Expect(rec).To(contract.HaveNoResponseViolations()) })
			Expect(failures).To(ConsistOf(ContainSubstring(location)))
			Expect(rec.RequestViolations()).To(BeEmpty(), "the client's requests were fine")
		},
		Entry("a dropped required field", mock.BreakDropRequiredField, "POST /checkout/v3/session", "/body"),
		Entry("a wrong enum value", mock.BreakWrongEnum, "GET /checkout/v3/session/{reference}", "/body/sessionState"),
		Entry("an undocumented status", mock.BreakUndocumentedStatus, "POST /checkout/v3/session", "/status"),
	)
})
