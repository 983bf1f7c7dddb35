package load_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/reports"
)

// startFake serves f on loopback for the current spec.
func startFake(f *fakeCheckout) *httptest.Server {
	GinkgoHelper()
	srv := httptest.NewServer(f)
	DeferCleanup(srv.Close)
	return srv
}

func runLoad(ctx context.Context, url string, opts ...load.Option) (*reports.Load, error) {
	GinkgoHelper()
	r, err := load.New(url, opts...)
	Expect(err).NotTo(HaveOccurred())
	return r.Run(ctx)
}

func opNamed(l *reports.Load, name string) reports.LoadOp {
	GinkgoHelper()
	for _, op := range l.Operations {
		if op.Name == name {
			return op
		}
	}
	Fail("no operation " + name)
	return reports.LoadOp{}
}

func scenario(name string) load.Scenario {
	GinkgoHelper()
	s, err := load.LoadScenario(name)
	Expect(err).NotTo(HaveOccurred())
	return s
}

func countLines(path string) int {
	GinkgoHelper()
	f, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n
}

var _ = Describe("The load runner", func() {
	var ctx context.Context
	BeforeEach(func() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		DeferCleanup(cancel)
	})

	Context("with the lifecycle scenario", func() {
		It("chains create, get and expire on unique references and keys and leaves nothing open", func() {
			f := newFakeCheckout()
			srv := startFake(f)
			out := GinkgoT().TempDir()
			l, err := runLoad(ctx, srv.URL, load.WithSchedule(load.Schedule{StartRate: 200, Stages: []load.Stage{{Rate: 200}}, MaxHits: 150}),
				load.WithOutDir(out), load.WithRunID("lc1"))
			Expect(err).NotTo(HaveOccurred())
			s := f.snapshot()
			Expect(s.creates).To(Equal(150))
			Expect(s.reusedRef).To(BeZero(), "a reference was reused with a new key")
			Expect(s.unknown).To(BeZero(), "a get or expire named a session that was never created")
			Expect(s.gets).To(Equal(150))
			Expect(s.expires).To(Equal(150))
			Expect(s.gotten).To(HaveLen(150))
			Expect(s.expired).To(HaveLen(150))
			for ref := range s.sessions {
				Expect(ref).To(HavePrefix("ck-lc1-0-"))
			}
			Expect(opNamed(l, "create").Requests).To(BeEquivalentTo(150))
			Expect(opNamed(l, "get").Requests).To(BeEquivalentTo(150))
			Expect(opNamed(l, "expire").Requests).To(BeEquivalentTo(150))
			Expect(l.Overall.Requests).To(BeEquivalentTo(450))
			Expect(l.Hygiene.Created).To(Equal(150))
			Expect(l.Hygiene.Expired).To(Equal(150))
			Expect(l.Hygiene.Leaked).To(BeZero())
			Expect(l.Hygiene.Starvation).To(BeZero())
			Expect(l.Partial).To(BeFalse())
			Expect(l.Verdict).To(Equal(reports.VerdictPass))
			Expect(opNamed(l, "create").Latency.Source).To(Equal(reports.SourceHDR))
			Expect(opNamed(l, "create").TDigest.Source).To(Equal(reports.SourceTDigest))
			Expect(opNamed(l, "create").HDR).NotTo(BeEmpty())
			Expect(opNamed(l, "create").Timeline).NotTo(BeEmpty())

			By("writing a ledger line per reference and a results file vegeta can decode")
			Expect(countLines(filepath.Join(out, load.LedgerFile))).To(Equal(150))
			rf, err := os.Open(filepath.Join(out, load.ResultsFile))
			Expect(err).NotTo(HaveOccurred())
			defer rf.Close()
			dec := vegeta.NewDecoder(rf)
			n := 0
			for {
				var r vegeta.Result
				if err := dec.Decode(&r); err != nil {
					Expect(errors.Is(err, io.EOF)).To(BeTrue(), "decode: %v", err)
					break
				}
				Expect(r.Body).To(BeEmpty())
				Expect(r.Headers).To(BeEmpty())
				n++
			}
			Expect(n).To(Equal(450))
			Expect(filepath.Join(out, load.PlotFile)).To(BeAnExistingFile())
		})

		It("measures latency from the intended send time when the schedule slips", func() {
			f := newFakeCheckout()
			f.delay = 20 * time.Millisecond
			srv := startFake(f)
			sc := scenario("create")
			// One worker cannot keep 100/s against 20 ms answers: requests queue up behind it.
			l, err := runLoad(ctx, srv.URL, load.WithScenario(sc), load.WithWorkers(1), load.WithMaxWorkers(1),
				load.WithSchedule(load.Schedule{StartRate: 100, Stages: []load.Stage{{Rate: 100}}, MaxHits: 50}))
			Expect(err).NotTo(HaveOccurred())
			c := opNamed(l, "create")
			Expect(c.Requests).To(BeEquivalentTo(50))
			// 50 requests at 20 ms each take ~1 s; the last was due at 0.5 s, so it waited ~0.5 s.
			Expect(c.Latency.MaxMS).To(BeNumerically(">", 300))
			Expect(c.AchievedRate).To(BeNumerically("<", 0.9*c.AskedRate))
			Expect(c.Slipped).To(BeNumerically(">", 0))
			Expect(l.Overall.Slipped).To(Equal(c.Slipped))
			Expect(l.Config).NotTo(HaveKey("observed.scheduleSlipped"))
		})
	})

	Context("when a chained step finds no reference", func() {
		It("counts starvation instead of blocking or stopping the attack", func() {
			f := newFakeCheckout()
			srv := startFake(f)
			sc := scenario("expire")
			sc.Seed = 5
			l, err := runLoad(ctx, srv.URL, load.WithScenario(sc),
				load.WithSchedule(load.Schedule{StartRate: 200, Stages: []load.Stage{{Rate: 200}}, MaxHits: 20}))
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Hygiene.Starvation).To(Equal(15))
			Expect(opNamed(l, "expire").Requests).To(BeEquivalentTo(5))
			Expect(f.snapshot().expires).To(Equal(5))
		})

		It("counts mix picks that found no session and sends a create instead", func() {
			f := newFakeCheckout()
			srv := startFake(f)
			l, err := runLoad(ctx, srv.URL, load.WithScenario(scenario("mix")),
				load.WithSchedule(load.Schedule{StartRate: 300, Stages: []load.Stage{{Rate: 300}}, MaxHits: 120}))
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Hygiene.Starvation).To(BeNumerically(">", 0))
			Expect(l.Overall.Requests).To(BeEquivalentTo(120))
			Expect(f.snapshot().unknown).To(BeZero())
			Expect(l.Hygiene.Leaked).To(BeZero(), "the clean-up expires what the mix left open")
		})
	})

	Context("with idempotency replays", func() {
		opts := func() []load.Option {
			return []load.Option{
				load.WithScenario(scenario("create")),
				load.WithSchedule(load.Schedule{StartRate: 200, Stages: []load.Stage{{Rate: 200}}, MaxHits: 100}),
				load.WithReplays(load.Replays{Fraction: 0.2, RaceShare: 0.5, Delay: 50 * time.Millisecond}),
			}
		}
		It("finds no mismatch when the server replays the first outcome", func() {
			f := newFakeCheckout()
			srv := startFake(f)
			l, err := runLoad(ctx, srv.URL, opts()...)
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Idempotency.Replays).To(Equal(20))
			Expect(l.Idempotency.Racing).To(Equal(10))
			Expect(l.Idempotency.Delayed).To(Equal(10))
			Expect(l.Idempotency.Mismatches).To(BeZero())
			Expect(f.snapshot().keyBody).To(BeZero(), "a replay must carry the original body")
			Expect(f.snapshot().replays).To(Equal(20))
			Expect(opNamed(l, "replay").Requests).To(BeEquivalentTo(20))
			Expect(l.Verdict).To(Equal(reports.VerdictPass))
		})

		It("catches a server that answers a replay with another token", func() {
			f := newFakeCheckout()
			f.newTokenReplay = true
			srv := startFake(f)
			slo, err := load.ParseSLO("idempotency_mismatch=0")
			Expect(err).NotTo(HaveOccurred())
			l, err := runLoad(ctx, srv.URL, append(opts(), load.WithSLOs(slo))...)
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Idempotency.Mismatches).To(BeNumerically(">", 0))
			Expect(l.Idempotency.DuplicateSessions).To(BeNumerically(">", 0))
			Expect(l.Verdict).To(Equal(reports.VerdictFail))
			Expect(l.SLOs).To(HaveLen(1))
			Expect(l.SLOs[0].Pass).To(BeFalse())
		})
	})

	Context("with SLOs", func() {
		It("fails the verdict and names the threshold that broke", func() {
			f := newFakeCheckout()
			f.delay = 15 * time.Millisecond
			srv := startFake(f)
			slos, err := load.ParseSLOs([]string{"create:p99<5ms", "errors<1%"})
			Expect(err).NotTo(HaveOccurred())
			l, err := runLoad(ctx, srv.URL, load.WithScenario(scenario("create")), load.WithSLOs(slos...),
				load.WithSchedule(load.Schedule{StartRate: 100, Stages: []load.Stage{{Rate: 100}}, MaxHits: 30}))
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Verdict).To(Equal(reports.VerdictFail))
			Expect(l.VerdictReason).To(ContainSubstring("create:p99<5ms"))
			Expect(l.VerdictReason).NotTo(ContainSubstring("errors<1%"))
			Expect(l.SLOs[0].Pass).To(BeFalse())
			Expect(l.SLOs[1].Pass).To(BeTrue())
		})
	})

	Context("when the credentials are wrong", func() {
		It("aborts on the storm of 401s and says so", func() {
			f := newFakeCheckout()
			f.authStatus = 401
			srv := startFake(f)
			start := time.Now()
			l, err := runLoad(ctx, srv.URL, load.WithSchedule(load.Constant(200, 20*time.Second)))
			Expect(err).To(MatchError(load.ErrAuthStorm))
			Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
			Expect(l.Partial).To(BeTrue())
			Expect(l.Hygiene.AbortedOnAuth).To(BeTrue())
			Expect(l.Verdict).To(Equal(reports.VerdictError))
			Expect(f.snapshot().creates).To(BeZero())
		})
	})

	Context("when the credentials are wrong in a run too short for the storm rule", func() {
		It("still reports an authentication failure, not a pass", func() {
			f := newFakeCheckout()
			f.authStatus = 401
			srv := startFake(f)
			l, err := runLoad(ctx, srv.URL, load.WithScenario(scenario("create")),
				load.WithSchedule(load.Schedule{StartRate: 100, Stages: []load.Stage{{Rate: 100}}, MaxHits: 12}))
			Expect(err).To(MatchError(load.ErrAuthStorm))
			Expect(l.Hygiene.AbortedOnAuth).To(BeTrue())
			Expect(l.Verdict).To(Equal(reports.VerdictError))
		})
	})

	Context("when the target throttles", func() {
		It("pauses on 429 Retry-After and reports throttling apart from errors", func() {
			f := newFakeCheckout()
			f.throttleFirst = 3
			srv := startFake(f)
			start := time.Now()
			l, err := runLoad(ctx, srv.URL, load.WithScenario(scenario("create")),
				load.WithSchedule(load.Schedule{StartRate: 50, Stages: []load.Stage{{Rate: 50}}, MaxHits: 20}))
			Expect(err).NotTo(HaveOccurred())
			c := opNamed(l, "create")
			Expect(c.Throttled).To(Equal(3))
			Expect(c.StatusCodes).To(HaveKeyWithValue("429", 3))
			// 20 requests at 50/s take 0.4 s; the Retry-After: 1 pause adds a second.
			Expect(time.Since(start)).To(BeNumerically(">", 1200*time.Millisecond))
			slo, _ := load.ParseSLO("errors=0")
			Expect(slo.Evaluate(l).Pass).To(BeTrue(), "429s are throttling, not errors")
		})
	})

	Context("when the run is cancelled", func() {
		It("stops, drains and still writes every report, marked partial", func() {
			f := newFakeCheckout()
			srv := startFake(f)
			out := GinkgoT().TempDir()
			cctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
			defer cancel()
			start := time.Now()
			l, err := runLoad(cctx, srv.URL, load.WithSchedule(load.Constant(100, 20*time.Second)), load.WithOutDir(out))
			Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "err %v", err)
			Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
			Expect(l).NotTo(BeNil())
			Expect(l.Partial).To(BeTrue())
			Expect(opNamed(l, "create").Requests).To(BeNumerically(">", 10))
			Expect(filepath.Join(out, load.ResultsFile)).To(BeAnExistingFile())
			Expect(l.Hygiene.Leaked).To(BeZero(), "the clean-up still expires what the cancelled run left open")
		})
	})

	Context("when the target dies mid-run", func() {
		It("records errors instead of crashing", func() {
			f := newFakeCheckout()
			srv := httptest.NewServer(f)
			go func() {
				time.Sleep(300 * time.Millisecond)
				srv.CloseClientConnections()
				srv.Close()
			}()
			l, err := runLoad(ctx, srv.URL, load.WithScenario(scenario("create")),
				load.WithSchedule(load.Schedule{StartRate: 100, Stages: []load.Stage{{Rate: 100}}, MaxHits: 80}), load.WithTimeout(2*time.Second))
			Expect(err).NotTo(HaveOccurred())
			c := opNamed(l, "create")
			Expect(c.Requests).To(BeEquivalentTo(80))
			Expect(c.Success).To(BeNumerically("<", 1))
			classes := []string{}
			for _, e := range c.Errors {
				classes = append(classes, e.Class)
				Expect(e.Class).NotTo(ContainSubstring("http://"), "error classes carry no URLs")
			}
			Expect(strings.Join(classes, ",")).To(ContainSubstring("connection refused"))
		})
	})
})
