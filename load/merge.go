package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/checkoutkit/checkoutkit/reports"
)

// MergeFiles reads shard reports (the JSON that `checkoutkit load` writes as load.json) and
// merges them with Merge, judging the SLOs the shards were given. A folder stands for the
// load.json files in it and in its direct subfolders (e.g. /results/<run>/shard-*/load.json),
// except a subfolder named "merged".
func MergeFiles(paths []string) (*reports.Load, error) {
	return MergeFilesSLO(paths, nil)
}

// MergeFilesSLO is MergeFiles judged by slos instead of the shards' own (nil: the shards').
func MergeFilesSLO(paths []string, slos []SLO) (*reports.Load, error) {
	files, err := expandReports(paths)
	if err != nil {
		return nil, err
	}
	parts := make([]*reports.Load, 0, len(files))
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		var l reports.Load
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("merge %s: %w", p, err)
		}
		if l.SchemaVersion != reports.LoadSchemaVersion {
			return nil, fmt.Errorf("merge %s: schema %q, want %q", p, l.SchemaVersion, reports.LoadSchemaVersion)
		}
		parts = append(parts, &l)
	}
	return Merge(parts, slos)
}

func expandReports(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		top, _ := filepath.Glob(filepath.Join(p, "load.json"))
		sub, _ := filepath.Glob(filepath.Join(p, "*", "load.json"))
		for _, f := range append(top, sub...) {
			if filepath.Base(filepath.Dir(f)) != "merged" {
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("merge: no report files (load.json) found")
	}
	return out, nil
}

// Merge combines shard reports into one. Counts, status codes, error classes, slipped requests,
// throttle pauses, idempotency, contract and hygiene figures add up; asked and achieved rates add (the shards ran side by
// side); latencies are recomputed from the merged HDR histograms, so merged percentiles are
// exactly those of one histogram holding every shard's samples; t-digest estimates are dropped
// (they do not merge exactly). Timelines add per second (their p50/p99 take the highest shard
// value, an upper bound; max is exact). SLOs are evaluated again on the merged figures with
// slos when given, else with the shards' expressions.
func Merge(parts []*reports.Load, slos []SLO) (*reports.Load, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: nothing to merge")
	}
	first := parts[0]
	out := reports.NewLoad(first.Tool, first.Target, first.Scenario, first.RunID)
	out.Shard = "merged/" + strconv.Itoa(len(parts))
	out.StartedAt = first.StartedAt
	end := first.StartedAt.Add(time.Duration(first.DurationMS * float64(time.Millisecond)))
	for k, v := range first.Config {
		if !strings.HasPrefix(k, "observed.") {
			out.Config[k] = v
		}
	}
	type acc struct {
		op  reports.LoadOp
		h   *hdrhistogram.Histogram
		tl  map[int]reports.Point
		err map[string]int
	}
	accs := map[string]*acc{}
	var order []string
	seenExpr := map[string]bool{}
	exprs := []string{}
	add := func(name string, op reports.LoadOp) error {
		a := accs[name]
		if a == nil {
			a = &acc{op: reports.LoadOp{Name: op.Name, StatusCodes: map[string]int{}}, h: newHDR(), tl: map[int]reports.Point{}, err: map[string]int{}}
			accs[name] = a
			if name != "\x00overall" {
				order = append(order, name)
			}
		}
		a.op.Requests += op.Requests
		a.op.AskedRate += op.AskedRate
		a.op.AchievedRate += op.AchievedRate
		a.op.Throughput += op.Throughput
		a.op.Throttled += op.Throttled
		a.op.Slipped += op.Slipped
		for k, v := range op.StatusCodes {
			a.op.StatusCodes[k] += v
		}
		for _, e := range op.Errors {
			a.err[e.Class] += e.Count
		}
		for _, p := range op.Timeline {
			q := a.tl[p.Second]
			q.Second = p.Second
			q.Requests += p.Requests
			q.Errors += p.Errors
			q.P50MS = maxf(q.P50MS, p.P50MS)
			q.P99MS = maxf(q.P99MS, p.P99MS)
			q.MaxMS = maxf(q.MaxMS, p.MaxMS)
			a.tl[p.Second] = q
		}
		if op.HDR == "" {
			if op.Requests > 0 {
				return fmt.Errorf("operation %s has no HDR snapshot: cannot merge exactly", name)
			}
			return nil
		}
		h, err := DecodeHDR(op.HDR)
		if err != nil {
			return fmt.Errorf("operation %s: %w", name, err)
		}
		if dropped := a.h.Merge(h); dropped > 0 {
			return fmt.Errorf("operation %s: %d values out of range", name, dropped)
		}
		return nil
	}
	for i, p := range parts {
		if p.RunID != first.RunID || p.Scenario != first.Scenario {
			return nil, fmt.Errorf("merge: part %d is run %s/%s, the first is %s/%s", i+1, p.RunID, p.Scenario, first.RunID, first.Scenario)
		}
		out.Partial = out.Partial || p.Partial
		if p.StartedAt.Before(out.StartedAt) {
			out.StartedAt = p.StartedAt
		}
		if e := p.StartedAt.Add(time.Duration(p.DurationMS * float64(time.Millisecond))); e.After(end) {
			end = e
		}
		for _, op := range p.Operations {
			if err := add(op.Name, op); err != nil {
				return nil, fmt.Errorf("merge part %d: %w", i+1, err)
			}
		}
		if err := add("\x00overall", p.Overall); err != nil {
			return nil, fmt.Errorf("merge part %d: %w", i+1, err)
		}
		out.Idempotency.Replays += p.Idempotency.Replays
		out.Idempotency.Racing += p.Idempotency.Racing
		out.Idempotency.Delayed += p.Idempotency.Delayed
		out.Idempotency.Mismatches += p.Idempotency.Mismatches
		out.Idempotency.DuplicateSessions += p.Idempotency.DuplicateSessions
		out.Idempotency.RejectedInFlight += p.Idempotency.RejectedInFlight
		out.Idempotency.Inconclusive += p.Idempotency.Inconclusive
		out.Contract.Sampled += p.Contract.Sampled
		out.Contract.Violations += p.Contract.Violations
		out.Contract.Dropped += p.Contract.Dropped
		out.Contract.CheckErrors += p.Contract.CheckErrors
		for k, v := range p.Contract.ByOperation {
			out.Contract.ByOperation[k] += v
		}
		for _, e := range p.Contract.Examples {
			if len(out.Contract.Examples) < maxExamples {
				out.Contract.Examples = append(out.Contract.Examples, e)
			}
		}
		out.Hygiene.Created += p.Hygiene.Created
		out.Hygiene.Expired += p.Hygiene.Expired
		out.Hygiene.Leaked += p.Hygiene.Leaked
		out.Hygiene.Starvation += p.Hygiene.Starvation
		out.Hygiene.LeftOpenBeforeCleanup += p.Hygiene.LeftOpenBeforeCleanup
		// Shards pause on their own 429s side by side: the sum is total generator-time held
		// back, not wall-clock time (a run of two shards each paused 1 s reports 2000).
		out.ThrottlePauseMS += p.ThrottlePauseMS
		out.Hygiene.AbortedOnAuth = out.Hygiene.AbortedOnAuth || p.Hygiene.AbortedOnAuth
		if p.Resources.PeakRSSBytes > out.Resources.PeakRSSBytes {
			out.Resources.PeakRSSBytes = p.Resources.PeakRSSBytes
		}
		if p.Resources.GoHeapBytes > out.Resources.GoHeapBytes {
			out.Resources.GoHeapBytes = p.Resources.GoHeapBytes
		}
		for _, s := range p.SLOs {
			if !seenExpr[s.Expr] {
				seenExpr[s.Expr] = true
				exprs = append(exprs, s.Expr)
			}
		}
	}
	out.DurationMS = ms(end.Sub(out.StartedAt))
	finish := func(a *acc) (reports.LoadOp, error) {
		op := a.op
		op.Errors = errorClasses(a.err)
		op.Latency = hdrLatency(a.h)
		op.Histogram = buckets(a.h)
		op.Timeline = make([]reports.Point, 0, len(a.tl))
		for _, p := range a.tl {
			op.Timeline = append(op.Timeline, p)
		}
		sort.Slice(op.Timeline, func(i, j int) bool { return op.Timeline[i].Second < op.Timeline[j].Second })
		var ok int64
		for code, n := range op.StatusCodes {
			if c, err := strconv.Atoi(code); err == nil && c >= 200 && c < 400 {
				ok += int64(n)
			}
		}
		if op.Requests > 0 {
			op.Success = float64(ok) / float64(op.Requests)
		}
		enc, err := EncodeHDR(a.h)
		op.HDR = enc
		return op, err
	}
	for _, name := range order {
		op, err := finish(accs[name])
		if err != nil {
			return nil, err
		}
		out.Operations = append(out.Operations, op)
	}
	ov, err := finish(accs["\x00overall"])
	if err != nil {
		return nil, err
	}
	ov.AchievedRate, ov.AskedRate = 0, 0
	for _, op := range out.Operations {
		ov.AchievedRate += op.AchievedRate
		ov.AskedRate += op.AskedRate
	}
	out.Overall = ov
	if slos == nil {
		for _, e := range exprs {
			s, err := ParseSLO(e)
			if err != nil {
				return nil, fmt.Errorf("merge: shard SLO %q: %w", e, err)
			}
			slos = append(slos, s)
		}
	}
	for _, s := range slos {
		out.SLOs = append(out.SLOs, s.Evaluate(out))
	}
	out.Finalize()
	return out, nil
}
