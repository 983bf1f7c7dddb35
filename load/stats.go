package load

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/reports"
)

// HDR geometry: microseconds from 1 µs to 10 minutes, 3 significant digits (0.1 % error).
// Every histogram of the package uses it, so shard snapshots merge exactly.
const (
	hdrLowest  = 1
	hdrHighest = int64(10 * time.Minute / time.Microsecond)
	hdrSigFigs = 3
	// The per-second timeline uses 2 significant digits: a few KB per open second.
	timelineSigFigs = 2
)

func newHDR() *hdrhistogram.Histogram { return hdrhistogram.New(hdrLowest, hdrHighest, hdrSigFigs) }

func recordUS(h *hdrhistogram.Histogram, d time.Duration) {
	us := d.Microseconds()
	if us < hdrLowest {
		us = hdrLowest
	}
	if us > hdrHighest {
		us = hdrHighest
	}
	_ = h.RecordValue(us) // cannot fail: clamped into range
}

// EncodeHDR returns the base64 text of h's compressed V2 encoding (the reports.LoadOp.HDR field).
func EncodeHDR(h *hdrhistogram.Histogram) (string, error) {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode hdr histogram: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// DecodeHDR reverses EncodeHDR.
func DecodeHDR(s string) (*hdrhistogram.Histogram, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("decode hdr base64: %w", err)
	}
	h, err := hdrhistogram.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("decode hdr histogram: %w", err)
	}
	return h, nil
}

type second struct {
	requests, errors int
	h                *hdrhistogram.Histogram
}

// opStats aggregates one operation's results in constant memory: vegeta's Metrics (t-digest),
// an exact HDR histogram, error classes (bounded because they are normalised), and a
// per-second timeline whose open seconds are closed once no result can still land in them.
// It is locked because the overall stats are fed by every attack's results loop.
type opStats struct {
	mu        sync.Mutex
	name      string
	askedRate float64
	start     time.Time     // run start: timeline second 0
	horizon   time.Duration // a second is closed once results are this much newer
	m         vegeta.Metrics
	hdr       *hdrhistogram.Histogram
	errs      map[string]int
	throttled int
	slipped   int64 // results a worker picked up more than slipThreshold after their intended time
	open      map[int]*second
	closed    []reports.Point
	newest    int
}

func newOpStats(name string, start time.Time, horizon time.Duration) *opStats {
	return &opStats{name: name, start: start, horizon: horizon, hdr: newHDR(), errs: map[string]int{}, open: map[int]*second{}}
}

// add records one result whose Error is already a class; intended places it on the timeline.
func (s *opStats) add(r *vegeta.Result, intended time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m.Add(r)
	recordUS(s.hdr, r.Latency)
	// intended is r.Timestamp when the pacer's ring had no entry, so such a result never counts.
	if r.Timestamp.Sub(intended) > slipThreshold {
		s.slipped++
	}
	failed := r.Error != ""
	if failed {
		s.errs[r.Error]++
		if r.Code == 429 {
			s.throttled++
		}
	}
	sec := int(intended.Sub(s.start) / time.Second)
	if sec < 0 {
		sec = 0
	}
	b := s.open[sec]
	if b == nil {
		b = &second{h: hdrhistogram.New(hdrLowest, hdrHighest, timelineSigFigs)}
		s.open[sec] = b
	}
	b.requests++
	if failed && r.Code != 429 {
		b.errors++
	}
	recordUS(b.h, r.Latency)
	if sec > s.newest {
		s.newest = sec
		s.closeBefore(sec - int(s.horizon/time.Second) - 1)
	}
}

// closeBefore turns every open second older than limit into a timeline point.
func (s *opStats) closeBefore(limit int) {
	for k, b := range s.open {
		if k < limit {
			s.closed = append(s.closed, point(k, b))
			delete(s.open, k)
		}
	}
}

func point(k int, b *second) reports.Point {
	return reports.Point{Second: k, Requests: b.requests, Errors: b.errors,
		P50MS: usToMS(b.h.ValueAtQuantile(50)), P99MS: usToMS(b.h.ValueAtQuantile(99)), MaxMS: usToMS(b.h.Max())}
}

func usToMS(us int64) float64 { return float64(us) / 1000 }

// snapshot is a cheap live view for progress lines.
func (s *opStats) snapshot() (requests uint64, errs int, p99 time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, n := range s.errs {
		if c != classThrottled {
			errs += n
		}
	}
	return s.m.Requests, errs, time.Duration(s.hdr.ValueAtQuantile(99)) * time.Microsecond
}

// report closes the stats and renders them. It may be called once, at the end.
func (s *opStats) report() (reports.LoadOp, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m.Close()
	s.closeBefore(math.MaxInt)
	sort.Slice(s.closed, func(i, j int) bool { return s.closed[i].Second < s.closed[j].Second })
	op := reports.LoadOp{
		Name:         s.name,
		Requests:     int64(s.m.Requests),
		AskedRate:    s.askedRate,
		AchievedRate: s.m.Rate,
		Throughput:   s.m.Throughput,
		Success:      s.m.Success,
		StatusCodes:  map[string]int{},
		Errors:       errorClasses(s.errs),
		Throttled:    s.throttled,
		Slipped:      s.slipped,
		Latency:      hdrLatency(s.hdr),
		Histogram:    buckets(s.hdr),
		Timeline:     s.closed,
	}
	for k, v := range s.m.StatusCodes {
		op.StatusCodes[k] = v
	}
	if s.m.Requests > 0 {
		td := reports.Latency{
			MinMS: ms(s.m.Latencies.Min), MeanMS: ms(s.m.Latencies.Mean), P50MS: ms(s.m.Latencies.P50),
			P90MS: ms(s.m.Latencies.P90), P95MS: ms(s.m.Latencies.P95), P99MS: ms(s.m.Latencies.P99),
			P999MS: ms(s.m.Latencies.Quantile(0.999)), MaxMS: ms(s.m.Latencies.Max), Source: reports.SourceTDigest,
		}
		op.TDigest = &td
	}
	enc, err := EncodeHDR(s.hdr)
	if err != nil {
		return op, err
	}
	op.HDR = enc
	return op, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func errorClasses(m map[string]int) []reports.ErrorClass {
	out := make([]reports.ErrorClass, 0, len(m))
	for c, n := range m {
		out = append(out, reports.ErrorClass{Class: c, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Class < out[j].Class
	})
	return out
}

// hdrLatency reads the exact figures (to the histogram's 0.1 % precision) from h.
func hdrLatency(h *hdrhistogram.Histogram) reports.Latency {
	l := reports.Latency{Source: reports.SourceHDR}
	if h.TotalCount() == 0 {
		return l
	}
	l.MinMS = usToMS(h.Min())
	l.MeanMS = h.Mean() / 1000
	l.P50MS = usToMS(h.ValueAtQuantile(50))
	l.P90MS = usToMS(h.ValueAtQuantile(90))
	l.P95MS = usToMS(h.ValueAtQuantile(95))
	l.P99MS = usToMS(h.ValueAtQuantile(99))
	l.P999MS = usToMS(h.ValueAtQuantile(99.9))
	l.MaxMS = usToMS(h.Max())
	return l
}

// bucketBoundsMS are the latency distribution's upper bounds: 1-2-5 steps from 0.1 ms to 60 s.
var bucketBoundsMS = func() []float64 {
	var out []float64
	for dec := 0.1; dec < 100000; dec *= 10 {
		for _, m := range []float64{1, 2, 5} {
			out = append(out, math.Round(dec*m*1000)/1000)
		}
	}
	return out
}()

// buckets renders h as counts per 1-2-5 bucket, dropping empty buckets above the maximum; the
// last bucket's bound is +Inf (encoded as the histogram maximum) when values exceed 100 s.
func buckets(h *hdrhistogram.Histogram) []reports.Bucket {
	out := []reports.Bucket{}
	if h.TotalCount() == 0 {
		return out
	}
	counts := make([]int64, len(bucketBoundsMS)+1)
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		v := usToMS(bar.To)
		i := sort.SearchFloat64s(bucketBoundsMS, v)
		counts[i] += bar.Count
	}
	maxMS := usToMS(h.Max())
	for i, c := range counts {
		upper := maxMS
		if i < len(bucketBoundsMS) {
			upper = bucketBoundsMS[i]
		}
		if c == 0 && (upper > maxMS || len(out) == 0) {
			continue
		}
		out = append(out, reports.Bucket{UpperMS: upper, Count: c})
	}
	return out
}

// statusKey renders a status code the way vegeta's Metrics keys it.
func statusKey(code uint16) string { return strconv.Itoa(int(code)) }
