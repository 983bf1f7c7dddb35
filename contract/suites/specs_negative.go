package suites

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/fixtures"
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
						b, err := fixtures.Valid("payment-minimal")
						Expect(err).NotTo(HaveOccurred())
						base = b
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

// InvalidFixtureSpecInput is the input of InvalidFixtureSpec.
type InvalidFixtureSpecInput struct {
	Env *Env
	// Cases are the hand-written invalid bodies (fixtures.Invalid).
	Cases []fixtures.InvalidCase
	// Create is a valid create body, for the session update cases target.
	Create []byte
}

// InvalidFixtureSpec sends every hand-written invalid body of the fixtures and expects its
// documented status with a conforming problem body; the validator must flag the request at the
// case's location. On a checkoutkit mock the errors map must also name the case's error key
// (the PascalCase path the Checkout FAQ shows; real Checkout may word it otherwise).
func InvalidFixtureSpec(in InvalidFixtureSpecInput) {
	var entries []TableEntry
	for _, c := range in.Cases {
		entries = append(entries, Entry(c.Name+": "+c.Description, c))
	}
	if len(entries) == 0 {
		return
	}
	Describe("Invalid request bodies from the fixtures", live(LabelNegative), func() {
		DescribeTable("are refused with their documented status",
			func(ctx SpecContext, c fixtures.InvalidCase) {
				e := in.Env
				Expect(e).NotTo(BeNil(), "InvalidFixtureSpec needs an Env")
				ref := e.NewRef("inv")
				var resp *client.Response
				call := Call{Method: c.Method(), Invalid: true}
				if c.Method() == http.MethodPost && !strings.Contains(c.PathTemplate(), "{") {
					call.Path = checkout.BasePath + "/session"
					call.Body = c.Body
					if _, has := negative.GetValue(c.Body, "/reference"); has {
						if b, werr := fixtures.WithReference(c.Body, ref); werr == nil && !strings.HasPrefix(c.Name, "reference-") {
							call.Body = b
						}
					}
					resp = e.CreateWith(ctx, call)
				} else {
					initiated(e.Create(ctx, e.Body(in.Create, ref), ""))
					call.Path = strings.ReplaceAll(c.PathTemplate(), "{reference}", ref)
					call.Body = c.Body
					resp = e.Send(ctx, call)
				}
				ex := e.LastExchange()
				Expect(ex.RequestViolations).NotTo(BeEmpty(), "the fixture %s is valid per the contract", c.File)
				if c.Location != "" {
					Expect(ex.RequestViolations).To(contract.HaveViolationAt(c.Location), "fixture %s", c.File)
				}
				ExpectProblem(resp, c.Status, "")
				if e.Control != nil && c.ErrorKey != "" && resp.Problem != nil {
					Expect(resp.Problem.Errors).To(HaveKey(c.ErrorKey), describe(resp))
				}
			}, entries)
	})
}
