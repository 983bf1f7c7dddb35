package suites

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract/negative"
)

// NegativeBodySpecInput is the input of NegativeBodySpec.
type NegativeBodySpecInput struct {
	Env *Env
	// Cases are the generated invalid bodies (negative.Document.Generate).
	Cases []negative.Case
	// UpdateBase is a valid create body for the session the update cases target. Default: the
	// payment-minimal fixture.
	UpdateBase []byte
}

// NegativeBodySpec sends every generated invalid body and expects the documented answer: 400
// Validation-00001 with a conforming problem body. The request must really violate the
// contract (else the generator is wrong and the spec says so); the response must conform.
// Create cases get a fresh run reference unless the case breaks the reference itself; update
// cases all target one session, created before them and expired after.
func NegativeBodySpec(in NegativeBodySpecInput) {
	var create, update []TableEntry
	for _, c := range in.Cases {
		entry := Entry(fmt.Sprintf("%s: %s", c.Operation, c.Name), c)
		if strings.HasPrefix(c.Operation, http.MethodPatch+" ") {
			update = append(update, entry)
		} else {
			create = append(create, entry)
		}
	}

	Describe("Invalid request bodies generated from the contract", live(LabelNegative, LabelGenerated), func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "NegativeBodySpec needs an Env")
		})
		if len(create) > 0 {
			DescribeTable("on create are refused with 400",
				func(ctx SpecContext, c negative.Case) {
					e := in.Env
					ref := e.NewRef("neg")
					body := c.WithValue("/reference", ref)
					resp := sendCase(ctx, e, c, checkout.BasePath+"/session", body)
					expectRefused(resp, c)
				}, create)
		}
		if len(update) > 0 {
			Context("on update", Ordered, ContinueOnFailure, func() {
				var ref string
				BeforeAll(func(ctx SpecContext) {
					e := in.Env
					base := in.UpdateBase
					if base == nil {
						base = fixtureBody("payment-minimal")
					}
					ref = e.NewRef("negupd")
					initiated(e.Create(ctx, e.Body(base, ref), ""))
				})
				DescribeTable("are refused with 400",
					func(ctx SpecContext, c negative.Case) {
						resp := sendCase(ctx, in.Env, c, sessionPath(ref), c.Body)
						expectRefused(resp, c)
					}, update)
			})
		}
	})
}

func sendCase(ctx SpecContext, e *Env, c negative.Case, path string, body []byte) *client.Response {
	GinkgoHelper()
	method, _, _ := strings.Cut(c.Operation, " ")
	call := Call{Method: method, Path: path, Body: body, Invalid: true}
	e.state.markCase(c.ID())
	var resp *client.Response
	if method == http.MethodPost {
		resp = e.CreateWith(ctx, call) // expires the session should the target accept the body
	} else {
		resp = e.Send(ctx, call)
	}
	ex := e.LastExchange()
	Expect(ex.RequestViolations).NotTo(BeEmpty(),
		"the generated body for %s is valid per the contract, so the case proves nothing (a generator bug)", c.Schema)
	return resp
}

func expectRefused(resp *client.Response, c negative.Case) {
	GinkgoHelper()
	ExpectProblem(resp, c.ExpectedStatus, checkout.ErrValidation)
}
