package load

import (
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/reports"
)

// outcome is what one create (original or replay) got back.
type outcome struct {
	done    bool
	failed  bool // no usable answer (transport failure, 429): nothing to compare
	notSent bool // a delayed replay that was never sent (its original got no answer)
	status  uint16
	token   string
}

type idemRecord struct {
	racing         bool
	orig, replay   outcome
	replayExpected bool
}

// idemTracker pairs each replayed create with its original and compares their outcomes. A
// record lives from the create Targeter's decision until both halves are in, so memory is
// bounded by the replays in flight (plus the delay window).
type idemTracker struct {
	count atomic.Uint64 // replays decided so far (drives the racing/delayed split)

	mu                sync.Mutex
	recs              map[string]*idemRecord
	replays, racing   int
	delayed           int
	mismatches, dupes int
	inconclusive      int
	inFlight          int // racing replays answered 409 while the original was in flight

	// resend sends one more (unmeasured) replay of ref and returns its outcome; verifications
	// run on their own goroutines, off the results loops.
	resend  func(ref string) outcome
	verifyQ chan verifyJob
	wg      sync.WaitGroup
	// replayCreated is told about a session a racing replay created (its original lost the race).
	replayCreated func(ref string)
}

type verifyJob struct {
	ref  string
	orig outcome
}

// newIdemTracker starts workers that verify replays rejected in flight (a 409 for a key whose
// first request is still running is a fair answer; the check is then the replay sent once the
// original has completed).
func newIdemTracker(resend func(ref string) outcome) *idemTracker {
	t := &idemTracker{recs: map[string]*idemRecord{}, resend: resend, verifyQ: make(chan verifyJob, 4096)}
	for i := 0; i < 4; i++ {
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			for j := range t.verifyQ {
				p := t.resend(j.ref)
				t.mu.Lock()
				t.compare(j.orig, p)
				t.mu.Unlock()
			}
		}()
	}
	return t
}

// close waits for pending verifications.
func (t *idemTracker) close() {
	close(t.verifyQ)
	t.wg.Wait()
}

// expect registers that ref's create will be replayed.
func (t *idemTracker) expect(ref string, racing bool) {
	t.mu.Lock()
	t.recs[ref] = &idemRecord{racing: racing, replayExpected: true}
	t.mu.Unlock()
}

// forget drops a replay that will not be sent (queue full, run stopped).
func (t *idemTracker) forget(ref string) {
	t.mu.Lock()
	delete(t.recs, ref)
	t.mu.Unlock()
}

// originalDone records the original's outcome. It returns ref and true when a delayed replay
// should now be scheduled.
func (t *idemTracker) originalDone(ref string, r *vegeta.Result) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	rec := t.recs[ref]
	if rec == nil {
		return "", false
	}
	rec.orig = outcomeOf(r)
	t.settle(ref, rec)
	return ref, !rec.racing
}

// replayDone records a replay's outcome; key is the echoed Idempotency-Key.
func (t *idemTracker) replayDone(r *vegeta.Result, key string) {
	if key == "" {
		return // transport failure: failed() already handled it
	}
	ref := refFromKey(key)
	t.mu.Lock()
	defer t.mu.Unlock()
	rec := t.recs[ref]
	if rec == nil {
		return
	}
	rec.replay = outcomeOf(r)
	t.settle(ref, rec)
}

// failed records a transport failure of the original or the replay of ref.
func (t *idemTracker) failed(ref string, replay bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	rec := t.recs[ref]
	if rec == nil {
		return
	}
	o := outcome{done: true, failed: true}
	if replay {
		rec.replay = o
	} else {
		rec.orig = o
		if !rec.racing {
			// No delayed replay will be sent for an original with no answer.
			rec.replay = outcome{done: true, notSent: true}
		}
	}
	t.settle(ref, rec)
}

func outcomeOf(r *vegeta.Result) outcome {
	o := outcome{done: true, status: r.Code}
	if r.Code == 0 || r.Code == 429 {
		o.failed = true
		return o
	}
	if r.Code >= 200 && r.Code < 300 {
		o.token = tokenOf(r.Body)
	}
	return o
}

// settle compares the two halves once both are in. A replay must get the original's status
// and, for a success, the same token; a successful replay with another token means a second
// session was created.
func (t *idemTracker) settle(ref string, rec *idemRecord) {
	if !rec.orig.done || !rec.replay.done {
		return
	}
	delete(t.recs, ref)
	if rec.replay.notSent {
		t.inconclusive++
		return
	}
	t.replays++
	if rec.racing {
		t.racing++
	} else {
		t.delayed++
	}
	if rec.orig.failed || rec.replay.failed {
		t.inconclusive++
		return
	}
	if rec.racing && (rec.replay.status == 409) != (rec.orig.status == 409) {
		// One of the two reached the server first; the other was told the key is in flight.
		// The first one's outcome is the one every later replay must get.
		t.inFlight++
		winner := rec.orig
		if rec.orig.status == 409 {
			winner = rec.replay
			if winner.status >= 200 && winner.status < 300 && t.replayCreated != nil {
				t.replayCreated(ref) // the session exists although the original was refused
			}
		}
		select {
		case t.verifyQ <- verifyJob{ref: ref, orig: winner}:
		default:
			t.inconclusive++
		}
		return
	}
	t.compare(rec.orig, rec.replay)
}

// compare counts a mismatch when the replay's outcome differs from the original's.
func (t *idemTracker) compare(o, p outcome) {
	if o.failed || p.failed {
		t.inconclusive++
		return
	}
	ok2xx := func(s uint16) bool { return s >= 200 && s < 300 }
	switch {
	case o.status != p.status:
		t.mismatches++
	case ok2xx(o.status) && o.token != p.token:
		t.mismatches++
		t.dupes++
	}
}

func (t *idemTracker) report() reports.Idempotency {
	t.mu.Lock()
	defer t.mu.Unlock()
	return reports.Idempotency{Replays: t.replays, Racing: t.racing, Delayed: t.delayed,
		Mismatches: t.mismatches, DuplicateSessions: t.dupes, RejectedInFlight: t.inFlight, Inconclusive: t.inconclusive}
}
