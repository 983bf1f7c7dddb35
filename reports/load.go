package reports

import (
	"strings"
	"time"
)

// LoadSchemaVersion is the value of [Load.SchemaVersion] this package writes and reads.
const LoadSchemaVersion = "checkoutkit.load/v1"

// Latency sources for [Latency.Source].
const (
	// SourceHDR marks figures read from an HDR histogram: exact to its precision, constant memory.
	SourceHDR = "hdr"
	// SourceTDigest marks vegeta's t-digest estimates.
	SourceTDigest = "tdigest"
)

// Load is the outcome of one load run (or of a merge of shard runs).
//
// JSON schema "checkoutkit.load/v1" (field names are the json tags; see SCHEMA.md):
//
//	schemaVersion  string  always "checkoutkit.load/v1"
//	tool, target   as in the compliance report
//	scenario       string  e.g. "lifecycle"
//	runId          string  the run id every reference carries
//	shard          string  "i/n"; "1/1" for an unsharded run, "merged/n" after a merge
//	partial        bool    the run was interrupted (signal, auth abort); figures cover what ran
//	startedAt      RFC 3339 timestamp
//	durationMs     number
//	config         {string: string}  the run's settings as given (rate, duration, workers, ...)
//	operations     [loadOp]  per operation (create, get, expire, replay, ...)
//	overall        loadOp    all operations together
//	slos           [{expr, metric, op, comparator, threshold, actual, pass}]
//	idempotency    {replays, racing, delayed, mismatches, duplicateSessions,
//	                rejectedInFlight?, inconclusive?}
//	contract       {sampled, violations, byOperation: {op: n}, examples: [string],
//	                dropped?, checkErrors?}
//	hygiene        {created, expired, leaked, abortedOnAuth, starvation, leftOpenBeforeCleanup?}
//	resources      {peakRssBytes, goHeapBytes}
//	throttlePauseMs number?  total 429 pause
//	verdict        "pass"|"fail"|"error"
//	verdictReason  string
//
// loadOp is {name, requests, askedRate, achievedRate, throughput, success, statusCodes: {code: n},
// errors: [{class, count}], throttled, latency, tdigest?, histogram: [{upperMs, count}],
// timeline: [{second, requests, errors, p50Ms, p99Ms, maxMs}], hdr, slipped?}, and latency is
// {minMs, meanMs, p50Ms, p90Ms, p95Ms, p99Ms, p999Ms, maxMs, source: "hdr"|"tdigest"}.
// Fields marked ? were added within v1 and are absent when zero.
type Load struct {
	// SchemaVersion is always LoadSchemaVersion ("checkoutkit.load/v1"); Finalize fills it when
	// empty.
	SchemaVersion string `json:"schemaVersion"`
	// Tool is the program that wrote the report.
	Tool Tool `json:"tool"`
	// Target is what was loaded (URL redacted by Finalize).
	Target Target `json:"target"`
	// Scenario is the scenario name, e.g. "lifecycle".
	Scenario string `json:"scenario"`
	// RunID is the id every reference of the run carries.
	RunID string `json:"runId"`
	// Shard is "i/n"; "1/1" for an unsharded run.
	Shard string `json:"shard"`
	// Partial is true when the run stopped early; the figures cover what ran.
	Partial bool `json:"partial"`
	// StartedAt is when the first request was scheduled.
	StartedAt time.Time `json:"startedAt"`
	// DurationMS is the run's wall time in milliseconds, clean-up excluded.
	DurationMS float64 `json:"durationMs"`
	// Config holds the run's settings as strings, for the record (never credentials).
	Config map[string]string `json:"config"`
	// Operations holds one entry per operation, in scenario order.
	Operations []LoadOp `json:"operations"`
	// Overall aggregates every operation.
	Overall LoadOp `json:"overall"`
	// SLOs holds every --slo threshold and its outcome, in the order given.
	SLOs []SLOResult `json:"slos"`
	// Idempotency holds the findings of idempotency replays (zero when none were sent).
	Idempotency Idempotency `json:"idempotency"`
	// Contract holds the results of validating sampled exchanges against the contract.
	Contract ContractFindings `json:"contract"`
	// Hygiene says what the run did to keep a shared sandbox clean.
	Hygiene Hygiene `json:"hygiene"`
	// Resources is the load generator's own resource use.
	Resources Resources `json:"resources"`
	// ThrottlePauseMS is the total time, in milliseconds, the generator held back sending
	// because 429 responses asked it to (Retry-After); 0 (absent) when it never paused. A long
	// pause means the achieved rate measures the target's rate limit, not its capacity.
	ThrottlePauseMS float64 `json:"throttlePauseMs,omitempty"`
	// Verdict is VerdictPass, VerdictFail or VerdictError (see Finalize).
	Verdict Verdict `json:"verdict"`
	// VerdictReason says why, in one sentence.
	VerdictReason string `json:"verdictReason,omitempty"`
}

// LoadOp holds one operation's figures (or the overall figures).
type LoadOp struct {
	// Name is the operation name: "create", "get", "expire", "replay", or "overall".
	Name string `json:"name"`
	// Requests is the number of requests sent.
	Requests int64 `json:"requests"`
	// AskedRate is the rate the schedule asked for, per second.
	AskedRate float64 `json:"askedRate"`
	// AchievedRate is the rate requests were actually sent at, per second.
	AchievedRate float64 `json:"achievedRate"`
	// Throughput is successful responses per second.
	Throughput float64 `json:"throughput"`
	// Success is the ratio of successful responses, 0..1.
	Success float64 `json:"success"`
	// StatusCodes counts responses by status code ("0" = no response).
	StatusCodes map[string]int `json:"statusCodes"`
	// Errors are the error classes (URLs stripped), most frequent first.
	Errors []ErrorClass `json:"errors"`
	// Throttled counts 429 responses, reported apart from errors.
	Throttled int `json:"throttled"`
	// Latency holds the primary (normally exact HDR) latency figures, measured from the
	// intended send time.
	Latency Latency `json:"latency"`
	// TDigest holds vegeta's t-digest estimates beside the exact ones, when available.
	TDigest *Latency `json:"tdigest,omitempty"`
	// Histogram is the latency distribution, buckets in ascending UpperMS.
	Histogram []Bucket `json:"histogram"`
	// Timeline has one point per second of the run.
	Timeline []Point `json:"timeline"`
	// HDR is the base64 of an encoded HDR histogram snapshot, so shard merges are exact.
	HDR string `json:"hdr,omitempty"`
	// Slipped counts requests a worker picked up later than the generator's slip threshold
	// (5 ms in checkoutkit load) after their intended send time: the generator could not keep
	// to the schedule. Their latency still counts from the intended time. 0 (absent) when none
	// slipped; the runner may count it only in Overall.
	Slipped int64 `json:"slipped,omitempty"`
}

// ErrorClass is a kind of failure and how often it happened.
type ErrorClass struct {
	// Class is the error text with URLs stripped (e.g. "500 Internal Server Error").
	Class string `json:"class"`
	// Count is how many requests failed this way.
	Count int `json:"count"`
}

// Latency holds latency figures in milliseconds and the structure they were read from.
type Latency struct {
	// MinMS is the fastest request, in milliseconds.
	MinMS float64 `json:"minMs"`
	// MeanMS is the mean latency, in milliseconds.
	MeanMS float64 `json:"meanMs"`
	// P50MS is the median latency, in milliseconds.
	P50MS float64 `json:"p50Ms"`
	// P90MS is the 90th-percentile latency, in milliseconds.
	P90MS float64 `json:"p90Ms"`
	// P95MS is the 95th-percentile latency, in milliseconds.
	P95MS float64 `json:"p95Ms"`
	// P99MS is the 99th-percentile latency, in milliseconds.
	P99MS float64 `json:"p99Ms"`
	// P999MS is the 99.9th-percentile latency, in milliseconds.
	P999MS float64 `json:"p999Ms"`
	// MaxMS is the slowest request, in milliseconds.
	MaxMS float64 `json:"maxMs"`
	// Source is SourceHDR or SourceTDigest.
	Source string `json:"source"`
}

// Bucket is one latency-histogram bucket: Count requests took at most UpperMS (and more than
// the previous bucket's UpperMS).
type Bucket struct {
	// UpperMS is the bucket's inclusive upper bound, in milliseconds.
	UpperMS float64 `json:"upperMs"`
	// Count is how many requests fell into the bucket.
	Count int64 `json:"count"`
}

// Point is one second of an operation's timeline.
type Point struct {
	// Second is the offset from the run's start.
	Second int `json:"second"`
	// Requests is how many requests were sent in that second.
	Requests int `json:"requests"`
	// Errors is how many of them failed, 429 responses excluded (see LoadOp.Throttled).
	Errors int `json:"errors"`
	// P50MS is the second's median latency, in milliseconds.
	P50MS float64 `json:"p50Ms"`
	// P99MS is the second's 99th-percentile latency, in milliseconds.
	P99MS float64 `json:"p99Ms"`
	// MaxMS is the second's slowest request, in milliseconds.
	MaxMS float64 `json:"maxMs"`
}

// SLOResult is one --slo threshold and how the run did against it.
type SLOResult struct {
	// Expr is the threshold as given, e.g. "create:p99<300ms".
	Expr string `json:"expr"`
	// Metric is the measured quantity, e.g. "p99", "errors", "idempotency_mismatch".
	Metric string `json:"metric"`
	// Op is the operation the threshold applies to ("" or "overall" for all).
	Op string `json:"op,omitempty"`
	// Comparator is "<", "<=", "=", ">=" or ">".
	Comparator string `json:"comparator"`
	// Threshold is the limit as given, rendered with its unit ("300ms", "0.1%").
	Threshold string `json:"threshold"`
	// Actual is the measured value, rendered in the same unit as Threshold.
	Actual string `json:"actual"`
	// Pass is true when Actual met Threshold.
	Pass bool `json:"pass"`
}

// Idempotency holds the findings of idempotency replays under load.
type Idempotency struct {
	// Replays is how many creates were replayed with the same key and body.
	Replays int `json:"replays"`
	// Racing counts the replays sent while the original request was still in flight.
	Racing int `json:"racing"`
	// Delayed counts the replays sent after the original completed; Racing+Delayed = Replays.
	Delayed int `json:"delayed"`
	// Mismatches counts replays whose outcome differed from the original (status or token).
	Mismatches int `json:"mismatches"`
	// DuplicateSessions counts second sessions a replay created.
	DuplicateSessions int `json:"duplicateSessions"`
	// RejectedInFlight counts racing replays where one of the pair was refused with 409 because
	// the other still held the key, and the winner's outcome was checked instead (not a
	// mismatch); 0 (absent) when none.
	RejectedInFlight int `json:"rejectedInFlight,omitempty"`
	// Inconclusive counts replays that could not be judged: the replay was never sent, the
	// original or the replay failed in transport, or the follow-up check could not be queued.
	// They are in neither Mismatches nor the passes; 0 (absent) when none.
	Inconclusive int `json:"inconclusive,omitempty"`
}

// ContractFindings holds the results of validating sampled responses against the contract.
type ContractFindings struct {
	// Sampled is how many exchanges were validated.
	Sampled int `json:"sampled"`
	// Violations is how many violations were found.
	Violations int `json:"violations"`
	// ByOperation counts violations per operation name.
	ByOperation map[string]int `json:"byOperation"`
	// Examples holds the first few violations, one line each.
	Examples []string `json:"examples"`
	// Dropped counts exchanges chosen for validation that were never validated because the
	// validator's queue was full (the generator never waits for validation); they are not in
	// Sampled. 0 (absent) when none. A non-zero value means Violations is a lower bound.
	Dropped int64 `json:"dropped,omitempty"`
	// CheckErrors counts validations that could not run (e.g. a body over the validator's
	// limit); they are not violations. 0 (absent) when none.
	CheckErrors int `json:"checkErrors,omitempty"`
}

// Hygiene holds what the run did to keep a shared sandbox clean.
type Hygiene struct {
	// Created is how many sessions the run created.
	Created int `json:"created"`
	// Expired is how many sessions the run expired, in the scenario or in the clean-up.
	Expired int `json:"expired"`
	// Leaked is how many created sessions were still open after the clean-up.
	Leaked int `json:"leaked"`
	// AbortedOnAuth is true when the run stopped on a storm of 401/403 responses.
	AbortedOnAuth bool `json:"abortedOnAuth"`
	// Starvation counts chained requests that found no reference ready to use.
	Starvation int `json:"starvation"`
	// LeftOpenBeforeCleanup is how many created sessions were still open when the scenario
	// ended, before the clean-up expired them; 0 (absent) when none or no clean-up ran.
	LeftOpenBeforeCleanup int `json:"leftOpenBeforeCleanup,omitempty"`
}

// Resources holds the load generator's own resource use.
type Resources struct {
	// PeakRSSBytes is the load generator's peak resident set size in bytes; 0 when the platform
	// does not report it.
	PeakRSSBytes uint64 `json:"peakRssBytes"`
	// GoHeapBytes is the Go heap in use at the end of the run, in bytes.
	GoHeapBytes uint64 `json:"goHeapBytes"`
}

// NewLoad returns a Load with the schema version and shard "1/1" set and empty (non-nil) maps
// and lists, so its JSON has [] and {} rather than null.
func NewLoad(tool Tool, target Target, scenario, runID string) *Load {
	return &Load{
		SchemaVersion: LoadSchemaVersion,
		Tool:          tool,
		Target:        target,
		Scenario:      scenario,
		RunID:         runID,
		Shard:         "1/1",
		Config:        map[string]string{},
		Operations:    []LoadOp{},
		SLOs:          []SLOResult{},
		Contract:      ContractFindings{ByOperation: map[string]int{}, Examples: []string{}},
	}
}

// Finalize computes Verdict and VerdictReason: VerdictError when the run aborted on an
// authentication storm (its latencies measure rejections, not the service); else VerdictFail
// when an SLO broke or an idempotency replay mismatched or created a duplicate session (a
// correctness failure whether or not an SLO names it); else VerdictPass. It also fills a zero
// SchemaVersion and Shard, passes the target URL and Config's values through RedactURL, and
// replaces Config values whose key names a secret (see secretName) by Redacted.
func (l *Load) Finalize() {
	if l.SchemaVersion == "" {
		l.SchemaVersion = LoadSchemaVersion
	}
	if l.Shard == "" {
		l.Shard = "1/1"
	}
	l.Target.URL = RedactURL(l.Target.URL)
	for k, v := range l.Config {
		if secretName(k) {
			l.Config[k] = Redacted
		} else {
			l.Config[k] = RedactURL(v)
		}
	}
	var broken []string
	for _, s := range l.SLOs {
		if !s.Pass {
			broken = append(broken, s.Expr)
		}
	}
	switch {
	case l.Hygiene.AbortedOnAuth:
		l.Verdict, l.VerdictReason = VerdictError, "the run aborted on a storm of 401/403 responses: check the credentials"
	case len(broken) > 0:
		l.Verdict, l.VerdictReason = VerdictFail, "SLO broken: "+strings.Join(broken, ", ")
	case l.Idempotency.Mismatches > 0 || l.Idempotency.DuplicateSessions > 0:
		l.Verdict = VerdictFail
		l.VerdictReason = plural(l.Idempotency.Mismatches, "idempotency mismatch") + ", " +
			plural(l.Idempotency.DuplicateSessions, "duplicate session")
	default:
		l.Verdict = VerdictPass
		if len(l.SLOs) == 0 {
			l.VerdictReason = "no SLO was set and no correctness failure was seen"
		} else {
			l.VerdictReason = "every SLO held (" + plural(len(l.SLOs), "threshold") + ")"
		}
	}
}

// secretWords mark configuration keys whose values are credentials.
var secretWords = []string{"secret", "password", "token", "authorization", "subscription", "ocp-apim", "apikey", "api-key", "api_key", "credential"}

// secretName reports whether a configuration key names a credential, so a runner that records
// its settings wholesale cannot leak one into a report.
func secretName(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
