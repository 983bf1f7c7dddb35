package suites

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/reports"
)

// RecordedExchange is a recorded exchange with the spec that made it and whether its request
// was invalid on purpose (its request violations are then expected, not findings).
type RecordedExchange struct {
	contract.Exchange
	// Spec is the full text of the spec that made the exchange.
	Spec string
	// Invalid says the request was invalid on purpose.
	Invalid bool
}

// SpecViolation is a violation found outside the Recorder (a positive request refused before
// sending, or a callback body) with the spec that found it.
type SpecViolation struct {
	contract.Violation
	// Spec is the full text of the spec.
	Spec string
}

// ComplianceInput is everything BuildCompliance turns into a report.
type ComplianceInput struct {
	// Tool and Target identify the run.
	Tool   reports.Tool
	Target reports.Target
	// Contract is what the run certified against.
	Contract *contract.Contract
	// Started and Finished bound the run.
	Started, Finished time.Time
	// Report is Ginkgo's report of the run; nil when the suite produced none.
	Report *types.Report
	// Exchanges are every recorded exchange, in order.
	Exchanges []RecordedExchange
	// Refused are the violations of positive requests refused before sending.
	Refused []SpecViolation
	// Callbacks are the violations found in callback bodies.
	Callbacks []SpecViolation
	// Constraints are every request-schema constraint of the contract (negative.Constraints).
	Constraints []negative.Constraint
	// Exercised holds the IDs of the constraints whose negative case was sent.
	Exercised map[string]bool
	// Errors are setup errors that kept the run from producing evidence.
	Errors []string
}

// BuildCompliance turns recorded exchanges and the Ginkgo report into a finalized compliance
// report: the operation × status matrix from the in-scope exchanges; every violation except
// the request violations of requests that were invalid on purpose (negative specs expect
// those; their responses still count); the specs with their states and reasons; and coverage of
// operations, statuses and request-schema constraints.
func BuildCompliance(in ComplianceInput) *reports.Compliance {
	info := reports.ContractInfo{}
	if in.Contract != nil {
		info = reports.ContractInfo{Name: in.Contract.Name, Title: in.Contract.Title, Version: in.Contract.Version, OpenAPI: in.Contract.OpenAPI, SHA256: in.Contract.SHA256}
	}
	c := reports.NewCompliance(in.Tool, in.Target, info)
	c.StartedAt, c.FinishedAt = in.Started, in.Finished
	c.Errors = append(c.Errors, in.Errors...)
	if in.Contract != nil {
		for _, op := range in.Contract.Operations {
			c.AddOperation(op.Method, op.Path, op.Statuses...)
		}
	}
	for _, ex := range in.Exchanges {
		if !ex.InScope {
			continue
		}
		if ex.Status > 0 {
			c.AddExchange(ex.Operation, ex.Status)
		}
		if !ex.Invalid {
			for _, v := range ex.RequestViolations {
				c.Violations = append(c.Violations, violation(v, ex.Spec))
			}
		}
		for _, v := range ex.ResponseViolations {
			c.Violations = append(c.Violations, violation(v, ex.Spec))
		}
		if ex.CheckErr != "" {
			c.Violations = append(c.Violations, reports.Violation{
				Operation: ex.Operation, Direction: string(contract.DirResponse), Status: statusString(ex.Status),
				Location: "/", Message: "the exchange could not be validated: " + ex.CheckErr, Spec: ex.Spec,
				HowToFix: "keep bodies within the validator's size limit and send well-formed HTTP",
			})
		}
	}
	for _, v := range in.Refused {
		c.Violations = append(c.Violations, violation(v.Violation, v.Spec))
	}
	for _, v := range in.Callbacks {
		c.Violations = append(c.Violations, violation(v.Violation, v.Spec))
	}
	if in.Report == nil {
		if len(c.Errors) == 0 {
			c.Errors = append(c.Errors, "the suite produced no Ginkgo report")
		}
	} else {
		for _, sr := range in.Report.SpecReports {
			if sr.LeafNodeType != types.NodeTypeIt {
				if sr.State.Is(types.SpecStateFailureStates) {
					c.Errors = append(c.Errors, fmt.Sprintf("%s failed: %s", sr.LeafNodeType, sr.Failure.Message))
				}
				continue
			}
			c.Specs = append(c.Specs, spec(sr))
		}
	}
	for _, k := range in.Constraints {
		c.Coverage.Constraints = append(c.Coverage.Constraints, reports.Constraint{
			Operation: k.Operation, Location: k.Schema, Keyword: k.Keyword, Exercised: in.Exercised[k.ID()],
		})
	}
	c.Finalize()
	return c
}

func violation(v contract.Violation, spec string) reports.Violation {
	return reports.Violation{
		Operation: v.Operation, Direction: string(v.Direction), Status: statusString(v.Status),
		Location: v.Location, Keyword: v.Keyword, Message: v.Message, Reason: v.Reason,
		SpecLine: v.SpecLine, SpecCol: v.SpecCol, HowToFix: v.HowToFix, Spec: spec,
	}
}

func statusString(s int) string {
	if s == 0 {
		return ""
	}
	return strconv.Itoa(s)
}

func spec(sr types.SpecReport) reports.Spec {
	out := reports.Spec{
		Name:       sr.FullText(),
		Labels:     sr.Labels(),
		DurationMS: float64(sr.RunTime.Microseconds()) / 1000,
		Location:   loc(sr.LeafNodeLocation),
	}
	switch {
	case sr.State == types.SpecStatePassed:
		out.State = reports.SpecPassed
	case sr.State == types.SpecStatePending:
		out.State = reports.SpecPending
		out.Reason = "marked pending"
	case sr.State == types.SpecStateSkipped:
		out.State = reports.SpecSkipped
		out.Reason = sr.Failure.Message
		if out.Reason == "" {
			out.Reason = "not selected by the label filter or focus"
		}
	default: // failed, panicked, interrupted, aborted, timed out
		out.State = reports.SpecFailed
		out.Failure = sr.State.String() + ": " + sr.Failure.Message
		if sr.Failure.Location.FileName != "" {
			out.Location = loc(sr.Failure.Location)
		}
	}
	return out
}

func loc(l types.CodeLocation) string {
	if l.FileName == "" {
		return ""
	}
	return filepath.Base(l.FileName) + ":" + strconv.Itoa(l.LineNumber)
}

// complianceInput gathers the run's evidence.
func (s *runState) complianceInput(rep types.Report, have bool) ComplianceInput {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := ComplianceInput{
		Tool:      s.cfg.Tool,
		Target:    reports.Target{URL: s.env.BaseURL, Kind: s.kind},
		Contract:  s.cfg.Validator.Contract(),
		Started:   s.started,
		Finished:  s.finished,
		Exchanges: append([]RecordedExchange(nil), s.tagged...),
		Refused:   append([]SpecViolation(nil), s.refused...),
		Callbacks: append([]SpecViolation(nil), s.callbacks...),
		Exercised: map[string]bool{},
	}
	for k := range s.casesRun {
		in.Exercised[k] = true
	}
	if have {
		in.Report = &rep
	}
	for _, op := range in.Contract.Operations {
		ks, err := s.doc.Constraints(op)
		if err != nil {
			in.Errors = append(in.Errors, "list request constraints: "+err.Error())
			continue
		}
		in.Constraints = append(in.Constraints, ks...)
	}
	return in
}
