package load

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/reports"
)

const (
	validationQueue   = 4096
	validationWorkers = 2
	maxExamples       = 10
	// errorOfferWait bounds how long the results loop waits for room in the error queue. Error
	// responses are always validated ("all errors, plus a share of the rest"), so rather than
	// drop one the loop waits; the bound keeps a stuck validator from stalling the run, and an
	// error dropped after it is counted (in ContractFindings.Dropped), never silent.
	errorOfferWait = time.Second
)

// ConfigValidationCheckError is the Config key holding the first error of a response the
// validator could not check at all, one line. Their count is ContractFindings.CheckErrors and
// drops are ContractFindings.Dropped; the message itself has no typed field.
const ConfigValidationCheckError = "observed.validation.firstCheckError"

// responseValidator is the part of *contract.Validator the sampler uses.
type responseValidator interface {
	ValidateResponseParts(method, target string, status int, header http.Header, body []byte) ([]contract.Violation, error)
}

type validationJob struct {
	op     string
	method string
	target string
	status int
	header http.Header
	body   []byte
}

// sampler validates every error response and a share of the rest against the contract on its
// own goroutines: the results loop only hands over the (already read) body and headers. Error
// responses have their own queue, which the workers drain first and the results loop waits on
// (bounded by errorOfferWait) when full; sampled successes are dropped and counted when their
// queue is full, never waited for. A response the validator fails to check is counted apart
// and never as a clean sample.
type sampler struct {
	v       responseValidator
	share   float64
	n       atomic.Uint64
	errJobs chan validationJob
	jobs    chan validationJob
	wg      sync.WaitGroup
	closed  sync.Once

	dropped    atomic.Int64 // sampled successes dropped (queue full)
	errDropped atomic.Int64 // error responses dropped after errorOfferWait

	mu        sync.Mutex
	sampled   int
	found     int
	checkErrs int
	firstErr  string
	byOp      map[string]int
	ex        []string
}

func newSampler(v responseValidator, share float64) *sampler {
	s := &sampler{v: v, share: share, errJobs: make(chan validationJob, validationQueue),
		jobs: make(chan validationJob, validationQueue), byOp: map[string]int{}}
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
	j := validationJob{op: op, method: r.Method, target: target, status: int(r.Code), header: r.Headers, body: r.Body}
	if isErr {
		select {
		case s.errJobs <- j:
			return
		default:
		}
		t := time.NewTimer(errorOfferWait)
		defer t.Stop()
		select {
		case s.errJobs <- j:
		case <-t.C:
			s.errDropped.Add(1)
		}
		return
	}
	select {
	case s.jobs <- j:
	default:
		s.dropped.Add(1)
	}
}

func (s *sampler) work() {
	defer s.wg.Done()
	errJobs, jobs := s.errJobs, s.jobs
	for errJobs != nil || jobs != nil {
		// Error responses first: they are the ones promised to be validated.
		select {
		case j, ok := <-errJobs:
			if !ok {
				errJobs = nil
				continue
			}
			s.check(j)
			continue
		default:
		}
		select {
		case j, ok := <-errJobs:
			if !ok {
				errJobs = nil
				continue
			}
			s.check(j)
		case j, ok := <-jobs:
			if !ok {
				jobs = nil
				continue
			}
			s.check(j)
		}
	}
}

func (s *sampler) check(j validationJob) {
	vs, err := s.v.ValidateResponseParts(j.method, j.target, j.status, j.header, j.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// Not checked is not clean: count it apart, keep the first reason.
		s.checkErrs++
		if s.firstErr == "" {
			s.firstErr = j.op + " " + j.method + " " + j.target + ": " + err.Error()
		}
		return
	}
	s.sampled++
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

// close waits for the queued samples.
func (s *sampler) close() {
	s.closed.Do(func() {
		close(s.errJobs)
		close(s.jobs)
	})
	s.wg.Wait()
}

func (s *sampler) report() reports.ContractFindings {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Dropped successes and dropped error responses are one figure: either way Violations is
	// a lower bound. The split is still visible in tests through s.dropped and s.errDropped.
	f := reports.ContractFindings{Sampled: s.sampled, Violations: s.found, ByOperation: map[string]int{}, Examples: []string{},
		Dropped: s.dropped.Load() + s.errDropped.Load(), CheckErrors: s.checkErrs}
	for k, v := range s.byOp {
		f.ByOperation[k] = v
	}
	f.Examples = append(f.Examples, s.ex...)
	return f
}

// config returns what the typed ContractFindings has no field for (the first check error) for
// the report's Config.
func (s *sampler) config() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := map[string]string{}
	if s.firstErr != "" {
		c[ConfigValidationCheckError] = s.firstErr
	}
	return c
}
