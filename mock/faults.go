package mock

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Operation names used by Faults.
const (
	OpCreate = "create"
	OpGet    = "get"
	OpUpdate = "update"
	OpExpire = "expire"
	// OpAll matches every operation.
	OpAll = "*"
)

// LatencyKind names a latency distribution.
type LatencyKind string

// Latency distributions.
const (
	LatencyFixed       LatencyKind = "fixed"
	LatencyUniform     LatencyKind = "uniform"
	LatencyExponential LatencyKind = "exp"
)

// Latency is a delay added before an operation is handled.
type Latency struct {
	// Kind is fixed (Fixed), uniform (Min..Max) or exp (exponential with mean Mean).
	Kind LatencyKind
	// Fixed is the delay of a fixed latency.
	Fixed time.Duration
	// Min and Max bound a uniform latency.
	Min, Max time.Duration
	// Mean is the mean of an exponential latency.
	Mean time.Duration
}

// ErrorRule answers an operation with an injected error at a rate.
type ErrorRule struct {
	// Op is the operation (create, get, update, expire or *).
	Op string
	// Status is 500 (Internal-00500), 502 (Integration-00502) or 429 (Request-00429).
	Status int
	// Rate is the probability in [0, 1] that a request gets this error.
	Rate float64
	// RetryAfter is the Retry-After of a 429, rounded up to whole seconds. Default: 1 s.
	RetryAfter time.Duration
}

// Faults configures injected latency and errors. The zero value injects nothing.
type Faults struct {
	// Latency maps an operation name (or "*") to its latency.
	Latency map[string]Latency
	// Errors are tried in order; the first rule that fires answers the request.
	Errors []ErrorRule
	// Seed seeds the random source, so tests are repeatable. Default 0 means a random seed.
	Seed uint64
}

// ErrBadFault is returned by the fault parsers.
var ErrBadFault = errors.New("bad fault specification")

// ParseLatency parses "op=DIST" where DIST is "20ms" (fixed), "uniform:10ms..50ms" or "exp:30ms".
func ParseLatency(s string) (op string, l Latency, err error) {
	op, dist, ok := strings.Cut(s, "=")
	if !ok || !validOp(op) {
		return "", l, fmt.Errorf("%w: %q: want op=dist with op one of create, get, update, expire, *", ErrBadFault, s)
	}
	kind, arg, hasKind := strings.Cut(dist, ":")
	if !hasKind {
		kind, arg = string(LatencyFixed), dist
	}
	switch LatencyKind(kind) {
	case LatencyFixed:
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 {
			return "", l, fmt.Errorf("%w: %q: bad duration", ErrBadFault, s)
		}
		return op, Latency{Kind: LatencyFixed, Fixed: d}, nil
	case LatencyUniform:
		lo, hi, ok := strings.Cut(arg, "..")
		a, err1 := time.ParseDuration(lo)
		b, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || a < 0 || b < a {
			return "", l, fmt.Errorf("%w: %q: want uniform:MIN..MAX", ErrBadFault, s)
		}
		return op, Latency{Kind: LatencyUniform, Min: a, Max: b}, nil
	case LatencyExponential, "exponential":
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return "", l, fmt.Errorf("%w: %q: want exp:MEAN", ErrBadFault, s)
		}
		return op, Latency{Kind: LatencyExponential, Mean: d}, nil
	}
	return "", l, fmt.Errorf("%w: %q: unknown distribution %q", ErrBadFault, s, kind)
}

// ParseErrorRule parses "op=STATUS:RATE[:retry=DURATION]", e.g. "create=500:0.1",
// "*=429:0.05" or "get=429:0.1:retry=2s". retry sets the Retry-After of a 429 (a Go duration,
// rounded up to whole seconds; default 1 s) and is refused with another status. The form without
// retry is the original syntax, unchanged.
func ParseErrorRule(s string) (ErrorRule, error) {
	op, rest, ok := strings.Cut(s, "=")
	parts := strings.Split(rest, ":")
	if !ok || len(parts) < 2 || len(parts) > 3 || !validOp(op) {
		return ErrorRule{}, fmt.Errorf("%w: %q: want op=status:rate[:retry=duration]", ErrBadFault, s)
	}
	status, err := strconv.Atoi(parts[0])
	if err != nil || (status != 500 && status != 502 && status != 429) {
		return ErrorRule{}, fmt.Errorf("%w: %q: status must be 500, 502 or 429", ErrBadFault, s)
	}
	rate, err := strconv.ParseFloat(parts[1], 64)
	if err != nil || rate < 0 || rate > 1 || math.IsNaN(rate) {
		return ErrorRule{}, fmt.Errorf("%w: %q: rate must be in [0, 1]", ErrBadFault, s)
	}
	r := ErrorRule{Op: op, Status: status, Rate: rate}
	if len(parts) == 3 {
		v, ok := strings.CutPrefix(parts[2], "retry=")
		if !ok {
			return ErrorRule{}, fmt.Errorf("%w: %q: want retry=duration after the rate", ErrBadFault, s)
		}
		if status != 429 {
			return ErrorRule{}, fmt.Errorf("%w: %q: retry is only for 429", ErrBadFault, s)
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return ErrorRule{}, fmt.Errorf("%w: %q: retry must be a non-negative duration such as 2s", ErrBadFault, s)
		}
		r.RetryAfter = d
	}
	return r, nil
}

func validOp(op string) bool {
	switch op {
	case OpCreate, OpGet, OpUpdate, OpExpire, OpAll:
		return true
	}
	return false
}

// faulter draws latencies and errors from one seeded source.
type faulter struct {
	f   Faults
	mu  sync.Mutex
	rng *rand.Rand
}

func newFaulter(f Faults) *faulter {
	seed := f.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &faulter{f: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (fa *faulter) active() bool { return len(fa.f.Latency) > 0 || len(fa.f.Errors) > 0 }

func (fa *faulter) float() float64 {
	fa.mu.Lock()
	defer fa.mu.Unlock()
	return fa.rng.Float64()
}

// delay returns the latency to add to op.
func (fa *faulter) delay(op string) time.Duration {
	l, ok := fa.f.Latency[op]
	if !ok {
		if l, ok = fa.f.Latency[OpAll]; !ok {
			return 0
		}
	}
	switch l.Kind {
	case LatencyUniform:
		return l.Min + time.Duration(fa.float()*float64(l.Max-l.Min))
	case LatencyExponential:
		fa.mu.Lock()
		x := fa.rng.ExpFloat64()
		fa.mu.Unlock()
		return time.Duration(x * float64(l.Mean))
	default:
		return l.Fixed
	}
}

// injected returns the rule that fires for op, if any.
func (fa *faulter) injected(op string) (ErrorRule, bool) {
	for _, r := range fa.f.Errors {
		if r.Op != op && r.Op != OpAll {
			continue
		}
		if r.Rate >= 1 || (r.Rate > 0 && fa.float() < r.Rate) {
			return r, true
		}
	}
	return ErrorRule{}, false
}

// Breakage is a deliberate contract violation, for proving that suites can fail.
type Breakage string

// Breakage modes.
const (
	// BreakDropRequiredField omits sessionState from GET, PATCH and expire bodies and pollingUrl
	// from the create body.
	BreakDropRequiredField Breakage = "drop-required-field"
	// BreakWrongEnum sends sessionState "SessionStarted" (the pre-2023 name) in GET, PATCH and
	// expire bodies.
	BreakWrongEnum Breakage = "wrong-enum"
	// BreakUndocumentedStatus answers a successful create with 201 and an expire with 418.
	BreakUndocumentedStatus Breakage = "undocumented-status"
)

// Breakages lists every Breakage mode.
var Breakages = []Breakage{BreakDropRequiredField, BreakWrongEnum, BreakUndocumentedStatus}
