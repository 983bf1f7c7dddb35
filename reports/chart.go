package reports

import (
	"math"
	"strconv"
	"strings"
)

// The HTML load report draws its charts as inline SVG built here: plain geometry in Go, text
// and attributes escaped by html/template when the "chart" template renders it. No script and
// no chart library, so the page is one file that renders the same offline.

// palette gives each operation a colour; chosen to stay distinguishable for common colour-vision
// deficiencies (Okabe–Ito) and on white.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

// opColor returns the colour of the i-th operation.
func opColor(i int) string { return palette[i%len(palette)] }

type svgChart struct {
	Title          string
	Width, Height  float64
	X0, Y0, X1, Y1 float64 // plot area: left, top, right, bottom
	XLabel, YLabel string
	XTicks, YTicks []svgTick
	Lines          []svgLine
	Bars           []svgBar
	Marks          []svgMark
	Legend         []svgLegend
	Empty          string // shown instead of the plot when there is no data
}

type svgTick struct {
	Pos   float64
	Label string
}

type svgLine struct {
	Name, Color, Dash string
	Points            string
}

type svgBar struct {
	X, Y, W, H float64
	Color      string
	Title      string
	Label      string // drawn above the bar when set
}

// LabelX and LabelY place the bar's label just above its top.
func (b svgBar) LabelX() float64 { return round2(b.X + b.W/2) }

// LabelY is a few pixels above the bar's top.
func (b svgBar) LabelY() float64 { return b.Y - 3 }

type svgMark struct {
	X, Y         float64
	Color, Title string
}

type svgLegend struct {
	X, Y              float64
	Name, Color, Dash string
}

// YLabelX and YLabelY position the rotated y-axis label.
func (c svgChart) YLabelX() float64 { return 14 }

// YLabelY is the vertical centre of the plot area.
func (c svgChart) YLabelY() float64 { return (c.Y0 + c.Y1) / 2 }

// XLabelY is the baseline of the x-axis label.
func (c svgChart) XLabelY() float64 { return c.Height - 6 }

// XMid is the horizontal centre of the plot area.
func (c svgChart) XMid() float64 { return (c.X0 + c.X1) / 2 }

func newChart(title, xLabel, yLabel string) svgChart {
	return svgChart{Title: title, Width: 560, Height: 300, X0: 58, Y0: 44, X1: 528, Y1: 256, XLabel: xLabel, YLabel: yLabel}
}

// niceTicks returns about n evenly spaced round values (1, 2 or 5 × 10^k apart) covering
// [0, hi], and the top of the axis (the last tick, ≥ hi).
func niceTicks(hi float64, n int) ([]float64, float64) {
	if !(hi > 0) || hi > 1e12 { // NaN, ≤ 0 or absurd (a corrupt report)
		hi = 1
	}
	if hi < 1e-6 {
		hi = 1e-6
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	top := 0.0
	for v := 0.0; len(ticks) < 4*n; v += step { // the bound only guards against float trouble
		ticks = append(ticks, v)
		top = v
		if v >= hi-1e-9 {
			break
		}
	}
	return ticks, top
}

// tickLabel renders a tick value without trailing zeros.
func tickLabel(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (c *svgChart) sx(v, top float64) float64 {
	return round2(c.X0 + (c.X1-c.X0)*v/top)
}

func (c *svgChart) sy(v, top float64) float64 {
	return round2(c.Y1 - (c.Y1-c.Y0)*v/top)
}

// yAxis maps latencies to the plot's height, linearly from 0 or logarithmically.
type yAxis struct {
	log    bool
	lo, hi float64
}

// maxPlotMS caps chart axes (about 2.8 hours): no request takes longer, and a corrupt report
// must not stretch an axis to infinity.
const maxPlotMS = 1e7

// logRatio is the spread (largest / smallest positive value) above which latency charts switch
// to a log scale: below it a linear axis reads more naturally, above it the fast operations
// would be flattened against the x axis by the slow one's tail.
const logRatio = 20

// latencyAxis chooses the y axis for latency values in [lo, hi] (lo the smallest positive one)
// and returns it with its ticks.
func latencyAxis(lo, hi float64) (yAxis, []svgTickValue) {
	// Reports read from disk may hold anything; keep the axis finite (values above the cap are
	// drawn at the top).
	if !(hi <= maxPlotMS) {
		hi = maxPlotMS
	}
	if !(lo <= hi) {
		lo = 0
	}
	if lo <= 0 || hi/lo <= logRatio {
		ticks, top := niceTicks(hi, 5)
		out := make([]svgTickValue, len(ticks))
		for i, v := range ticks {
			out[i] = svgTickValue{v, tickLabel(v)}
		}
		return yAxis{hi: top}, out
	}
	// Decades around the data, no finer than 10 µs.
	a := yAxis{log: true, lo: math.Pow(10, math.Floor(math.Log10(math.Max(lo, 0.01)))),
		hi: math.Pow(10, math.Ceil(math.Log10(hi)))}
	decades := int(math.Round(math.Log10(a.hi / a.lo)))
	var out []svgTickValue
	for d := a.lo; d <= a.hi*1.0001; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			v := d * m
			if v > a.hi*1.0001 || (m != 1 && decades > 3) {
				continue
			}
			// Round away float noise (0.30000000000000004).
			v = math.Round(v*1e6) / 1e6
			out = append(out, svgTickValue{v, tickLabel(v)})
		}
	}
	return a, out
}

// svgTickValue is a tick in data units, before it is placed.
type svgTickValue struct {
	V     float64
	Label string
}

// y places a value on the axis.
func (c *svgChart) y(a yAxis, v float64) float64 {
	var f float64
	if a.log {
		v = math.Min(math.Max(v, a.lo), a.hi)
		f = math.Log10(v/a.lo) / math.Log10(a.hi/a.lo)
	} else {
		f = v / a.hi
	}
	return round2(c.Y1 - (c.Y1-c.Y0)*f)
}

// setY places the axis's ticks and names the scale in the y label.
func (c *svgChart) setY(a yAxis, ticks []svgTickValue) {
	for _, t := range ticks {
		c.YTicks = append(c.YTicks, svgTick{c.y(a, t.V), t.Label})
	}
	if a.log {
		c.YLabel += ", log scale"
	}
}

// minPositive returns the smallest positive value of vs, or 0.
func minPositive(vs ...float64) float64 {
	m := 0.0
	for _, v := range vs {
		if v > 0 && (m == 0 || v < m) {
			m = v
		}
	}
	return m
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func points(xs, ys []float64) string {
	var b strings.Builder
	for i := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(xs[i], 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(ys[i], 'f', -1, 64))
	}
	return b.String()
}

// timelineChart plots p99 (solid) and p50 (dashed) latency per second for every operation.
func timelineChart(ops []LoadOp) svgChart {
	c := newChart("Latency over time (solid p99, dashed p50)", "seconds since start", "latency (ms)")
	ops = append([]LoadOp(nil), ops...)
	window := 1
	for i := range ops {
		var w int
		ops[i].Timeline, w = downsample(ops[i].Timeline, maxTimelinePoints)
		window = max(window, w)
	}
	if window > 1 {
		c.XLabel = "seconds since start (" + strconv.Itoa(window) + "-second windows: worst p99, mean p50)"
	}
	maxX, maxY, minY := 0.0, 0.0, 0.0
	for _, op := range ops {
		for _, p := range op.Timeline {
			maxX = math.Max(maxX, float64(p.Second))
			maxY = math.Max(maxY, math.Max(p.P99MS, p.P50MS))
			minY = minPositive(minY, p.P50MS, p.P99MS)
		}
	}
	if maxX == 0 && maxY == 0 {
		c.Empty = "no timeline data"
		return c
	}
	xt, xTop := niceTicks(math.Max(maxX, 1), 8)
	for _, v := range xt {
		c.XTicks = append(c.XTicks, svgTick{c.sx(v, xTop), tickLabel(v)})
	}
	ya, yt := latencyAxis(minY, maxY)
	c.setY(ya, yt)
	for i, op := range ops {
		if len(op.Timeline) == 0 {
			continue
		}
		var xs, y50, y99 []float64
		for _, p := range op.Timeline {
			xs = append(xs, c.sx(float64(p.Second), xTop))
			y50 = append(y50, c.y(ya, p.P50MS))
			y99 = append(y99, c.y(ya, p.P99MS))
		}
		c.Lines = append(c.Lines,
			svgLine{Name: op.Name + " p99", Color: opColor(i), Points: points(xs, y99)},
			svgLine{Name: op.Name + " p50", Color: opColor(i), Dash: "5 3", Points: points(xs, y50)})
	}
	c.legend(ops)
	return c
}

// maxTimelinePoints caps the points per line, so an hour-long run still makes a small page.
const maxTimelinePoints = 600

// downsample merges consecutive points into windows so at most n remain, keeping the worst p99
// and max of each window (a tail spike must not vanish) and the request-weighted mean p50. It
// returns the points and the window length in points.
func downsample(pts []Point, n int) ([]Point, int) {
	if len(pts) <= n {
		return pts, 1
	}
	k := (len(pts) + n - 1) / n
	out := make([]Point, 0, n)
	for i := 0; i < len(pts); i += k {
		w := Point{Second: pts[i].Second}
		var p50w float64
		var p50n int
		for _, p := range pts[i:min(i+k, len(pts))] {
			w.Requests += p.Requests
			w.Errors += p.Errors
			w.P99MS = math.Max(w.P99MS, p.P99MS)
			w.MaxMS = math.Max(w.MaxMS, p.MaxMS)
			p50w += p.P50MS * float64(max(p.Requests, 1))
			p50n += max(p.Requests, 1)
		}
		w.P50MS = p50w / float64(p50n)
		out = append(out, w)
	}
	return out, k
}

// legend lays the operation names out in a row above the plot.
func (c *svgChart) legend(ops []LoadOp) {
	x := c.X0
	for i, op := range ops {
		c.Legend = append(c.Legend, svgLegend{X: x, Y: 32, Name: op.Name, Color: opColor(i)})
		x += 34 + 7*float64(len(op.Name))
	}
}

// nines maps a quantile to the "number of nines" axis: 0.9 → 1, 0.99 → 2, 0.999 → 3.
func nines(q float64) float64 {
	if q >= 1 {
		return math.Inf(1)
	}
	return -math.Log10(1 - q)
}

// percentileChart plots each operation's latency by percentile on a "nines" axis (HdrHistogram's
// percentile-distribution plot: 90%, 99%, 99.9% equally spaced), through the exact figures of
// LoadOp.Latency — min, p50, p90, p95, p99, p99.9 — ending at the maximum on the right edge.
// The axis reaches as many nines as the largest operation's request count can resolve (1 500
// requests → 99.99%); a percentile beyond that is left out rather than drawn where it means
// nothing.
func percentileChart(ops []LoadOp) svgChart {
	c := newChart("Latency by percentile", "percentile", "latency (ms)")
	var most int64
	maxY, minY := 0.0, 0.0
	for _, op := range ops {
		if op.Requests > 0 && op.Latency.MaxMS > 0 {
			most = max(most, op.Requests)
			maxY = math.Max(maxY, op.Latency.MaxMS)
			minY = minPositive(minY, op.Latency.MinMS, op.Latency.P50MS)
		}
	}
	if most == 0 {
		c.Empty = "no latency data"
		return c
	}
	maxN := math.Min(5, math.Max(1, math.Ceil(math.Log10(float64(most)))))
	ya, yt := latencyAxis(minY, maxY)
	c.setY(ya, yt)
	for k := 0.0; k < maxN; k++ {
		c.XTicks = append(c.XTicks, svgTick{c.sx(k, maxN), ninesLabel(int(k))})
	}
	c.XTicks = append(c.XTicks, svgTick{c.sx(maxN, maxN), "max"})
	for i, op := range ops {
		if op.Requests == 0 || op.Latency.MaxMS <= 0 {
			continue
		}
		l := op.Latency
		pts := []struct {
			q     float64
			name  string
			value float64
		}{{0, "min", l.MinMS}, {0.5, "p50", l.P50MS}, {0.9, "p90", l.P90MS}, {0.95, "p95", l.P95MS},
			{0.99, "p99", l.P99MS}, {0.999, "p99.9", l.P999MS}}
		var xs, ys []float64
		for _, p := range pts {
			x := nines(p.q)
			// 1e-9: -log10(1-0.999) is 2.9999999999999996, which must count as 3 nines.
			if x >= maxN-1e-9 || p.value <= 0 && p.q > 0 {
				continue
			}
			xs, ys = append(xs, c.sx(x, maxN)), append(ys, c.y(ya, p.value))
			c.Marks = append(c.Marks, svgMark{X: xs[len(xs)-1], Y: ys[len(ys)-1], Color: opColor(i),
				Title: op.Name + " " + p.name + ": " + fmtMS(p.value) + " (" + l.Source + ")"})
		}
		xs, ys = append(xs, c.sx(maxN, maxN)), append(ys, c.y(ya, l.MaxMS))
		c.Marks = append(c.Marks, svgMark{X: xs[len(xs)-1], Y: ys[len(ys)-1], Color: opColor(i),
			Title: op.Name + " max: " + fmtMS(l.MaxMS)})
		c.Lines = append(c.Lines, svgLine{Name: op.Name, Color: opColor(i), Points: points(xs, ys)})
	}
	c.legend(ops)
	return c
}

func ninesLabel(k int) string {
	switch k {
	case 0:
		return "0%"
	case 1:
		return "90%"
	case 2:
		return "99%"
	default:
		return "99." + strings.Repeat("9", k-2) + "%"
	}
}

// histogramChart draws one operation's latency histogram as bars of equal width, one per
// non-empty bucket range, labelled with the bucket's upper bound.
func histogramChart(op LoadOp, color string) svgChart {
	c := newChart("Latency histogram: "+op.Name, "latency (ms, bucket upper bound)", "requests")
	// Trim empty buckets at both ends so the bars use the width.
	lo, hi := 0, len(op.Histogram)
	for lo < hi && op.Histogram[lo].Count == 0 {
		lo++
	}
	for hi > lo && op.Histogram[hi-1].Count == 0 {
		hi--
	}
	bs := op.Histogram[lo:hi]
	if len(bs) == 0 {
		c.Empty = "no histogram data"
		return c
	}
	var maxC int64
	for _, b := range bs {
		maxC = max(maxC, b.Count)
	}
	yt, yTop := niceTicks(float64(maxC), 5)
	for _, v := range yt {
		c.YTicks = append(c.YTicks, svgTick{c.sy(v, yTop), tickLabel(v)})
	}
	w := (c.X1 - c.X0) / float64(len(bs))
	every := int(math.Ceil(float64(len(bs)) / 10)) // at most ~10 x labels
	for i, b := range bs {
		x := c.X0 + w*float64(i)
		y := c.sy(float64(b.Count), yTop)
		bar := svgBar{X: round2(x + w*0.1), Y: y, W: round2(w * 0.8), H: round2(c.Y1 - y), Color: color,
			Title: "≤ " + fmtMS(b.UpperMS) + ": " + strconv.FormatInt(b.Count, 10) + " requests"}
		// Counts over the bars, so the thin tail buckets can be read; only while they fit.
		if len(bs) <= 24 && b.Count > 0 {
			bar.Label = strconv.FormatInt(b.Count, 10)
		}
		c.Bars = append(c.Bars, bar)
		if i%every == 0 {
			c.XTicks = append(c.XTicks, svgTick{round2(x + w/2), strconv.FormatFloat(b.UpperMS, 'g', 3, 64)})
		}
	}
	return c
}
