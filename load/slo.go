package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/checkoutkit/checkoutkit/reports"
)

// ErrBadSLO is wrapped by every error ParseSLO returns.
var ErrBadSLO = errors.New("bad SLO")

// SLO is one parsed threshold, e.g. "create:p99<300ms", "errors<0.1%", "idempotency_mismatch=0".
//
// Grammar: [op ":"] metric comparator value, where op is an operation name (create, get,
// expire, replay, or overall, the default), comparator is <, <=, =, ==, >= or >, and metric is
//   - a latency (value a Go duration such as 300ms): p50 p90 p95 p99 p99.9 (or p999) min mean max,
//     read from the exact HDR histogram and measured from the intended send time;
//   - errors (value a percentage "0.1%" of requests, or a plain count), throttled (429s, same
//     units), success (a percentage);
//   - rate (achieved requests per second, a number);
//   - counts (a number): idempotency_mismatch, duplicate_sessions, violations (contract
//     violations in sampled responses), leaked (sessions left open), starvation.
type SLO struct {
	Expr   string
	Op     string
	Metric string
	Cmp    string
	Value  float64 // milliseconds for latencies, a ratio 0..1 for percentages, else the number
	Unit   string  // "ms", "%", or "" (a count or a rate)
}

var latencyMetrics = map[string]bool{"p50": true, "p90": true, "p95": true, "p99": true, "p99.9": true, "min": true, "mean": true, "max": true}

var runMetrics = map[string]bool{"idempotency_mismatch": true, "duplicate_sessions": true, "leaked": true, "starvation": true}

// ParseSLO parses one threshold expression.
func ParseSLO(expr string) (SLO, error) {
	s := SLO{Expr: strings.TrimSpace(expr)}
	if s.Expr == "" {
		return s, fmt.Errorf("%w: empty expression", ErrBadSLO)
	}
	i := strings.IndexAny(s.Expr, "<>=")
	if i <= 0 {
		return s, fmt.Errorf("%w %q: want [op:]metric<value, e.g. create:p99<300ms", ErrBadSLO, expr)
	}
	lhs, rest := strings.TrimSpace(s.Expr[:i]), s.Expr[i:]
	for _, c := range []string{"<=", ">=", "==", "<", ">", "="} {
		if strings.HasPrefix(rest, c) {
			s.Cmp, rest = c, strings.TrimSpace(rest[len(c):])
			break
		}
	}
	if s.Cmp == "==" {
		s.Cmp = "="
	}
	if rest == "" || strings.ContainsAny(rest, "<>=") {
		return s, fmt.Errorf("%w %q: bad value %q", ErrBadSLO, expr, rest)
	}
	s.Op, s.Metric = "overall", lhs
	if op, m, ok := strings.Cut(lhs, ":"); ok {
		s.Op, s.Metric = strings.TrimSpace(op), strings.TrimSpace(m)
		if s.Op == "" {
			return s, fmt.Errorf("%w %q: empty operation", ErrBadSLO, expr)
		}
	}
	s.Op, s.Metric = strings.ToLower(s.Op), strings.ToLower(s.Metric)
	if s.Metric == "p999" {
		s.Metric = "p99.9"
	}
	switch {
	case latencyMetrics[s.Metric]:
		d, err := time.ParseDuration(rest)
		if err != nil {
			return s, fmt.Errorf("%w %q: %s wants a duration such as 300ms: %v", ErrBadSLO, expr, s.Metric, err)
		}
		if d < 0 {
			return s, fmt.Errorf("%w %q: negative duration", ErrBadSLO, expr)
		}
		s.Value, s.Unit = float64(d)/float64(time.Millisecond), "ms"
	case s.Metric == "errors" || s.Metric == "throttled" || s.Metric == "success":
		if p, ok := strings.CutSuffix(rest, "%"); ok {
			f, err := parseNum(p)
			if err != nil || f > 100 {
				return s, fmt.Errorf("%w %q: bad percentage %q", ErrBadSLO, expr, rest)
			}
			s.Value, s.Unit = f/100, "%"
		} else {
			if s.Metric == "success" {
				return s, fmt.Errorf("%w %q: success wants a percentage", ErrBadSLO, expr)
			}
			f, err := parseNum(rest)
			if err != nil {
				return s, fmt.Errorf("%w %q: bad count %q", ErrBadSLO, expr, rest)
			}
			s.Value = f
		}
	case s.Metric == "rate" || s.Metric == "violations":
		f, err := parseNum(rest)
		if err != nil {
			return s, fmt.Errorf("%w %q: bad number %q", ErrBadSLO, expr, rest)
		}
		s.Value = f
	case runMetrics[s.Metric]:
		if s.Op != "overall" {
			return s, fmt.Errorf("%w %q: %s applies to the whole run, not to %q", ErrBadSLO, expr, s.Metric, s.Op)
		}
		f, err := parseNum(rest)
		if err != nil {
			return s, fmt.Errorf("%w %q: bad number %q", ErrBadSLO, expr, rest)
		}
		s.Value = f
	default:
		return s, fmt.Errorf("%w %q: unknown metric %q", ErrBadSLO, expr, s.Metric)
	}
	return s, nil
}

func parseNum(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("not a finite non-negative number")
	}
	return f, nil
}

// ParseSLOs parses a list of expressions, each of which may hold several separated by commas.
func ParseSLOs(exprs []string) ([]SLO, error) {
	var out []SLO
	for _, e := range exprs {
		for _, part := range strings.Split(e, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			s, err := ParseSLO(part)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// Evaluate checks the threshold against a finished report. An operation the run did not have
// fails the threshold (it cannot be shown to hold).
func (s SLO) Evaluate(l *reports.Load) reports.SLOResult {
	res := reports.SLOResult{Expr: s.Expr, Metric: s.Metric, Op: s.Op, Comparator: s.Cmp, Threshold: s.format(s.Value)}
	actual, ok := s.actual(l)
	if !ok {
		res.Actual = "no such operation in this run"
		return res
	}
	res.Actual = s.format(actual)
	res.Pass = compare(actual, s.Cmp, s.Value)
	return res
}

func (s SLO) format(v float64) string {
	switch s.Unit {
	case "ms":
		return strconv.FormatFloat(v, 'g', 6, 64) + "ms"
	case "%":
		return strconv.FormatFloat(v*100, 'g', 4, 64) + "%"
	}
	return strconv.FormatFloat(v, 'g', 8, 64)
}

func (s SLO) actual(l *reports.Load) (float64, bool) {
	switch s.Metric {
	case "idempotency_mismatch":
		return float64(l.Idempotency.Mismatches), true
	case "duplicate_sessions":
		return float64(l.Idempotency.DuplicateSessions), true
	case "leaked":
		return float64(l.Hygiene.Leaked), true
	case "starvation":
		return float64(l.Hygiene.Starvation), true
	case "violations":
		if s.Op == "overall" {
			return float64(l.Contract.Violations), true
		}
		if _, ok := findOp(l, s.Op); !ok {
			return 0, false
		}
		return float64(l.Contract.ByOperation[s.Op]), true
	}
	op, ok := findOp(l, s.Op)
	if !ok {
		return 0, false
	}
	lat := op.Latency
	switch s.Metric {
	case "p50":
		return lat.P50MS, true
	case "p90":
		return lat.P90MS, true
	case "p95":
		return lat.P95MS, true
	case "p99":
		return lat.P99MS, true
	case "p99.9":
		return lat.P999MS, true
	case "min":
		return lat.MinMS, true
	case "mean":
		return lat.MeanMS, true
	case "max":
		return lat.MaxMS, true
	case "rate":
		return op.AchievedRate, true
	case "success":
		return op.Success, true
	case "errors", "throttled":
		n := float64(errorCount(op))
		if s.Metric == "throttled" {
			n = float64(op.Throttled)
		}
		if s.Unit != "%" {
			return n, true
		}
		if op.Requests == 0 {
			return 0, true
		}
		return n / float64(op.Requests), true
	}
	return 0, false
}

// errorCount is the number of failed requests, throttling (429) excluded.
func errorCount(op reports.LoadOp) int64 {
	var n int64
	for _, e := range op.Errors {
		if e.Class == classThrottled {
			continue
		}
		n += int64(e.Count)
	}
	return n
}

func findOp(l *reports.Load, name string) (reports.LoadOp, bool) {
	if name == "overall" || name == "" {
		return l.Overall, true
	}
	for _, op := range l.Operations {
		if op.Name == name {
			return op, true
		}
	}
	return reports.LoadOp{}, false
}

func compare(a float64, cmp string, b float64) bool {
	switch cmp {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case "=":
		return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
	case ">=":
		return a >= b
	case ">":
		return a > b
	}
	return false
}
