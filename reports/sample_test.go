package reports

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./reports -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./reports -run %s -update and review the diff\n--- got (first 2000 bytes) ---\n%s",
			name, t.Name(), head(got, 2000))
	}
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// sampleCompliance builds a realistic report the way the suites will: the contract's four
// operations with their documented statuses, exchanges counted one by one, violations and
// specs appended, then Finalize.
func sampleCompliance() *Compliance {
	c := NewCompliance(
		Tool{Name: "checkoutkit", Version: "0.3.0"},
		Target{URL: "http://127.0.0.1:41873", Kind: TargetEmbeddedMock},
		ContractInfo{Name: "bundled", Title: "Vipps MobilePay Checkout API", Version: "3.0.0", OpenAPI: "3.1.0",
			SHA256: "9f2c4e1b7a0d83e5c6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"},
	)
	c.StartedAt = t0
	c.FinishedAt = t0.Add(4210 * time.Millisecond)
	c.AddOperation("POST", "/checkout/v3/session", "201", "400", "401", "403", "409", "413", "415", "429", "500", "502")
	c.AddOperation("GET", "/checkout/v3/session/{reference}", "200", "400", "401", "404", "429", "500")
	c.AddOperation("PATCH", "/checkout/v3/session/{reference}", "200", "400", "401", "404", "409", "500")
	c.AddOperation("PUT", "/checkout/v3/session/{reference}/expire", "200", "401", "404", "409", "500")
	counts := []struct {
		op     string
		status int
		n      int
	}{
		{"POST /checkout/v3/session", 201, 24},
		{"POST /checkout/v3/session", 400, 41},
		{"POST /checkout/v3/session", 401, 3},
		{"POST /checkout/v3/session", 409, 2},
		{"POST /checkout/v3/session", 413, 1},
		{"POST /checkout/v3/session", 415, 1},
		{"GET /checkout/v3/session/{reference}", 200, 18},
		{"GET /checkout/v3/session/{reference}", 404, 2},
		{"PATCH /checkout/v3/session/{reference}", 200, 4},
		{"PATCH /checkout/v3/session/{reference}", 409, 1},
		{"PATCH /checkout/v3/session/{reference}", 422, 1},
		{"PUT /checkout/v3/session/{reference}/expire", 200, 9},
		{"PUT /checkout/v3/session/{reference}/expire", 409, 2},
	}
	for _, k := range counts {
		for range k.n {
			c.AddExchange(k.op, k.status)
		}
	}
	c.Violations = append(c.Violations,
		Violation{Operation: "GET /checkout/v3/session/{reference}", Direction: "response", Status: "200",
			Location: "/body/sessionState", Keyword: "/properties/sessionState/enum",
			Message: `value must be one of "SessionCreated", "PaymentInitiated", "SessionExpired", "PaymentSuccessful", "PaymentTerminated"`,
			Reason:  `got "Paid"`, SpecLine: 812, SpecCol: 11,
			HowToFix: "Return one of the documented sessionState values.",
			Spec:     "Session lifecycle create → get → expire returns the session in each state"},
		Violation{Operation: "PATCH /checkout/v3/session/{reference}", Direction: "response", Status: "422",
			Location: "/status", Keyword: "", Message: "status 422 is not documented for PATCH /checkout/v3/session/{reference}",
			HowToFix: "Return a documented status (400, 401, 404, 409, 500) or document 422.",
			Spec:     "Update session refuses an update in a state that forbids it"},
		Violation{Operation: "POST /checkout/v3/session", Direction: "response", Status: "400",
			Location: "/header/Content-Type", Keyword: "", Message: "response content type text/html is not application/problem+json or application/json",
			SpecLine: 355, SpecCol: 9, HowToFix: "Send error bodies as application/problem+json.",
			Spec: "Create session rejects a reference longer than 50 characters <script>alert(1)</script>"},
	)
	// The same finding from a second exchange and a second spec: reported once, seen 3 times.
	again := c.Violations[0]
	again.Reason = `got "Paid"`
	c.Violations = append(c.Violations, again)
	again.Spec = "Get session returns a created session"
	c.Violations = append(c.Violations, again)
	c.Specs = append(c.Specs,
		Spec{Name: "Create session accepts a minimal PAYMENT session", Labels: []string{"smoke"}, State: SpecPassed, DurationMS: 12.4},
		Spec{Name: "Create session accepts a SUBSCRIPTION session", Labels: []string{"smoke"}, State: SpecPassed, DurationMS: 9.8},
		Spec{Name: "Session lifecycle create → get → expire returns the session in each state", Labels: []string{"stateful", "smoke"},
			State: SpecFailed, DurationMS: 31.2, Failure: "contract violation at /body/sessionState: value must be one of ...\ngot \"Paid\"",
			Location: "contract/suites/lifecycle.go:88"},
		Spec{Name: "Create session rejects a reference longer than 50 characters <script>alert(1)</script>", Labels: []string{"negative"}, State: SpecPassed, DurationMS: 3.1},
		Spec{Name: "Update session refuses an update in a state that forbids it", Labels: []string{"negative", "stateful"}, State: SpecFailed, DurationMS: 7.7,
			Failure: "expected status 409, got 422", Location: "contract/suites/update.go:140"},
		Spec{Name: "Payment flow receives the payment callback", Labels: []string{"stateful", "mock-only"}, State: SpecSkipped,
			Reason: "needs the mock control API; the target is a URL"},
		Spec{Name: "Idempotency same key and same body returns the same response", Labels: []string{"idempotency"}, State: SpecPassed, DurationMS: 5.5},
		Spec{Name: "Logistics with PostNord pickup points", Labels: []string{"smoke"}, State: SpecPending, Reason: "pending"},
	)
	c.Coverage.Constraints = append(c.Coverage.Constraints,
		Constraint{Operation: "POST /checkout/v3/session", Location: "/body/reference", Keyword: "maxLength", Exercised: true},
		Constraint{Operation: "POST /checkout/v3/session", Location: "/body/reference", Keyword: "pattern", Exercised: true},
		Constraint{Operation: "POST /checkout/v3/session", Location: "/body/transaction/amount/value", Keyword: "minimum", Exercised: true},
		Constraint{Operation: "POST /checkout/v3/session", Location: "/body/transaction/amount/currency", Keyword: "enum", Exercised: false},
		Constraint{Operation: "PATCH /checkout/v3/session/{reference}", Location: "/body/logistics/fixedOptions", Keyword: "maxItems", Exercised: false},
	)
	c.Finalize()
	return c
}

// sampleLoad builds a realistic lifecycle run: 30 s at 50 sessions/s, with deterministic
// (formula-made) timelines and histograms so the golden files are stable.
func sampleLoad() *Load {
	l := NewLoad(Tool{Name: "checkoutkit", Version: "0.3.0"},
		Target{URL: "http://127.0.0.1:38211", Kind: TargetEmbeddedMock}, "lifecycle", "ck-7f3a9c")
	l.StartedAt = t0
	l.DurationMS = 30012.5
	l.Config = map[string]string{"rate": "50/s", "duration": "30s", "workers": "10", "max-workers": "200",
		"timeout": "5s", "http2": "false", "replay-fraction": "0.1", "sample": "0.05"}
	type opSpec struct {
		name        string
		n           int64
		rate        float64
		base, tail  float64
		codes       map[string]int
		errs        []ErrorClass
		throttled   int
		withTDigest bool
	}
	specs := []opSpec{
		{"create", 1500, 50, 4.2, 38, map[string]int{"201": 1497, "500": 1, "429": 2}, []ErrorClass{{Class: "500 Internal Server Error", Count: 1}}, 2, true},
		{"get", 1500, 50, 1.9, 12, map[string]int{"200": 1500}, nil, 0, true},
		{"expire", 1497, 49.9, 2.3, 15, map[string]int{"200": 1497}, nil, 0, true},
		{"replay", 150, 5, 3.1, 60, map[string]int{"201": 149, "0": 1}, []ErrorClass{{Class: "dial tcp: connect: connection refused", Count: 1}}, 0, false},
	}
	for _, s := range specs {
		op := LoadOp{Name: s.name, Requests: s.n, AskedRate: s.rate, AchievedRate: s.rate - 0.04, StatusCodes: s.codes,
			Errors: s.errs, Throttled: s.throttled, Histogram: []Bucket{}, Timeline: []Point{}}
		if op.Errors == nil {
			op.Errors = []ErrorClass{}
		}
		ok := 0
		for code, n := range s.codes {
			if code[0] == '2' {
				ok += n
			}
		}
		op.Success = float64(ok) / float64(s.n)
		op.Throughput = op.AchievedRate * op.Success
		op.Latency = Latency{MinMS: s.base * 0.4, MeanMS: s.base * 1.2, P50MS: s.base, P90MS: s.base * 1.8, P95MS: s.base * 2.4,
			P99MS: s.tail * 0.6, P999MS: s.tail, MaxMS: s.tail * 1.6, Source: SourceHDR}
		if s.withTDigest {
			td := op.Latency
			td.P99MS *= 1.03
			td.P999MS = 0
			td.Source = SourceTDigest
			op.TDigest = &td
		}
		// Log-spaced buckets 0.5 ms .. ~120 ms: a bell around the median plus a thin tail,
		// scaled so the counts add up to the request count.
		var ups, ws []float64
		for up := 0.5; up < 120; up *= 1.5 {
			d := math.Log(up/s.base) / 0.45
			w := math.Exp(-d * d / 2)
			if up > s.base*3 && up < s.tail*1.6 {
				w += 0.004
			}
			ups, ws = append(ups, up), append(ws, w)
		}
		var sum float64
		for _, w := range ws {
			sum += w
		}
		var given int64
		for i := range ups {
			c := int64(math.Round(float64(s.n) * ws[i] / sum))
			op.Histogram = append(op.Histogram, Bucket{UpperMS: math.Round(ups[i]*1000) / 1000, Count: c})
			given += c
		}
		peak := 0
		for i, b := range op.Histogram {
			if b.Count > op.Histogram[peak].Count {
				peak = i
			}
		}
		op.Histogram[peak].Count += s.n - given // rounding remainder, keeps the total exact
		for sec := 0; sec < 30; sec++ {
			wave := 1 + 0.25*math.Sin(float64(sec)/3)
			spike := 1.0
			if sec == 17 {
				spike = 2.2
			}
			op.Timeline = append(op.Timeline, Point{Second: sec, Requests: int(s.rate), Errors: 0,
				P50MS: math.Round(s.base*wave*100) / 100, P99MS: math.Round(s.tail*0.6*wave*spike*100) / 100,
				MaxMS: math.Round(s.tail*wave*spike*100) / 100})
		}
		op.HDR = "HISTFAAAACl4nJNpmSzMwMDAzQABzFCaEUzOmnb2wx/7BvsPEIEWJgA=" // carried, not decoded
		l.Operations = append(l.Operations, op)
	}
	l.Overall = LoadOp{Name: "overall", Requests: 4647, AskedRate: 154.9, AchievedRate: 154.8, Throughput: 154.6, Success: 0.99935,
		StatusCodes: map[string]int{"200": 2997, "201": 1646, "429": 2, "500": 1, "0": 1},
		Errors:      []ErrorClass{{Class: "500 Internal Server Error", Count: 1}, {Class: "dial tcp: connect: connection refused", Count: 1}},
		Throttled:   2, Latency: Latency{MinMS: 0.71, MeanMS: 3.4, P50MS: 2.4, P90MS: 5.9, P95MS: 7.8, P99MS: 21.5, P999MS: 41.2, MaxMS: 96.0, Source: SourceHDR},
		Histogram: []Bucket{}, Timeline: []Point{}}
	l.SLOs = []SLOResult{
		{Expr: "create:p99<30ms", Metric: "p99", Op: "create", Comparator: "<", Threshold: "30ms", Actual: "22.8ms", Pass: true},
		{Expr: "errors<0.1%", Metric: "errors", Comparator: "<", Threshold: "0.1%", Actual: "0.04%", Pass: true},
		{Expr: "idempotency_mismatch=0", Metric: "idempotency_mismatch", Comparator: "=", Threshold: "0", Actual: "1", Pass: false},
	}
	l.Operations[0].Slipped = 7
	l.Overall.Slipped = 7
	l.ThrottlePauseMS = 1250
	l.Idempotency = Idempotency{Replays: 150, Racing: 98, Delayed: 52, Mismatches: 1, DuplicateSessions: 0,
		RejectedInFlight: 3, Inconclusive: 2}
	l.Contract = ContractFindings{Sampled: 232, Violations: 1, ByOperation: map[string]int{"create": 1},
		Examples: []string{`POST /checkout/v3/session response 500 /content-type: content type text/html is not documented <b>x</b>`},
		Dropped:  5, CheckErrors: 1}
	l.Hygiene = Hygiene{Created: 1500, Expired: 1497, Leaked: 3, Starvation: 4, LeftOpenBeforeCleanup: 12}
	l.Resources = Resources{PeakRSSBytes: 48_234_496, GoHeapBytes: 12_582_912}
	l.Finalize()
	return l
}
