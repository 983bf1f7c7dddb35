package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/suites"
	"github.com/checkoutkit/checkoutkit/reports"
)

// contractOptions are the contract command's flags.
type contractOptions struct {
	target          string
	spec            string
	labelFilter     string
	out             string
	allowProduction bool
	targetIsMock    bool
	runPrefix       string
	callbackBase    string
	timeout         time.Duration
	verbose         bool
}

// runContract implements "checkoutkit contract": run the contract suites against the embedded
// mock (default) or --target, print a summary, write the reports into --out.
func runContract(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("contract", flag.ContinueOnError)
	var o contractOptions
	fs.StringVar(&o.target, "target", "", "base URL of the Checkout endpoint to certify, e.g. https://apitest.vipps.no (default: the embedded mock on a loopback port)")
	fs.StringVar(&o.spec, "spec", "", "OpenAPI document to certify against instead of the bundled Checkout v3 contract")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter selecting specs; labels: "+strings.Join(suites.AllLabels, ", ")+` (e.g. "smoke && !mock-only")`)
	fs.StringVar(&o.out, "out", "out", "folder for junit.xml, ginkgo-report.json and compliance.{json,md,html}")
	fs.BoolVar(&o.allowProduction, "allow-production", false, "DANGER: allow the PRODUCTION host api.vipps.no as --target (refused without this flag; a live run never approves money and expires every session it creates)")
	fs.BoolVar(&o.targetIsMock, "target-is-mock", false, "the --target is a checkoutkit mock (checkoutkit mock) on a loopback address: run the mock-only specs through its control API (refused for any other host)")
	fs.StringVar(&o.runPrefix, "run-prefix", "", "prefix of every reference the run creates (default ckk + the start time in base 36)")
	fs.StringVar(&o.callbackBase, "callback-base", "", "base URL for merchantInfo.callbackUrl (default: the run's own loopback receiver)")
	fs.DurationVar(&o.timeout, "timeout", suites.DefaultTimeout, "bound on the whole suite")
	fs.BoolVar(&o.verbose, "v", false, "print every spec as it runs")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		if code == exitOK {
			contractHelp(stdout)
		}
		return code
	}
	cfg, err := contractConfig(o, os.Getenv)
	if err != nil {
		return usageError(stderr, "contract", err)
	}
	if o.allowProduction {
		fmt.Fprintln(stderr, "checkoutkit contract: WARNING --allow-production is set: the PRODUCTION host api.vipps.no may be contacted. The run creates and expires sessions there but never approves or captures money.")
	}
	comp, err := suites.Run(ctx, cfg)
	if comp != nil {
		writeContractSummary(stdout, comp, o.out)
	}
	if err != nil {
		return usageError(stderr, "contract", err)
	}
	switch comp.Verdict {
	case reports.VerdictConformant:
		return exitOK
	case reports.VerdictNotConformant:
		return exitFindings
	default:
		return exitUsage
	}
}

func contractHelp(w io.Writer) {
	fmt.Fprint(w, `
Without --target the suites run against the embedded mock, started in-process on 127.0.0.1.
`)
	envHelp(w, pluginContract, true)
	fmt.Fprint(w, `
Live safety: api.vipps.no is refused unless --allow-production; every reference starts with the
run prefix; every session created is expired afterwards; 429 answers are retried after
Retry-After; specs labelled mock-only are skipped, and reported as skipped, on live targets.
--target-is-mock is refused unless the target is loopback.

Exit codes: 0 conformant, 1 not conformant or a spec failed, 2 usage or setup error.
`)
}

// contractConfig turns flags and environment into the runner's Config.
func contractConfig(o contractOptions, getenv func(string) string) (suites.Config, error) {
	cfg := suites.Config{
		Target:          o.target,
		LabelFilter:     o.labelFilter,
		Out:             o.out,
		AllowProduction: o.allowProduction,
		RunPrefix:       o.runPrefix,
		CallbackBaseURL: o.callbackBase,
		CallbackToken:   getenv(envCallbackToken),
		Timeout:         o.timeout,
		Verbose:         o.verbose,
		NoColor:         getenv("CI") != "" || !isTerminal(os.Stdout),
		Tool:            reports.Tool{Name: "checkoutkit", Version: version},
	}
	c, err := contract.LoadFile(o.spec)
	if err != nil {
		return cfg, err
	}
	if cfg.Validator, err = contract.NewValidator(c); err != nil {
		return cfg, err
	}
	env := readEnv(getenv, pluginContract)
	cfg.SystemInfo = env.System
	if o.target == "" {
		if o.targetIsMock {
			return cfg, fmt.Errorf("--target-is-mock needs --target")
		}
		return cfg, nil
	}
	host, err := client.Hostname(o.target)
	if err != nil {
		return cfg, fmt.Errorf("--target %q: want a base URL such as https://apitest.vipps.no", client.RedactURL(o.target))
	}
	// The mock-only specs send unauthenticated /_mock/ control and fault calls; against a live
	// host they would poke at a real service, so --target-is-mock only believes loopback.
	if o.targetIsMock && !client.IsLoopbackHost(host) {
		return cfg, fmt.Errorf("--target-is-mock needs a loopback --target (localhost, 127.0.0.0/8, ::1), not %s: the mock-only specs send /_mock/ control and fault calls", host)
	}
	// Production is decided here, on the normalised host (any case, trailing dot, userinfo), and
	// passed on only as AllowProduction: it never enters AllowHosts.
	if client.IsProductionHost(host) && !o.allowProduction {
		return cfg, fmt.Errorf("--target %q: %w (add --allow-production)", client.RedactURL(o.target), client.ErrProductionHost)
	}
	// The user named this host explicitly, so it is allowed.
	if !client.IsProductionHost(host) && !client.IsLoopbackHost(host) {
		cfg.AllowHosts = []string{host}
	}
	cfg.Live = !o.targetIsMock
	cfg.Credentials = env.Credentials
	if len(env.Missing) > 0 {
		return cfg, fmt.Errorf("--target needs credentials in the environment: %s not set", strings.Join(env.Missing, ", "))
	}
	return cfg, nil
}

// writeContractSummary prints the human summary of a run.
func writeContractSummary(w io.Writer, c *reports.Compliance, out string) {
	s, cov := c.Summary, c.Coverage
	fmt.Fprintf(w, "\ncheckoutkit contract — %s\n", strings.ToUpper(string(c.Verdict)))
	if c.VerdictReason != "" {
		fmt.Fprintf(w, "  %s\n", c.VerdictReason)
	}
	fmt.Fprintf(w, "  target    %s (%s)\n", c.Target.URL, c.Target.Kind)
	fmt.Fprintf(w, "  contract  %s %s (%s)\n", c.Contract.Title, c.Contract.Version, c.Contract.Name)
	fmt.Fprintf(w, "  specs     %d run: %d passed, %d failed, %d skipped\n", s.Specs, s.Passed, s.Failed, s.Skipped)
	fmt.Fprintf(w, "  exchanges %d validated, %d violations, %d undocumented statuses\n", s.Exchanges, s.Violations, len(c.Undocumented))
	fmt.Fprintf(w, "  coverage  operations %d/%d, statuses %d/%d, request constraints %d/%d\n",
		cov.OperationsExercised, cov.OperationsTotal, cov.StatusesExercised, cov.StatusesTotal, cov.ConstraintsExercised, cov.ConstraintsTotal)
	fmt.Fprintf(w, "  time      %.2fs\n", c.DurationMS/1000)
	for _, e := range c.Errors {
		fmt.Fprintf(w, "  error     %s\n", e)
	}
	const maxShown = 10
	for i, v := range c.Violations {
		if i == maxShown {
			fmt.Fprintf(w, "  ... and %d more violations in the report\n", len(c.Violations)-maxShown)
			break
		}
		fmt.Fprintf(w, "  violation %s %s %s %s: %s", v.Operation, v.Direction, v.Status, v.Location, v.Message)
		if v.SpecLine > 0 {
			fmt.Fprintf(w, " [spec %d:%d]", v.SpecLine, v.SpecCol)
		}
		if v.HowToFix != "" {
			fmt.Fprintf(w, " — fix: %s", v.HowToFix)
		}
		fmt.Fprintln(w)
	}
	failed := 0
	for _, sp := range c.Specs {
		if sp.State != reports.SpecFailed {
			continue
		}
		if failed == maxShown {
			fmt.Fprintln(w, "  ... more failed specs in the report")
			break
		}
		failed++
		msg, _, _ := strings.Cut(sp.Failure, "\n")
		fmt.Fprintf(w, "  failed    %s: %s\n", sp.Name, msg)
	}
	if out != "" {
		fmt.Fprintf(w, "  reports   %s\n", strings.Join([]string{
			filepath.Join(out, suites.FileComplianceHTML), filepath.Join(out, suites.FileComplianceMD),
			filepath.Join(out, suites.FileComplianceJSON), filepath.Join(out, suites.FileJUnit), filepath.Join(out, suites.FileGinkgoJSON),
		}, ", "))
	}
}
