package reports

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// funcs are the helpers every template may use. They return plain strings, which
// html/template escapes for the context they land in.
var funcs = template.FuncMap{
	"badge":       verdictBadge,
	"fmtTime":     fmtTime,
	"fmtDuration": fmtDuration,
	"fmtMS":       fmtMS,
	"fmtRatio":    fmtRatio,
	"fmtRate":     fmtRate,
	"fmtBytes":    fmtBytes,
	"specLoc":     specLoc,
	"plural":      plural,
	"slipped":     slipped,
	"lineCount":   func(s string) int { return strings.Count(strings.TrimRight(s, "\n"), "\n") + 1 },
	"headLines":   headLines,
	"inc":         func(i int) int { return i + 1 },
	"add":         func(a, b float64) float64 { return a + b },
	"sub":         func(a, b float64) float64 { return a - b },
}

// templates parses the embedded templates once; a parse error is a programming error caught by
// every test, so it panics at init rather than at the first report.
var templates = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.tmpl"))

func renderHTML(w io.Writer, name string, data any) error {
	bw := bufio.NewWriter(w)
	if err := templates.ExecuteTemplate(bw, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// headLines returns the first n lines of s, with "…" when there are more.
func headLines(s string, n int) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "")
	}
	return strings.Join(lines[:n], "") + "…"
}

type coverageRow struct {
	Name     string
	N, Total int
	Pct      float64
}

type complianceView struct {
	C                       *Compliance
	M                       matrix
	Groups                  []violationGroup
	Failed, Skipped, Passed []Spec
	SkipGroups              []skipGroup
	Cov                     []coverageRow
}

// WriteComplianceHTML writes c as one self-contained HTML page (inline CSS, no scripts, no
// external assets): a header with the verdict, target, contract and SHA-256 and times; the
// colour-coded operation × status matrix; every violation with its location, message,
// contract line:col and how to fix; failed, skipped and passed specs; and coverage bars.
// Every value is escaped by html/template. Call c.Finalize first.
func WriteComplianceHTML(w io.Writer, c *Compliance) error {
	v := complianceView{C: c, M: buildMatrix(c.Operations), Groups: groupViolations(c.Violations)}
	for _, s := range c.Specs {
		switch s.State {
		case SpecFailed:
			v.Failed = append(v.Failed, s)
		case SpecSkipped, SpecPending:
			v.Skipped = append(v.Skipped, s)
		default:
			v.Passed = append(v.Passed, s)
		}
	}
	v.SkipGroups = groupSkipped(v.Skipped)
	cv := c.Coverage
	v.Cov = []coverageRow{
		{"Operations", cv.OperationsExercised, cv.OperationsTotal, pct(cv.OperationsExercised, cv.OperationsTotal)},
		{"Documented statuses", cv.StatusesExercised, cv.StatusesTotal, pct(cv.StatusesExercised, cv.StatusesTotal)},
		{"Request constraints (negative cases)", cv.ConstraintsExercised, cv.ConstraintsTotal, pct(cv.ConstraintsExercised, cv.ConstraintsTotal)},
	}
	return renderHTML(w, "compliance.html.tmpl", v)
}
