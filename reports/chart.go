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
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		hi = 1
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
	for v := 0.0; ; v += step {
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
	maxX, maxY := 0.0, 0.0
	for _, op := range ops {
		for _, p := range op.Timeline {
			maxX = math.Max(maxX, float64(p.Second))
			maxY = math.Max(maxY, math.Max(p.P99MS, p.P50MS))
		}
	}
	if maxX == 0 && maxY == 0 {
		c.Empty = "no timeline data"
		return c
	}
	xt, xTop := niceTicks(math.Max(maxX, 1), 8)
	yt, yTop := niceTicks(maxY, 5)
	for _, v := range xt {
		c.XTicks = append(c.XTicks, svgTick{c.sx(v, xTop), tickLabel(v)})
	}
	for _, v := range yt {
		c.YTicks = append(c.YTicks, svgTick{c.sy(v, yTop), tickLabel(v)})
	}
	for i, op := range ops {
		if len(op.Timeline) == 0 {
			continue
		}
		var xs, y50, y99 []float64
		for _, p := range op.Timeline {
			xs = append(xs, c.sx(float64(p.Second), xTop))
			y50 = append(y50, c.sy(p.P50MS, yTop))
			y99 = append(y99, c.sy(p.P99MS, yTop))
		}
		c.Lines = append(c.Lines,
			svgLine{Name: op.Name + " p99", Color: opColor(i), Points: points(xs, y99)},
			svgLine{Name: op.Name + " p50", Color: opColor(i), Dash: "5 3", Points: points(xs, y50)})
	}
	c.legend(ops)
	return c
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

// percentileChart plots each operation's latency by percentile, on a nines axis (HdrHistogram's
// percentile-distribution plot), from the histogram buckets: at quantile q the latency is the
// upper bound of the first bucket whose cumulative count reaches q.
func percentileChart(ops []LoadOp) svgChart {
	c := newChart("Latency by percentile", "percentile", "latency (ms)")
	maxN, maxY := 0.0, 0.0
	var total int64
	for _, op := range ops {
		var n int64
		for _, b := range op.Histogram {
			n += b.Count
			if b.Count > 0 {
				maxY = math.Max(maxY, b.UpperMS)
			}
		}
		total = max(total, n)
	}
	if total == 0 {
		c.Empty = "no histogram data"
		return c
	}
	// The axis reaches as many nines as the largest sample can resolve (1000 requests → 99.9%).
	maxN = math.Min(5, math.Max(1, math.Ceil(math.Log10(float64(total)))))
	yt, yTop := niceTicks(maxY, 5)
	for _, v := range yt {
		c.YTicks = append(c.YTicks, svgTick{c.sy(v, yTop), tickLabel(v)})
	}
	for k := 0.0; k <= maxN; k++ {
		c.XTicks = append(c.XTicks, svgTick{c.sx(k, maxN), ninesLabel(int(k))})
	}
	for i, op := range ops {
		var n int64
		for _, b := range op.Histogram {
			n += b.Count
		}
		if n == 0 {
			continue
		}
		var xs, ys []float64
		var cum int64
		prevX := 0.0
		for _, b := range op.Histogram {
			if b.Count == 0 {
				continue
			}
			cum += b.Count
			x := math.Min(nines(float64(cum)/float64(n)), maxN)
			y := c.sy(b.UpperMS, yTop)
			// A step: the latency holds at this bucket's bound from the previous quantile to this one.
			xs = append(xs, c.sx(prevX, maxN), c.sx(x, maxN))
			ys = append(ys, y, y)
			prevX = x
		}
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
		c.Bars = append(c.Bars, svgBar{X: round2(x + w*0.1), Y: y, W: round2(w * 0.8), H: round2(c.Y1 - y), Color: color,
			Title: "≤ " + fmtMS(b.UpperMS) + ": " + strconv.FormatInt(b.Count, 10) + " requests"})
		if i%every == 0 {
			c.XTicks = append(c.XTicks, svgTick{round2(x + w/2), strconv.FormatFloat(b.UpperMS, 'g', 3, 64)})
		}
	}
	return c
}
