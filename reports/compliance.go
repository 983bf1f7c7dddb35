package reports

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ComplianceSchemaVersion is the value of [Compliance.SchemaVersion] this package writes and reads.
const ComplianceSchemaVersion = "checkoutkit.compliance/v1"

// Verdict is the one-word outcome of a run.
type Verdict string

// Compliance verdicts (see [Compliance.Finalize] for the rules).
const (
	// VerdictConformant: every exercised exchange conformed and no spec failed.
	VerdictConformant Verdict = "conformant"
	// VerdictNotConformant: at least one violation, undocumented status or failed spec.
	VerdictNotConformant Verdict = "not-conformant"
	// VerdictError: the run could not produce evidence (setup error, or nothing was exercised).
	VerdictError Verdict = "error"
)

// Load verdicts (see [Load.Finalize]).
const (
	// VerdictPass: every SLO held and no correctness failure was seen.
	VerdictPass Verdict = "pass"
	// VerdictFail: an SLO broke, or an idempotency replay mismatched or duplicated a session.
	VerdictFail Verdict = "fail"
)

// Target kinds for [Target.Kind].
const (
	// TargetEmbeddedMock is the in-process mock started by the tool on a loopback port.
	TargetEmbeddedMock = "embedded-mock"
	// TargetURL is an endpoint given by the user (--target URL).
	TargetURL = "url"
)

// Spec states for [Spec.State].
const (
	SpecPassed  = "passed"
	SpecFailed  = "failed"
	SpecSkipped = "skipped"
	SpecPending = "pending"
)

// Tool identifies the program that produced a report.
type Tool struct {
	// Name is the tool name, normally "checkoutkit".
	Name string `json:"name"`
	// Version is the tool version (e.g. a semver or "devel").
	Version string `json:"version"`
}

// Target identifies what was tested. It never carries credentials.
type Target struct {
	// URL is the base URL of the target (for the embedded mock, its loopback address).
	URL string `json:"url"`
	// Kind is TargetEmbeddedMock or TargetURL.
	Kind string `json:"kind"`
}

// ContractInfo identifies the OpenAPI contract a run checked against.
type ContractInfo struct {
	// Name is where the contract came from: "bundled" or the --spec file name.
	Name string `json:"name"`
	// Title is the document's info.title.
	Title string `json:"title"`
	// Version is the document's info.version (the API's version, not the OpenAPI version).
	Version string `json:"version"`
	// OpenAPI is the document's openapi version (e.g. "3.1.0").
	OpenAPI string `json:"openapi"`
	// SHA256 is the lower-case hex SHA-256 of the contract bytes.
	SHA256 string `json:"sha256"`
}

// Compliance is the outcome of one contract-suite run against one target.
//
// JSON schema "checkoutkit.compliance/v1" (field names are the json tags; see SCHEMA.md):
//
//	schemaVersion  string   always "checkoutkit.compliance/v1"
//	tool           {name, version}
//	target         {url, kind: "embedded-mock"|"url"}
//	contract       {name, title, version, openapi, sha256}
//	startedAt, finishedAt  RFC 3339 timestamps
//	durationMs     number   wall time of the run in milliseconds
//	verdict        "conformant"|"not-conformant"|"error"
//	verdictReason  string   one sentence saying why (computed by Finalize)
//	errors         [string] setup errors that stopped the run from producing evidence
//	summary        {specs, passed, failed, skipped, pending, exchanges, violations}
//	operations     [{key, method, path, statuses: [status], exchanges, violations, conformant}]
//	undocumented   [status with operation]  status codes seen that the contract does not declare
//	violations     [{operation, direction, status, location, keyword, message, reason,
//	                 specLine, specCol, howToFix, spec}]
//	specs          [{name, labels, state, reason, durationMs, failure, location}]
//	coverage       {operationsExercised, operationsTotal, statusesExercised, statusesTotal,
//	                constraintsExercised, constraintsTotal,
//	                constraints: [{operation, location, keyword, exercised}]}
//
// where status is {operation?, code, documented, exchanges, conformant, violations}.
//
// Builders append Operations (with their documented statuses), Violations, Specs and
// Constraints, count exchanges with [Compliance.AddExchange] (or by setting Status.Exchanges),
// then call [Compliance.Finalize], which derives everything else.
type Compliance struct {
	// SchemaVersion is always ComplianceSchemaVersion ("checkoutkit.compliance/v1"); Finalize
	// fills it when empty.
	SchemaVersion string `json:"schemaVersion"`
	// Tool is the program that wrote the report.
	Tool Tool `json:"tool"`
	// Target is what was tested (URL already redacted by Finalize).
	Target Target `json:"target"`
	// Contract identifies the OpenAPI document the run checked against.
	Contract ContractInfo `json:"contract"`
	// StartedAt is when the run started.
	StartedAt time.Time `json:"startedAt"`
	// FinishedAt is when the run ended.
	FinishedAt time.Time `json:"finishedAt"`
	// DurationMS is the run's wall time; Finalize fills it from StartedAt/FinishedAt when zero.
	DurationMS float64 `json:"durationMs"`
	// Verdict is computed by Finalize.
	Verdict Verdict `json:"verdict"`
	// VerdictReason says in one sentence why the verdict is what it is (computed by Finalize).
	VerdictReason string `json:"verdictReason,omitempty"`
	// Errors lists setup errors (target unreachable, contract unreadable); any makes the verdict
	// VerdictError.
	Errors []string `json:"errors,omitempty"`
	// Summary is computed by Finalize.
	Summary Summary `json:"summary"`
	// Operations lists the contract's operations in contract order, each with its documented
	// statuses (and, after Finalize, any undocumented status seen, Documented=false).
	Operations []Operation `json:"operations"`
	// Undocumented lists the statuses seen that the contract does not declare, each with its
	// operation key (computed by Finalize from Operations).
	Undocumented []Status `json:"undocumented"`
	// Violations lists every contract violation found, in the order found. It is the source of
	// truth for every violation count in the report.
	Violations []Violation `json:"violations"`
	// Specs lists every spec of the run, in run order.
	Specs []Spec `json:"specs"`
	// Coverage is computed by Finalize except Constraints, which the builder appends.
	Coverage Coverage `json:"coverage"`
}

// Summary holds the run's headline counts.
type Summary struct {
	// Specs is the number of specs in the run (computed by Finalize).
	Specs int `json:"specs"`
	// Passed is the number of specs that passed.
	Passed int `json:"passed"`
	// Failed is the number of specs that failed.
	Failed int `json:"failed"`
	// Skipped is the number of specs skipped (e.g. a capability the target lacks).
	Skipped int `json:"skipped"`
	// Pending is the number of specs marked pending (not yet written).
	Pending int `json:"pending"`
	// Exchanges is the number of validated request/response exchanges.
	Exchanges int `json:"exchanges"`
	// Violations is len(Compliance.Violations).
	Violations int `json:"violations"`
}

// Operation is one row of the operation × status matrix.
type Operation struct {
	// Key is "METHOD path-template", e.g. "POST /checkout/v3/session".
	Key string `json:"key"`
	// Method is the HTTP method, upper case ("POST").
	Method string `json:"method"`
	// Path is the contract's path template, e.g. "/checkout/v3/session/{reference}".
	Path string `json:"path"`
	// Statuses are the documented response statuses (Documented=true) plus, after Finalize, the
	// undocumented ones seen (Documented=false), sorted by code.
	Statuses []Status `json:"statuses"`
	// Exchanges is the sum of the statuses' exchanges (computed by Finalize).
	Exchanges int `json:"exchanges"`
	// Violations counts Compliance.Violations for this operation, request violations included
	// (computed by Finalize).
	Violations int `json:"violations"`
	// Conformant is true when the operation was exercised, no violation names it and no
	// undocumented status was seen (computed by Finalize).
	Conformant bool `json:"conformant"`
}

// Status is one cell of the operation × status matrix.
type Status struct {
	// Operation is the operation key; set in Compliance.Undocumented, empty inside Operation.
	Operation string `json:"operation,omitempty"`
	// Code is the status as the contract spells it: "201", "4XX" or "default".
	Code string `json:"code"`
	// Documented is true when the contract declares the code for the operation.
	Documented bool `json:"documented"`
	// Exchanges is how many responses with this code were validated.
	Exchanges int `json:"exchanges"`
	// Conformant is true when the code was exercised and documented with no violation
	// (computed by Finalize).
	Conformant bool `json:"conformant"`
	// Violations counts response violations with this operation and code (computed by Finalize).
	Violations int `json:"violations"`
}

// Violation is one contract violation found in an exchange.
type Violation struct {
	// Operation is the operation key.
	Operation string `json:"operation"`
	// Direction is "request", "response" or "callback".
	Direction string `json:"direction"`
	// Status is the response status code ("" for requests and callbacks).
	Status string `json:"status,omitempty"`
	// Location is a JSON pointer into the exchange (/body/..., /header/Name, /status, ...).
	Location string `json:"location"`
	// Keyword is the failing schema keyword location, if any.
	Keyword string `json:"keyword,omitempty"`
	// Message says what is wrong, in one line.
	Message string `json:"message"`
	// Reason gives the validator's detail.
	Reason string `json:"reason,omitempty"`
	// SpecLine is the 1-based line of the violated contract element; 0 (absent) when unknown.
	SpecLine int `json:"specLine,omitempty"`
	// SpecCol is the 1-based column of the violated contract element; 0 (absent) when unknown.
	SpecCol int `json:"specCol,omitempty"`
	// HowToFix is the validator's advice, when it has some.
	HowToFix string `json:"howToFix,omitempty"`
	// Spec is the name of the spec whose exchange showed the violation.
	Spec string `json:"spec,omitempty"`
}

// Spec is one spec of the suite run.
type Spec struct {
	// Name is the full spec text (containers and leaf joined by spaces).
	Name string `json:"name"`
	// Labels are the spec's labels, containers' first.
	Labels []string `json:"labels,omitempty"`
	// State is SpecPassed, SpecFailed, SpecSkipped or SpecPending.
	State string `json:"state"`
	// Reason says why a spec was skipped or is pending (e.g. "needs the mock control API").
	Reason string `json:"reason,omitempty"`
	// DurationMS is the spec's run time.
	DurationMS float64 `json:"durationMs"`
	// Failure is the failure message of a failed spec.
	Failure string `json:"failure,omitempty"`
	// Location is the source location of the failure or the spec ("file.go:42").
	Location string `json:"location,omitempty"`
}

// Coverage says how much of the contract the run exercised.
type Coverage struct {
	// OperationsExercised is how many operations had at least one exchange.
	OperationsExercised int `json:"operationsExercised"`
	// OperationsTotal is how many operations the contract has.
	OperationsTotal int `json:"operationsTotal"`
	// StatusesExercised is how many documented statuses had at least one exchange.
	StatusesExercised int `json:"statusesExercised"`
	// StatusesTotal is how many statuses the contract documents, over all operations.
	StatusesTotal int `json:"statusesTotal"`
	// ConstraintsExercised is how many of Constraints a negative case violated on purpose.
	ConstraintsExercised int `json:"constraintsExercised"`
	// ConstraintsTotal is len(Constraints).
	ConstraintsTotal int `json:"constraintsTotal"`
	// Constraints lists the request-schema constraints and whether a negative case exercised
	// each (appended by the builder).
	Constraints []Constraint `json:"constraints"`
}

// Constraint is one request-schema constraint (required, maxLength, pattern, enum, ...).
type Constraint struct {
	// Operation is the operation key, e.g. "POST /checkout/v3/session".
	Operation string `json:"operation"`
	// Location is the JSON pointer of the constrained value, e.g. /body/reference.
	Location string `json:"location"`
	// Keyword is the constraint keyword, e.g. "maxLength".
	Keyword string `json:"keyword"`
	// Exercised is true when a negative case violated the constraint on purpose.
	Exercised bool `json:"exercised"`
}

// NewCompliance returns a Compliance with the schema version set and empty (non-nil) lists, so
// its JSON has [] rather than null for every list.
func NewCompliance(tool Tool, target Target, contract ContractInfo) *Compliance {
	return &Compliance{
		SchemaVersion: ComplianceSchemaVersion,
		Tool:          tool,
		Target:        target,
		Contract:      contract,
		Operations:    []Operation{},
		Undocumented:  []Status{},
		Violations:    []Violation{},
		Specs:         []Spec{},
		Coverage:      Coverage{Constraints: []Constraint{}},
	}
}

// AddOperation appends an operation with its documented status codes (in any order).
func (c *Compliance) AddOperation(method, path string, documented ...string) {
	op := Operation{Key: method + " " + path, Method: method, Path: path, Statuses: []Status{}}
	for _, code := range documented {
		op.Statuses = append(op.Statuses, Status{Code: code, Documented: true})
	}
	c.Operations = append(c.Operations, op)
}

// AddExchange counts one validated exchange of the operation with the given key and response
// status. The exchange is counted under the cell the contract would use for it — the exact
// code, else its range ("4XX"), else "default" — and a status none of these covers is added
// with Documented=false. An operation not yet listed is appended (method and path split from
// the key). Violations are not counted here: append them to c.Violations.
func (c *Compliance) AddExchange(operation string, status int) {
	op := c.operation(operation)
	code := strconv.Itoa(status)
	if i := op.cell(code); i >= 0 {
		op.Statuses[i].Exchanges++
		return
	}
	op.Statuses = append(op.Statuses, Status{Code: code, Exchanges: 1})
}

// cell returns the index of the status that covers code as OpenAPI resolves responses (exact
// code, then range such as "4XX", then "default"), or -1.
func (op *Operation) cell(code string) int {
	rng, def := -1, -1
	for i, s := range op.Statuses {
		switch {
		case s.Code == code:
			return i
		case len(code) == 3 && len(s.Code) == 3 && s.Documented && s.Code[0] == code[0] && strings.EqualFold(s.Code[1:], "XX"):
			rng = i
		case s.Code == "default" && s.Documented:
			def = i
		}
	}
	if rng >= 0 {
		return rng
	}
	return def
}

func (c *Compliance) operation(key string) *Operation {
	for i := range c.Operations {
		if c.Operations[i].Key == key {
			return &c.Operations[i]
		}
	}
	method, path, _ := strings.Cut(key, " ")
	c.Operations = append(c.Operations, Operation{Key: key, Method: method, Path: path, Statuses: []Status{}})
	return &c.Operations[len(c.Operations)-1]
}

// Finalize derives every computed field from the lists the builder filled: DurationMS (when
// zero), per-status and per-operation violation counts and conformance, Undocumented, Summary,
// Coverage counts and Verdict. It is idempotent. The rules:
//
//   - a status cell is conformant when it is documented, exercised and no response violation
//     names its operation and code; an operation is conformant when it was exercised, no
//     violation (request or response) names it and no undocumented status was seen;
//   - statuses the builder listed in Undocumented are merged into their operation's row, so
//     either place may be used to record them;
//   - the target URL goes through RedactURL, so credentials in it never reach a report;
//   - the verdict is VerdictError when Errors is non-empty, else VerdictNotConformant when there
//     is a violation, an undocumented status or a failed spec, else VerdictError when nothing was
//     exercised and no spec passed (no evidence either way), else VerdictConformant.
func (c *Compliance) Finalize() {
	if c.SchemaVersion == "" {
		c.SchemaVersion = ComplianceSchemaVersion
	}
	c.Target.URL = RedactURL(c.Target.URL)
	if c.DurationMS == 0 && !c.StartedAt.IsZero() && c.FinishedAt.After(c.StartedAt) {
		c.DurationMS = float64(c.FinishedAt.Sub(c.StartedAt).Microseconds()) / 1000
	}
	// Merge statuses recorded directly in Undocumented into their operations.
	for _, u := range c.Undocumented {
		op := c.operation(u.Operation)
		found := false
		for i := range op.Statuses {
			if op.Statuses[i].Code == u.Code {
				found = true
				if op.Statuses[i].Exchanges < u.Exchanges {
					op.Statuses[i].Exchanges = u.Exchanges
				}
			}
		}
		if !found {
			op.Statuses = append(op.Statuses, Status{Code: u.Code, Exchanges: u.Exchanges})
		}
	}
	// Violations are counted from the list, so a builder cannot make counts and list disagree.
	// A violation's status is the wire code (404); it counts in the cell that covers it (4XX).
	type cell struct{ op, code string }
	byCell := map[cell]int{}
	byOp := map[string]int{}
	for _, v := range c.Violations {
		byOp[v.Operation]++
		if v.Status == "" {
			continue
		}
		code := v.Status
		for i := range c.Operations {
			if op := &c.Operations[i]; op.Key == v.Operation {
				if j := op.cell(v.Status); j >= 0 {
					code = op.Statuses[j].Code
				}
			}
		}
		byCell[cell{v.Operation, code}]++
	}
	c.Undocumented = []Status{}
	cov := Coverage{Constraints: c.Coverage.Constraints}
	if cov.Constraints == nil {
		cov.Constraints = []Constraint{}
	}
	sum := Summary{Violations: len(c.Violations)}
	for i := range c.Operations {
		op := &c.Operations[i]
		if op.Statuses == nil {
			op.Statuses = []Status{}
		}
		sort.SliceStable(op.Statuses, func(a, b int) bool {
			return statusLess(op.Statuses[a].Code, op.Statuses[b].Code)
		})
		op.Exchanges, op.Violations = 0, byOp[op.Key]
		undocumentedSeen := false
		for j := range op.Statuses {
			s := &op.Statuses[j]
			s.Operation = ""
			s.Violations = byCell[cell{op.Key, s.Code}]
			s.Conformant = s.Documented && s.Exchanges > 0 && s.Violations == 0
			op.Exchanges += s.Exchanges
			if s.Documented {
				cov.StatusesTotal++
				if s.Exchanges > 0 {
					cov.StatusesExercised++
				}
			} else if s.Exchanges > 0 {
				undocumentedSeen = true
				u := *s
				u.Operation = op.Key
				c.Undocumented = append(c.Undocumented, u)
			}
		}
		op.Conformant = op.Exchanges > 0 && op.Violations == 0 && !undocumentedSeen
		cov.OperationsTotal++
		if op.Exchanges > 0 {
			cov.OperationsExercised++
		}
		sum.Exchanges += op.Exchanges
	}
	for _, k := range cov.Constraints {
		cov.ConstraintsTotal++
		if k.Exercised {
			cov.ConstraintsExercised++
		}
	}
	c.Coverage = cov
	for _, s := range c.Specs {
		sum.Specs++
		switch s.State {
		case SpecPassed:
			sum.Passed++
		case SpecFailed:
			sum.Failed++
		case SpecSkipped:
			sum.Skipped++
		case SpecPending:
			sum.Pending++
		}
	}
	c.Summary = sum
	c.Verdict, c.VerdictReason = c.verdict()
}

func (c *Compliance) verdict() (Verdict, string) {
	s := c.Summary
	switch {
	case len(c.Errors) > 0:
		return VerdictError, fmt.Sprintf("the run hit %s: %s", plural(len(c.Errors), "setup error"), c.Errors[0])
	case s.Violations > 0 || len(c.Undocumented) > 0 || s.Failed > 0:
		var parts []string
		if s.Violations > 0 {
			parts = append(parts, plural(s.Violations, "contract violation"))
		}
		if n := len(c.Undocumented); n > 0 {
			parts = append(parts, plural(n, "undocumented status"))
		}
		if s.Failed > 0 {
			parts = append(parts, plural(s.Failed, "failed spec"))
		}
		return VerdictNotConformant, strings.Join(parts, ", ")
	case s.Exchanges == 0 && s.Passed == 0:
		return VerdictError, "nothing was exercised: no exchange was validated and no spec passed"
	default:
		return VerdictConformant, fmt.Sprintf("%s validated with no violation; %d of %s passed",
			plural(s.Exchanges, "exchange"), s.Passed, plural(s.Specs, "spec"))
	}
}

// Redacted replaces secret values in reports (the same word contract.Redacted uses).
const Redacted = "REDACTED"

// RedactURL returns raw with its userinfo and every query value replaced by
// Redacted (API gateways accept keys such as subscription-key as query parameters). A value that
// does not parse as a URL is returned unchanged.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.User == nil && u.RawQuery == "") {
		return raw
	}
	if u.User != nil {
		// A bare user name can be a token too, so the whole userinfo goes.
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{Redacted}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") || strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "x") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// statusLess orders status codes numerically, with ranges ("4XX") after their exact codes and
// "default" last.
func statusLess(a, b string) bool {
	ka, kb := statusKey(a), statusKey(b)
	if ka != kb {
		return ka < kb
	}
	return a < b
}

func statusKey(code string) int {
	if n, err := strconv.Atoi(code); err == nil {
		return n * 10
	}
	if len(code) == 3 && (code[1] == 'X' || code[1] == 'x') && code[0] >= '1' && code[0] <= '5' {
		return int(code[0]-'0')*1000 + 999
	}
	return 1 << 30
}
