package load_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/mock"
)

// These benchmarks produce the figures. Each probe runs for probeDuration and they
// stop at the first rate that is not sustained, so a run stays bounded (well under a minute):
//
//	go test -run '^$' -bench 'PeakRate|MockCreateP99' -benchtime 1x ./load/
//
// A rate is sustained when the achieved rate is at least 99 % of the asked rate and at least
// 99.9 % of the requests succeeded.

const probeDuration = 2 * time.Second

// bareServer answers every request at once with a small JSON body: it measures the generator,
// not a service.
func bareServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"token":"t","checkoutFrontendUrl":"u","pollingUrl":"p"}`))
	}))
	b.Cleanup(srv.Close)
	return srv
}

type probe struct {
	asked, achieved, success float64
	p99                      time.Duration
}

func (p probe) sustained() bool { return p.achieved >= 0.99*p.asked && p.success >= 0.999 }

// vegetaPlain is the baseline: what `vegeta attack -rate=R -duration=D > results.bin` does
// (unbounded workers, gob-encoded results), as a library.
//
// Its transport mirrors vegeta's defaults (dial and keep-alive 30 s, 10000 idle connections per
// host); it is ours only so the probe can close its idle connections afterwards, or they would
// pile up across probes and run the process out of file descriptors.
func vegetaPlain(url string, rate int) probe {
	trans := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: vegeta.DefaultTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: vegeta.DefaultConnections,
	}
	defer trans.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Timeout: vegeta.DefaultTimeout, Transport: trans}))
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url + "/checkout/v3/session/bench"})
	var m vegeta.Metrics
	enc := vegeta.NewEncoder(io.Discard)
	for r := range atk.Attack(tr, vegeta.Rate{Freq: rate, Per: time.Second}, probeDuration, "") {
		_ = enc.Encode(r)
		m.Add(r)
	}
	m.Close()
	return probe{asked: float64(rate), achieved: m.Rate, success: m.Success, p99: m.Latencies.P99}
}

// lifecycle runs our runner: rate/3 sessions per second, three requests each.
func lifecycle(b *testing.B, url string, rate int, opts ...load.Option) probe {
	b.Helper()
	sessions := float64(rate) / 3
	opts = append([]load.Option{load.WithSchedule(load.Constant(sessions, probeDuration)), load.WithOutDir(b.TempDir())}, opts...)
	r, err := load.New(url, opts...)
	if err != nil {
		b.Fatal(err)
	}
	l, err := r.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var create probe
	for _, op := range l.Operations {
		if op.Name == load.OpCreate {
			create.p99 = time.Duration(op.Latency.P99MS * float64(time.Millisecond))
		}
	}
	return probe{asked: float64(rate), achieved: l.Overall.AchievedRate, success: l.Overall.Success, p99: create.p99}
}

// ladder tries rising rates and returns the highest sustained probe; it stops after two
// failures in a row (one can be noise on a shared machine).
func ladder(b *testing.B, name string, rates []int, try func(int) probe) (best probe) {
	b.Helper()
	fails := 0
	for _, rate := range rates {
		p := try(rate)
		logProbe(name, rate, p)
		if !p.sustained() {
			if fails++; fails == 2 {
				break
			}
			continue
		}
		best, fails = p, 0
	}
	return best
}

// BenchmarkPeakRate compares vegeta's plain attacker with our lifecycle runner against the same
// bare loopback server, in one process and one run. The two are probed alternately at each rate
// (so both see the same machine load) until neither sustains it twice in a row.
func BenchmarkPeakRate(b *testing.B) {
	srv := bareServer(b)
	rates := []int{1000, 2000, 3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500, 7000, 8000, 9000, 10000, 12000}
	for i := 0; i < b.N; i++ {
		var cli, ours probe
		cliFails, ourFails := 0, 0
		for _, rate := range rates {
			if cliFails < 2 {
				p := vegetaPlain(srv.URL, rate)
				logProbe("vegeta", rate, p)
				if p.sustained() {
					cli, cliFails = p, 0
				} else {
					cliFails++
				}
			}
			if ourFails < 2 {
				p := lifecycle(b, srv.URL, rate)
				logProbe("lifecycle", rate, p)
				if p.sustained() {
					ours, ourFails = p, 0
				} else {
					ourFails++
				}
			}
			if cliFails >= 2 && ourFails >= 2 {
				break
			}
		}
		b.ReportMetric(cli.asked, "vegeta-req/s")
		b.ReportMetric(ours.asked, "lifecycle-req/s")
		if cli.asked > 0 {
			b.ReportMetric(100*ours.asked/cli.asked, "%-of-vegeta")
		}
	}
}

func logProbe(name string, rate int, p probe) {
	fmt.Fprintf(os.Stderr, "%-10s asked %6d/s achieved %8.0f/s (%5.1f%%) success %.4f p99 %v sustained=%v\n",
		name, rate, p.achieved, 100*p.achieved/float64(rate), p.success, p.p99, p.sustained())
}

// BenchmarkMockCreateP99 finds the highest lifecycle rate against the embedded mock at which
// create's p99 (exact, from the intended send time) stays under 50 ms.
func BenchmarkMockCreateP99(b *testing.B) {
	m := mock.New()
	srv := httptest.NewServer(m)
	b.Cleanup(func() { srv.Close(); m.Close() })
	rates := []int{600, 1200, 1800, 2400, 3000, 3600, 4500, 5400, 6600, 7500, 9000}
	// Warm up first: the mock's first requests compile contract schemas.
	_ = lifecycle(b, srv.URL, 150, load.WithHeader(mockHeaders()))
	for i := 0; i < b.N; i++ {
		best := ladder(b, "mock", rates, func(r int) probe {
			p := lifecycle(b, srv.URL, r, load.WithHeader(mockHeaders()))
			if p.p99 >= 50*time.Millisecond {
				p.success = 0 // over the bar: stop the ladder
			}
			return p
		})
		b.ReportMetric(best.asked, "req/s")
		b.ReportMetric(best.asked/3, "sessions/s")
		b.ReportMetric(float64(best.p99)/float64(time.Millisecond), "create-p99-ms")
	}
}
