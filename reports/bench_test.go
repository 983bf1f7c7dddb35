package reports

import (
	"io"
	"strconv"
	"testing"
)

// bigCompliance is a large run: 2 000 violations over 40 distinct findings, 600 specs (a third
// failed, a third skipped) and 300 constraints never exercised.
func bigCompliance() *Compliance {
	c := sampleCompliance()
	base := c.Violations[0]
	for i := range 2000 {
		v := base
		v.Location = "/body/field" + strconv.Itoa(i%40)
		v.Spec = "spec " + strconv.Itoa(i%600)
		c.Violations = append(c.Violations, v)
	}
	for i := range 600 {
		state := []string{SpecPassed, SpecFailed, SpecSkipped}[i%3]
		c.Specs = append(c.Specs, Spec{Name: "generated negative case " + strconv.Itoa(i), Labels: []string{"negative"}, State: state,
			DurationMS: 1.5, Failure: "expected status 400, got 201: the body was accepted although /body/reference breaks maxLength", Reason: "not applicable to live targets"})
	}
	for i := range 300 {
		c.Coverage.Constraints = append(c.Coverage.Constraints, Constraint{Operation: "POST /checkout/v3/session", Location: "/body/x" + strconv.Itoa(i), Keyword: "maxLength"})
	}
	c.Finalize()
	return c
}

// bigLoad is an hour-long run: 3 600 timeline points per operation.
func bigLoad() *Load {
	l := sampleLoad()
	for i := range l.Operations {
		op := &l.Operations[i]
		tl := make([]Point, 0, 3600)
		for s := range 3600 {
			p := op.Timeline[s%len(op.Timeline)]
			p.Second = s
			tl = append(tl, p)
		}
		op.Timeline = tl
	}
	return l
}

func BenchmarkWriteComplianceHTML(b *testing.B) {
	c := bigCompliance()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteComplianceHTML(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteComplianceMarkdown(b *testing.B) {
	c := bigCompliance()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteComplianceMarkdown(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteLoadHTML(b *testing.B) {
	l := bigLoad()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteLoadHTML(io.Discard, l); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBigReportsStaySmall: folding and downsampling keep big runs' pages small.
func TestBigReportsStaySmall(t *testing.T) {
	var n countWriter
	if err := WriteLoadHTML(&n, bigLoad()); err != nil {
		t.Fatal(err)
	}
	if n > 400_000 {
		t.Errorf("hour-long load HTML is %d bytes, want ≤ 400 kB", n)
	}
	var m countWriter
	if err := WriteComplianceMarkdown(&m, bigCompliance()); err != nil {
		t.Fatal(err)
	}
	if m > 65_536 {
		t.Errorf("compliance Markdown is %d bytes, more than a GitHub comment holds", m)
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
