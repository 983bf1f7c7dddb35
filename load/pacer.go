package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Stage is one step of a ramped schedule: the arrival rate moves linearly from the previous
// stage's Rate (or Schedule.StartRate for the first stage) to this Rate over Duration. A zero
// Duration is allowed on the last stage only and means "hold Rate until stopped".
type Stage struct {
	Duration time.Duration `json:"duration"`
	Rate     float64       `json:"rate"`
}

// Schedule is an arrival-rate plan: an open workload model in which hit n is due at the
// instant the integral of the rate reaches n+1 (the same convention as vegeta's
// ConstantPacer, whose first hit comes one interval after the start).
//
// A Schedule is a pure value: it is safe to copy and to use from many goroutines.
type Schedule struct {
	// StartRate is the rate (hits per second) at the start of the first stage. Default 0,
	// so a single stage {Duration, Rate} ramps from 0; use [Constant] for a flat rate.
	StartRate float64 `json:"startRate"`
	// Stages are run in order.
	Stages []Stage `json:"stages"`
	// MaxHits stops the schedule after this many hits; 0 means no limit.
	MaxHits uint64 `json:"maxHits"`
}

// Constant returns a flat schedule of rate hits per second for d (0 = until MaxHits or stopped).
func Constant(rate float64, d time.Duration) Schedule {
	return Schedule{StartRate: rate, Stages: []Stage{{Duration: d, Rate: rate}}}
}

// Validate reports whether the schedule can run: rates are finite and not negative, only the
// last stage may be open-ended, and an open-ended or empty schedule has a hit limit.
func (s Schedule) Validate() error {
	if len(s.Stages) == 0 {
		return fmt.Errorf("schedule has no stage")
	}
	if bad(s.StartRate) {
		return fmt.Errorf("start rate %v is not a finite non-negative number", s.StartRate)
	}
	for i, st := range s.Stages {
		if bad(st.Rate) {
			return fmt.Errorf("stage %d: rate %v is not a finite non-negative number", i+1, st.Rate)
		}
		if st.Duration < 0 {
			return fmt.Errorf("stage %d: negative duration", i+1)
		}
		if st.Duration == 0 && i != len(s.Stages)-1 {
			return fmt.Errorf("stage %d: only the last stage may have no duration", i+1)
		}
	}
	if s.Stages[len(s.Stages)-1].Duration == 0 && s.MaxHits == 0 {
		return fmt.Errorf("an open-ended schedule needs a request count")
	}
	if s.Stages[len(s.Stages)-1].Duration == 0 && s.Stages[len(s.Stages)-1].Rate == 0 {
		return fmt.Errorf("an open-ended stage needs a rate above 0")
	}
	return nil
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) || f < 0 }

// Duration is the schedule's length; 0 when the last stage is open-ended.
func (s Schedule) Duration() time.Duration {
	var d time.Duration
	for _, st := range s.Stages {
		if st.Duration == 0 {
			return 0
		}
		d += st.Duration
	}
	return d
}

// ExpectedHits is how many hits the schedule sends if nothing slips (MaxHits applied).
func (s Schedule) ExpectedHits() uint64 {
	var total float64
	if s.Duration() > 0 {
		r0 := s.StartRate
		for _, st := range s.Stages {
			total += (r0 + st.Rate) / 2 * st.Duration.Seconds()
			r0 = st.Rate
		}
	} else {
		total = math.Inf(1)
	}
	if s.MaxHits > 0 && float64(s.MaxHits) < total {
		return s.MaxHits
	}
	return uint64(math.Floor(total + 1e-9))
}

// MeanRate is ExpectedHits divided by the time the schedule takes to send them.
func (s Schedule) MeanRate() float64 {
	n := s.ExpectedHits()
	if n == 0 {
		return 0
	}
	at, ok := s.DueAt(n - 1)
	if !ok || at <= 0 {
		return s.Rate(0)
	}
	return float64(n) / at.Seconds()
}

// Rate is the instantaneous rate at elapsed (vegeta.Pacer).
func (s Schedule) Rate(elapsed time.Duration) float64 {
	r0 := s.StartRate
	var t0 time.Duration
	for _, st := range s.Stages {
		if st.Duration == 0 {
			return st.Rate
		}
		if elapsed < t0+st.Duration {
			f := float64(elapsed-t0) / float64(st.Duration)
			return r0 + (st.Rate-r0)*f
		}
		t0 += st.Duration
		r0 = st.Rate
	}
	return 0
}

// DueAt is the offset from the start at which hit n (counting from 0) is due, and false when
// the schedule ends first.
func (s Schedule) DueAt(n uint64) (time.Duration, bool) {
	if s.MaxHits > 0 && n >= s.MaxHits {
		return 0, false
	}
	need := float64(n) + 1 // cumulative hits that must have elapsed
	r0 := s.StartRate
	var t0 float64 // seconds
	for _, st := range s.Stages {
		if st.Duration == 0 { // open-ended, constant
			if st.Rate <= 0 {
				return 0, false
			}
			return secs(t0 + need/st.Rate), true
		}
		d := st.Duration.Seconds()
		area := (r0 + st.Rate) / 2 * d
		if need <= area+1e-9 {
			slope := (st.Rate - r0) / d
			// Solve slope/2 t² + r0 t = need in the form that is stable for slope → 0.
			disc := r0*r0 + 2*slope*need
			if disc < 0 {
				disc = 0
			}
			den := r0 + math.Sqrt(disc)
			if den <= 0 {
				return 0, false
			}
			t := 2 * need / den
			if t > d {
				t = d
			}
			return secs(t0 + t), true
		}
		need -= area
		t0 += d
		r0 = st.Rate
	}
	return 0, false
}

func secs(f float64) time.Duration { return time.Duration(math.Round(f * 1e9)) }

// Pace implements vegeta.Pacer for a plain (unshared) use of the schedule.
func (s Schedule) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	due, ok := s.DueAt(hits)
	if !ok {
		return 0, true
	}
	if due <= elapsed {
		return 0, false
	}
	return due - elapsed, false
}

var _ vegeta.Pacer = Schedule{}

// Split returns shard i's (0-based) part of n: every rate divided by n and MaxHits shared so
// the parts add up to the whole. Shards run the same stages side by side.
func (s Schedule) Split(i, n int) Schedule {
	if n <= 1 {
		return s
	}
	out := Schedule{StartRate: s.StartRate / float64(n), Stages: make([]Stage, len(s.Stages))}
	for k, st := range s.Stages {
		out.Stages[k] = Stage{Duration: st.Duration, Rate: st.Rate / float64(n)}
	}
	if s.MaxHits > 0 {
		out.MaxHits = SplitCount(s.MaxHits, i, n)
	}
	return out
}

// SplitCount is shard i's (0-based) share of total when it is split over n shards: the
// shares differ by at most one and add up to total.
func SplitCount(total uint64, i, n int) uint64 {
	if n <= 1 {
		return total
	}
	share := total / uint64(n)
	if uint64(i) < total%uint64(n) {
		share++
	}
	return share
}

// ParseStages parses a ramp such as "30s:100,1m:100,10s:0" (duration:rate pairs, the rate
// reached at the end of each stage).
func ParseStages(spec string) ([]Stage, error) {
	var out []Stage
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		d, r, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %q: want duration:rate", part)
		}
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return nil, fmt.Errorf("stage %q: %w", part, err)
		}
		rate, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(r), "/s"), 64)
		if err != nil {
			return nil, fmt.Errorf("stage %q: rate: %w", part, err)
		}
		if dur < 0 {
			return nil, fmt.Errorf("stage %q: negative duration", part)
		}
		if bad(rate) {
			return nil, fmt.Errorf("stage %q: rate is not a finite non-negative number", part)
		}
		out = append(out, Stage{Duration: dur, Rate: rate})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no stages in %q", spec)
	}
	return out, nil
}

// intentRing remembers, for the last len(slots) ticks of one attack, when each tick was meant
// to be sent. The pacer writes slot hits%len before the tick leaves; the results loop reads it
// back by Result.Seq. Why Seq and not our own counter: vegeta hands out Seq in the order
// workers take ticks, which matches the tick order except when two workers take neighbouring
// ticks at nearly the same instant, so a swap costs at most one tick interval of error.
type intentRing struct {
	at []atomic.Int64
	id []atomic.Uint64 // hit number + 1 (0 = empty)
}

func newIntentRing(size int) *intentRing {
	return &intentRing{at: make([]atomic.Int64, size), id: make([]atomic.Uint64, size)}
}

func (r *intentRing) put(hit uint64, t time.Time) {
	i := hit % uint64(len(r.at))
	r.at[i].Store(t.UnixNano())
	r.id[i].Store(hit + 1)
}

func (r *intentRing) get(seq uint64) (time.Time, bool) {
	i := seq % uint64(len(r.at))
	if r.id[i].Load() != seq+1 {
		return time.Time{}, false
	}
	return time.Unix(0, r.at[i].Load()), true
}

// throttle is the run-wide pause that 429 Retry-After answers ask for. Every pacer of the run
// checks it before releasing a tick.
type throttle struct {
	mu    sync.Mutex
	until time.Time
	total time.Duration // sum of pauses asked for (overlaps merged)
}

// pauseFor extends the pause to at least now+d.
func (t *throttle) pauseFor(now time.Time, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	end := now.Add(d)
	if end.After(t.until) {
		if t.until.After(now) {
			t.total += end.Sub(t.until)
		} else {
			t.total += d
		}
		t.until = end
	}
}

func (t *throttle) pausedUntil() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.until
}

func (t *throttle) paused() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// gate counts references ready for a chained (downstream) attack and wakes its pacer.
type gate struct {
	ready  atomic.Uint64
	signal chan struct{}
	done   chan struct{} // closed when the upstream stops pushing
	once   sync.Once
}

func newGate() *gate { return &gate{signal: make(chan struct{}, 1), done: make(chan struct{})} }

// add records one more ready reference (after it was put in the queue).
func (g *gate) add() {
	g.ready.Add(1)
	select {
	case g.signal <- struct{}{}:
	default:
	}
}

// close says no more references will come.
func (g *gate) close() { g.once.Do(func() { close(g.done) }) }

// runPacer is the vegeta.Pacer every attack of a run uses. It paces by a Schedule, or, for a
// chained attack, releases hit n only once n+1 references are queued (so the Targeter never
// waits and never finds the queue empty); it honours the run's 429 pause by shifting its whole
// schedule (no catch-up burst afterwards); and it writes each hit's intended send time into a
// ring so the results loop can measure latency from it (coordinated-omission correction).
//
// Pace runs on the attack's single scheduling goroutine, so its fields need no lock; blocking
// in Pace is safe because vegeta takes the request timestamp in the worker, not here.
type runPacer struct {
	sched    Schedule
	gate     *gate // nil: paced by sched
	throttle *throttle
	ring     *intentRing
	stop     <-chan struct{}

	began   time.Time
	started bool
	shift   time.Duration // accumulated 429 pauses
}

func (p *runPacer) Rate(elapsed time.Duration) float64 { return p.sched.Rate(elapsed) }

func (p *runPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	now := time.Now()
	if !p.started {
		// vegeta's own start instant, recovered exactly from the elapsed it measured.
		p.began, p.started = now.Add(-elapsed), true
	}
	select {
	case <-p.stop:
		return 0, true
	default:
	}
	if p.throttle != nil {
		if until := p.throttle.pausedUntil(); until.After(now) {
			d := until.Sub(now)
			if !sleepOrStop(d, p.stop) {
				return 0, true
			}
			p.shift += d
			now = time.Now()
		}
	}
	var intended time.Time
	if p.gate == nil {
		due, ok := p.sched.DueAt(hits)
		if !ok {
			return 0, true
		}
		intended = p.began.Add(due + p.shift)
	} else {
		for p.gate.ready.Load() <= hits {
			select {
			case <-p.gate.signal:
			case <-p.stop:
				return 0, true
			case <-p.gate.done:
				if p.gate.ready.Load() <= hits {
					return 0, true
				}
			}
		}
		// The reference became ready now: that is when a real client would send the next
		// step, so it is the intended time.
		intended = time.Now()
		now = intended
	}
	p.ring.put(hits, intended)
	if w := intended.Sub(now); w > 0 {
		return w, false
	}
	return 0, false
}

func sleepOrStop(d time.Duration, stop <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	}
}
