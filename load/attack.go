package load

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/client"
)

// slipThreshold is how late a worker may pick a request up before it counts as a slipped
// schedule (sleep granularity and scheduling jitter stay below it on an idle machine).
const slipThreshold = 5 * time.Millisecond

// ringSize bounds how many ticks may be in flight per attack for the intended-time lookup.
const ringSize = 1 << 17

// attackSpec is one vegeta Attack of the run: one operation (or the whole mix), with its own
// Attacker (an Attacker runs one Attack only) over the run's shared client.
type attackSpec struct {
	name   string
	tr     vegeta.Targeter
	pacer  *runPacer
	after  func(r *vegeta.Result, op string, key string) // op-specific follow-up
	closed func()                                        // called when the attack's results are drained
}

// attack wires the scenario's attacks, runs them concurrently and waits for all of them.
//
// Why several attacks: a chained flow cannot block a Targeter waiting for a reference
// (vegeta's latency clock starts before the Targeter runs), so each step is its own attack.
// The create attack is paced by the schedule; each later step's pacer releases a tick only
// when the step before has queued a reference for it (see runPacer), so its Targeter always
// finds one. All attacks share one *http.Client, hence one connection pool.
func (st *run) attack(seeded []string) {
	sc := st.o.scenario
	stop := st.ctx.Done()
	var specs []*attackSpec
	newPacer := func(s Schedule, g *gate) *runPacer {
		return &runPacer{sched: s, gate: g, throttle: &st.throttle, ring: newIntentRing(ringSize), stop: stop}
	}

	// Replays (idempotency under load) follow creates.
	var replayQ chan replayItem
	var replayGate *gate
	var delayedQ chan delayedItem
	var moverDone chan struct{}
	if st.o.replay.Fraction > 0 {
		replayQ = make(chan replayItem, st.o.queue)
		replayGate = newGate()
		delayedQ = make(chan delayedItem, st.o.queue)
		moverDone = make(chan struct{})
		go st.moveDelayed(delayedQ, replayQ, replayGate, moverDone)
		specs = append(specs, &attackSpec{name: OpReplay, pacer: newPacer(st.sched, replayGate),
			tr: func(t *vegeta.Target) error {
				select {
				case it := <-replayQ:
					st.createTarget(t, it.ref)
				default:
					st.starved.Add(1)
					starvedTarget(t)
				}
				return nil
			},
			after: func(r *vegeta.Result, _ string, key string) { st.idem.replayDone(r, key) },
		})
	}
	var replayN atomic.Uint64
	// maybeReplay decides, in the create Targeter, whether this create is replayed; a racing
	// replay is queued before the original is even sent.
	maybeReplay := func(ref string) {
		if replayQ == nil {
			return
		}
		n := replayN.Add(1)
		f := st.o.replay.Fraction
		if uint64(float64(n)*f) == uint64(float64(n-1)*f) {
			return
		}
		k := st.idem.count.Add(1)
		rs := st.o.replay.RaceShare
		racing := uint64(float64(k)*rs) != uint64(float64(k-1)*rs)
		st.idem.expect(ref, racing)
		if racing {
			select {
			case replayQ <- replayItem{ref: ref}:
				replayGate.add()
			default:
				st.idem.forget(ref)
			}
		}
	}
	onCreated := func(r *vegeta.Result, key string) (ref string, ok bool) {
		if key == "" {
			return "", false
		}
		ref = refFromKey(key)
		if r.Code >= 200 && r.Code < 300 {
			st.sessionCreated(ref)
			ok = true
		}
		if it, delayed := st.idem.originalDone(ref, r); delayed && delayedQ != nil {
			select {
			case delayedQ <- delayedItem{ref: it, due: time.Now().Add(st.o.replay.Delay)}:
			case <-stop:
			}
		}
		return ref, ok
	}
	closeReplays := func() {
		if delayedQ != nil {
			close(delayedQ)
		}
	}

	switch {
	case len(sc.Mix) > 0:
		specs = append(specs, st.mixAttack(newPacer(st.sched, nil), maybeReplay, onCreated, closeReplays))
	case sc.Flow[0] == OpCreate:
		specs = append(specs, st.chainAttacks(newPacer, maybeReplay, onCreated, closeReplays)...)
	default:
		specs = append(specs, st.seededAttacks(newPacer, seeded)...)
	}

	attackers := make([]*vegeta.Attacker, len(specs))
	for i := range specs {
		attackers[i] = vegeta.NewAttacker(vegeta.Client(st.client), vegeta.Workers(st.o.workers),
			vegeta.MaxWorkers(st.o.maxWorkers), vegeta.MaxBody(-1), vegeta.Redirects(vegeta.NoFollow))
	}
	// Stop is not cancel: it ends scheduling; the run context (on every request) aborts what
	// is in flight, and the loops below keep draining until each channel closes.
	watchDone := make(chan struct{})
	go func() {
		select {
		case <-stop:
			for _, a := range attackers {
				a.Stop()
			}
		case <-watchDone:
		}
	}()
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Add(1)
		ch := attackers[i].Attack(spec.tr, spec.pacer, 0, spec.name)
		go func() {
			defer wg.Done()
			for res := range ch {
				st.process(spec, res)
			}
			if spec.closed != nil {
				spec.closed()
			}
		}()
	}
	wg.Wait()
	close(watchDone)
	if moverDone != nil {
		<-moverDone
	}
}

// chainAttacks builds create → get → expire (or a prefix of it), linked by queues and gates.
func (st *run) chainAttacks(newPacer func(Schedule, *gate) *runPacer, maybeReplay func(string),
	onCreated func(*vegeta.Result, string) (string, bool), closeReplays func()) []*attackSpec {
	flow := st.o.scenario.Flow
	stop := st.ctx.Done()
	type link struct {
		q chan string
		g *gate
	}
	links := make([]link, len(flow))
	for i := 1; i < len(flow); i++ {
		links[i] = link{q: make(chan string, st.o.queue), g: newGate()}
	}
	// push hands ref to step i (blocking is back-pressure on the step before: that attack's
	// schedule slips, which the CO correction measures; a stopped run never blocks).
	push := func(i int, ref string) {
		if i >= len(flow) {
			return
		}
		select {
		case links[i].q <- ref:
			links[i].g.add()
		case <-stop:
		}
	}
	pop := func(i int, t *vegeta.Target, fill func(*vegeta.Target, string)) {
		select {
		case ref := <-links[i].q:
			fill(t, ref)
		default:
			st.starved.Add(1)
			starvedTarget(t)
		}
	}
	var specs []*attackSpec
	for i, op := range flow {
		spec := &attackSpec{name: op}
		next := i + 1
		if next < len(flow) {
			g := links[next].g
			spec.closed = g.close
		}
		switch op {
		case OpCreate:
			spec.pacer = newPacer(st.sched, nil)
			spec.tr = func(t *vegeta.Target) error {
				ref := st.reference()
				st.logRef(ref)
				maybeReplay(ref)
				st.createTarget(t, ref)
				return nil
			}
			spec.after = func(r *vegeta.Result, _ string, key string) {
				if ref, ok := onCreated(r, key); ok {
					push(next, ref)
				}
			}
			prev := spec.closed
			spec.closed = func() {
				closeReplays()
				if prev != nil {
					prev()
				}
			}
		case OpGet:
			spec.pacer = newPacer(st.sched, links[i].g)
			spec.tr = func(t *vegeta.Target) error { pop(i, t, st.getTarget); return nil }
			spec.after = func(r *vegeta.Result, _ string, _ string) {
				if ref := refFromURL(r.URL); ref != "" {
					push(next, ref)
				}
			}
		case OpExpire:
			spec.pacer = newPacer(st.sched, links[i].g)
			spec.tr = func(t *vegeta.Target) error { pop(i, t, st.expireTarget); return nil }
			spec.after = st.afterExpire
		}
		specs = append(specs, spec)
	}
	return specs
}

func (st *run) afterExpire(r *vegeta.Result, _ string, _ string) {
	if r.Code >= 200 && r.Code < 300 {
		if ref := refFromURL(r.URL); ref != "" {
			st.sessionExpired(ref)
		}
	}
}

// refFromURL extracts the reference from .../session/{reference}[/expire].
func refFromURL(u string) string {
	const marker = "/session/"
	i := bytes.LastIndex([]byte(u), []byte(marker))
	if i < 0 {
		return ""
	}
	rest := u[i+len(marker):]
	if j := bytes.IndexByte([]byte(rest), '/'); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// seededAttacks builds a get-only or expire-only attack over sessions created before the run.
func (st *run) seededAttacks(newPacer func(Schedule, *gate) *runPacer, seeded []string) []*attackSpec {
	op := st.o.scenario.Flow[0]
	spec := &attackSpec{name: op, pacer: newPacer(st.sched, nil)}
	switch op {
	case OpGet:
		var n atomic.Uint64
		spec.tr = func(t *vegeta.Target) error {
			if len(seeded) == 0 {
				st.starved.Add(1)
				starvedTarget(t)
				return nil
			}
			st.getTarget(t, seeded[(n.Add(1)-1)%uint64(len(seeded))])
			return nil
		}
		spec.after = func(*vegeta.Result, string, string) {}
	default:
		var n atomic.Uint64
		spec.tr = func(t *vegeta.Target) error {
			i := n.Add(1) - 1
			if i >= uint64(len(seeded)) {
				st.starved.Add(1)
				starvedTarget(t)
				return nil
			}
			st.expireTarget(t, seeded[i])
			return nil
		}
		spec.after = st.afterExpire
	}
	return []*attackSpec{spec}
}

// mixAttack builds one attack whose Targeter picks each request's operation by weight. get and
// expire take a session from a pool of created ones; with none ready the pick counts as
// starvation and becomes a create.
func (st *run) mixAttack(p *runPacer, maybeReplay func(string), onCreated func(*vegeta.Result, string) (string, bool),
	closeReplays func()) *attackSpec {
	mix := st.o.scenario.Mix
	var sum float64
	for _, w := range mix {
		sum += w
	}
	cGet := mix[OpGet] / sum
	cExp := cGet + mix[OpExpire]/sum
	pool := make(chan string, st.o.queue)
	var n atomic.Uint64
	return &attackSpec{name: "mix", pacer: p, closed: closeReplays,
		tr: func(t *vegeta.Target) error {
			// A low-discrepancy sequence (golden ratio) spreads the picks evenly and
			// deterministically; no shared random source on the hot path.
			x := float64(n.Add(1)) * 0.6180339887498949
			x -= float64(uint64(x))
			if x < cExp {
				select {
				case ref := <-pool:
					if x < cGet {
						st.getTarget(t, ref)
					} else {
						st.expireTarget(t, ref)
					}
					return nil
				default:
					st.starved.Add(1)
				}
			}
			ref := st.reference()
			st.logRef(ref)
			maybeReplay(ref)
			st.createTarget(t, ref)
			return nil
		},
		after: func(r *vegeta.Result, op string, key string) {
			switch op {
			case OpCreate:
				if ref, ok := onCreated(r, key); ok {
					select {
					case pool <- ref:
					default:
					}
				}
			case OpGet:
				if ref := refFromURL(r.URL); ref != "" {
					select {
					case pool <- ref:
					default:
					}
				}
			case OpExpire:
				st.afterExpire(r, op, key)
			}
		},
	}
}

// process handles one result on its attack's results loop: it corrects the latency to the
// intended send time, normalises the error, reacts to 401/403 storms and 429s, hands the
// response to the operation's follow-up and to the sampled validator, strips body and headers,
// and records the result in the stats, the results file and the plot. Nothing here may block
// for long: a slow loop would slow the attack's workers.
func (st *run) process(spec *attackSpec, r *vegeta.Result) {
	st.done.Add(1)
	// Coordinated-omission correction: the pacer wrote when this tick was meant to leave;
	// vegeta's Timestamp is when a worker picked it up (later when every worker was busy).
	// Latency becomes end - intended; Timestamp stays vegeta's so Seq order and timestamps
	// stay monotonic for vegeta's own tools.
	intended := r.Timestamp
	if t, ok := spec.pacer.ring.get(r.Seq); ok {
		intended = t
		if t.Before(r.Timestamp) {
			end := r.Timestamp.Add(r.Latency)
			if r.Timestamp.Sub(t) > slipThreshold {
				st.slipped.Add(1)
			}
			r.Latency = end.Sub(t)
		}
	}
	starved := r.URL == starvedURL
	if !starved {
		r.Error = ClassifyError(r.Code, r.Error)
	} else {
		r.Error = classStarved
	}
	op := opOf(r)
	key := ""
	if r.Headers != nil {
		key = r.Headers.Get(echoKeyHeader)
		r.Headers.Del(echoKeyHeader)
	}
	if !starved {
		st.watchAuth(r.Code)
		if r.Code == http.StatusTooManyRequests {
			st.throttle.pauseFor(time.Now(), retryAfter(r.Headers, st.o.maxRetryAfter))
		}
		if spec.after != nil {
			spec.after(r, op, key)
		}
		if st.validator != nil && r.Code != 0 {
			st.validator.offer(op, r)
		}
	}
	r.Body, r.Headers = nil, nil
	if !starved {
		if s := st.stats[op]; s != nil {
			s.add(r, intended)
		}
		st.overall.add(r, intended)
	}
	st.outMu.Lock()
	if st.enc != nil && !starved {
		if err := st.enc.Encode(r); err != nil && len(st.outErrs) == 0 {
			st.outErrs = append(st.outErrs, err)
		}
	}
	if st.plot != nil {
		// Every result of an attack goes to the plot, starved ones too: it releases points in
		// Seq order and would buffer everything after a missing Seq.
		_ = st.plot.Add(r)
	}
	st.outMu.Unlock()
}

// watchAuth aborts the run on a storm of 401/403 among its first responses: misconfigured keys
// must not look like a fast service.
func (st *run) watchAuth(code uint16) {
	seen := st.authSeen.Add(1)
	if seen > int64(st.o.authWindow) {
		return
	}
	bad := st.authBad.Load()
	if code == http.StatusUnauthorized || code == http.StatusForbidden {
		bad = st.authBad.Add(1)
	}
	if bad >= int64(st.o.authMin) && float64(bad) >= st.o.authRatio*float64(seen) {
		if st.aborted.CompareAndSwap(false, true) {
			st.cancel()
		}
	}
}

// authRejected reports whether 401/403 made up at least the storm ratio of the responses the
// storm rule watched, however few there were.
func (st *run) authRejected() bool {
	seen := min(st.authSeen.Load(), int64(st.o.authWindow))
	bad := st.authBad.Load()
	return bad > 0 && float64(bad) >= st.o.authRatio*float64(seen)
}

// retryAfter is the pause a 429's Retry-After asks for: client.RetryAfter (delta-seconds or an
// HTTP-date, trimmed), one second when absent or bad, capped at max. The suites use the same
// parser, so a value means the same wait everywhere in the toolkit.
func retryAfter(h http.Header, max time.Duration) time.Duration {
	return client.RetryAfter(h, time.Now(), time.Second, max)
}

type replayItem struct{ ref string }

type delayedItem struct {
	ref string
	due time.Time
}

// moveDelayed releases delayed replays to the replay queue when they are due. Delays are all
// equal, so the FIFO is in due order.
func (st *run) moveDelayed(in <-chan delayedItem, out chan<- replayItem, g *gate, done chan<- struct{}) {
	defer close(done)
	defer g.close()
	stop := st.ctx.Done()
	for it := range in {
		if w := time.Until(it.due); w > 0 && !sleepOrStop(w, stop) {
			st.idem.forget(it.ref)
			continue
		}
		select {
		case out <- replayItem{ref: it.ref}:
			g.add()
		case <-stop:
			st.idem.forget(it.ref)
		}
	}
}

// seed creates the sessions a get-only or expire-only flow works on, before the clock starts.
func (st *run) seed() ([]string, error) {
	sc := st.o.scenario
	if len(sc.Flow) == 0 || sc.Flow[0] == OpCreate {
		return nil, nil
	}
	n := sc.Seed
	if n == 0 {
		n = 200
		if sc.Flow[0] == OpExpire {
			n = int(st.sched.ExpectedHits())
		}
	}
	refs := make([]string, n)
	for i := range refs {
		refs[i] = st.reference()
		st.logRef(refs[i])
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	var okRefs sync.Map
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || st.ctx.Err() != nil {
					return
				}
				var t vegeta.Target
				st.createTarget(&t, refs[i])
				code, _, err := st.do(st.ctx, t)
				if err == nil && code >= 200 && code < 300 {
					st.sessionCreated(refs[i])
					okRefs.Store(i, true)
				}
			}
		}()
	}
	wg.Wait()
	out := refs[:0]
	for i, ref := range refs {
		if _, ok := okRefs.Load(int64(i)); ok {
			out = append(out, ref)
		}
	}
	if len(out) == 0 && st.ctx.Err() == nil {
		return nil, errSeed
	}
	return out, nil
}

var errSeed = errorString("seeding sessions failed: no create succeeded (check the target and credentials)")

type errorString string

func (e errorString) Error() string { return string(e) }

// do sends one unmeasured request (seed, clean-up).
func (st *run) do(ctx context.Context, t vegeta.Target) (int, []byte, error) {
	req, err := t.Request()
	if err != nil {
		return 0, nil, err
	}
	resp, err := st.client.Do(req.WithContext(ctx))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), err
}

// Clean-up budget: the clean-up gets cleanupBaseBudget plus the request timeout plus
// cleanupPerSession for every session it has to close, at most cleanupMaxBudget. With
// cleanupWorkers in parallel that allows each expire about 80 ms, so a run that leaves many
// sessions open (a create-only run) is cleaned up instead of cut off after a fixed 30 s.
const (
	cleanupBaseBudget = 30 * time.Second
	cleanupPerSession = 5 * time.Millisecond
	cleanupMaxBudget  = 30 * time.Minute
	cleanupWorkers    = 16
	// cleanupRetries429 bounds the retries of one expire answered 429; each waits its
	// Retry-After (client.RetryAfter, 1 s when absent, capped by WithMaxRetryAfter).
	cleanupRetries429 = 5
)

// cleanupBudget is the clean-up's time budget for n sessions (see cleanupBaseBudget).
func cleanupBudget(n int, timeout time.Duration) time.Duration {
	if n > int(cleanupMaxBudget/cleanupPerSession) {
		return cleanupMaxBudget // and no overflow below
	}
	d := cleanupBaseBudget + timeout + time.Duration(n)*cleanupPerSession
	if d > cleanupMaxBudget {
		d = cleanupMaxBudget
	}
	return d
}

// cleanupSessions expires every session the run left open (and every create whose outcome is
// unknown), and returns how many were open before. It runs even after a cancelled run, within
// its own time budget (cleanupBudget), but not after an authentication abort (it would fail the
// same way). A 429 is retried after its Retry-After; a 404 means the session is already gone
// (expired by the target or evicted) and is not a leak.
func (st *run) cleanupSessions() int {
	st.mu.Lock()
	leftOpen := st.open.len()
	// The open set streams what it spilled to disk, so a create-only run of a million
	// requests is cleaned up without a million references in memory.
	refs, spilled := st.open.snapshot()
	for ref := range st.uncertain {
		refs = append(refs, ref)
	}
	todo := leftOpen + len(st.uncertain)
	st.mu.Unlock()
	if !st.o.cleanup || st.aborted.Load() || todo == 0 {
		return leftOpen
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupBudget(todo, st.o.timeout))
	defer cancel()
	// The transport puts the run context on every request; the run's may be cancelled by
	// now, so the clean-up goes through a client without that wrapper.
	client := &http.Client{Timeout: st.o.timeout, Transport: st.client.Transport.(*runTransport).next}
	var wg sync.WaitGroup
	work := make(chan string)
	for w := 0; w < cleanupWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ref := range work {
				switch code := st.expireForCleanup(ctx, client, ref); {
				case code >= 200 && code < 300:
					st.cleanedUp(ref)
				case code == http.StatusNotFound:
					st.alreadyGone(ref)
				}
			}
		}()
	}
	send := func(ref string) bool {
		if ctx.Err() != nil {
			return false
		}
		work <- ref
		return true
	}
	for _, ref := range refs {
		if !send(ref) {
			break
		}
	}
	err := spilled(send)
	close(work)
	wg.Wait()
	if err != nil {
		st.mu.Lock()
		st.cleanupErr = err
		st.mu.Unlock()
	}
	return leftOpen
}

// expireForCleanup sends one clean-up expire, retrying a 429 after its Retry-After at most
// cleanupRetries429 times; it returns the last status (0 on a transport failure).
func (st *run) expireForCleanup(ctx context.Context, client *http.Client, ref string) int {
	for attempt := 0; ; attempt++ {
		var t vegeta.Target
		st.expireTarget(&t, ref)
		req, err := t.Request()
		if err != nil {
			return 0
		}
		resp, err := client.Do(req.WithContext(ctx))
		if err != nil {
			return 0
		}
		// Drain before closing so the connection goes back to the pool: a clean-up of many
		// sessions would otherwise open a connection per expire.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || attempt >= cleanupRetries429 {
			return resp.StatusCode
		}
		st.cleanupThrottled.Add(1)
		if !sleepOrStop(retryAfter(resp.Header, st.o.maxRetryAfter), ctx.Done()) {
			return resp.StatusCode
		}
	}
}

// tokenOf reads the token of a create response body ("" when absent).
func tokenOf(body []byte) string {
	var v struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.Token
}
