package load

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/contract"
)

// gatedValidator blocks every check until release is closed, then counts checks per status and
// answers with err (or one violation per error status when err is nil).
type gatedValidator struct {
	release chan struct{}
	err     error
	mu      sync.Mutex
	checked map[int]int
}

func newGated(open bool, err error) *gatedValidator {
	g := &gatedValidator{release: make(chan struct{}), err: err, checked: map[int]int{}}
	if open {
		close(g.release)
	}
	return g
}

func (g *gatedValidator) ValidateResponseParts(method, target string, status int, _ http.Header, _ []byte) ([]contract.Violation, error) {
	<-g.release
	g.mu.Lock()
	g.checked[status]++
	g.mu.Unlock()
	if g.err != nil {
		return nil, g.err
	}
	if status >= 400 {
		return []contract.Violation{{Location: "/body/x", Message: "bad"}}, nil
	}
	return nil, nil
}

func res(code uint16) *vegeta.Result {
	return &vegeta.Result{Code: code, Method: http.MethodGet, URL: "http://127.0.0.1:1/checkout/v3/session/r"}
}

func TestSamplerCheckErrorIsNotClean(t *testing.T) {
	s := newSampler(newGated(true, errors.New("cannot build request")), 1)
	s.offer(OpGet, res(200))
	s.offer(OpGet, res(500))
	s.close()
	f, c := s.report(), s.config()
	if f.Sampled != 0 || f.Violations != 0 {
		t.Errorf("an errored check counted as sampled: sampled %d violations %d", f.Sampled, f.Violations)
	}
	if f.CheckErrors != 2 {
		t.Errorf("check errors %d, want 2", f.CheckErrors)
	}
	if c[ConfigValidationCheckError] == "" {
		t.Error("the first check error is lost")
	}
}

// A full sample queue drops successes (visibly) but never an error response.
func TestSamplerNeverDropsErrorsWhenSampleQueueFull(t *testing.T) {
	g := newGated(false, nil)
	s := newSampler(g, 1)
	extra := 500
	for i := 0; i < validationQueue+validationWorkers+extra; i++ {
		s.offer(OpGet, res(200))
	}
	const errs = 100
	for i := 0; i < errs; i++ {
		s.offer(OpCreate, res(502))
	}
	close(g.release)
	s.close()
	if f := s.report(); f.Dropped == 0 || f.Dropped != s.dropped.Load() {
		t.Errorf("sample drops not reported: dropped %d, sampler %d", f.Dropped, s.dropped.Load())
	}
	if n := s.errDropped.Load(); n != 0 {
		t.Errorf("%d errors dropped", n)
	}
	if g.checked[502] != errs {
		t.Errorf("validated %d of %d error responses", g.checked[502], errs)
	}
	if f := s.report(); f.ByOperation[OpCreate] != errs {
		t.Errorf("violations on create %d, want %d", f.ByOperation[OpCreate], errs)
	}
}

// When the error queue itself is full the results loop waits (bounded) instead of dropping.
func TestSamplerWaitsForErrorRoom(t *testing.T) {
	g := newGated(false, nil)
	s := newSampler(g, 0)
	for i := 0; i < validationQueue+validationWorkers; i++ {
		s.offer(OpGet, res(500))
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		close(g.release)
	}()
	s.offer(OpGet, res(503))
	s.close()
	if n, f := s.errDropped.Load(), s.report(); n != 0 || f.Dropped != 0 {
		t.Errorf("an error was dropped though room came within the bound: %d (report %d)", n, f.Dropped)
	}
	if g.checked[503] != 1 || g.checked[500] != validationQueue+validationWorkers {
		t.Errorf("checked %v", g.checked)
	}
}

// A validator stuck past the bound costs a counted drop, not a stalled run.
func TestSamplerErrorDropIsBoundedAndCounted(t *testing.T) {
	g := newGated(false, nil)
	s := newSampler(g, 0)
	for i := 0; i < validationQueue+validationWorkers; i++ {
		s.offer(OpGet, res(500))
	}
	start := time.Now()
	s.offer(OpGet, res(503))
	if w := time.Since(start); w < errorOfferWait/2 || w > 5*errorOfferWait {
		t.Errorf("waited %v, want about %v", w, errorOfferWait)
	}
	close(g.release)
	s.close()
	if n, f := s.errDropped.Load(), s.report(); n != 1 || f.Dropped != 1 {
		t.Errorf("errors dropped %d (report %d), want 1", n, f.Dropped)
	}
}
