package load

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/reports"
)

func TestParseSLO(t *testing.T) {
	tests := []struct {
		in                    string
		op, metric, cmp, unit string
		value                 float64
		wantErr               bool
	}{
		{in: "create:p99<300ms", op: "create", metric: "p99", cmp: "<", unit: "ms", value: 300},
		{in: "get:p95<=100ms", op: "get", metric: "p95", cmp: "<=", unit: "ms", value: 100},
		{in: "errors<0.1%", op: "overall", metric: "errors", cmp: "<", unit: "%", value: 0.001},
		{in: "errors<5", op: "overall", metric: "errors", cmp: "<", value: 5},
		{in: "idempotency_mismatch=0", op: "overall", metric: "idempotency_mismatch", cmp: "=", value: 0},
		{in: "violations==0", op: "overall", metric: "violations", cmp: "=", value: 0},
		{in: " expire : p999 < 1.5s ", op: "expire", metric: "p99.9", cmp: "<", unit: "ms", value: 1500},
		{in: "create:success>=99.5%", op: "create", metric: "success", cmp: ">=", unit: "%", value: 0.995},
		{in: "create:rate>90", op: "create", metric: "rate", cmp: ">", value: 90},
		{in: "CREATE:P99<1s", op: "create", metric: "p99", cmp: "<", unit: "ms", value: 1000},
		{in: "", wantErr: true},
		{in: "p99", wantErr: true},
		{in: "p99<", wantErr: true},
		{in: "p99<300", wantErr: true},         // a latency needs a unit
		{in: "p99<-3ms", wantErr: true},        // negative
		{in: "errors<101%", wantErr: true},     // not a percentage
		{in: "success<3", wantErr: true},       // success is a percentage
		{in: "bogus<3", wantErr: true},         // unknown metric
		{in: ":p99<3ms", wantErr: true},        // empty op
		{in: "create:leaked=0", wantErr: true}, // run-wide metric with an op
		{in: "p99<<3ms", wantErr: true},
		{in: "errors<NaN", wantErr: true},
		{in: "<3", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := ParseSLO(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseSLO(%q) = %+v, want an error", tt.in, s)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSLO(%q): %v", tt.in, err)
			}
			if s.Op != tt.op || s.Metric != tt.metric || s.Cmp != tt.cmp || s.Unit != tt.unit || math.Abs(s.Value-tt.value) > 1e-9 {
				t.Fatalf("ParseSLO(%q) = %+v, want op %s metric %s cmp %s value %v unit %q", tt.in, s, tt.op, tt.metric, tt.cmp, tt.value, tt.unit)
			}
		})
	}
}

func TestSLOEvaluate(t *testing.T) {
	l := &reports.Load{
		Operations: []reports.LoadOp{{Name: "create", Requests: 1000, Latency: reports.Latency{P99MS: 250},
			Errors: []reports.ErrorClass{{Class: "http 500", Count: 2}, {Class: classThrottled, Count: 50}}, Throttled: 50}},
		Overall:     reports.LoadOp{Requests: 1000, Latency: reports.Latency{P99MS: 250}, Errors: []reports.ErrorClass{{Class: "http 500", Count: 2}}},
		Idempotency: reports.Idempotency{Mismatches: 1},
		Contract:    reports.ContractFindings{Violations: 3, ByOperation: map[string]int{"create": 3}},
	}
	tests := []struct {
		expr string
		pass bool
	}{
		{"create:p99<300ms", true},
		{"create:p99<250ms", false},
		{"create:p99<=250ms", true},
		{"errors<0.1%", false}, // 2/1000 = 0.2 %
		{"errors<0.3%", true},
		{"create:errors<=2", true}, // 429s are not errors
		{"create:throttled<1%", false},
		{"idempotency_mismatch=0", false},
		{"violations=0", false},
		{"create:violations<=3", true},
		{"get:p99<1s", false}, // no such operation: cannot hold
	}
	for _, tt := range tests {
		s, err := ParseSLO(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := s.Evaluate(l); got.Pass != tt.pass {
			t.Errorf("%s: pass = %v (actual %s), want %v", tt.expr, got.Pass, got.Actual, tt.pass)
		}
	}
}

func FuzzParseSLO(f *testing.F) {
	for _, s := range []string{"create:p99<300ms", "errors<0.1%", "idempotency_mismatch=0", "get:p95<=100ms", "a:b:c<1", "=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSLO(in)
		if err != nil {
			return
		}
		if s.Metric == "" || s.Op == "" || s.Cmp == "" || math.IsNaN(s.Value) || s.Value < 0 {
			t.Fatalf("ParseSLO(%q) accepted a bad threshold %+v", in, s)
		}
		// Evaluating against an empty report must not panic.
		_ = s.Evaluate(&reports.Load{})
	})
}

func TestClassifyError(t *testing.T) {
	tests := []struct {
		code uint16
		err  string
		want string
	}{
		{200, "", ""},
		{302, "", ""},
		{500, "500 Internal Server Error", "http 500"},
		{429, "429 Too Many Requests", classThrottled},
		{404, "404 Not Found", "http 404"},
		{0, `Get "http://127.0.0.1:1/checkout/v3/session/ck-a-0-1": dial tcp 127.0.0.1:1: connect: connection refused`, classRefused},
		{0, `Post "http://x/checkout/v3/session": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, classTimeout},
		{0, `Get "http://x/s/1": read tcp 127.0.0.1:5->127.0.0.1:6: read: connection reset by peer`, classReset},
		{0, `Post "http://x/s": EOF`, classEOF},
		{0, `Get "http://x/s": dial tcp: lookup nowhere.invalid: no such host`, classDNS},
		{0, `Get "https://x/s": tls: failed to verify certificate: x509: certificate signed by unknown authority`, classTLS},
		{0, `Get "http://x/s": context canceled`, classCanceled},
		{0, "parse \"" + starvedURL + "\": net/url: invalid control character in URL", classStarved},
		{0, `Get "http://x/checkout/v3/session/ck-1": something odd`, `Get <url>: something odd`},
	}
	for _, tt := range tests {
		if got := ClassifyError(tt.code, tt.err); got != tt.want {
			t.Errorf("ClassifyError(%d, %q) = %q, want %q", tt.code, tt.err, got, tt.want)
		}
	}
}

func TestScheduleDueAt(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name  string
		s     Schedule
		hits  []uint64
		want  []time.Duration
		total uint64
	}{
		{"constant 100/s", Constant(100, time.Second), []uint64{0, 1, 99, 100}, []time.Duration{10 * ms, 20 * ms, 1000 * ms, -1}, 100},
		// Ramp 0 → 100/s over 2 s: cumulative 25 t²; hit n due at sqrt((n+1)/25).
		{"ramp from 0", Schedule{Stages: []Stage{{Duration: 2 * time.Second, Rate: 100}}}, []uint64{0, 24, 99}, []time.Duration{200 * ms, 1000 * ms, 2000 * ms}, 100},
		// Hold 10/s for 1 s (10 hits), then ramp 10 → 30/s over 1 s (20 hits).
		{"hold then ramp", Schedule{StartRate: 10, Stages: []Stage{{Duration: time.Second, Rate: 10}, {Duration: time.Second, Rate: 30}}},
			[]uint64{9, 29, 30}, []time.Duration{1000 * ms, 2000 * ms, -1}, 30},
		{"open-ended with a count", Schedule{StartRate: 50, Stages: []Stage{{Rate: 50}}, MaxHits: 3}, []uint64{2, 3}, []time.Duration{60 * ms, -1}, 3},
		{"count below duration", Schedule{StartRate: 10, Stages: []Stage{{Duration: 10 * time.Second, Rate: 10}}, MaxHits: 5}, []uint64{4, 5}, []time.Duration{500 * ms, -1}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); err != nil {
				t.Fatal(err)
			}
			for i, h := range tt.hits {
				got, ok := tt.s.DueAt(h)
				if tt.want[i] < 0 {
					if ok {
						t.Errorf("DueAt(%d) = %v, want the end", h, got)
					}
					continue
				}
				if !ok || (got-tt.want[i]).Abs() > time.Microsecond {
					t.Errorf("DueAt(%d) = %v, %v; want %v", h, got, ok, tt.want[i])
				}
			}
			if got := tt.s.ExpectedHits(); got != tt.total {
				t.Errorf("ExpectedHits = %d, want %d", got, tt.total)
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	bads := []Schedule{
		{},
		{Stages: []Stage{{Rate: 10}}}, // open-ended without a count
		{Stages: []Stage{{Rate: -1, Duration: time.Second}}},
		{Stages: []Stage{{Rate: 0}, {Rate: 1, Duration: time.Second}}}, // open-ended stage not last
		{Stages: []Stage{{Rate: math.NaN(), Duration: time.Second}}},
	}
	for i, s := range bads {
		if s.Validate() == nil {
			t.Errorf("schedule %d %+v: want an error", i, s)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ total, n uint64 }{{10, 3}, {1000, 4}, {7, 7}, {2, 5}, {0, 3}} {
		var sum uint64
		for i := 0; i < int(tc.n); i++ {
			share := SplitCount(tc.total, i, int(tc.n))
			if d := int64(share) - int64(tc.total/tc.n); d < 0 || d > 1 {
				t.Errorf("SplitCount(%d, %d, %d) = %d: shares must differ by at most one", tc.total, i, tc.n, share)
			}
			sum += share
		}
		if sum != tc.total {
			t.Errorf("shares of %d over %d add up to %d", tc.total, tc.n, sum)
		}
	}
	s := Schedule{StartRate: 90, Stages: []Stage{{Duration: time.Second, Rate: 90}, {Duration: time.Second, Rate: 30}}, MaxHits: 100}
	part := s.Split(1, 3)
	if part.StartRate != 30 || part.Stages[0].Rate != 30 || part.Stages[1].Rate != 10 || part.MaxHits != 33 {
		t.Errorf("Split(1, 3) = %+v", part)
	}
	if got := s.Split(0, 1); got.StartRate != 90 || got.MaxHits != 100 {
		t.Errorf("Split(0, 1) changed the schedule: %+v", got)
	}
}

func TestParseStages(t *testing.T) {
	got, err := ParseStages("30s:100, 1m:100/s,10s:0")
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{{30 * time.Second, 100}, {time.Minute, 100}, {10 * time.Second, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stage %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"", "30s", "x:1", "1s:y"} {
		if _, err := ParseStages(bad); err == nil {
			t.Errorf("ParseStages(%q): want an error", bad)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	ra := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	tests := []struct {
		name   string
		h      http.Header
		lo, hi time.Duration
	}{
		{"seconds", ra("3"), 3 * time.Second, 3 * time.Second},
		{"absent", nil, time.Second, time.Second},
		{"capped", ra("3600"), time.Minute, time.Minute},
		// The load runner's own parser did not trim, so " 3 " paused 1 s while the suites waited 3 s.
		{"trimmed", ra(" 3 "), 3 * time.Second, 3 * time.Second},
		{"negative", ra("-2"), time.Second, time.Second},
		{"date", ra(time.Now().Add(10 * time.Second).UTC().Format(http1123)), 8 * time.Second, 11 * time.Second},
	}
	for _, tt := range tests {
		if d := retryAfter(tt.h, time.Minute); d < tt.lo || d > tt.hi {
			t.Errorf("%s: %v, want [%v, %v]", tt.name, d, tt.lo, tt.hi)
		}
	}
}

func TestCleanupBudget(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, 40 * time.Second},
		{1000, 45 * time.Second},
		{100000, 540 * time.Second},
		{10000000, cleanupMaxBudget},
		{math.MaxInt, cleanupMaxBudget},
	}
	for _, tt := range tests {
		if got := cleanupBudget(tt.n, 10*time.Second); got != tt.want {
			t.Errorf("cleanupBudget(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestBodyTemplate(t *testing.T) {
	tmpl, err := newBodyTemplate([]byte(`{"type":"PAYMENT","reference":"old","transaction":{"amount":{"value":1,"currency":"NOK"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := string(tmpl.with("ck-run-0-1"))
	want := `{"reference":"ck-run-0-1","transaction":{"amount":{"currency":"NOK","value":1}},"type":"PAYMENT"}`
	if got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

func TestEmbeddedScenarios(t *testing.T) {
	for _, name := range []string{"lifecycle", "create", "get", "expire", "mix"} {
		if _, err := LoadScenario(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParseScenario([]byte(`{"name":"x","flow":["get","create"],"body":{}}`)); err == nil {
		t.Error("a flow out of order must be refused")
	}
	if _, err := ParseScenario([]byte(`{"name":"x","mix":{"get":1},"body":{}}`)); err == nil {
		t.Error("a mix without creates must be refused")
	}
}
