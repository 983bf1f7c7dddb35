package load

import (
	"io"
	"net/http"
	"time"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/reports"
)

// Defaults of the Runner's options.
const (
	// DefaultRate is the arrival rate (sessions per second) when no schedule is given.
	DefaultRate = 50
	// DefaultDuration is how long the default schedule runs.
	DefaultDuration = 10 * time.Second
	// DefaultWorkers is the number of workers each attack starts with (vegeta's default).
	DefaultWorkers = 10
	// DefaultMaxWorkers caps each attack's workers; beyond it the schedule slips (and the
	// slip is measured, see the package doc).
	DefaultMaxWorkers = 2000
	// DefaultConnections is the idle-connection pool size per host (MaxIdleConnsPerHost).
	DefaultConnections = 10000
	// DefaultTimeout bounds one whole exchange (connect, send, read the body).
	DefaultTimeout = 10 * time.Second
	// DefaultReplayRaceShare is the share of replays sent while the original is in flight.
	DefaultReplayRaceShare = 0.5
	// DefaultReplayDelay is how long after the original completes a delayed replay is sent.
	DefaultReplayDelay = time.Second
	// DefaultSample is the share of successful responses validated against the contract
	// (every error response is validated).
	DefaultSample = 0.01
	// DefaultAuthWindow, DefaultAuthMin and DefaultAuthRatio define an authentication storm:
	// among the first DefaultAuthWindow responses, at least DefaultAuthMin are 401/403 and they
	// are at least DefaultAuthRatio of the responses so far.
	DefaultAuthWindow = 100
	DefaultAuthMin    = 20
	DefaultAuthRatio  = 0.5
	// DefaultQueue is the capacity of the queues that chain operations on references.
	DefaultQueue = 1 << 16
	// DefaultMaxRetryAfter caps the pause one 429 Retry-After can ask for.
	DefaultMaxRetryAfter = time.Minute
)

type options struct {
	scenario       Scenario
	scenarioSet    bool
	schedule       Schedule
	workers        uint64
	maxWorkers     uint64
	connections    int
	maxConnections int
	timeout        time.Duration
	keepAlive      bool
	http2          bool
	header         http.Header
	replay         Replays
	validator      *contract.Validator
	sample         float64
	slos           []SLO
	shard, shards  int
	runID          string
	outDir         string
	progress       io.Writer
	live           bool
	every          time.Duration
	authWindow     int
	authMin        int
	authRatio      float64
	cleanup        bool
	plot           bool
	results        bool
	client         *http.Client
	tool           reports.Tool
	targetKind     string
	config         map[string]string
	queue          int
	maxRetryAfter  time.Duration
}

// Option configures a Runner.
type Option func(*options)

// Replays configures idempotency replays under load.
type Replays struct {
	// Fraction of creates replayed with the same Idempotency-Key and body, 0..1. Default 0.
	Fraction float64
	// RaceShare of those replays are sent while the original is in flight; the rest Delay after
	// it completed. Default DefaultReplayRaceShare.
	RaceShare float64
	// Delay before a delayed replay. Default DefaultReplayDelay.
	Delay time.Duration
}

// WithScenario sets the scenario. Default: the embedded "lifecycle".
func WithScenario(s Scenario) Option { return func(o *options) { o.scenario, o.scenarioSet = s, true } }

// WithSchedule sets the arrival-rate schedule of the driving operation (create in a flow; every
// request in a mix). Default Constant(DefaultRate, DefaultDuration).
func WithSchedule(s Schedule) Option { return func(o *options) { o.schedule = s } }

// WithWorkers sets the initial workers per attack. Default DefaultWorkers.
func WithWorkers(n uint64) Option { return func(o *options) { o.workers = n } }

// WithMaxWorkers caps the workers per attack. Default DefaultMaxWorkers.
func WithMaxWorkers(n uint64) Option { return func(o *options) { o.maxWorkers = n } }

// WithConnections sets the idle connections kept per host. Default DefaultConnections.
func WithConnections(n int) Option { return func(o *options) { o.connections = n } }

// WithMaxConnections caps connections per host (0, the default, means no cap).
func WithMaxConnections(n int) Option { return func(o *options) { o.maxConnections = n } }

// WithTimeout bounds each exchange. Default DefaultTimeout.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithKeepAlive turns connection reuse on or off. Default on.
func WithKeepAlive(b bool) Option { return func(o *options) { o.keepAlive = b } }

// WithHTTP2 lets TLS targets negotiate HTTP/2. Default off (HTTP/1.1, as vegeta's library
// and most merchant back ends): HTTP/2 multiplexes onto few connections and measures something
// else. The choice is recorded in the report.
func WithHTTP2(b bool) Option { return func(o *options) { o.http2 = b } }

// WithHeader sets headers sent on every request (credentials, Vipps-System-*). The Runner
// never logs or reports them.
func WithHeader(h http.Header) Option { return func(o *options) { o.header = h.Clone() } }

// WithReplays configures idempotency replays. Default: none.
func WithReplays(r Replays) Option { return func(o *options) { o.replay = r } }

// WithValidator validates all error responses and a sample share (0..1) of the others against
// the contract, off the hot path. Default: no validation; sample default DefaultSample.
func WithValidator(v *contract.Validator, sample float64) Option {
	return func(o *options) { o.validator, o.sample = v, sample }
}

// WithSLOs sets the thresholds the verdict is judged by.
func WithSLOs(s ...SLO) Option { return func(o *options) { o.slos = append(o.slos, s...) } }

// WithShard runs shard i (0-based) of n: every rate divided by n, a request count shared, and
// references in the shard's own namespace. Default 0 of 1.
func WithShard(i, n int) Option { return func(o *options) { o.shard, o.shards = i, n } }

// WithRunID sets the run id every reference carries ([-a-z0-9], at most 16 characters).
// Default: 8 random characters. Shards of one run share it.
func WithRunID(id string) Option { return func(o *options) { o.runID = id } }

// WithOutDir writes results.bin (vegeta gob), ledger.txt and plot.html into dir. Default: no
// files.
func WithOutDir(dir string) Option { return func(o *options) { o.outDir = dir } }

// WithProgress writes progress to w: a redrawn status line when live, else a plain line every
// interval (default 1s live, 5s plain).
func WithProgress(w io.Writer, live bool, every time.Duration) Option {
	return func(o *options) { o.progress, o.live, o.every = w, live, every }
}

// WithAuthStorm sets the abort rule for 401/403 storms (see DefaultAuthWindow).
func WithAuthStorm(window, minimum int, ratio float64) Option {
	return func(o *options) { o.authWindow, o.authMin, o.authRatio = window, minimum, ratio }
}

// WithCleanup expires every session the run left open at its end. Default on.
func WithCleanup(b bool) Option { return func(o *options) { o.cleanup = b } }

// WithPlot writes vegeta's HTML plot (plot.html) into the out dir. Default on; skipped (and
// noted in the report) for runs of more than 150000 requests, whose plot would not fit in
// constant memory.
func WithPlot(b bool) Option { return func(o *options) { o.plot = b } }

// WithResultsFile writes the vegeta results stream (results.bin) into the out dir. Default on.
func WithResultsFile(b bool) Option { return func(o *options) { o.results = b } }

// WithHTTPClient uses c's Transport as the base of the shared connection pool (tests, custom
// TLS). Its Timeout is replaced by WithTimeout's.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithReportInfo sets the tool and target kind recorded in the report, and the settings to
// record (never credentials).
func WithReportInfo(tool reports.Tool, targetKind string, config map[string]string) Option {
	return func(o *options) { o.tool, o.targetKind, o.config = tool, targetKind, config }
}

// WithQueue sets the capacity of the chaining queues. Default DefaultQueue.
func WithQueue(n int) Option { return func(o *options) { o.queue = n } }

// WithMaxRetryAfter caps one 429 pause. Default DefaultMaxRetryAfter.
func WithMaxRetryAfter(d time.Duration) Option { return func(o *options) { o.maxRetryAfter = d } }

func defaults() options {
	return options{
		schedule:      Constant(DefaultRate, DefaultDuration),
		workers:       DefaultWorkers,
		maxWorkers:    DefaultMaxWorkers,
		connections:   DefaultConnections,
		timeout:       DefaultTimeout,
		keepAlive:     true,
		header:        http.Header{},
		replay:        Replays{RaceShare: DefaultReplayRaceShare, Delay: DefaultReplayDelay},
		sample:        DefaultSample,
		shards:        1,
		authWindow:    DefaultAuthWindow,
		authMin:       DefaultAuthMin,
		authRatio:     DefaultAuthRatio,
		cleanup:       true,
		plot:          true,
		results:       true,
		tool:          reports.Tool{Name: "checkoutkit", Version: "devel"},
		targetKind:    "url",
		queue:         DefaultQueue,
		maxRetryAfter: DefaultMaxRetryAfter,
	}
}
