package suites

import "github.com/onsi/ginkgo/v2"

// Spec labels, the one list every spec draws from. Select with Config.LabelFilter (Ginkgo's
// label-filter syntax, e.g. "smoke && !mock-only").
const (
	// LabelSmoke marks each operation's success path.
	LabelSmoke = "smoke"
	// LabelNegative marks specs that send invalid requests or wrong credentials on purpose.
	LabelNegative = "negative"
	// LabelGenerated marks the negative cases generated from the contract's request schemas.
	LabelGenerated = "generated"
	// LabelStateful marks multi-step flows through the session state machine.
	LabelStateful = "stateful"
	// LabelIdempotency marks Idempotency-Key specs.
	LabelIdempotency = "idempotency"
	// LabelCallback marks specs that receive and check a callback.
	LabelCallback = "callback"
	// LabelMockOnly marks specs that drive the mock's control API (pay, reject). They are
	// skipped, and reported as skipped, on live targets.
	LabelMockOnly = "mock-only"
	// LabelFaults marks specs that make the mock inject the documented 429, 500 and 502
	// answers through its fault control endpoint (always together with mock-only).
	LabelFaults = "faults"
	// LabelLiveSafe marks specs that may run against a live test environment: they never
	// approve or capture money and expire every session they create.
	LabelLiveSafe = "live-safe"
)

// AllLabels lists every label the suites use, for --help and documentation.
var AllLabels = []string{LabelSmoke, LabelNegative, LabelGenerated, LabelStateful, LabelIdempotency, LabelCallback, LabelFaults, LabelMockOnly, LabelLiveSafe}

// live returns the labels for a spec that is safe on live targets.
func live(ls ...string) ginkgo.Labels { return ginkgo.Label(append(ls, LabelLiveSafe)...) }

// mockOnly returns the labels for a spec that needs the mock's control API.
func mockOnly(ls ...string) ginkgo.Labels { return ginkgo.Label(append(ls, LabelMockOnly)...) }
