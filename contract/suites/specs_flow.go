package suites

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

// skipReasonLive is why mock-only specs are skipped on live targets.
const skipReasonLive = "needs the mock control API (a simulated customer who pays or rejects); the target is live, and a live run never approves money"

// PaymentFlowSpecInput is the input of PaymentFlowSpec.
type PaymentFlowSpecInput struct {
	Env *Env
	// Create is a create body (its callback URL and token are replaced); Update an update body.
	Create, Update []byte
}

// PaymentFlowSpec drives the mock's simulated customer through a payment that is approved and
// one that is rejected. Each time the payment callback must reach the local receiver with the
// session's token in Authorization and a body that conforms to the contract's callback schema,
// and while the payment is in progress or ended the session refuses update and expire (409).
func PaymentFlowSpec(in PaymentFlowSpecInput) {
	Describe("A paid session", mockOnly(LabelStateful, LabelCallback), func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "PaymentFlowSpec needs an Env")
			Expect(in.Create).NotTo(BeEmpty(), "PaymentFlowSpec needs a create body")
			if in.Env.Control == nil {
				Skip(skipReasonLive)
			}
		})
		DescribeTable("ends in the customer's choice and calls back the merchant",
			func(ctx SpecContext, action string, wantState checkout.SessionState, wantPayment checkout.PaymentState) {
				e := in.Env
				ref := e.NewRef("pay")
				initiated(e.Create(ctx, e.Body(in.Create, ref), ""))

				By("the customer starting to pay")
				e.Control.Do(ctx, ref, ActionInitiate)
				s := Session(e.Get(ctx, ref))
				Expect(s.SessionState).To(Equal(checkout.StatePaymentInitiated))
				Expect(paymentState(s)).To(Equal(string(checkout.PaymentCreated)))

				By("refusing update and expire while the payment is in progress")
				ExpectProblem(e.Update(ctx, ref, in.Update, ""), http.StatusConflict, "")
				ExpectProblem(e.Expire(ctx, ref), http.StatusConflict, "")

				By("the customer choosing to " + action)
				e.Control.Do(ctx, ref, action)

				By("receiving the payment callback")
				cb := awaitCallback(ctx, e, ref)
				Expect(cb.Authorization == e.Token).To(BeTrue(), "the callback's Authorization header must carry the session's callbackAuthorizationToken (value not shown)")
				vs, err := e.Validator.ValidateCallback(contract.CallbackPayment, cb.Body)
				Expect(err).NotTo(HaveOccurred())
				e.state.addCallbackViolations(vs)
				expectConforming(vs, "the payment callback body")
				var body checkout.SessionResponse
				Expect(json.Unmarshal(cb.Body, &body)).To(Succeed())
				Expect(body.Reference).To(Equal(ref))
				Expect(body.SessionState).To(Equal(wantState))
				Expect(paymentState(body)).To(Equal(string(wantPayment)))

				By("reading the ended session")
				s = Session(e.Get(ctx, ref))
				Expect(s.SessionState).To(Equal(wantState))
				Expect(paymentState(s)).To(Equal(string(wantPayment)))

				By("refusing update and expire once the payment has ended")
				ExpectProblem(e.Update(ctx, ref, in.Update, ""), http.StatusConflict, "")
				ExpectProblem(e.Expire(ctx, ref), http.StatusConflict, "")
			},
			Entry("approve", ActionApprove, checkout.StatePaymentSuccessful, checkout.PaymentAuthorized),
			Entry("reject", ActionReject, checkout.StatePaymentTerminated, checkout.PaymentTerminated),
		)
	})
}

// awaitCallback waits up to ten seconds for ref's first callback.
func awaitCallback(ctx context.Context, e *Env, ref string) callback {
	GinkgoHelper()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cb, err := e.state.recv.wait(wctx, ref)
	Expect(err).NotTo(HaveOccurred(), "the payment callback for %s never arrived at %s", ref, e.CallbackURL(ref))
	return cb
}
