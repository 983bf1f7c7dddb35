package suites

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/reports"
)

// TestFaultSpecsSkipWithoutFaultControl runs the faults specs, in a subprocess, against a mock
// started with WithFaultControl(false): each must be skipped with the reason, not failed, so a
// target without the endpoint gets an honest report.
func TestFaultSpecsSkipWithoutFaultControl(t *testing.T) {
	if os.Getenv(envHelperBreakage) != "" {
		t.Skip("inside a helper process")
	}
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSuites$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelperBreakage+"="+helperNoFaultControl, envHelperOut+"="+out, envHelperFilter+"="+LabelFaults)
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
	if c.Summary.Failed != 0 {
		t.Errorf("%d specs failed, want the fault specs skipped", c.Summary.Failed)
	}
	skipped := 0
	for _, s := range c.Specs {
		if s.State != reports.SpecSkipped || !strings.Contains(s.Name, "Injected backend errors") {
			continue
		}
		skipped++
		if !strings.Contains(s.Reason, "/_mock/faults") {
			t.Errorf("spec %q skipped with reason %q, want one naming /_mock/faults", s.Name, s.Reason)
		}
	}
	if skipped != 12 {
		t.Errorf("%d fault specs skipped, want 12 (4 operations x 429, 500, 502)", skipped)
	}
}
