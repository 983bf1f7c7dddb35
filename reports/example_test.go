package reports_test

import (
	"fmt"
	"os"
	"time"

	"github.com/checkoutkit/checkoutkit/reports"
)

// A suite runner builds the compliance model by appending data, then lets Finalize derive the
// counts, coverage and verdict.
func ExampleCompliance_Finalize() {
	c := reports.NewCompliance(
		reports.Tool{Name: "checkoutkit", Version: "devel"},
		reports.Target{URL: "http://127.0.0.1:8080", Kind: reports.TargetEmbeddedMock},
		reports.ContractInfo{Name: "bundled", Title: "Checkout API", Version: "3.0.0", OpenAPI: "3.1.0"},
	)
	c.StartedAt = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c.FinishedAt = c.StartedAt.Add(2 * time.Second)
	c.AddOperation("POST", "/checkout/v3/session", "201", "400", "401")
	c.AddOperation("GET", "/checkout/v3/session/{reference}", "200", "404")

	// One entry per validated exchange, as the recorder sees them.
	c.AddExchange("POST /checkout/v3/session", 201)
	c.AddExchange("POST /checkout/v3/session", 400)
	c.AddExchange("GET /checkout/v3/session/{reference}", 200)
	c.Specs = append(c.Specs,
		reports.Spec{Name: "Create session accepts a minimal session", Labels: []string{"smoke"}, State: reports.SpecPassed},
		reports.Spec{Name: "Payment flow sends the callback", Labels: []string{"mock-only"}, State: reports.SpecSkipped, Reason: "live target"},
	)
	c.Finalize()

	fmt.Println(c.Verdict, "-", c.VerdictReason)
	fmt.Printf("statuses %d/%d, operations %d/%d\n", c.Coverage.StatusesExercised, c.Coverage.StatusesTotal,
		c.Coverage.OperationsExercised, c.Coverage.OperationsTotal)

	// A violation makes it not conformant.
	c.Violations = append(c.Violations, reports.Violation{Operation: "GET /checkout/v3/session/{reference}",
		Direction: "response", Status: "200", Location: "/body/sessionState", Message: "value is not one of the enum values"})
	c.Finalize()
	fmt.Println(c.Verdict, "-", c.VerdictReason)
	// Output:
	// conformant - 3 exchanges validated with no violation; 1 of 2 specs passed
	// statuses 3/5, operations 2/2
	// not-conformant - 1 contract violation
}

// The load summary for a terminal.
func ExampleWriteLoadText() {
	l := reports.NewLoad(reports.Tool{Name: "checkoutkit", Version: "devel"},
		reports.Target{URL: "http://127.0.0.1:8080", Kind: reports.TargetEmbeddedMock}, "create", "run1")
	l.StartedAt = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	l.DurationMS = 10_000
	l.Operations = []reports.LoadOp{{Name: "create", Requests: 1000, AskedRate: 100, AchievedRate: 99.9, Success: 1,
		StatusCodes: map[string]int{"201": 1000},
		Latency:     reports.Latency{MinMS: 0.4, MeanMS: 1.1, P50MS: 0.9, P90MS: 1.8, P95MS: 2.2, P99MS: 4.1, P999MS: 9.5, MaxMS: 12, Source: reports.SourceHDR}}}
	l.SLOs = []reports.SLOResult{{Expr: "create:p99<50ms", Metric: "p99", Op: "create", Comparator: "<", Threshold: "50ms", Actual: "4.1ms", Pass: true}}
	l.Finalize()
	if err := reports.WriteLoadText(os.Stdout, l); err != nil {
		fmt.Println(err)
	}
	// Output:
	// checkoutkit load · scenario create · run run1 · shard 1/1 · target http://127.0.0.1:8080 (embedded-mock)
	// started 2026-11-25 09:00:00 UTC · duration 10s
	// verdict: PASS — every SLO held (1 threshold)
	//
	//   operation  requests  asked  achieved  success     p50      p90      p95      p99    p99.9      max  source
	//   create         1000  100/s    99.9/s  100.00%  900 µs  1.80 ms  2.20 ms  4.10 ms  9.50 ms  12.0 ms     hdr
	//
	// status codes:
	//   create     201×1000
	//
	// SLOs:
	//   PASS  create:p99<50ms                  actual 4.1ms
	//
	// idempotency: 0 replays (0 racing, 0 delayed), 0 mismatches, 0 duplicate sessions
	// contract:    0 responses sampled and validated, 0 violations
	// hygiene:     0 sessions created, 0 expired, 0 leaked; 0 starved chained requests
	// resources:   peak RSS 0 B, Go heap 0 B
}
