package load_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// mockHeaders are the embedded mock's default merchant keys (public example values).
func mockHeaders() http.Header {
	h := http.Header{}
	h[checkout.HeaderClientID] = []string{mock.DefaultMerchant.ClientID}
	h[checkout.HeaderClientSecret] = []string{mock.DefaultMerchant.ClientSecret}
	h.Set(checkout.HeaderSubscriptionKey, mock.DefaultMerchant.SubscriptionKey)
	h.Set(checkout.HeaderMSN, mock.DefaultMerchant.MSN)
	h.Set(checkout.HeaderSystemName, "checkoutkit")
	h.Set(checkout.HeaderSystemVersion, "test")
	return h
}

var _ = Describe("Against the embedded mock", func() {
	var url string
	var v *contract.Validator
	BeforeEach(func() {
		m := mock.New()
		srv := httptest.NewServer(m)
		DeferCleanup(func() { srv.Close(); m.Close() })
		url = srv.URL
		c, err := contract.Default()
		Expect(err).NotTo(HaveOccurred())
		v, err = contract.NewValidator(c)
		Expect(err).NotTo(HaveOccurred())
	})

	It("runs the lifecycle with replays, every sampled response conforming and nothing left open", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		slos, err := load.ParseSLOs([]string{"idempotency_mismatch=0,violations=0,get:errors=0,expire:errors=0"})
		Expect(err).NotTo(HaveOccurred())
		l, err := runLoad(ctx, url, load.WithHeader(mockHeaders()), load.WithValidator(v, 1), load.WithSLOs(slos...),
			load.WithReplays(load.Replays{Fraction: 0.2, RaceShare: 0.5, Delay: 20 * time.Millisecond}),
			load.WithSchedule(load.Schedule{StartRate: 200, Stages: []load.Stage{{Rate: 200}}, MaxHits: 100}))
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Contract.Examples).To(BeEmpty())
		Expect(l.Contract.Sampled).To(BeNumerically(">=", 300))
		// A racing replay may reach the mock first; the original then gets 409 (key in flight)
		// and its session is driven no further, but the clean-up still expires it.
		create := opNamed(l, "create")
		lost := create.StatusCodes["409"]
		Expect(create.StatusCodes["200"] + lost).To(Equal(100))
		Expect(lost).To(BeNumerically("<=", 10))
		Expect(opNamed(l, "get").StatusCodes).To(HaveKeyWithValue("200", 100-lost))
		Expect(opNamed(l, "expire").StatusCodes).To(HaveKeyWithValue("200", 100-lost))
		Expect(l.Hygiene.Created).To(Equal(100))
		Expect(l.Hygiene.Expired).To(Equal(100))
		Expect(l.Idempotency.Replays).To(Equal(20))
		Expect(l.Idempotency.Mismatches).To(BeZero())
		Expect(l.Hygiene.Leaked).To(BeZero())
		Expect(l.Verdict).To(Equal(reports.VerdictPass), l.VerdictReason)
	})

	It("aborts when the keys are wrong (the mock answers 401)", func() {
		h := mockHeaders()
		h[checkout.HeaderClientSecret] = []string{"wrong"}
		l, err := runLoad(context.Background(), url, load.WithHeader(h), load.WithSchedule(load.Constant(200, 10*time.Second)))
		Expect(err).To(MatchError(load.ErrAuthStorm))
		Expect(l.Verdict).To(Equal(reports.VerdictError))
	})
})
