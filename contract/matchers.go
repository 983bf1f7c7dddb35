package contract

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/onsi/gomega/types"
)

// ConformToContract succeeds when the actual *http.Response conforms to v's contract as the
// answer to its own Request (which http.Client sets). The body is read and restored, so the
// test can still decode it. The failure message lists every violation with its location and
// how to fix it.
//
//	Expect(resp).To(contract.ConformToContract(v))
func ConformToContract(v *Validator) types.GomegaMatcher {
	return &conformMatcher{v: v}
}

type conformMatcher struct {
	v     *Validator
	found []Violation
}

func (m *conformMatcher) Match(actual any) (bool, error) {
	resp, ok := actual.(*http.Response)
	if !ok || resp == nil {
		return false, fmt.Errorf("ConformToContract expects a non-nil *http.Response, got %T", actual)
	}
	if resp.Request == nil {
		return false, fmt.Errorf("ConformToContract needs resp.Request to know the operation; it is nil")
	}
	if m.v == nil {
		return false, fmt.Errorf("ConformToContract was given a nil *Validator")
	}
	vs, err := m.v.ValidateResponse(resp.Request, resp)
	if err != nil {
		return false, fmt.Errorf("validate response: %w", err)
	}
	m.found = vs
	return len(vs) == 0, nil
}

func (m *conformMatcher) FailureMessage(actual any) string {
	resp, _ := actual.(*http.Response)
	what := "the response"
	if resp != nil && resp.Request != nil {
		what = fmt.Sprintf("the %d response to %s %s", resp.StatusCode, resp.Request.Method, resp.Request.URL.Path)
	}
	return fmt.Sprintf("Expected %s to conform to the contract, but found %d violation(s):\n%s", what, len(m.found), listViolations(m.found))
}

func (m *conformMatcher) NegatedFailureMessage(any) string {
	return "Expected the response not to conform to the contract, but it has no violations"
}

// HaveNoResponseViolations succeeds when the actual *Recorder has recorded no response
// violations. The failure message lists each one with its location and how to fix it.
//
//	Expect(recorder).To(contract.HaveNoResponseViolations())
func HaveNoResponseViolations() types.GomegaMatcher { return &noRespMatcher{} }

type noRespMatcher struct{ found []Violation }

func (m *noRespMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Recorder)
	if !ok || r == nil {
		return false, fmt.Errorf("HaveNoResponseViolations expects a non-nil *contract.Recorder, got %T", actual)
	}
	m.found = r.ResponseViolations()
	return len(m.found) == 0, nil
}

func (m *noRespMatcher) FailureMessage(any) string {
	return fmt.Sprintf("Expected no response violations, but the recorder has %d:\n%s", len(m.found), listViolations(m.found))
}

func (m *noRespMatcher) NegatedFailureMessage(any) string {
	return "Expected the recorder to hold response violations, but it has none"
}

// HaveViolationAt succeeds when the actual []Violation holds one whose Location is exactly
// location (a JSON pointer such as /body/transaction/amount/value or /header/client_id).
//
//	Expect(vs).To(contract.HaveViolationAt("/body/reference"))
func HaveViolationAt(location string) types.GomegaMatcher { return &atMatcher{loc: location} }

type atMatcher struct {
	loc string
	vs  []Violation
}

func (m *atMatcher) Match(actual any) (bool, error) {
	vs, ok := actual.([]Violation)
	if !ok {
		return false, fmt.Errorf("HaveViolationAt expects []contract.Violation, got %T", actual)
	}
	m.vs = vs
	for _, v := range vs {
		if v.Location == m.loc {
			return true, nil
		}
	}
	return false, nil
}

func (m *atMatcher) FailureMessage(any) string {
	if len(m.vs) == 0 {
		return fmt.Sprintf("Expected a violation at %s, but there are no violations", m.loc)
	}
	return fmt.Sprintf("Expected a violation at %s, but the %d violation(s) are elsewhere:\n%s", m.loc, len(m.vs), listViolations(m.vs))
}

func (m *atMatcher) NegatedFailureMessage(any) string {
	var at []Violation
	for _, v := range m.vs {
		if v.Location == m.loc {
			at = append(at, v)
		}
	}
	return fmt.Sprintf("Expected no violation at %s, but found:\n%s", m.loc, listViolations(at))
}

func listViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  - ")
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	return b.String()
}
