package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// loadOptions are the flags of "checkoutkit load".
type loadOptions struct {
	target         string
	confirmHost    string
	scenario       string
	rate           float64
	duration       time.Duration
	requests       uint64
	stages         string
	workers        uint64
	maxWorkers     uint64
	connections    int
	maxConnections int
	timeout        time.Duration
	keepAlive      bool
	http2          bool
	replayFraction float64
	replayRace     float64
	replayDelay    time.Duration
	sample         float64
	spec           string
	slos           multiFlag
	shard          string
	shardIndex     int
	runID          string
	out            string
	cleanup        bool
	plot           bool
	progressEvery  time.Duration
}

// runLoad implements "checkoutkit load": it starts the embedded mock (or checks --target),
// runs the scenario with the load library, prints the text summary and writes the reports.
// Exit 0 when every SLO held, 1 on a breach, a correctness failure or an interrupted run, 2 on
// a usage or setup error (including an authentication storm: the keys are wrong).
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o loadOptions
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", "", "base URL to load (default: the embedded mock on 127.0.0.1:0); credentials and Vipps-System-* values come from the environment, see below")
	fs.StringVar(&o.confirmHost, "confirm-host", "", "confirm a non-loopback --target by naming its host exactly (api.vipps.no is always refused)")
	fs.StringVar(&o.scenario, "scenario", "lifecycle", "scenario name ("+strings.Join(load.Scenarios(), ", ")+") or a scenario JSON file")
	fs.Float64Var(&o.rate, "rate", load.DefaultRate, "arrival rate: sessions (flows) or requests (mix) per second, for all shards together")
	fs.DurationVar(&o.duration, "duration", load.DefaultDuration, "how long to send (0 = until --requests)")
	fs.Uint64Var(&o.requests, "requests", 0, "stop after this many sessions/requests (0 = no limit; all shards together)")
	fs.StringVar(&o.stages, "stages", "", `ramped rate instead of --rate/--duration: "30s:100,2m:100,30s:0" (duration:rate reached at its end; starts at 0)`)
	fs.Uint64Var(&o.workers, "workers", load.DefaultWorkers, "initial workers per operation")
	fs.Uint64Var(&o.maxWorkers, "max-workers", load.DefaultMaxWorkers, "most workers per operation; beyond it the schedule slips and the wait is counted in the latency")
	fs.IntVar(&o.connections, "connections", load.DefaultConnections, "idle connections kept per host")
	fs.IntVar(&o.maxConnections, "max-connections", 0, "most connections per host (0 = no cap)")
	fs.DurationVar(&o.timeout, "timeout", load.DefaultTimeout, "timeout of one whole exchange")
	fs.BoolVar(&o.keepAlive, "keepalive", true, "reuse connections")
	fs.BoolVar(&o.http2, "http2", false, "let TLS targets negotiate HTTP/2 (default HTTP/1.1, like most merchant back ends)")
	fs.Float64Var(&o.replayFraction, "replay", 0, "fraction of creates replayed with the same Idempotency-Key and body (0..1)")
	fs.Float64Var(&o.replayRace, "replay-race", load.DefaultReplayRaceShare, "share of replays sent while the original is in flight (the rest after --replay-delay)")
	fs.DurationVar(&o.replayDelay, "replay-delay", load.DefaultReplayDelay, "delay between an original's answer and its delayed replay")
	fs.Float64Var(&o.sample, "sample", load.DefaultSample, "share of successful responses validated against the contract (every error response is; 0 = errors only)")
	fs.StringVar(&o.spec, "spec", "", "OpenAPI document to validate against (default: the bundled contract)")
	fs.Var(&o.slos, "slo", `threshold, repeatable or comma-separated: "create:p99<300ms", "errors<0.1%", "idempotency_mismatch=0", "violations=0"`)
	fs.StringVar(&o.shard, "shard", "1/1", "run shard i of n (1-based): rate and --requests divided by n, references namespaced by shard")
	fs.IntVar(&o.shardIndex, "shard-index", -1, "0-based shard index overriding i of --shard (for Kubernetes Indexed Jobs: $(JOB_COMPLETION_INDEX))")
	fs.StringVar(&o.runID, "run-id", "", "run id carried by every reference (default random; give every shard of a run the same one)")
	fs.StringVar(&o.out, "out", "out", "directory for load.json/.txt/.md/.html, results.bin (vegeta), ledger.txt and plot.html")
	fs.BoolVar(&o.cleanup, "cleanup", true, "expire every session the run left open at its end")
	fs.BoolVar(&o.plot, "plot", true, "also write vegeta's HTML plot (plot.html)")
	fs.DurationVar(&o.progressEvery, "progress-every", 0, "progress interval (default 1s on a terminal, 5s otherwise or when CI is set)")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		if code == exitOK {
			loadHelp(stdout)
		}
		return code
	}
	runner, target, cleanup, err := o.build(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "checkoutkit load: %v\n", err)
		return exitUsage
	}
	defer cleanup()
	fmt.Fprintf(stderr, "checkoutkit load: %s against %s, run %s, shard %s\n", o.scenario, client.RedactURL(target), runner.RunID(), o.shard)
	rep, runErr := runner.Run(ctx)
	if rep == nil {
		return usageError(stderr, "load", runErr)
	}
	if err := reports.WriteLoadText(stdout, rep); err != nil {
		fmt.Fprintf(stderr, "checkoutkit load: %v\n", err)
	}
	paths, werr := reports.WriteLoadFiles(o.out, rep)
	if werr != nil {
		fmt.Fprintf(stderr, "checkoutkit load: writing reports: %v\n", werr)
	} else {
		fmt.Fprintf(stdout, "\nReports: %s, and %s/%s (vegeta results), %s/%s\n", strings.Join(paths, ", "), o.out, load.ResultsFile, o.out, load.LedgerFile)
	}
	switch {
	case errors.Is(runErr, load.ErrAuthStorm):
		fmt.Fprintf(stderr, "checkoutkit load: %v\n", runErr)
		return exitUsage
	case runErr != nil && ctx.Err() == nil:
		fmt.Fprintf(stderr, "checkoutkit load: %v\n", runErr)
		return exitUsage
	case werr != nil:
		return exitUsage
	case rep.Partial:
		fmt.Fprintln(stderr, "checkoutkit load: interrupted; the reports cover what ran and are marked partial")
		return exitFindings
	case rep.Verdict != reports.VerdictPass:
		fmt.Fprintf(stderr, "checkoutkit load: %s\n", rep.VerdictReason)
		return exitFindings
	}
	return exitOK
}

func loadHelp(w io.Writer) {
	envHelp(w, pluginLoad, false)
	fmt.Fprint(w, `
Without --target the embedded mock is loaded with its example keys (the system values above
still apply). A non-loopback --target must be named again with --confirm-host; api.vipps.no is
always refused.

Exit codes: 0 every SLO held, 1 an SLO breach, a correctness failure or an interrupted run,
2 usage or setup error (including wrong keys).
`)
}

// build turns the flags into a Runner; it starts the embedded mock when no target is given.
func (o *loadOptions) build(stderr io.Writer) (*load.Runner, string, func(), error) {
	cleanup := func() {}
	var sc load.Scenario
	var err error
	if strings.HasSuffix(o.scenario, ".json") || strings.ContainsRune(o.scenario, os.PathSeparator) {
		sc, err = load.LoadScenarioFile(o.scenario)
	} else {
		sc, err = load.LoadScenario(o.scenario)
	}
	if err != nil {
		return nil, "", cleanup, err
	}
	sched := load.Constant(o.rate, o.duration)
	if o.stages != "" {
		st, err := load.ParseStages(o.stages)
		if err != nil {
			return nil, "", cleanup, fmt.Errorf("--stages: %w", err)
		}
		sched = load.Schedule{Stages: st}
	}
	sched.MaxHits = o.requests
	if err := sched.Validate(); err != nil {
		return nil, "", cleanup, fmt.Errorf("rate: %w (use --duration or --requests)", err)
	}
	shard, shards, err := parseShard(o.shard, o.shardIndex)
	if err != nil {
		return nil, "", cleanup, err
	}
	slos, err := load.ParseSLOs(o.slos)
	if err != nil {
		return nil, "", cleanup, err
	}
	c, err := contract.Default()
	if o.spec != "" {
		c, err = contract.LoadFile(o.spec)
	}
	if err != nil {
		return nil, "", cleanup, fmt.Errorf("contract: %w", err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		return nil, "", cleanup, fmt.Errorf("contract: %w", err)
	}

	target, kind := o.target, reports.TargetURL
	env := readEnv(os.Getenv, pluginLoad)
	var creds client.Credentials
	if target == "" {
		m := mock.New()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, "", cleanup, fmt.Errorf("embedded mock: %w", err)
		}
		srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		cleanup = func() {
			_ = srv.Close()
			m.Close()
		}
		target, kind = "http://"+ln.Addr().String(), reports.TargetEmbeddedMock
		d := mock.DefaultMerchant
		creds = client.Credentials{ClientID: d.ClientID, ClientSecret: d.ClientSecret, SubscriptionKey: d.SubscriptionKey, MerchantSerialNumber: d.MSN}
	} else {
		if err := checkLoadTarget(target, o.confirmHost); err != nil {
			return nil, "", cleanup, err
		}
		creds = env.Credentials
		if len(env.Missing) > 0 {
			fmt.Fprintf(stderr, "checkoutkit load: warning: %s not set\n", strings.Join(env.Missing, ", "))
		}
	}
	header := client.New(target, creds, client.WithSystemInfo(env.System), client.WithUserAgent("checkoutkit-load/"+version)).Headers()

	live := isTerminal(os.Stderr) && os.Getenv("CI") == ""
	config := map[string]string{
		"scenario": sc.Name, "rate": strconv.FormatFloat(o.rate, 'f', -1, 64), "duration": o.duration.String(),
		"requests": strconv.FormatUint(o.requests, 10), "stages": o.stages, "workers": strconv.FormatUint(o.workers, 10),
		"maxWorkers": strconv.FormatUint(o.maxWorkers, 10), "connections": strconv.Itoa(o.connections),
		"maxConnections": strconv.Itoa(o.maxConnections), "timeout": o.timeout.String(),
		"replay": strconv.FormatFloat(o.replayFraction, 'f', -1, 64), "replayRace": strconv.FormatFloat(o.replayRace, 'f', -1, 64),
		"replayDelay": o.replayDelay.String(), "sample": strconv.FormatFloat(o.sample, 'f', -1, 64), "spec": c.Name,
	}
	r, err := load.New(target,
		load.WithScenario(sc), load.WithSchedule(sched), load.WithWorkers(o.workers), load.WithMaxWorkers(o.maxWorkers),
		load.WithConnections(o.connections), load.WithMaxConnections(o.maxConnections), load.WithTimeout(o.timeout),
		load.WithKeepAlive(o.keepAlive), load.WithHTTP2(o.http2), load.WithHeader(header),
		load.WithReplays(load.Replays{Fraction: o.replayFraction, RaceShare: o.replayRace, Delay: o.replayDelay}),
		load.WithValidator(v, o.sample), load.WithSLOs(slos...), load.WithShard(shard, shards), load.WithRunID(o.runID),
		load.WithOutDir(o.out), load.WithCleanup(o.cleanup), load.WithPlot(o.plot),
		load.WithProgress(os.Stderr, live, o.progressEvery),
		load.WithReportInfo(reports.Tool{Name: "checkoutkit", Version: version}, kind, config))
	if err != nil {
		cleanup()
		return nil, "", func() {}, err
	}
	return r, target, cleanup, nil
}

// parseShard reads "i/n" (1-based); index >= 0 (0-based) overrides i.
func parseShard(s string, index int) (int, int, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want i/n with 1 <= i <= n", s)
	}
	if index >= 0 {
		if index >= n {
			return 0, 0, fmt.Errorf("--shard-index %d: want 0 <= index < %d", index, n)
		}
		return index, n, nil
	}
	return i - 1, n, nil
}

// checkLoadTarget refuses the production host in every spelling (case, trailing dot,
// userinfo, port: client.Hostname decides, as the HTTP client would) whatever --confirm-host
// says, and any other non-loopback host unless --confirm-host names it.
func checkLoadTarget(target, confirmHost string) error {
	host, err := client.Hostname(target)
	if err != nil {
		return err
	}
	if client.IsProductionHost(host) {
		return fmt.Errorf("--target %s: load tests never run against production (%s)", client.RedactURL(target), client.ProductionHost)
	}
	var allow []string
	if confirmHost != "" {
		allow = append(allow, confirmHost)
	}
	if err := client.CheckTarget(target, allow...); err != nil {
		return fmt.Errorf("%w (name the host with --confirm-host)", err)
	}
	return nil
}
