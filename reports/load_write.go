package reports

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteLoadJSON writes l as indented JSON (schema "checkoutkit.load/v1", see SCHEMA.md).
func WriteLoadJSON(w io.Writer, l *Load) error {
	if err := writeJSON(w, l); err != nil {
		return fmt.Errorf("write load json: %w", err)
	}
	return nil
}

// ReadLoadJSON reads a report written by WriteLoadJSON. It returns an error wrapping
// ErrSchemaVersion when the document is not "checkoutkit.load/v1".
func ReadLoadJSON(r io.Reader) (*Load, error) {
	var l Load
	if err := readJSON(r, &l, func() string { return l.SchemaVersion }, LoadSchemaVersion); err != nil {
		return nil, fmt.Errorf("read load report: %w", err)
	}
	return &l, nil
}

// loadRows returns the operations followed by the overall row (when it has requests).
func loadRows(l *Load) []LoadOp {
	rows := append([]LoadOp(nil), l.Operations...)
	if l.Overall.Requests > 0 {
		o := l.Overall
		if o.Name == "" {
			o.Name = "overall"
		}
		rows = append(rows, o)
	}
	return rows
}

// statusCodes lists the union of status codes across rows, in numeric order.
func statusCodes(rows []LoadOp) []string {
	seen := map[string]bool{}
	var codes []string
	for _, r := range rows {
		for code := range r.StatusCodes {
			if !seen[code] {
				seen[code] = true
				codes = append(codes, code)
			}
		}
	}
	sort.Slice(codes, func(a, b int) bool { return statusLess(codes[a], codes[b]) })
	return codes
}

// codeCounts renders "201×1499 500×1" in code order.
func codeCounts(m map[string]int) string {
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(a, b int) bool { return statusLess(codes[a], codes[b]) })
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = c + "×" + strconv.Itoa(m[c])
	}
	return strings.Join(parts, " ")
}

// slipRatio is how far below the asked rate the achieved rate may fall before the report says
// the schedule slipped (the generator could not keep up, or the target pushed back).
const slipRatio = 0.99

// Slipped reports whether op's achieved rate fell below slipRatio of its asked rate.
func slipped(op LoadOp) bool { return op.AskedRate > 0 && op.AchievedRate < slipRatio*op.AskedRate }

func anySlipped(ops []LoadOp) bool {
	for _, op := range ops {
		if slipped(op) {
			return true
		}
	}
	return false
}

// achieved renders the achieved rate, marked with "*" when the schedule slipped.
func achieved(op LoadOp) string {
	if slipped(op) {
		return "*" + fmtRate(op.AchievedRate)
	}
	return fmtRate(op.AchievedRate)
}

const slipNote = "* achieved rate below 99% of the asked rate: the schedule slipped (generator saturated or target pushing back); latency still counts from the intended send time."

// totalSlipped is how many requests of the run were picked up late: Overall's count when the
// runner set it, else the sum over the operations (a runner may count only one of the two).
func totalSlipped(l *Load) int64 {
	if l.Overall.Slipped > 0 {
		return l.Overall.Slipped
	}
	var n int64
	for _, op := range l.Operations {
		n += op.Slipped
	}
	return n
}

// lateNote says how many requests were picked up behind schedule, per operation when the
// runner counted per operation; "" when none were. It is rendered in every format because a
// slipped schedule means the generator, not only the target, shaped the latencies.
func lateNote(l *Load) string {
	n := totalSlipped(l)
	if n == 0 {
		return ""
	}
	s := fmt.Sprintf("schedule slipped: %s picked up by a worker after their intended send time", plural(int(n), "request"))
	var per []string
	for _, op := range l.Operations {
		if op.Slipped > 0 {
			per = append(per, fmt.Sprintf("%s %d", op.Name, op.Slipped))
		}
	}
	if len(per) > 0 {
		s += " (" + strings.Join(per, ", ") + ")"
	}
	return s + "; the generator could not keep up, and their latency counts from the intended send time."
}

// throttleNote says how long the generator paused on 429 responses; "" when it never did.
func throttleNote(l *Load) string {
	if l.ThrottlePauseMS <= 0 {
		return ""
	}
	return "Sending paused " + fmtDuration(l.ThrottlePauseMS) + " in total on 429 responses (Retry-After): the achieved rate reflects the target's rate limit."
}

func runHeadline(l *Load) string {
	s := fmt.Sprintf("scenario %s · run %s · shard %s · target %s (%s)", l.Scenario, l.RunID, l.Shard, l.Target.URL, l.Target.Kind)
	return s
}

func idempotencyLine(i Idempotency) string {
	s := fmt.Sprintf("%s (%d racing, %d delayed), %s, %s", plural(i.Replays, "replay"), i.Racing, i.Delayed,
		plural(i.Mismatches, "mismatch"), plural(i.DuplicateSessions, "duplicate session"))
	if i.RejectedInFlight > 0 {
		s += fmt.Sprintf(", %d rejected in flight (409; the winner's outcome was checked)", i.RejectedInFlight)
	}
	if i.Inconclusive > 0 {
		s += fmt.Sprintf(", %d inconclusive (could not be judged)", i.Inconclusive)
	}
	return s
}

func contractLine(c ContractFindings) string {
	s := fmt.Sprintf("%d responses sampled and validated, %s", c.Sampled, plural(c.Violations, "violation"))
	if len(c.ByOperation) > 0 {
		ops := make([]string, 0, len(c.ByOperation))
		for op := range c.ByOperation {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for i, op := range ops {
			ops[i] = op + " " + strconv.Itoa(c.ByOperation[op])
		}
		s += " (" + strings.Join(ops, ", ") + ")"
	}
	if c.Dropped > 0 {
		s += fmt.Sprintf("; %d dropped unvalidated (validator queue full), so the violation count is a lower bound", c.Dropped)
	}
	if c.CheckErrors > 0 {
		s += fmt.Sprintf("; %s could not run", plural(c.CheckErrors, "validation"))
	}
	return s
}

func hygieneLine(h Hygiene) string {
	s := fmt.Sprintf("%d sessions created, %d expired, %d leaked", h.Created, h.Expired, h.Leaked)
	if h.LeftOpenBeforeCleanup > 0 {
		s += fmt.Sprintf(" (%d left open by the scenario for the clean-up)", h.LeftOpenBeforeCleanup)
	}
	s += "; " + plural(h.Starvation, "starved chained request")
	if h.AbortedOnAuth {
		s += "; ABORTED on a storm of 401/403 responses"
	}
	return s
}

// WriteLoadText writes the human summary of l for a terminal or CI log: the verdict, a table of
// every operation (requests, asked and achieved rate, success, latency percentiles and the
// structure they come from), t-digest estimates beside the exact figures, status codes, error
// classes, SLO verdicts, idempotency and contract findings, hygiene and resource use. Plain
// text with no colour codes.
func WriteLoadText(w io.Writer, l *Load) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("checkoutkit load · %s\n", runHeadline(l))
	p("started %s · duration %s", fmtTime(l.StartedAt), fmtDuration(l.DurationMS))
	if l.Partial {
		p(" · PARTIAL (the run stopped early; figures cover what ran)")
	}
	p("\nverdict: %s", verdictBadge(l.Verdict))
	if l.VerdictReason != "" {
		p(" — %s", l.VerdictReason)
	}
	p("\n\n")

	rows := loadRows(l)
	// Numbers align right; names are padded to one width first so they read left-aligned.
	nameW := len("operation")
	for _, r := range rows {
		nameW = max(nameW, len(r.Name))
	}
	name := func(s string) string { return fmt.Sprintf("%-*s", nameW, s) }
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, name("operation")+"\trequests\tasked\tachieved\tsuccess\tp50\tp90\tp95\tp99\tp99.9\tmax\tsource\t")
	for _, r := range rows {
		lat := r.Latency
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name(r.Name), r.Requests, fmtRate(r.AskedRate),
			achieved(r), fmtRatio(r.Success), fmtMS(lat.P50MS), fmtMS(lat.P90MS), fmtMS(lat.P95MS),
			fmtMS(lat.P99MS), fmtMS(lat.P999MS), fmtMS(lat.MaxMS), lat.Source)
	}
	tw.Flush()
	if anySlipped(rows) {
		p("%s\n", slipNote)
	}
	if note := lateNote(l); note != "" {
		p("%s\n", note)
	}

	var td []LoadOp
	for _, r := range rows {
		if r.TDigest != nil {
			td = append(td, r)
		}
	}
	if len(td) > 0 {
		p("\nvegeta t-digest estimates, for comparison:\n")
		tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, name("operation")+"\tmean\tp50\tp90\tp95\tp99\tmax\t")
		for _, r := range td {
			t := r.TDigest
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name(r.Name), fmtMS(t.MeanMS), fmtMS(t.P50MS), fmtMS(t.P90MS),
				fmtMS(t.P95MS), fmtMS(t.P99MS), fmtMS(t.MaxMS))
		}
		tw.Flush()
	}

	p("\nstatus codes:\n")
	for _, r := range rows {
		line := codeCounts(r.StatusCodes)
		if r.Throttled > 0 {
			line += fmt.Sprintf("  (throttled 429: %d)", r.Throttled)
		}
		p("  %-10s %s\n", r.Name, line)
	}
	if note := throttleNote(l); note != "" {
		p("  %s\n", note)
	}
	var anyErr bool
	for _, r := range l.Operations {
		for _, e := range r.Errors {
			if !anyErr {
				p("\nerrors:\n")
				anyErr = true
			}
			p("  %-10s %6d  %s\n", r.Name, e.Count, e.Class)
		}
	}

	p("\nSLOs:\n")
	if len(l.SLOs) == 0 {
		p("  none set\n")
	}
	for _, s := range l.SLOs {
		verdict := "PASS"
		if !s.Pass {
			verdict = "FAIL"
		}
		p("  %s  %-32s actual %s\n", verdict, s.Expr, s.Actual)
	}
	p("\nidempotency: %s\n", idempotencyLine(l.Idempotency))
	p("contract:    %s\n", contractLine(l.Contract))
	for _, e := range l.Contract.Examples {
		p("             - %s\n", e)
	}
	p("hygiene:     %s\n", hygieneLine(l.Hygiene))
	p("resources:   peak RSS %s, Go heap %s\n", fmtBytes(l.Resources.PeakRSSBytes), fmtBytes(l.Resources.GoHeapBytes))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write load text: %w", err)
	}
	return nil
}

// WriteLoadMarkdown writes l as GitHub-flavoured Markdown for a CI job summary: the verdict,
// the per-operation table, SLO verdicts, status codes and error classes, and the idempotency,
// contract, hygiene and resource findings. Every value from the run is escaped.
func WriteLoadMarkdown(w io.Writer, l *Load) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("## Checkout v3 load test: %s\n\n", verdictBadge(l.Verdict))
	p("**Verdict: `%s`**", l.Verdict)
	if l.VerdictReason != "" {
		p(" — %s", mdEscape(l.VerdictReason))
	}
	p("\n\n")
	if l.Partial {
		p("> **Partial run:** the run stopped early; the figures cover what ran.\n\n")
	}
	p("| | |\n|---|---|\n")
	p("| Target | %s (%s) |\n", mdCode(l.Target.URL), mdEscape(l.Target.Kind))
	p("| Scenario | %s |\n", mdEscape(l.Scenario))
	p("| Run | %s, shard %s |\n", mdCode(l.RunID), mdEscape(l.Shard))
	p("| Started | %s (%s) |\n", fmtTime(l.StartedAt), fmtDuration(l.DurationMS))
	p("| Tool | %s %s |\n\n", mdEscape(l.Tool.Name), mdEscape(l.Tool.Version))

	rows := loadRows(l)
	p("### Latency and rate per operation\n\n")
	p("| Operation | Requests | Asked | Achieved | Success | p50 | p90 | p95 | p99 | p99.9 | Max | Source |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		lat := r.Latency
		p("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(r.Name), r.Requests,
			fmtRate(r.AskedRate), mdEscape(achieved(r)), fmtRatio(r.Success), fmtMS(lat.P50MS), fmtMS(lat.P90MS),
			fmtMS(lat.P95MS), fmtMS(lat.P99MS), fmtMS(lat.P999MS), fmtMS(lat.MaxMS), mdEscape(lat.Source))
	}
	if anySlipped(rows) {
		p("\n%s\n", mdEscape(slipNote))
	}
	if note := lateNote(l); note != "" {
		p("\n> **Schedule slipped:** %s\n", mdEscape(strings.TrimPrefix(note, "schedule slipped: ")))
	}
	p("\n_Latency is measured from the intended send time, so a slipping schedule shows up in it._\n\n")

	p("### SLOs\n\n")
	if len(l.SLOs) == 0 {
		p("None set.\n\n")
	} else {
		p("| Result | Threshold | Actual |\n|---|---|---|\n")
		for _, s := range l.SLOs {
			res := "pass"
			if !s.Pass {
				res = "**FAIL**"
			}
			p("| %s | %s | %s |\n", res, mdCode(s.Expr), mdEscape(s.Actual))
		}
		p("\n")
	}

	codes := statusCodes(rows)
	p("### Status codes\n\n| Operation |")
	for _, c := range codes {
		p(" %s |", mdEscape(c))
	}
	p(" Throttled (429) |\n|---|")
	for range codes {
		p("---:|")
	}
	p("---:|\n")
	for _, r := range rows {
		p("| %s |", mdEscape(r.Name))
		for _, c := range codes {
			p(" %d |", r.StatusCodes[c])
		}
		p(" %d |\n", r.Throttled)
	}
	p("\n")
	if note := throttleNote(l); note != "" {
		p("%s\n\n", mdEscape(note))
	}
	var errs [][2]string
	for _, r := range l.Operations {
		for _, e := range r.Errors {
			errs = append(errs, [2]string{r.Name, strconv.Itoa(e.Count) + " | " + mdEscape(e.Class)})
		}
	}
	if len(errs) > 0 {
		p("| Operation | Count | Error class |\n|---|---:|---|\n")
		for _, e := range errs {
			p("| %s | %s |\n", mdEscape(e[0]), e[1])
		}
		p("\n")
	}

	p("### Findings\n\n")
	p("- **Idempotency:** %s\n", idempotencyLine(l.Idempotency))
	p("- **Contract:** %s\n", mdEscape(contractLine(l.Contract)))
	for _, e := range l.Contract.Examples {
		p("  - %s\n", mdEscape(e))
	}
	p("- **Hygiene:** %s\n", hygieneLine(l.Hygiene))
	p("- **Resources:** peak RSS %s, Go heap %s\n\n", fmtBytes(l.Resources.PeakRSSBytes), fmtBytes(l.Resources.GoHeapBytes))
	p("<sub>%s %s · schema %s</sub>\n", mdEscape(l.Tool.Name), mdEscape(l.Tool.Version), mdEscape(l.SchemaVersion))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write load markdown: %w", err)
	}
	return nil
}

type loadView struct {
	L          *Load
	Slipped    int64
	LateNote   string
	Throttle   string
	Rows       []LoadOp
	Codes      []string
	Timeline   svgChart
	Percentile svgChart
	Histograms []svgChart
	HasTDigest bool
	HasErrors  bool
}

// WriteLoadHTML writes l as one self-contained HTML page: verdict and run facts, the
// per-operation table, SLO verdicts, inline SVG charts (latency over time with p50 and p99 per
// operation, latency by percentile, a histogram per operation), status codes, error classes,
// idempotency, contract, hygiene and resource findings, and the run's configuration. No
// scripts, no external assets; every value is escaped by html/template.
func WriteLoadHTML(w io.Writer, l *Load) error {
	v := loadView{L: l, Rows: loadRows(l), Slipped: totalSlipped(l), LateNote: lateNote(l), Throttle: throttleNote(l)}
	v.Codes = statusCodes(v.Rows)
	v.Timeline = timelineChart(l.Operations)
	v.Percentile = percentileChart(l.Operations)
	for i, op := range l.Operations {
		v.Histograms = append(v.Histograms, histogramChart(op, opColor(i)))
		if len(op.Errors) > 0 {
			v.HasErrors = true
		}
	}
	for _, r := range v.Rows {
		if r.TDigest != nil {
			v.HasTDigest = true
		}
	}
	return renderHTML(w, "load.html.tmpl", v)
}
