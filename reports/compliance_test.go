package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestComplianceGolden(t *testing.T) {
	c := sampleCompliance()
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"compliance.json.golden", func(b *bytes.Buffer) error { return WriteComplianceJSON(b, c) }},
		{"compliance.md.golden", func(b *bytes.Buffer) error { return WriteComplianceMarkdown(b, c) }},
		{"compliance.html.golden", func(b *bytes.Buffer) error { return WriteComplianceHTML(b, c) }},
		{"compliance.junit.xml.golden", func(b *bytes.Buffer) error { return WriteComplianceJUnit(b, c) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

func TestComplianceJSONRoundTrip(t *testing.T) {
	want := sampleCompliance()
	var b bytes.Buffer
	if err := WriteComplianceJSON(&b, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadComplianceJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the report:\n got %+v\nwant %+v", got, want)
	}
	// Re-rendering the read report gives the same bytes (what `checkoutkit report` relies on).
	var a, b2 bytes.Buffer
	if err := WriteComplianceHTML(&a, want); err != nil {
		t.Fatal(err)
	}
	if err := WriteComplianceHTML(&b2, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b2.Bytes()) {
		t.Error("HTML of the read report differs from the HTML of the original")
	}
}

func TestReadComplianceJSONErrors(t *testing.T) {
	tests := []struct {
		name, doc  string
		wantSchema bool
	}{
		{"malformed", `{"schemaVersion":`, false},
		{"not an object", `[1,2]`, false},
		{"other schema", `{"schemaVersion":"checkoutkit.load/v1"}`, true},
		{"future version", `{"schemaVersion":"checkoutkit.compliance/v2"}`, true},
		{"no version", `{}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadComplianceJSON(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrSchemaVersion); got != tt.wantSchema {
				t.Errorf("errors.Is(err, ErrSchemaVersion) = %v, want %v (err: %v)", got, tt.wantSchema, err)
			}
		})
	}
}

// finalized returns a Compliance with one POST operation (201 and 400 documented), after
// the given edits and Finalize.
func finalized(edit func(c *Compliance)) *Compliance {
	c := NewCompliance(Tool{"checkoutkit", "test"}, Target{"http://127.0.0.1:1", TargetEmbeddedMock}, ContractInfo{})
	c.AddOperation("POST", "/checkout/v3/session", "400", "201")
	edit(c)
	c.Finalize()
	return c
}

func TestFinalizeVerdict(t *testing.T) {
	const op = "POST /checkout/v3/session"
	tests := []struct {
		name   string
		edit   func(c *Compliance)
		want   Verdict
		reason string // substring of VerdictReason
	}{
		{"conformant exchanges and passed spec", func(c *Compliance) {
			c.AddExchange(op, 201)
			c.Specs = append(c.Specs, Spec{Name: "creates", State: SpecPassed})
		}, VerdictConformant, "1 exchange validated"},
		{"a violation", func(c *Compliance) {
			c.AddExchange(op, 201)
			c.Violations = append(c.Violations, Violation{Operation: op, Direction: "response", Status: "201", Location: "/body/token"})
			c.Specs = append(c.Specs, Spec{Name: "creates", State: SpecPassed})
		}, VerdictNotConformant, "1 contract violation"},
		{"a request violation", func(c *Compliance) {
			c.AddExchange(op, 400)
			c.Violations = append(c.Violations, Violation{Operation: op, Direction: "request", Location: "/body/reference"})
		}, VerdictNotConformant, "1 contract violation"},
		{"a failed spec", func(c *Compliance) {
			c.AddExchange(op, 201)
			c.Specs = append(c.Specs, Spec{Name: "creates", State: SpecFailed, Failure: "expected 201"})
		}, VerdictNotConformant, "1 failed spec"},
		{"an undocumented status", func(c *Compliance) {
			c.AddExchange(op, 418)
		}, VerdictNotConformant, "1 undocumented status"},
		{"an undocumented status recorded in Undocumented", func(c *Compliance) {
			c.Undocumented = append(c.Undocumented, Status{Operation: op, Code: "503", Exchanges: 2})
		}, VerdictNotConformant, "1 undocumented status"},
		{"nothing exercised", func(c *Compliance) {}, VerdictError, "nothing was exercised"},
		{"only skipped specs", func(c *Compliance) {
			c.Specs = append(c.Specs, Spec{Name: "needs the mock", State: SpecSkipped, Reason: "live target"})
		}, VerdictError, "nothing was exercised"},
		{"setup error wins over findings", func(c *Compliance) {
			c.AddExchange(op, 418)
			c.Errors = append(c.Errors, "target unreachable: connection refused")
		}, VerdictError, "target unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := finalized(tt.edit)
			if c.Verdict != tt.want {
				t.Errorf("Verdict = %q, want %q (reason %q)", c.Verdict, tt.want, c.VerdictReason)
			}
			if !strings.Contains(c.VerdictReason, tt.reason) {
				t.Errorf("VerdictReason = %q, want it to contain %q", c.VerdictReason, tt.reason)
			}
		})
	}
}

func TestFinalizeDerivedFields(t *testing.T) {
	const post, get = "POST /checkout/v3/session", "GET /checkout/v3/session/{reference}"
	c := NewCompliance(Tool{}, Target{}, ContractInfo{})
	c.StartedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.FinishedAt = c.StartedAt.Add(1500 * time.Millisecond)
	c.AddOperation("POST", "/checkout/v3/session", "201", "5XX", "400")
	c.AddOperation("GET", "/checkout/v3/session/{reference}", "200", "404")
	for range 3 {
		c.AddExchange(post, 201)
	}
	c.AddExchange(post, 400)
	c.AddExchange(post, 422)
	c.AddExchange(post, 422)
	c.Violations = []Violation{
		{Operation: post, Direction: "response", Status: "400", Location: "/body/title"},
		{Operation: post, Direction: "response", Status: "400", Location: "/body/status"},
		{Operation: post, Direction: "request", Location: "/header/client_id", Keyword: "required"},
	}
	c.Specs = []Spec{{State: SpecPassed}, {State: SpecPassed}, {State: SpecFailed}, {State: SpecSkipped}, {State: SpecPending}}
	c.Coverage.Constraints = []Constraint{{Exercised: true}, {Exercised: false}, {Exercised: true}}
	c.Finalize()
	again := *c
	c.Finalize() // idempotent
	if !reflect.DeepEqual(*c, again) {
		t.Error("a second Finalize changed the report")
	}

	if c.DurationMS != 1500 {
		t.Errorf("DurationMS = %v, want 1500", c.DurationMS)
	}
	wantSum := Summary{Specs: 5, Passed: 2, Failed: 1, Skipped: 1, Pending: 1, Exchanges: 6, Violations: 3}
	if c.Summary != wantSum {
		t.Errorf("Summary = %+v, want %+v", c.Summary, wantSum)
	}
	p := c.Operations[0]
	var codes []string
	for _, s := range p.Statuses {
		codes = append(codes, s.Code)
	}
	if got, want := strings.Join(codes, ","), "201,400,422,5XX"; got != want {
		t.Errorf("POST status order = %s, want %s", got, want)
	}
	cell := map[string]Status{}
	for _, s := range p.Statuses {
		cell[s.Code] = s
	}
	if s := cell["201"]; !s.Conformant || s.Exchanges != 3 || s.Violations != 0 {
		t.Errorf("201 = %+v, want conformant with 3 exchanges", s)
	}
	if s := cell["400"]; s.Conformant || s.Violations != 2 {
		t.Errorf("400 = %+v, want 2 violations, not conformant", s)
	}
	if s := cell["422"]; s.Documented || s.Conformant || s.Exchanges != 2 {
		t.Errorf("422 = %+v, want undocumented with 2 exchanges", s)
	}
	if s := cell["5XX"]; s.Conformant || s.Exchanges != 0 {
		t.Errorf("5XX = %+v, want not exercised", s)
	}
	if p.Exchanges != 6 || p.Violations != 3 || p.Conformant {
		t.Errorf("POST = exchanges %d violations %d conformant %v, want 6, 3, false", p.Exchanges, p.Violations, p.Conformant)
	}
	if g := c.Operations[1]; g.Conformant || g.Exchanges != 0 {
		t.Errorf("GET = %+v, want unexercised and not conformant", g)
	}
	if len(c.Undocumented) != 1 || c.Undocumented[0].Operation != post || c.Undocumented[0].Code != "422" {
		t.Errorf("Undocumented = %+v, want POST 422", c.Undocumented)
	}
	wantCov := Coverage{OperationsExercised: 1, OperationsTotal: 2, StatusesExercised: 2, StatusesTotal: 5,
		ConstraintsExercised: 2, ConstraintsTotal: 3, Constraints: c.Coverage.Constraints}
	if !reflect.DeepEqual(c.Coverage, wantCov) {
		t.Errorf("Coverage = %+v, want %+v", c.Coverage, wantCov)
	}
	_ = get
}

// TestComplianceEscapesMarkup proves a violation message (which can echo what a target sent)
// cannot inject markup into any rendering.
func TestComplianceEscapesMarkup(t *testing.T) {
	const evil = `<script>alert("pwned")</script><img src=x onerror=alert(1)>`
	c := finalized(func(c *Compliance) {
		c.AddExchange("POST /checkout/v3/session", 400)
		c.Violations = append(c.Violations, Violation{Operation: "POST /checkout/v3/session", Direction: "response",
			Status: "400", Location: "/body/detail" + evil, Message: evil, Reason: evil, HowToFix: evil, Spec: evil})
		c.Specs = append(c.Specs, Spec{Name: evil, Labels: []string{evil}, State: SpecFailed, Failure: evil, Location: evil},
			Spec{Name: evil, State: SpecSkipped, Reason: evil})
		c.Errors = nil
		c.Target.URL = evil
		c.Contract.Title = evil
	})
	var h bytes.Buffer
	if err := WriteComplianceHTML(&h, c); err != nil {
		t.Fatal(err)
	}
	// "onerror=" may appear as escaped text; checkHTML below proves no element carries it.
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(strings.ToLower(h.String()), bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	if !strings.Contains(h.String(), "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;") {
		t.Error("HTML does not show the message escaped")
	}
	checkHTML(t, h.Bytes())

	var m bytes.Buffer
	if err := WriteComplianceMarkdown(&m, c); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(m.String(), "\n") {
		// Every "<" from the run must be backslash-escaped (GitHub would render raw HTML);
		// the only raw tags are the writer's own.
		rest := strings.NewReplacer("<br>", "", "<details>", "", "</details>", "", "<summary>", "", "</summary>", "",
			"<sub>", "", "</sub>", "").Replace(line)
		for i := 0; i < len(rest); i++ {
			if rest[i] == '<' && (i == 0 || rest[i-1] != '\\') && !inCodeSpan(rest, i) {
				t.Errorf("Markdown has an unescaped '<' outside code: %q", line)
				break
			}
		}
	}

	var j bytes.Buffer
	if err := WriteComplianceJUnit(&j, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(j.String(), "<script") {
		t.Error("JUnit contains <script unescaped")
	}
	var parsed junitSuites
	if err := xml.Unmarshal(j.Bytes(), &parsed); err != nil {
		t.Fatalf("JUnit does not parse: %v", err)
	}
	if got := parsed.Suites[0].Cases[0].Failure.Text; !strings.Contains(got, evil) {
		t.Errorf("JUnit failure text = %q, want it to round-trip the message", got)
	}
}

// inCodeSpan reports whether position i of a Markdown line is inside a backtick code span
// (where GitHub renders "<" literally).
func inCodeSpan(line string, i int) bool {
	return strings.Count(line[:i], "`")%2 == 1
}

func TestComplianceJUnitCounts(t *testing.T) {
	c := sampleCompliance()
	var b bytes.Buffer
	if err := WriteComplianceJUnit(&b, c); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("JUnit does not parse: %v", err)
	}
	if got.Tests != c.Summary.Specs || got.Failures != c.Summary.Failed || got.Skipped != c.Summary.Skipped+c.Summary.Pending {
		t.Errorf("root counts tests=%d failures=%d skipped=%d, want %d %d %d", got.Tests, got.Failures, got.Skipped,
			c.Summary.Specs, c.Summary.Failed, c.Summary.Skipped+c.Summary.Pending)
	}
	// Suites are the primary labels in order of first appearance, and the per-suite counts
	// agree with the test cases they hold.
	var names []string
	tests, failures, skipped := 0, 0, 0
	for _, s := range got.Suites {
		names = append(names, s.Name)
		var f, sk int
		for _, tc := range s.Cases {
			if tc.Failure != nil {
				f++
				if tc.Failure.Message == "" || tc.Failure.Text == "" {
					t.Errorf("failure of %q has no message or text", tc.Name)
				}
			}
			if tc.Skipped != nil {
				sk++
				if tc.Skipped.Message == "" {
					t.Errorf("skipped %q has no message", tc.Name)
				}
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Skipped != sk {
			t.Errorf("suite %s says tests=%d failures=%d skipped=%d, holds %d %d %d", s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), f, sk)
		}
		tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
	}
	if got, want := strings.Join(names, ","), "smoke,stateful,negative,idempotency"; got != want {
		t.Errorf("suites = %s, want %s", got, want)
	}
	if tests != got.Tests || failures != got.Failures || skipped != got.Skipped {
		t.Errorf("suite sums %d/%d/%d differ from root %d/%d/%d", tests, failures, skipped, got.Tests, got.Failures, got.Skipped)
	}
	// The skip reason reaches CI.
	if !strings.Contains(b.String(), `<skipped message="needs the mock control API; the target is a URL">`) {
		t.Error("skip reason missing from JUnit")
	}
}

func TestComplianceHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteComplianceHTML(&b, sampleCompliance()); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, b.Bytes())
}

func TestComplianceEmpty(t *testing.T) {
	// A report with nothing in it still renders in every format, with a defined verdict.
	c := NewCompliance(Tool{}, Target{}, ContractInfo{})
	c.Finalize()
	if c.Verdict != VerdictError {
		t.Errorf("Verdict = %q, want %q", c.Verdict, VerdictError)
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"json":  func(b *bytes.Buffer) error { return WriteComplianceJSON(b, c) },
		"md":    func(b *bytes.Buffer) error { return WriteComplianceMarkdown(b, c) },
		"html":  func(b *bytes.Buffer) error { return WriteComplianceHTML(b, c) },
		"junit": func(b *bytes.Buffer) error { return WriteComplianceJUnit(b, c) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if b.Len() == 0 {
			t.Errorf("%s: empty output", name)
		}
		if name == "html" {
			checkHTML(t, b.Bytes())
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://apitest.vipps.no/checkout", "https://apitest.vipps.no/checkout"},
		{"https://user:s3cret@apitest.vipps.no", "https://REDACTED@apitest.vipps.no"},
		{"https://tok3n@apitest.vipps.no", "https://REDACTED@apitest.vipps.no"},
		{"https://apitest.vipps.no/?subscription-key=0f14eb&x=1", "https://apitest.vipps.no/?subscription-key=REDACTED&x=REDACTED"},
		{"not a url %zz", "not a url %zz"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	c := finalized(func(c *Compliance) { c.Target.URL = "https://u:0f14ebcab0eb4b29@h.example/" })
	var b bytes.Buffer
	if err := WriteComplianceJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "0f14ebcab0eb4b29") {
		t.Error("the JSON report carries the secret from the target URL")
	}
}

func TestGroupViolations(t *testing.T) {
	a := Violation{Operation: "GET /x", Direction: "response", Status: "200", Location: "/body/a", Message: "m", Spec: "s1"}
	b := a
	b.Location = "/body/b"
	a2 := a
	a2.Reason = "another reason, same finding"
	a3 := a
	a3.Spec = "s2"
	req := Violation{Operation: "GET /x", Direction: "request", Location: "/body/a", Message: "m", Spec: "s1"}
	got := groupViolations([]Violation{a, b, a2, req, a3})
	type row struct {
		loc, dir string
		count    int
		specs    string
	}
	var rows []row
	for _, g := range got {
		rows = append(rows, row{g.V.Location, g.V.Direction, g.Count, g.SpecText()})
	}
	want := []row{{"/body/a", "response", 3, "s1 (and 1 other spec)"}, {"/body/b", "response", 1, "s1"}, {"/body/a", "request", 1, "s1"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("groups = %+v, want %+v", rows, want)
	}

	c := finalized(func(c *Compliance) {
		c.AddExchange("POST /checkout/v3/session", 201)
		c.Violations = []Violation{a, a2, a3}
	})
	var h, m bytes.Buffer
	if err := WriteComplianceHTML(&h, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteComplianceMarkdown(&m, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.String(), `<td class="num">3×</td>`) || strings.Count(h.String(), "<td><code>/body/a</code>") != 1 {
		t.Error("HTML does not show the three identical findings as one row seen 3×")
	}
	if !strings.Contains(m.String(), "| 3× |") || !strings.Contains(m.String(), "### Violations (3)") {
		t.Error("Markdown does not show the three identical findings as one row seen 3×")
	}
}

func TestStatusRangesAndDefault(t *testing.T) {
	const op = "GET /checkout/v3/session/{reference}"
	c := NewCompliance(Tool{}, Target{}, ContractInfo{})
	c.AddOperation("GET", "/checkout/v3/session/{reference}", "200", "404", "4XX", "default")
	c.AddExchange(op, 200)
	c.AddExchange(op, 404) // exact code wins over the range
	c.AddExchange(op, 409) // the 4XX range covers it
	c.AddExchange(op, 410)
	c.AddExchange(op, 503) // only default covers it
	c.Violations = []Violation{{Operation: op, Direction: "response", Status: "409", Location: "/body/title"}}
	c.Finalize()
	got := map[string]Status{}
	for _, s := range c.Operations[0].Statuses {
		got[s.Code] = s
	}
	if len(got) != 4 {
		t.Errorf("statuses %v, want only the four documented cells", got)
	}
	for code, want := range map[string][2]int{"200": {1, 0}, "404": {1, 0}, "4XX": {2, 1}, "default": {1, 0}} {
		if s := got[code]; s.Exchanges != want[0] || s.Violations != want[1] {
			t.Errorf("%s: exchanges %d violations %d, want %d and %d", code, s.Exchanges, s.Violations, want[0], want[1])
		}
	}
	if len(c.Undocumented) != 0 {
		t.Errorf("Undocumented = %v, want none: ranges and default document every code", c.Undocumented)
	}
	if c.Verdict != VerdictNotConformant {
		t.Errorf("Verdict = %s", c.Verdict)
	}
}

func TestSkippedGroupedByReason(t *testing.T) {
	c := finalized(func(c *Compliance) {
		c.AddExchange("POST /checkout/v3/session", 201)
		for i := range 30 {
			c.Specs = append(c.Specs, Spec{Name: "filtered " + strconv.Itoa(i), State: SpecSkipped, Reason: "not selected by the label filter"})
		}
		c.Specs = append(c.Specs, Spec{Name: "live only", State: SpecSkipped, Reason: "needs the mock"},
			Spec{Name: "later", State: SpecPending})
	})
	groups := groupSkipped(c.Specs)
	var got []string
	for _, g := range groups {
		got = append(got, g.Reason+"="+strconv.Itoa(len(g.Specs)))
	}
	if strings.Join(got, ",") != "not selected by the label filter=30,needs the mock=1,pending=1" {
		t.Errorf("groups = %v", got)
	}
	var h, m bytes.Buffer
	if err := WriteComplianceHTML(&h, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteComplianceMarkdown(&m, c); err != nil {
		t.Fatal(err)
	}
	// The big group is collapsed, the small ones open; the reason appears once per group.
	if !strings.Contains(h.String(), "<details><summary><em>not selected by the label filter</em> (30)</summary>") ||
		!strings.Contains(h.String(), "<details open><summary><em>needs the mock</em> (1)</summary>") {
		t.Error("HTML skip groups are not as expected")
	}
	if strings.Count(m.String(), "not selected by the label filter") != 1 || !strings.Contains(m.String(), "- **not selected by the label filter** (30)") {
		t.Error("Markdown does not list the reason once with its count")
	}
}

func TestHeadLines(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 3, "a\nb\nc"},
		{"a\nb\nc\nd", 2, "a\nb\n…"},
		{"one", 8, "one"},
	}
	for _, tt := range tests {
		if got := headLines(tt.in, tt.n); got != tt.want {
			t.Errorf("headLines(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestAddExchangeUnknownOperation(t *testing.T) {
	c := finalized(func(c *Compliance) {
		c.AddExchange("DELETE /checkout/v3/session/{reference}", 405)
	})
	last := c.Operations[len(c.Operations)-1]
	if last.Key != "DELETE /checkout/v3/session/{reference}" || last.Method != "DELETE" || last.Path != "/checkout/v3/session/{reference}" {
		t.Errorf("appended operation = %+v", last)
	}
	if last.Conformant || len(c.Undocumented) != 1 || c.Verdict != VerdictNotConformant {
		t.Errorf("an operation the contract lacks must not look conformant: %+v, verdict %s", last, c.Verdict)
	}
}
