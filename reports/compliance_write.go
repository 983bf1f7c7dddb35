package reports

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// MaxMarkdownRows caps each list in the Markdown report — distinct violations, failed specs,
// skipped specs, constraints not exercised — so it fits a pull-request comment (GitHub allows
// 65 536 characters); the rest are counted and left to the JSON and HTML reports, which list all.
const MaxMarkdownRows = 50

// WriteComplianceJSON writes c as indented JSON (schema "checkoutkit.compliance/v1", see
// SCHEMA.md). It renders c as it is: call c.Finalize first.
func WriteComplianceJSON(w io.Writer, c *Compliance) error {
	if err := writeJSON(w, c); err != nil {
		return fmt.Errorf("write compliance json: %w", err)
	}
	return nil
}

// ReadComplianceJSON reads a report written by WriteComplianceJSON. It returns an error
// wrapping ErrSchemaVersion when the document is not "checkoutkit.compliance/v1".
func ReadComplianceJSON(r io.Reader) (*Compliance, error) {
	var c Compliance
	if err := readJSON(r, &c, func() string { return c.SchemaVersion }, ComplianceSchemaVersion); err != nil {
		return nil, fmt.Errorf("read compliance report: %w", err)
	}
	return &c, nil
}

// verdictBadge is the verdict in capitals, for headings and badges (no emoji: CI logs and
// screen readers render it the same everywhere).
func verdictBadge(v Verdict) string {
	switch v {
	case VerdictConformant:
		return "CONFORMANT"
	case VerdictNotConformant:
		return "NOT CONFORMANT"
	case VerdictPass:
		return "PASS"
	case VerdictFail:
		return "FAIL"
	case VerdictError:
		return "ERROR"
	default:
		return "UNKNOWN"
	}
}

// WriteComplianceMarkdown writes c as GitHub-flavoured Markdown sized for a CI job summary or
// a pull-request comment: the verdict line, run facts, the operation × status matrix, the
// violations (each list at most MaxMarkdownRows long), failed and skipped specs, and coverage. Every
// value from the run is escaped, so a message cannot inject markup. Call c.Finalize first.
func WriteComplianceMarkdown(w io.Writer, c *Compliance) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }

	p("## Checkout v3 contract compliance: %s\n\n", verdictBadge(c.Verdict))
	p("**Verdict: `%s`**", c.Verdict)
	if c.VerdictReason != "" {
		p(" — %s", mdEscape(c.VerdictReason))
	}
	p("\n\n")
	for _, e := range c.Errors {
		p("> **Error:** %s\n", mdEscape(e))
	}
	if len(c.Errors) > 0 {
		p("\n")
	}
	p("| | |\n|---|---|\n")
	p("| Target | %s (%s) |\n", mdCode(c.Target.URL), mdEscape(c.Target.Kind))
	p("| Contract | %s %s (OpenAPI %s, %s) |\n", mdEscape(c.Contract.Title), mdEscape(c.Contract.Version),
		mdEscape(c.Contract.OpenAPI), mdEscape(c.Contract.Name))
	p("| Contract SHA-256 | %s |\n", mdCode(c.Contract.SHA256))
	p("| Tool | %s %s |\n", mdEscape(c.Tool.Name), mdEscape(c.Tool.Version))
	p("| Started | %s (%s) |\n", fmtTime(c.StartedAt), fmtDuration(c.DurationMS))
	s := c.Summary
	p("| Specs | %d run: %d passed, %d failed, %d skipped, %d pending |\n", s.Specs, s.Passed, s.Failed, s.Skipped, s.Pending)
	p("| Exchanges | %d validated, %s |\n\n", s.Exchanges, plural(s.Violations, "violation"))

	m := buildMatrix(c.Operations)
	p("### Operations × status codes\n\n")
	if len(m.Rows) == 0 {
		p("No operations.\n\n")
	} else {
		p("| Operation |")
		for _, code := range m.Codes {
			p(" %s |", mdEscape(code))
		}
		p(" Result |\n|---|")
		for range m.Codes {
			p("---|")
		}
		p("---|\n")
		for _, row := range m.Rows {
			p("| %s |", mdCode(row.Op.Key))
			for _, cell := range row.Cells {
				switch cell.State {
				case cellViolating, cellUndocumented:
					p(" **%s** |", cell.Label())
				default:
					p(" %s |", cell.Label())
				}
			}
			p(" %s |\n", opResult(row.Op))
		}
		p("\n_ok (n): documented and conformant in n exchanges; FAIL: exchanged with violations; " +
			"not run: documented but not exercised; UNDOCUMENTED: a status the contract does not declare; empty: not documented._\n\n")
	}

	groups := groupViolations(c.Violations)
	p("### Violations (%d)\n\n", len(c.Violations))
	if len(c.Violations) == 0 {
		p("None.\n\n")
	} else {
		if len(groups) < len(c.Violations) {
			p("Identical findings (same operation, status, location and message) are listed once with how often they were seen.\n\n")
		}
		p("| Seen | Operation | Status | Location | Message | Contract line:col | How to fix | Spec |\n")
		p("|---:|---|---|---|---|---|---|---|\n")
		for i, g := range groups {
			if i == MaxMarkdownRows {
				break
			}
			v := g.V
			msg := mdEscape(v.Message)
			if v.Reason != "" && v.Reason != v.Message {
				msg += "<br>" + mdEscape(v.Reason)
			}
			status := v.Status
			if status == "" {
				status = v.Direction
			}
			p("| %d× | %s | %s | %s | %s | %s | %s | %s |\n", g.Count, mdCode(v.Operation), mdEscape(status),
				mdCode(v.Location), msg, specLoc(v.SpecLine, v.SpecCol), mdEscape(v.HowToFix), mdEscape(g.SpecText()))
		}
		if n := len(groups) - MaxMarkdownRows; n > 0 {
			p("\n%s more in the JSON and HTML reports.\n", plural(n, "distinct violation"))
		}
		p("\n")
	}

	var failed, skipped []Spec
	for _, sp := range c.Specs {
		switch sp.State {
		case SpecFailed:
			failed = append(failed, sp)
		case SpecSkipped, SpecPending:
			skipped = append(skipped, sp)
		}
	}
	p("### Failed specs (%d)\n\n", len(failed))
	if len(failed) == 0 {
		p("None.\n\n")
	} else {
		for i, sp := range failed {
			if i == MaxMarkdownRows {
				p("- … and %d more in the JSON and HTML reports\n", len(failed)-i)
				break
			}
			p("- **%s**", mdEscape(sp.Name))
			if sp.Location != "" {
				p(" (%s)", mdCode(sp.Location))
			}
			p("\n")
			if sp.Failure != "" {
				p("  %s\n", mdEscape(firstLines(sp.Failure, 3)))
			}
		}
		p("\n")
	}
	p("### Skipped and pending specs (%d)\n\n", len(skipped))
	if len(skipped) == 0 {
		p("None.\n\n")
	} else {
		// Grouped by reason: a label filter skips hundreds of specs for one reason.
		listed := 0
		for _, g := range groupSkipped(skipped) {
			p("- **%s** (%d)\n", mdEscape(g.Reason), len(g.Specs))
			for i, sp := range g.Specs {
				if listed == MaxMarkdownRows {
					p("  - … and %d more in the JSON and HTML reports\n", len(g.Specs)-i)
					break
				}
				p("  - %s\n", mdEscape(sp.Name))
				listed++
			}
		}
		p("\n")
	}

	cv := c.Coverage
	p("### Coverage\n\n| | Exercised | Total | |\n|---|---:|---:|---:|\n")
	p("| Operations | %d | %d | %.0f%% |\n", cv.OperationsExercised, cv.OperationsTotal, pct(cv.OperationsExercised, cv.OperationsTotal))
	p("| Documented statuses | %d | %d | %.0f%% |\n", cv.StatusesExercised, cv.StatusesTotal, pct(cv.StatusesExercised, cv.StatusesTotal))
	p("| Request constraints (negative cases) | %d | %d | %.0f%% |\n\n", cv.ConstraintsExercised, cv.ConstraintsTotal, pct(cv.ConstraintsExercised, cv.ConstraintsTotal))
	var missing []Constraint
	for _, k := range cv.Constraints {
		if !k.Exercised {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		p("<details><summary>Constraints not exercised (%d)</summary>\n\n", len(missing))
		for i, k := range missing {
			if i == MaxMarkdownRows {
				p("- … and %d more in the JSON and HTML reports\n", len(missing)-i)
				break
			}
			p("- %s %s %s\n", mdCode(k.Operation), mdCode(k.Location), mdEscape(k.Keyword))
		}
		p("\n</details>\n\n")
	}
	p("<sub>%s %s · schema %s</sub>\n", mdEscape(c.Tool.Name), mdEscape(c.Tool.Version), mdEscape(c.SchemaVersion))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write compliance markdown: %w", err)
	}
	return nil
}

// violationGroup is a set of identical findings: the same operation, direction, status,
// location, keyword and message, seen Count times (the first one's reason and advice shown).
type violationGroup struct {
	V     Violation
	Count int
	Specs []string // distinct spec names, in the order seen
}

// SpecText names the first spec that saw the finding and how many others did.
func (g violationGroup) SpecText() string {
	switch len(g.Specs) {
	case 0:
		return ""
	case 1:
		return g.Specs[0]
	default:
		return g.Specs[0] + " (and " + plural(len(g.Specs)-1, "other spec") + ")"
	}
}

// groupViolations folds identical findings together, in order of first appearance, so a
// violation repeated by every exchange of a run reads as one row rather than a hundred.
func groupViolations(vs []Violation) []violationGroup {
	type key struct{ op, dir, status, loc, kw, msg string }
	index := map[key]int{}
	var out []violationGroup
	for _, v := range vs {
		k := key{v.Operation, v.Direction, v.Status, v.Location, v.Keyword, v.Message}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, violationGroup{V: v})
		}
		g := &out[i]
		g.Count++
		if v.Spec != "" && !slices.Contains(g.Specs, v.Spec) {
			g.Specs = append(g.Specs, v.Spec)
		}
	}
	return out
}

// skipGroup is the skipped or pending specs that share a reason.
type skipGroup struct {
	Reason string
	Specs  []Spec
}

// groupSkipped groups specs by reason (their state when they give none), in order of first
// appearance.
func groupSkipped(specs []Spec) []skipGroup {
	index := map[string]int{}
	var out []skipGroup
	for _, sp := range specs {
		reason := sp.Reason
		if reason == "" {
			reason = sp.State
		}
		i, ok := index[reason]
		if !ok {
			i = len(out)
			index[reason] = i
			out = append(out, skipGroup{Reason: reason})
		}
		out[i].Specs = append(out[i].Specs, sp)
	}
	return out
}

func opResult(op Operation) string {
	switch {
	case op.Conformant:
		return "conformant"
	case op.Exchanges == 0:
		return "not exercised"
	default:
		return "**not conformant**"
	}
}

// firstLines returns at most n lines of s, joined by spaces, marking a cut with "…".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	cut := len(lines) > n
	if cut {
		lines = lines[:n]
	}
	out := strings.Join(lines, " ")
	if cut {
		out += " …"
	}
	return out
}

// JUnit XML, in the schema Jenkins, GitLab and GitHub test reporters read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteComplianceJUnit writes c.Specs as JUnit XML. Grouping: one <testsuite> per primary
// label — the spec's first label (Ginkgo puts container labels first, so this is the
// capability the spec belongs to, e.g. "smoke" or "negative"); unlabelled specs go in a suite
// named "unlabelled". Suites appear in order of first appearance and each spec appears exactly
// once, so the counts add up. The classname is "checkoutkit.<primary label>", the testcase name
// ends in " [label, ...]" as in Ginkgo's own JUnit reports, and each suite's properties carry
// the target, contract, contract SHA-256 and verdict. Skipped and pending specs
// get <skipped message="reason"/>; failed specs a <failure> with the first line of the failure
// as message and the full failure and location as text.
func WriteComplianceJUnit(w io.Writer, c *Compliance) error {
	root := junitSuites{Name: "checkoutkit contract: " + c.Contract.Title, Time: secs(c.DurationMS)}
	index := map[string]int{}
	props := []junitProperty{
		{"target", c.Target.URL},
		{"contract", c.Contract.Title + " " + c.Contract.Version},
		{"contract.sha256", c.Contract.SHA256},
		{"verdict", string(c.Verdict)},
	}
	durations := map[string]float64{}
	for _, sp := range c.Specs {
		label := "unlabelled"
		if len(sp.Labels) > 0 {
			label = sp.Labels[0]
		}
		i, ok := index[label]
		if !ok {
			i = len(root.Suites)
			index[label] = i
			root.Suites = append(root.Suites, junitSuite{Name: label, Properties: props})
			if !c.StartedAt.IsZero() {
				root.Suites[i].Timestamp = c.StartedAt.UTC().Format("2006-01-02T15:04:05")
			}
		}
		suite := &root.Suites[i]
		tc := junitCase{Name: sp.Name, Classname: "checkoutkit." + label, Time: secs(sp.DurationMS)}
		if len(sp.Labels) > 0 { // as Ginkgo's own JUnit reporter names labelled specs
			tc.Name += " [" + strings.Join(sp.Labels, ", ") + "]"
		}
		switch sp.State {
		case SpecFailed:
			msg := firstLines(sp.Failure, 1)
			text := sp.Failure
			if sp.Location != "" {
				text += "\n" + sp.Location
			}
			tc.Failure = &junitFailure{Message: msg, Type: "failure", Text: text}
			suite.Failures++
			root.Failures++
		case SpecSkipped, SpecPending:
			reason := sp.Reason
			if reason == "" {
				reason = sp.State
			}
			tc.Skipped = &junitSkipped{Message: reason}
			suite.Skipped++
			root.Skipped++
		}
		suite.Tests++
		root.Tests++
		durations[label] += sp.DurationMS
		suite.Cases = append(suite.Cases, tc)
	}
	for i := range root.Suites {
		root.Suites[i].Time = secs(durations[root.Suites[i].Name])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write compliance junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("write compliance junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write compliance junit: %w", err)
	}
	return nil
}

// secs renders milliseconds as JUnit's decimal seconds.
func secs(ms float64) string {
	return strconv.FormatFloat(ms/1000, 'f', 3, 64)
}
