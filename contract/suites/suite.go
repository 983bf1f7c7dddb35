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
	if st == nil || st.env == nil || st.inputs == nil {
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

	in := st.inputs
	CreateSessionSpec(CreateSessionSpecInput{Env: e, Bodies: in.variants})
	LifecycleSpec(LifecycleSpecInput{Env: e, Create: in.payment, Update: in.update})
	PaymentFlowSpec(PaymentFlowSpecInput{Env: e, Create: in.full, Update: in.update})
	ErrorCaseSpec(ErrorCaseSpecInput{Env: e, Create: in.payment, Update: in.update})
	IdempotencySpec(IdempotencySpecInput{Env: e, Create: in.payment})
	InvalidFixtureSpec(InvalidFixtureSpecInput{Env: e, Cases: in.invalid, Create: in.payment})
	NegativeBodySpec(NegativeBodySpecInput{Env: e, Cases: in.negative, UpdateBase: in.payment})
	FaultSpec(FaultSpecInput{Env: e, Create: in.payment, Update: in.update})
})

// specInputs are the bodies and cases the tree's tables are built from. Run makes them before
// RunSpecs, so a fixture or a --spec document the generator cannot handle is a setup error
// (exit code 2) and not a panic while Ginkgo builds the tree.
type specInputs struct {
	payment, full, subscription, update []byte
	variants                            []NamedBody
	invalid                             []fixtures.InvalidCase
	negative                            []negative.Case
}

// prepareInputs reads the fixtures and generates the negative cases for e's contract.
func prepareInputs(e *Env, doc *negative.Document) (*specInputs, error) {
	in := &specInputs{}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"payment-minimal", &in.payment}, {"payment-full", &in.full}, {"subscription", &in.subscription}, {"update", &in.update}} {
		b, err := fixtures.Valid(f.name)
		if err != nil {
			return nil, fmt.Errorf("fixture %q: %w", f.name, err)
		}
		*f.dst = b
	}
	var err error
	if in.variants, err = createVariants(in.full, in.payment); err != nil {
		return nil, err
	}
	if in.invalid, err = fixtures.Invalid(); err != nil {
		return nil, fmt.Errorf("invalid fixtures: %w", err)
	}
	in.negative, err = generatedCases(doc, e.Contract.Operations, in.full, in.subscription, in.update, updateFromCreate(e, in.full))
	if err != nil {
		return nil, err
	}
	return in, nil
}

// ReportAfterSuite writes junit.xml and ginkgo-report.json and keeps the report for the
// compliance builder.
var _ = ReportAfterSuite("checkoutkit reports", func(r Report) {
	if st != nil {
		st.saveReport(r)
	}
})

// createVariants lists the create bodies of the success table: every valid create fixture,
// then the minimal payment with one feature of the full one added at a time (logistics with a
// fixed option per carrier, order summary, prefill, configuration).
func createVariants(full, minimal []byte) ([]NamedBody, error) {
	var out []NamedBody
	for _, name := range fixtures.ValidNames() {
		if !strings.HasPrefix(name, "payment") && !strings.HasPrefix(name, "subscription") {
			continue
		}
		b, err := fixtures.Valid(name)
		if err != nil {
			return nil, fmt.Errorf("fixture %q: %w", name, err)
		}
		out = append(out, NamedBody{Name: "fixture " + name, Body: b})
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
	return out, nil
}

// generatedCases makes the negative cases for every operation with a JSON body: create from
// the full payment and the subscription fixture, update from the update fixture and, when not
// nil, updFull (the full payment's transaction and shipping options as an update, which reach
// the order-summary and carrier constraints the small update fixture does not). A constraint
// reached from both create bases gets one case. An operation the generator cannot handle is an
// error, which Run reports as a setup error.
func generatedCases(doc *negative.Document, ops []contract.Operation, full, subscription, update, updFull []byte) ([]negative.Case, error) {
	var out []negative.Case
	seen := map[string]bool{}
	for _, op := range ops {
		if !op.HasBody {
			continue
		}
		var bases [][]byte
		switch {
		case op.Method == "POST" && !strings.Contains(op.Path, "{"):
			bases = [][]byte{full, subscription}
		case op.Method == "PATCH":
			bases = [][]byte{update}
			if updFull != nil {
				bases = append(bases, updFull)
			}
		}
		for _, base := range bases {
			cases, err := doc.Generate(op, base)
			if err != nil {
				return nil, fmt.Errorf("generate negative cases for %s: %w", op.Key(), err)
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
	return out, nil
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
