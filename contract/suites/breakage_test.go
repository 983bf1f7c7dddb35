package suites

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// TestSuiteFailsAgainstBrokenMock proves the suite can fail: for each breakage mode it runs the
// smoke and stateful specs against a mock that breaks the contract in that way, in a
// subprocess (Ginkgo runs once per process), and checks that the right specs fail with the
// right violations.
func TestSuiteFailsAgainstBrokenMock(t *testing.T) {
	if os.Getenv(envHelperBreakage) != "" {
		t.Skip("inside a helper process")
	}
	tests := []struct {
		mode mock.Breakage
		// check inspects the report of the broken run.
		check func(t *testing.T, c *reports.Compliance)
	}{
		{mock.BreakWrongEnum, func(t *testing.T, c *reports.Compliance) {
			wantViolation(t, c, "GET /checkout/v3/session/{reference}", "/body/sessionState", "/enum")
		}},
		{mock.BreakDropRequiredField, func(t *testing.T, c *reports.Compliance) {
			// Create breaks first (no pollingUrl), which ends those specs; the cleanup's expire
			// (no sessionState) still runs and is checked.
			wantViolation(t, c, "POST /checkout/v3/session", "/body", "/required")
			wantViolation(t, c, "POST /checkout/v3/session/{reference}/expire", "/body", "/required")
		}},
		{mock.BreakUndocumentedStatus, func(t *testing.T, c *reports.Compliance) {
			wantViolation(t, c, "POST /checkout/v3/session", "/status", "")
			found := false
			for _, u := range c.Undocumented {
				if u.Operation == "POST /checkout/v3/session" && u.Code == "201" {
					found = true
				}
			}
			if !found {
				t.Errorf("undocumented statuses %+v: want 201 on create", c.Undocumented)
			}
		}},
		{"", func(t *testing.T, c *reports.Compliance) {
			if c.Verdict != reports.VerdictConformant || c.Summary.Failed != 0 {
				t.Errorf("unbroken mock: verdict %s, %d failed, want conformant", c.Verdict, c.Summary.Failed)
			}
		}},
	}
	for _, tt := range tests {
		name := string(tt.mode)
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuites$", "-test.count=1")
			cmd.Env = append(os.Environ(), envHelperBreakage+"="+string(tt.mode), envHelperOut+"="+out, envHelperFilter+"=smoke || stateful")
			logs, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper run: %v\n%s", err, tail(logs))
			}
			f, err := os.Open(filepath.Join(out, FileComplianceJSON))
			if err != nil {
				t.Fatalf("open report: %v\n%s", err, tail(logs))
			}
			defer f.Close()
			c, err := reports.ReadComplianceJSON(f)
			if err != nil {
				t.Fatal(err)
			}
			if tt.mode != "" {
				if c.Verdict != reports.VerdictNotConformant || c.Summary.Failed == 0 {
					t.Errorf("verdict %s with %d failed specs, want not-conformant with failures", c.Verdict, c.Summary.Failed)
				}
				for _, s := range c.Specs {
					if s.State == reports.SpecFailed && !strings.Contains(s.Failure, "conform") {
						t.Errorf("spec %q failed for another reason than a violation: %s", s.Name, firstLine(s.Failure))
					}
				}
			}
			tt.check(t, c)
		})
	}
}

func wantViolation(t *testing.T, c *reports.Compliance, op, location, keywordSuffix string) {
	t.Helper()
	for _, v := range c.Violations {
		if v.Operation == op && v.Location == location && v.Direction == "response" && strings.HasSuffix(v.Keyword, keywordSuffix) {
			if v.Spec == "" || v.Message == "" {
				t.Errorf("violation %+v lacks its spec or message", v)
			}
			return
		}
	}
	var got []string
	for _, v := range c.Violations {
		got = append(got, v.Operation+" "+v.Location+" "+v.Keyword)
	}
	t.Errorf("no response violation of %s at %s with keyword ...%s; got %q", op, location, keywordSuffix, got)
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
