package load_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/load"
)

var _ = Describe("The clean-up after a run", func() {
	var ctx context.Context
	BeforeEach(func() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		DeferCleanup(cancel)
	})
	createRun := func(url string, hits uint64) []load.Option {
		return []load.Option{load.WithScenario(scenario("create")),
			load.WithSchedule(load.Schedule{StartRate: 1000, Stages: []load.Stage{{Rate: 1000}}, MaxHits: hits})}
	}

	It("retries an expire answered 429 after its Retry-After instead of counting a leak", func() {
		f := newFakeCheckout()
		f.throttleExpire = 3
		srv := startFake(f)
		l, err := runLoad(ctx, srv.URL, createRun(srv.URL, 40)...)
		Expect(err).NotTo(HaveOccurred())
		s := f.snapshot()
		Expect(s.throttled).To(Equal(3))
		Expect(s.expired).To(HaveLen(40))
		Expect(l.Hygiene.Created).To(Equal(40))
		Expect(l.Hygiene.Expired).To(Equal(40))
		Expect(l.Hygiene.Leaked).To(BeZero())
		Expect(l.Config).To(HaveKeyWithValue(load.ConfigCleanupThrottled, "3"))
	})

	It("counts a session the target already dropped (404) as gone, not leaked", func() {
		f := newFakeCheckout()
		f.expireGone = true
		srv := startFake(f)
		l, err := runLoad(ctx, srv.URL, createRun(srv.URL, 30)...)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.snapshot().gone).To(Equal(30))
		Expect(l.Hygiene.Leaked).To(BeZero())
		Expect(l.Hygiene.Expired).To(BeZero())
		Expect(l.Config).To(HaveKeyWithValue(load.ConfigCleanupAlreadyGone, "30"))
		Expect(l.Hygiene.LeftOpenBeforeCleanup).To(Equal(30))
	})

	It("drains expire bodies so the clean-up reuses its connections", func() {
		f := newFakeCheckout()
		srv := httptest.NewUnstartedServer(f)
		var conns atomic.Int64
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		DeferCleanup(srv.Close)
		l, err := runLoad(ctx, srv.URL, append(createRun(srv.URL, 400), load.WithMaxWorkers(8), load.WithWorkers(8))...)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Hygiene.Expired).To(Equal(400))
		// 8 for the attack, 16 clean-up workers: without draining each of the 400 expires
		// would need a connection of its own.
		Expect(conns.Load()).To(BeNumerically("<=", 60))
	})
})
