package load

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/reports"
)

// Files the Runner writes into its out dir.
const (
	// ResultsFile is the vegeta results stream (gob), readable by `vegeta report` and `vegeta
	// plot`. Latency in it is measured from the intended send time; Timestamp is when a worker
	// picked the request up; bodies and headers are stripped.
	ResultsFile = "results.bin"
	// LedgerFile lists every reference the run used, one per line.
	LedgerFile = "ledger.txt"
	// PlotFile is vegeta's own HTML latency plot.
	PlotFile = "plot.html"
)

// Config keys the clean-up reports under.
const (
	// ConfigCleanupAlreadyGone counts sessions left open that the clean-up found already gone
	// (404: expired by the target or evicted); they are not leaks and not counted as expired.
	ConfigCleanupAlreadyGone = "observed.cleanup.alreadyGone"
	// ConfigCleanupThrottled counts clean-up expires answered 429 and retried after Retry-After.
	ConfigCleanupThrottled = "observed.cleanup.throttled"
	// ConfigOpenSpilled counts created sessions tracked on disk rather than in memory (past
	// maxOpenInMemory open at once).
	ConfigOpenSpilled = "observed.openSessionsSpilled"
	// ConfigOpenSpillError holds an error of the open-session spill files, if any.
	ConfigOpenSpillError = "observed.openSessionsSpillError"
)

// maxPlotRequests is the largest run (requests expected) for which plot.html is drawn.
const maxPlotRequests = 150000

// echoKeyHeader carries a request's Idempotency-Key back on its response inside the process
// (the transport adds it; the results loop reads and removes it): vegeta's Result has no
// request data, and this is how a create result is tied to its reference.
const echoKeyHeader = "X-Checkoutkit-Request-Key"

// starvedMarker is the URL of the no-op target a Targeter returns when it has nothing to send:
// it fails in http.NewRequest (control character), so nothing goes on the wire, the attack
// goes on (a Targeter error would stop it), and the results loop counts it as starvation.
const starvedMarker = "checkoutkit-starved"

const starvedURL = starvedMarker + "\x7f"

// ErrAuthStorm is the error Run returns (beside a partial report) when it aborted on a storm of
// 401/403 answers.
var ErrAuthStorm = errors.New("aborted: storm of 401/403 answers (check the credentials)")

var runIDRE = regexp.MustCompile(`^[a-z0-9][-a-z0-9]{0,15}$`)

// Runner runs one load test. Create it with New; Run it once.
type Runner struct {
	base string // target base URL without trailing slash
	o    options
}

// New checks the options and returns a Runner for the target base URL. It does not contact
// the target. Host safety (loopback, confirmation, production refusal) is the caller's job.
func New(target string, opts ...Option) (*Runner, error) {
	o := defaults()
	for _, f := range opts {
		f(&o)
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %q: want an http(s) base URL", target)
	}
	if !o.scenarioSet {
		if o.scenario, err = LoadScenario("lifecycle"); err != nil {
			return nil, err
		}
	}
	if err := o.scenario.Validate(); err != nil {
		return nil, err
	}
	if o.shards < 1 || o.shard < 0 || o.shard >= o.shards {
		return nil, fmt.Errorf("shard %d/%d: want 0 <= i < n", o.shard, o.shards)
	}
	if err := o.schedule.Validate(); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	if o.runID == "" {
		o.runID = randomID(8)
	}
	if !runIDRE.MatchString(o.runID) {
		return nil, fmt.Errorf("run id %q: want 1-16 of [-a-z0-9]", o.runID)
	}
	if o.replay.Fraction < 0 || o.replay.Fraction > 1 || o.replay.RaceShare < 0 || o.replay.RaceShare > 1 {
		return nil, fmt.Errorf("replays: fraction and race share must be within 0..1")
	}
	if o.replay.Fraction > 0 && !o.scenario.has(OpCreate) {
		return nil, fmt.Errorf("replays need a scenario with creates")
	}
	if o.sample < 0 || o.sample > 1 {
		return nil, fmt.Errorf("validation sample %v: want 0..1", o.sample)
	}
	if o.workers == 0 || o.maxWorkers == 0 || o.workers > o.maxWorkers {
		return nil, fmt.Errorf("workers %d, max workers %d: want 1 <= workers <= max workers", o.workers, o.maxWorkers)
	}
	if o.timeout <= 0 {
		return nil, fmt.Errorf("timeout must be positive")
	}
	if o.queue < 1 {
		o.queue = DefaultQueue
	}
	return &Runner{base: strings.TrimRight(target, "/"), o: o}, nil
}

// RunID returns the run id the references carry.
func (r *Runner) RunID() string { return r.o.runID }

func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// run is the state of one Run.
type run struct {
	*Runner
	ctx    context.Context // cancelled on abort or when the caller cancels
	cancel context.CancelFunc
	client *http.Client
	tmpl   bodyTemplate
	sched  Schedule // this shard's schedule of the driving attack
	start  time.Time

	refSeq    atomic.Uint64
	stats     map[string]*opStats
	overall   *opStats
	throttle  throttle
	validator *sampler
	idem      *idemTracker

	mu         sync.Mutex
	open       *openSet            // sessions created and not yet expired (bounded in memory, rest on disk)
	uncertain  map[string]struct{} // creates whose outcome is unknown (transport failure)
	created    int
	expired    int
	cleanupErr error // reading the spilled open sessions failed
	gone       int   // open sessions the clean-up found already gone (404)

	cleanupThrottled atomic.Int64 // clean-up expires answered 429 (and retried)

	starved  atomic.Int64
	slipped  atomic.Int64
	authSeen atomic.Int64
	authBad  atomic.Int64
	aborted  atomic.Bool

	outMu   sync.Mutex
	enc     vegeta.Encoder
	encBuf  *bufio.Writer
	plot    *plot.Plot
	ledMu   sync.Mutex
	ledger  *bufio.Writer
	outErrs []error

	plotSkipped bool
	done        atomic.Int64 // results processed
	expected    uint64
}

// Run runs the load test and returns its report. The report is returned (marked partial) even
// when ctx is cancelled or the run aborts; the error is then ctx's or ErrAuthStorm. Other
// errors mean the run could not start or its files could not be written.
func (r *Runner) Run(ctx context.Context) (*reports.Load, error) {
	rc, cancel := context.WithCancel(ctx)
	defer cancel()
	st := &run{Runner: r, ctx: rc, cancel: cancel, open: newOpenSet(maxOpenInMemory, r.o.outDir), uncertain: map[string]struct{}{}}
	defer st.open.close()
	st.sched = r.o.schedule.Split(r.o.shard, r.o.shards)
	var err error
	if st.tmpl, err = newBodyTemplate(r.o.scenario.Body); err != nil {
		return nil, err
	}
	st.client = r.httpClient(st)
	defer st.client.CloseIdleConnections()
	files, err := st.openFiles()
	if err != nil {
		return nil, err
	}
	defer closeAll(files)

	st.idem = newIdemTracker(st.resend)
	st.idem.replayCreated = st.sessionCreated
	if r.o.validator != nil {
		st.validator = newSampler(r.o.validator, r.o.sample)
	}
	seeded, err := st.seed()
	if err != nil && rc.Err() == nil {
		return nil, err
	}
	st.start = time.Now()
	horizon := r.o.timeout + 2*time.Second
	st.overall = newOpStats("overall", st.start, horizon)
	st.stats = map[string]*opStats{}
	ops := r.o.scenario.ops()
	if r.o.replay.Fraction > 0 {
		ops = append(ops, OpReplay)
	}
	for _, op := range ops {
		st.stats[op] = newOpStats(op, st.start, horizon)
	}
	st.setAskedRates(ops)

	stopProgress := st.startProgress()
	st.attack(seeded)
	elapsed := time.Since(st.start)
	stopProgress()
	if st.validator != nil {
		st.validator.close()
	}
	st.idem.close()

	partial := rc.Err() != nil
	leftOpen := st.cleanupSessions()
	rep, rerr := st.report(elapsed, partial, leftOpen)
	if werr := st.finishFiles(files); werr != nil && rerr == nil {
		rerr = werr
	}
	switch {
	case rerr != nil:
		return rep, rerr
	case st.aborted.Load():
		return rep, ErrAuthStorm
	case ctx.Err() != nil:
		return rep, ctx.Err()
	}
	return rep, nil
}

func (st *run) setAskedRates(ops []string) {
	rate := st.sched.MeanRate()
	sc := st.o.scenario
	var total float64
	for _, op := range ops {
		var asked float64
		switch {
		case op == OpReplay:
			// Replays follow the creates (racing at once, delayed after a pause): they have no
			// schedule of their own to slip from.
			asked = 0
		case len(sc.Mix) > 0:
			var sum float64
			for _, w := range sc.Mix {
				sum += w
			}
			asked = rate * sc.Mix[op] / sum
		default:
			asked = rate
		}
		st.stats[op].askedRate = asked
		total += asked
	}
	st.overall.askedRate = total
	st.expected = uint64(float64(st.sched.ExpectedHits()) * total / maxf(rate, 1e-9))
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// httpClient builds the one client (and connection pool) every attack, the seed and the
// clean-up share.
func (r *Runner) httpClient(st *run) *http.Client {
	var base http.RoundTripper
	if r.o.client != nil && r.o.client.Transport != nil {
		base = r.o.client.Transport
	} else {
		tr := &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: r.o.timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: r.o.connections,
			MaxConnsPerHost:     r.o.maxConnections,
			DisableKeepAlives:   !r.o.keepAlive,
			ForceAttemptHTTP2:   r.o.http2,
			TLSHandshakeTimeout: r.o.timeout,
		}
		if !r.o.http2 {
			// A non-nil empty map turns HTTP/2 off for TLS targets.
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		base = tr
	}
	return &http.Client{Timeout: r.o.timeout, Transport: &runTransport{next: base, st: st},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// runTransport ties requests to the run: each request gets the run's context (so a cancelled
// run aborts in-flight requests at once instead of waiting for the timeout; vegeta's requests
// carry none), the request's Idempotency-Key is echoed on the response for the results loop,
// and a create that failed in transport is remembered, since it may still have created a
// session the clean-up must expire.
type runTransport struct {
	next http.RoundTripper
	st   *run
}

func (t *runTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Header.Get(checkout.HeaderIdempotencyKey)
	resp, err := t.next.RoundTrip(req.WithContext(t.st.ctx))
	if err != nil {
		if key != "" && req.Method == http.MethodPost {
			t.st.createFailed(key, req.Header.Get("X-Vegeta-Attack") == OpReplay)
		}
		return nil, err
	}
	if key != "" {
		resp.Header.Set(echoKeyHeader, key)
	}
	return resp, nil
}

// resend replays ref's create once more, unmeasured, for the idempotency check.
func (st *run) resend(ref string) outcome {
	if st.ctx.Err() != nil {
		return outcome{done: true, failed: true} // the run was stopped: do not linger
	}
	var t vegeta.Target
	st.createTarget(&t, ref)
	ctx, cancel := context.WithTimeout(context.Background(), st.o.timeout)
	defer cancel()
	req, err := t.Request()
	if err != nil {
		return outcome{done: true, failed: true}
	}
	resp, err := st.client.Transport.(*runTransport).next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return outcome{done: true, failed: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return outcome{done: true, failed: true}
	}
	return outcomeOf(&vegeta.Result{Code: uint16(resp.StatusCode), Body: body})
}

// reference returns the next reference of this shard: ck-<run>-<shard>-<n>, unique across
// shards of one run.
func (st *run) reference() string {
	n := st.refSeq.Add(1)
	return "ck-" + st.o.runID + "-" + strconv.Itoa(st.o.shard) + "-" + strconv.FormatUint(n, 36)
}

// keyFor is the Idempotency-Key of a reference's create: unique per session, and derivable so
// a result can be tied back to its reference.
func keyFor(ref string) string { return "idem-" + ref }

func refFromKey(key string) string { return strings.TrimPrefix(key, "idem-") }

func (st *run) sessionURL(ref string) string {
	return st.base + checkout.BasePath + "/session/" + ref
}

func (st *run) logRef(ref string) {
	if st.ledger == nil {
		return
	}
	st.ledMu.Lock()
	_, _ = st.ledger.WriteString(ref)
	_ = st.ledger.WriteByte('\n')
	st.ledMu.Unlock()
}

// createTarget fills t with a create for ref; the header map is fresh (vegeta copies it, but
// never share a map that a later call mutates).
func (st *run) createTarget(t *vegeta.Target, ref string) {
	h := st.o.header.Clone()
	h.Set("Content-Type", "application/json")
	h.Set(checkout.HeaderIdempotencyKey, keyFor(ref))
	t.Method, t.URL, t.Body, t.Header = http.MethodPost, st.base+checkout.BasePath+"/session", st.tmpl.with(ref), h
}

func (st *run) getTarget(t *vegeta.Target, ref string) {
	t.Method, t.URL, t.Body, t.Header = http.MethodGet, st.sessionURL(ref), nil, st.o.header
}

func (st *run) expireTarget(t *vegeta.Target, ref string) {
	t.Method, t.URL, t.Body, t.Header = http.MethodPost, st.sessionURL(ref)+"/expire", nil, st.o.header
}

func starvedTarget(t *vegeta.Target) {
	t.Method, t.URL, t.Body, t.Header = http.MethodGet, starvedURL, nil, nil
}

func (st *run) createFailed(key string, replay bool) {
	ref := refFromKey(key)
	if !replay {
		st.mu.Lock()
		st.uncertain[ref] = struct{}{}
		st.mu.Unlock()
	}
	st.idem.failed(ref, replay)
}

func (st *run) sessionCreated(ref string) {
	st.mu.Lock()
	st.open.add(ref)
	delete(st.uncertain, ref)
	st.created++
	st.mu.Unlock()
}

// cleanedUp records a clean-up expire that succeeded; a create whose outcome was unknown
// evidently created its session.
func (st *run) cleanedUp(ref string) {
	st.mu.Lock()
	if _, ok := st.uncertain[ref]; ok {
		delete(st.uncertain, ref)
		st.created++
		st.open.add(ref)
	}
	st.mu.Unlock()
	st.sessionExpired(ref)
}

// alreadyGone records a clean-up expire answered 404: an open session was already closed by
// the target (expired or evicted), so it is no longer open and not a leak; a create whose
// outcome was unknown evidently never created one.
func (st *run) alreadyGone(ref string) {
	st.mu.Lock()
	delete(st.uncertain, ref)
	if st.open.remove(ref) {
		st.gone++
	}
	st.mu.Unlock()
}

func (st *run) sessionExpired(ref string) {
	st.mu.Lock()
	if st.open.remove(ref) {
		st.expired++
	}
	st.mu.Unlock()
}

// openFiles creates the out dir files.
func (st *run) openFiles() ([]*os.File, error) {
	if st.o.outDir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(st.o.outDir, 0o755); err != nil {
		return nil, fmt.Errorf("out dir: %w", err)
	}
	var files []*os.File
	led, err := os.Create(filepath.Join(st.o.outDir, LedgerFile))
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	files = append(files, led)
	st.ledger = bufio.NewWriterSize(led, 64<<10)
	if st.o.results {
		f, err := os.Create(filepath.Join(st.o.outDir, ResultsFile))
		if err != nil {
			closeAll(files)
			return nil, fmt.Errorf("results file: %w", err)
		}
		files = append(files, f)
		st.encBuf = bufio.NewWriterSize(f, 256<<10)
		st.enc = vegeta.NewEncoder(st.encBuf)
	}
	// vegeta's plot keeps every point (compressed) and decompresses them all to downsample when
	// it renders, so its memory grows with the run; above maxPlotRequests the run skips it to
	// keep memory flat (`vegeta plot results.bin` draws it afterwards).
	want := st.sched.ExpectedHits() * uint64(len(st.o.scenario.ops()))
	if st.o.plot && want > maxPlotRequests {
		st.plotSkipped = true
	}
	if st.o.plot && !st.plotSkipped {
		st.plot = plot.New(plot.Title("checkoutkit load "+st.o.runID), plot.Downsample(4000), plot.Label(opLabeler))
	}
	return files, nil
}

// opLabeler splits the plot's series by operation and outcome.
func opLabeler(r *vegeta.Result) string {
	op := opOf(r)
	if r.Error != "" {
		return op + " ERROR"
	}
	return op + " OK"
}

func closeAll(files []*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

func (st *run) finishFiles(files []*os.File) error {
	if st.o.outDir == "" {
		return nil
	}
	var errs []error
	errs = append(errs, st.outErrs...)
	if err := st.ledger.Flush(); err != nil {
		errs = append(errs, fmt.Errorf("ledger: %w", err))
	}
	if st.encBuf != nil {
		if err := st.encBuf.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("results file: %w", err))
		}
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if st.plot != nil {
		st.plot.Close()
		f, err := os.Create(filepath.Join(st.o.outDir, PlotFile))
		if err == nil {
			_, err = st.plot.WriteTo(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("plot: %w", err))
		}
	}
	return errors.Join(errs...)
}

// opOf names a result's operation from its method and URL (the Attack name is not enough in a
// mix).
func opOf(r *vegeta.Result) string {
	if r.Attack == OpReplay {
		return OpReplay
	}
	switch {
	case r.Method == http.MethodGet:
		return OpGet
	case strings.HasSuffix(r.URL, "/expire"):
		return OpExpire
	case r.Method == http.MethodPost:
		return OpCreate
	}
	return r.Attack
}

// peakRSS reads the process's peak resident set size (Linux; 0 elsewhere).
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func (st *run) report(elapsed time.Duration, partial bool, leftOpen int) (*reports.Load, error) {
	l := reports.NewLoad(st.o.tool, reports.Target{URL: st.base, Kind: st.o.targetKind}, st.o.scenario.Name, st.o.runID)
	l.Shard = fmt.Sprintf("%d/%d", st.o.shard+1, st.o.shards)
	l.Partial = partial
	l.StartedAt = st.start.UTC()
	l.DurationMS = ms(elapsed)
	for k, v := range st.o.config {
		l.Config[k] = v
	}
	l.Config["http2"] = strconv.FormatBool(st.o.http2)
	l.Config["keepAlive"] = strconv.FormatBool(st.o.keepAlive)
	l.Config["latencyFrom"] = "intended send time (coordinated-omission corrected)"
	l.Config["latencySource"] = "latency: exact HDR histogram (3 significant digits); tdigest: vegeta Metrics (t-digest, estimates)"
	if st.plotSkipped {
		l.Config["observed.plot"] = "skipped: run too long for vegeta's in-memory plot; run `vegeta plot results.bin`"
	}
	l.ThrottlePauseMS = ms(st.throttle.paused())
	st.mu.Lock()
	l.Config[ConfigCleanupAlreadyGone] = strconv.Itoa(st.gone)
	if st.cleanupErr != nil || st.open.err != nil {
		l.Config[ConfigOpenSpillError] = errors.Join(st.cleanupErr, st.open.err).Error()
	}
	l.Config[ConfigOpenSpilled] = strconv.Itoa(st.open.spilled)
	st.mu.Unlock()
	l.Config[ConfigCleanupThrottled] = strconv.FormatInt(st.cleanupThrottled.Load(), 10)
	if st.validator != nil {
		for k, v := range st.validator.config() {
			l.Config[k] = v
		}
	}
	var errs []error
	for _, op := range append(st.o.scenario.ops(), OpReplay) {
		s, ok := st.stats[op]
		if !ok {
			continue
		}
		lo, err := s.report()
		errs = append(errs, err)
		l.Operations = append(l.Operations, lo)
	}
	ov, err := st.overall.report()
	errs = append(errs, err)
	// The overall achieved rate is the sum of the operations' own rates: measured over the
	// whole run's span it would be diluted by the chain's tail (the last gets and expires, the
	// delayed replays) and look like a slipped schedule.
	ov.AchievedRate, ov.AskedRate = 0, 0
	for _, op := range l.Operations {
		ov.AchievedRate += op.AchievedRate
		ov.AskedRate += op.AskedRate
	}
	l.Overall = ov
	l.Idempotency = st.idem.report()
	if st.validator != nil {
		l.Contract = st.validator.report()
	}
	// A run that ended before the storm rule's minimum count, with 401/403 as most of its
	// answers, is misconfigured just the same: its latencies measure rejections.
	if st.authRejected() && st.aborted.CompareAndSwap(false, true) {
		errs = append(errs, ErrAuthStorm)
	}
	st.mu.Lock()
	l.Hygiene = reports.Hygiene{Created: st.created, Expired: st.expired, Leaked: st.open.len(),
		AbortedOnAuth: st.aborted.Load(), Starvation: int(st.starved.Load()), LeftOpenBeforeCleanup: leftOpen}
	st.mu.Unlock()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	l.Resources = reports.Resources{PeakRSSBytes: peakRSS(), GoHeapBytes: ms.HeapInuse}
	for _, s := range st.o.slos {
		l.SLOs = append(l.SLOs, s.Evaluate(l))
	}
	l.Finalize()
	return l, errors.Join(errs...)
}

// MarshalJSON-free helper kept for cmd: WriteJSON writes l as indented JSON.
func WriteJSON(w io.Writer, l *reports.Load) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}
