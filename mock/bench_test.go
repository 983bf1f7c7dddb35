package mock

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

// The benchmarks compare the mock (with request validation on, as always) against a bare
// net/http handler that returns the same JSON, both over real loopback HTTP with keep-alive and
// RunParallel, so the ratio is throughput to throughput:
//
//	go test ./mock -run '^$' -bench . -benchmem
//
// The *Handler variants call ServeHTTP directly, without the network, to show the mock's own cost.
// BenchmarkMockVsBare prints the ratio itself (%-of-bare), for create, GET, and create with
// libopenapi-validator alone (no fast path).

func benchValidator(b *testing.B) *contract.Validator {
	b.Helper()
	c, err := contract.Default()
	if err != nil {
		b.Fatal(err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
}

func benchHeaders() http.Header {
	h := fuzzHeaders()
	h.Set(checkout.HeaderSystemName, "bench")
	h.Set(checkout.HeaderSystemVersion, "1")
	h.Set(checkout.HeaderPluginName, "bench")
	h.Set(checkout.HeaderPluginVersion, "1")
	return h
}

const benchRef = "bench-ref-000001"

func benchBody(ref string) []byte {
	return []byte(`{"type":"PAYMENT","reference":"` + ref + `","transaction":{"amount":{"value":49900,"currency":"NOK"},"paymentDescription":"One pair of socks"},` +
		`"logistics":{"fixedOptions":[{"brand":"POSTEN","type":"PICKUP_POINT","id":"posten-pickup","priority":0,"isDefault":true,"amount":{"value":4900,"currency":"NOK"}}]},` +
		`"merchantInfo":{"callbackUrl":"http://127.0.0.1:9/cb","returnUrl":"http://127.0.0.1:9/r","callbackAuthorizationToken":"tok"}}`)
}

// benchMock starts a mock with one initiated session (so GET returns the full body) and
// returns it with the GET body it serves.
func benchMock(b *testing.B, opts ...Option) (*Server, []byte) {
	b.Helper()
	s := New(append([]Option{WithValidator(benchValidator(b))}, opts...)...)
	b.Cleanup(s.Close)
	req := httptest.NewRequest(http.MethodPost, "/checkout/v3/session", bytes.NewReader(benchBody(benchRef)))
	req.Header = benchHeaders()
	if rec := serve(s, req); rec.Code != 200 {
		b.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(s, httptest.NewRequest(http.MethodPost, "/_mock/sessions/"+benchRef+"/initiate", nil)); rec.Code != 200 {
		b.Fatalf("initiate: %d %s", rec.Code, rec.Body)
	}
	req = httptest.NewRequest(http.MethodGet, "/checkout/v3/session/"+benchRef, nil)
	req.Header = benchHeaders()
	rec := serve(s, req)
	if rec.Code != 200 {
		b.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	return s, rec.Body.Bytes()
}

// cpuTime is the CPU time (user + system) this process has used. Client and server share the
// process, so CPU per request is the cost of one exchange on both sides; with the CPUs busy,
// throughput is its inverse. Unlike ns/op it holds up when other processes load the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the cpu-ns/op metric for the time since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// runRequests sends requests in parallel over loopback and fails on any status but 200, so
// the mock and its bare baseline are driven by exactly the same client loop. body, when not
// nil, makes each request's body (a fresh reference per create).
func runRequests(b *testing.B, method, url string, body func() []byte) {
	b.Helper()
	c := benchClient()
	h := benchHeaders()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := sendOne(c, h, method, url, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// sendOne sends one request and fails on any status but 200.
func sendOne(c *http.Client, h http.Header, method, url string, body func() []byte) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body())
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header = h.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func runGets(b *testing.B, url string) { runRequests(b, http.MethodGet, url, nil) }

// runCreates posts create bodies, each with a new reference.
func runCreates(b *testing.B, base string) {
	var seq atomic.Int64
	runRequests(b, http.MethodPost, base+"/checkout/v3/session", func() []byte {
		return benchBody(fmt.Sprintf("bench-create-%012d", seq.Add(1)))
	})
}

func BenchmarkMockGet(b *testing.B) {
	s, _ := benchMock(b)
	srv := httptest.NewServer(s)
	defer srv.Close()
	runGets(b, srv.URL+"/checkout/v3/session/"+benchRef)
}

// BenchmarkMockGetNoCache is BenchmarkMockGet with the verdict cache off: every request is
// validated from scratch.
func BenchmarkMockGetNoCache(b *testing.B) {
	s, _ := benchMock(b, WithVerdictCache(0))
	srv := httptest.NewServer(s)
	defer srv.Close()
	runGets(b, srv.URL+"/checkout/v3/session/"+benchRef)
}

func BenchmarkBareHandlerGet(b *testing.B) {
	_, body := benchMock(b)
	srv := httptest.NewServer(bareGet(body))
	defer srv.Close()
	runGets(b, srv.URL+"/checkout/v3/session/"+benchRef)
}

// bareGet is the baseline of a GET: a handler that answers the mock's own GET body.
func bareGet(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}

func BenchmarkMockCreate(b *testing.B) {
	s := New(WithValidator(benchValidator(b)))
	b.Cleanup(s.Close)
	srv := httptest.NewServer(s)
	defer srv.Close()
	runCreates(b, srv.URL)
}

// BenchmarkBareHandlerCreate is the baseline of BenchmarkMockCreate.
func BenchmarkBareHandlerCreate(b *testing.B) {
	srv := httptest.NewServer(bareCreate())
	defer srv.Close()
	runCreates(b, srv.URL)
}

// bareCreate is the baseline of a create: a handler that reads the body and answers a create
// response of the same size.
func bareCreate() http.Handler {
	answer := []byte(`{"token":"` + newToken("x", benchRef, "123456", time.Now(), time.Now()) +
		`","checkoutFrontendUrl":"http://127.0.0.1/_mock/frontend/v1/","pollingUrl":"http://127.0.0.1/checkout/v3/session/bench-create-000000000001"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		_, _ = w.Write(answer)
	})
}

func BenchmarkMockGetHandler(b *testing.B) {
	s, _ := benchMock(b)
	h := benchHeaders()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/checkout/v3/session/"+benchRef, nil)
			req.Header = h.Clone()
			if rec := serve(s, req); rec.Code != 200 {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
}

func BenchmarkValidateResponse(b *testing.B) {
	s, body := benchMock(b)
	h := http.Header{"Content-Type": {"application/json"}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			vs, err := s.v.ValidateResponseParts(http.MethodGet, "/checkout/v3/session/"+benchRef, 200, h, body)
			if err != nil || len(vs) > 0 {
				b.Errorf("%v %v", err, vs)
				return
			}
		}
	})
}

func BenchmarkValidateRequestGet(b *testing.B) {
	s, _ := benchMock(b)
	h := benchHeaders()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			vs, err := s.v.ValidateRequestParts(http.MethodGet, "/checkout/v3/session/"+benchRef, h, nil)
			if err != nil || len(vs) > 0 {
				b.Errorf("%v %v", err, vs)
				return
			}
		}
	})
}

// BenchmarkMockVsBare reports the mock's throughput as a percentage of the bare handler's,
// measured in the same run: rounds of a fixed number of requests, alternating between the two
// servers so a change in machine load hits both, and the median round of each. One iteration
// is the whole comparison (use -benchtime 1x):
//
//	go test ./mock -run '^$' -bench MockVsBare -benchtime 1x
func BenchmarkMockVsBare(b *testing.B) {
	const requests, rounds = 4000, 5
	c, err := contract.Default()
	if err != nil {
		b.Fatal(err)
	}
	// The library alone, without the fast path: what validation used to cost.
	libOnly, err := contract.NewValidator(c, contract.WithoutFastPath())
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name, op string
		opts     []Option
	}{
		{"create", "create", nil},
		{"get", "get", []Option{WithVerdictCache(0)}},
		{"create-library-only", "create", []Option{WithValidator(libOnly)}},
	} {
		op := tc.op
		b.Run(tc.name, func(b *testing.B) {
			s, getBody := benchMock(b, tc.opts...)
			mockSrv := httptest.NewServer(s)
			defer mockSrv.Close()
			bare := bareCreate()
			if op == "get" {
				bare = bareGet(getBody)
			}
			bareSrv := httptest.NewServer(bare)
			defer bareSrv.Close()
			var seq atomic.Int64
			send := func(base string) float64 {
				method, url, body := http.MethodGet, base+"/checkout/v3/session/"+benchRef, (func() []byte)(nil)
				if op == "create" {
					method, url = http.MethodPost, base+"/checkout/v3/session"
					body = func() []byte { return benchBody(fmt.Sprintf("bench-vs-%012d", seq.Add(1))) }
				}
				return throughput(b, method, url, body, requests)
			}
			for range b.N {
				var mockRates, bareRates []float64
				for range rounds {
					bareRates = append(bareRates, send(bareSrv.URL))
					mockRates = append(mockRates, send(mockSrv.URL))
				}
				m, bb := median(mockRates), median(bareRates)
				b.ReportMetric(m, "mock-req/s")
				b.ReportMetric(bb, "bare-req/s")
				b.ReportMetric(100*m/bb, "%-of-bare")
			}
		})
	}
}

// throughput sends n requests from GOMAXPROCS goroutines (as RunParallel does) and returns
// requests per second.
func throughput(b *testing.B, method, url string, body func() []byte, n int64) float64 {
	b.Helper()
	c := benchClient()
	defer c.CloseIdleConnections()
	h := benchHeaders()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for next.Add(1) <= n {
				if err := sendOne(c, h, method, url, body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
