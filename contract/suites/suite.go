package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/fixtures"
)

// The one tree of specs. Its body runs when RunSpecs builds the tree, after Run has set up the
// run state, so tables can be built from the run's contract and fixtures.
var _ = Describe("Checkout v3 contract", func() {
	if st == nil || st.env == nil {
		// Imported without Run (a stray RunSpecs in another package): register nothing.
		return
	}
	e := st.env

	BeforeEach(func() {
		st.setCurrent(CurrentSpecReport().FullText())
		e.Recorder.Reset() // the run's own list (RecordedExchange) keeps every exchange
	})
	AfterEach(func() {
		// A safety net behind Env.Send's own check, for any exchange a spec made another way.
		if !CurrentSpecReport().Failed() {
			Expect(e.Recorder).To(contract.HaveNoResponseViolations())
		}
	})

	payment := fixtureBody("payment-minimal")
	full := fixtureBody("payment-full")
	subscription := fixtureBody("subscription")
	update := fixtureBody("update")

	CreateSessionSpec(CreateSessionSpecInput{Env: e, Bodies: createVariants(full, payment)})
	LifecycleSpec(LifecycleSpecInput{Env: e, Create: payment, Update: update})
	PaymentFlowSpec(PaymentFlowSpecInput{Env: e, Create: full, Update: update})
	ErrorCaseSpec(ErrorCaseSpecInput{Env: e, Create: payment, Update: update})
	IdempotencySpec(IdempotencySpecInput{Env: e, Create: payment})
	invalid, err := fixtures.Invalid()
	if err != nil {
		panic(fmt.Sprintf("suites: invalid fixtures: %v", err))
	}
	InvalidFixtureSpec(InvalidFixtureSpecInput{Env: e, Cases: invalid, Create: payment})
	NegativeBodySpec(NegativeBodySpecInput{Env: e, Cases: generatedCases(e, full, subscription, update)})
	FaultSpec(FaultSpecInput{Env: e, Create: payment, Update: update})
})

// ReportAfterSuite writes junit.xml and ginkgo-report.json and keeps the report for the
// compliance builder.
var _ = ReportAfterSuite("checkoutkit reports", func(r Report) {
	if st != nil {
		st.saveReport(r)
	}
})

// fixtureBody reads a valid fixture body at tree-construction time; a missing fixture is a
// setup error of the toolkit itself, so it stops the tree from being built.
func fixtureBody(name string) []byte {
	b, err := fixtures.Valid(name)
	if err != nil {
		panic(fmt.Sprintf("suites: fixture %q: %v", name, err))
	}
	return b
}

// createVariants lists the create bodies of the success table: every valid create fixture,
// then the minimal payment with one feature of the full one added at a time (logistics with a
// fixed option per carrier, order summary, prefill, configuration).
func createVariants(full, minimal []byte) []NamedBody {
	var out []NamedBody
	for _, name := range fixtures.ValidNames() {
		if !strings.HasPrefix(name, "payment") && !strings.HasPrefix(name, "subscription") {
			continue
		}
		out = append(out, NamedBody{Name: "fixture " + name, Body: fixtureBody(name)})
	}
	if opts, ok := negative.GetValue(full, "/logistics/fixedOptions"); ok {
		list, _ := opts.([]any)
		for _, o := range list {
			opt, _ := o.(map[string]any)
			b, err := negative.SetValue(minimal, "/logistics", map[string]any{"fixedOptions": []any{opt}})
			if err != nil {
				continue
			}
			out = append(out, NamedBody{Name: fmt.Sprintf("logistics with a fixed %v option", opt["brand"]), Body: b})
		}
	}
	for _, part := range []struct{ name, ptr string }{
		{"order summary", "/transaction/orderSummary"},
		{"prefilled customer", "/prefillCustomer"},
		{"configuration", "/configuration"},
	} {
		v, ok := negative.GetValue(full, part.ptr)
		if !ok {
			continue
		}
		b, err := negative.SetValue(minimal, part.ptr, v)
		if err != nil {
			continue
		}
		out = append(out, NamedBody{Name: "payment with " + part.name, Body: b})
	}
	return out
}

// generatedCases makes the negative cases for every operation with a JSON body: create from
// the full payment and the subscription fixture, update from the update fixture. A constraint
// reached from both create bases gets one case.
func generatedCases(e *Env, full, subscription, update []byte) []negative.Case {
	var out []negative.Case
	seen := map[string]bool{}
	for _, op := range e.Contract.Operations {
		if !op.HasBody {
			continue
		}
		var bases [][]byte
		switch {
		case op.Method == "POST" && !strings.Contains(op.Path, "{"):
			bases = [][]byte{full, subscription}
		case op.Method == "PATCH":
			bases = [][]byte{update}
			// The full payment's transaction and shipping options, as an update, reach the
			// order-summary and carrier constraints the small update fixture does not.
			if b := updateFromCreate(e, full); b != nil {
				bases = append(bases, b)
			}
		}
		for _, base := range bases {
			cases, err := st.doc.Generate(op, base)
			if err != nil {
				panic(fmt.Sprintf("suites: generate negative cases for %s: %v", op.Key(), err))
			}
			for _, c := range cases {
				if seen[c.ID()] {
					continue
				}
				seen[c.ID()] = true
				out = append(out, c)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// NamedBody is a request body with a name for its table entry.
type NamedBody struct {
	Name string
	Body []byte
}

// expectConforming fails the spec with the list of violations, if there are any.
func expectConforming(vs []contract.Violation, what string) {
	GinkgoHelper()
	if len(vs) > 0 {
		Fail(what + " does not conform to the contract:\n" + listViolations(vs))
	}
}

// updateFromCreate derives an update body from a create body: its transaction (without the
// deprecated reference) and its fixed logistics options. It returns nil unless the result is a
// valid update per the contract, so a base never makes cases invalid for the wrong reason.
func updateFromCreate(e *Env, create []byte) []byte {
	tx, ok := negative.GetValue(create, "/transaction")
	if !ok {
		return nil
	}
	txm, _ := tx.(map[string]any)
	if txm == nil {
		return nil
	}
	delete(txm, "reference")
	body := map[string]any{"transaction": txm}
	if opts, ok := negative.GetValue(create, "/logistics/fixedOptions"); ok {
		body["logisticOptions"] = opts
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil
	}
	h := http.Header{}
	for k, v := range e.Client.Headers() {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	vs, err := e.Validator.ValidateRequestParts(http.MethodPatch, checkout.BasePath+"/session/"+e.RunPrefix+"-base", h, b)
	if err != nil || len(vs) > 0 {
		return nil
	}
	return b
}
