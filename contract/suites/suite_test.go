package suites

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// Environment of a helper run (see breakage_test.go): the breakage mode for the embedded mock,
// the output folder and the label filter.
const (
	envHelperBreakage = "CHECKOUTKIT_SUITES_HELPER_BREAKAGE"
	envHelperOut      = "CHECKOUTKIT_SUITES_HELPER_OUT"
	envHelperFilter   = "CHECKOUTKIT_SUITES_HELPER_FILTER"
	// helperNoFaultControl, as the breakage mode, runs the mock without /_mock/faults instead.
	helperNoFaultControl = "no-fault-control"
)

// TestSuites is the package's one Ginkgo bootstrap: it runs every spec against an in-process
// mock through the same runner the binary uses, and checks the evidence. Run as a helper
// process (breakage_test.go) it runs the suite against a deliberately broken mock instead and
// only writes the reports, for the parent to inspect.
func TestSuites(t *testing.T) {
	if mode, ok := os.LookupEnv(envHelperBreakage); ok {
		helperRun(t, mock.Breakage(mode))
		return
	}
	out := t.TempDir()
	comp, err := run(context.Background(), Config{Out: out, RunPrefix: "ckktest", Tool: reports.Tool{Name: "checkoutkit", Version: "test"}}, t)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if comp.Verdict != reports.VerdictConformant {
		t.Errorf("verdict %s (%s), want conformant against the mock", comp.Verdict, comp.VerdictReason)
		for _, v := range comp.Violations {
			t.Logf("violation: %+v", v)
		}
	}
	if comp.Summary.Exchanges < 100 || comp.Summary.Passed < 100 {
		t.Errorf("summary %+v: want over 100 exchanges and passed specs", comp.Summary)
	}
	if comp.Coverage.OperationsExercised != comp.Coverage.OperationsTotal {
		t.Errorf("operations exercised %d of %d", comp.Coverage.OperationsExercised, comp.Coverage.OperationsTotal)
	}
	// Every documented status, 429/500/502 included (FaultSpec injects them through the mock).
	if comp.Coverage.StatusesExercised != comp.Coverage.StatusesTotal {
		t.Errorf("statuses exercised %d of %d", comp.Coverage.StatusesExercised, comp.Coverage.StatusesTotal)
	}
	if comp.Coverage.ConstraintsExercised == 0 || comp.Coverage.ConstraintsExercised > comp.Coverage.ConstraintsTotal {
		t.Errorf("constraints exercised %d of %d", comp.Coverage.ConstraintsExercised, comp.Coverage.ConstraintsTotal)
	}
	for _, f := range []string{FileJUnit, FileGinkgoJSON, FileComplianceJSON, FileComplianceMD, FileComplianceHTML} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("report %s missing or empty: %v", f, err)
		}
	}
	if _, err := Run(context.Background(), Config{}); err != ErrAlreadyRan {
		t.Errorf("second Run: err %v, want ErrAlreadyRan", err)
	}
}

func helperRun(t *testing.T, mode mock.Breakage) {
	cfg := Config{Out: os.Getenv(envHelperOut), LabelFilter: os.Getenv(envHelperFilter), RunPrefix: "ckkbreak", NoColor: true}
	switch mode {
	case "":
	case helperNoFaultControl:
		cfg.MockOptions = []mock.Option{mock.WithFaultControl(false)}
	default:
		cfg.MockOptions = []mock.Option{mock.WithBreakage(mode)}
	}
	// A Fail()-only T: failing specs are the point here; the parent reads the reports.
	if _, err := run(context.Background(), cfg, &failT{}); err != nil {
		t.Fatalf("helper run: %v", err)
	}
}
