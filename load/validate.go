package load

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/reports"
)

const (
	validationQueue   = 4096
	validationWorkers = 2
	maxExamples       = 10
)

type validationJob struct {
	op     string
	method string
	target string
	status int
	header http.Header
	body   []byte
}

// sampler validates every error response and a share of the rest against the contract on its
// own goroutines: the results loop only hands over the (already read) body and headers. When
// the queue is full the sample is dropped and counted, never waited for.
type sampler struct {
	v      *contract.Validator
	share  float64
	n      atomic.Uint64
	jobs   chan validationJob
	wg     sync.WaitGroup
	closed sync.Once

	dropped atomic.Int64
	mu      sync.Mutex
	sampled int
	found   int
	byOp    map[string]int
	ex      []string
}

func newSampler(v *contract.Validator, share float64) *sampler {
	s := &sampler{v: v, share: share, jobs: make(chan validationJob, validationQueue), byOp: map[string]int{}}
	for i := 0; i < validationWorkers; i++ {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

// offer samples r (called on the results loop, before the body is stripped).
func (s *sampler) offer(op string, r *vegeta.Result) {
	isErr := r.Code >= 400 || r.Error != ""
	if !isErr {
		n := s.n.Add(1)
		if uint64(float64(n)*s.share) == uint64(float64(n-1)*s.share) {
			return
		}
	}
	target := r.URL
	if u, err := url.Parse(r.URL); err == nil {
		target = u.RequestURI()
	}
	select {
	case s.jobs <- validationJob{op: op, method: r.Method, target: target, status: int(r.Code), header: r.Headers, body: r.Body}:
	default:
		s.dropped.Add(1)
	}
}

func (s *sampler) work() {
	defer s.wg.Done()
	for j := range s.jobs {
		vs, err := s.v.ValidateResponseParts(j.method, j.target, j.status, j.header, j.body)
		s.mu.Lock()
		s.sampled++
		if err == nil {
			s.found += len(vs)
			if len(vs) > 0 {
				s.byOp[j.op] += len(vs)
			}
			for _, v := range vs {
				if len(s.ex) < maxExamples {
					s.ex = append(s.ex, j.op+": "+v.String())
				}
			}
		}
		s.mu.Unlock()
	}
}

// close waits for the queued samples.
func (s *sampler) close() {
	s.closed.Do(func() { close(s.jobs) })
	s.wg.Wait()
}

func (s *sampler) report() reports.ContractFindings {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := reports.ContractFindings{Sampled: s.sampled, Violations: s.found, ByOperation: map[string]int{}, Examples: []string{}}
	for k, v := range s.byOp {
		f.ByOperation[k] = v
	}
	f.Examples = append(f.Examples, s.ex...)
	return f
}
