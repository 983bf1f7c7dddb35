package suites

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/mock"
)

// FaultSpecInput is the input of FaultSpec.
type FaultSpecInput struct {
	Env *Env
	// Create is a create body; Update an update body.
	Create, Update []byte
}

// injectable are the statuses Checkout documents for an overloaded or failing backend, which
// no valid request can provoke on purpose: the mock injects them on demand.
var injectable = []struct {
	status int
	code   string
}{
	{http.StatusTooManyRequests, checkout.ErrRateLimited},
	{http.StatusInternalServerError, checkout.ErrInternal},
	{http.StatusBadGateway, checkout.ErrBadGateway},
}

// FaultSpec makes the mock answer each operation with each injected status (429, 500, 502)
// through its fault control endpoint (PUT /_mock/faults), sends one otherwise valid request
// and expects exactly that status, once, with a conforming Checkout problem body (and
// Retry-After on 429). DeferCleanup puts back the faults the mock had before. The specs are Serial: while a
// fault is set every request to that operation fails, so nothing may run beside them. The 429
// is sent with NoRetry429, so the suite's retrying transport hands it over instead of waiting.
// Skipped on live targets and on targets without the endpoint.
func FaultSpec(in FaultSpecInput) {
	Describe("Injected backend errors", mockOnly(LabelFaults), Serial, func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "FaultSpec needs an Env")
			Expect(in.Create).NotTo(BeEmpty(), "FaultSpec needs a create body")
			Expect(in.Update).NotTo(BeEmpty(), "FaultSpec needs an update body")
			if in.Env.Control == nil {
				Skip("needs the mock's fault control endpoint; the target is live")
			}
		})

		var entries []TableEntry
		for _, op := range []struct{ name, method, template string }{
			{mock.OpCreate, http.MethodPost, checkout.BasePath + "/session"},
			{mock.OpGet, http.MethodGet, checkout.BasePath + "/session/{reference}"},
			{mock.OpUpdate, http.MethodPatch, checkout.BasePath + "/session/{reference}"},
			{mock.OpExpire, http.MethodPost, checkout.BasePath + "/session/{reference}/expire"},
		} {
			for _, f := range injectable {
				entries = append(entries, Entry(op.method+" "+op.template+" answers an injected "+strconv.Itoa(f.status),
					op.name, op.method, op.template, f.status, f.code))
			}
		}
		DescribeTable("are documented answers", func(ctx SpecContext, opName, method, template string, status int, code string) {
			e := in.Env
			if o, ok := e.Contract.Find(method, template); !ok || !slices.Contains(o.Statuses, strconv.Itoa(status)) {
				Skip("the contract does not declare " + strconv.Itoa(status) + " for " + method + " " + template)
			}
			ref := e.NewRef("fault")
			call := Call{Method: method, NoRetry429: true}
			switch opName {
			case mock.OpCreate:
				call.Path, call.Body = template, e.Body(in.Create, ref)
			default:
				// A real session, made before the fault is set, so the request is valid in
				// every other way and only the injected fault can explain the answer.
				initiated(e.Create(ctx, e.Body(in.Create, ref), ""))
				call.Path = sessionPath(ref)
				if opName == mock.OpExpire {
					call.Path += "/expire"
				}
				if opName == mock.OpUpdate {
					call.Body = in.Update
				}
			}

			By("setting the fault")
			// Whatever the mock was started with (checkoutkit mock --fault ...) is put back
			// afterwards rather than cleared.
			saved, err := e.Control.Faults(ctx)
			if errors.Is(err, ErrNoFaultControl) {
				Skip(err.Error())
			}
			Expect(err).NotTo(HaveOccurred())
			rate := 1.0
			Expect(e.Control.SetFaults(ctx, mock.FaultsRequest{Errors: []mock.ErrorRuleRequest{{Operation: opName, Status: status, Rate: &rate, RetryAfter: "1s"}}})).To(Succeed())
			// Registered after the create's expiry, so it runs first (DeferCleanup is LIFO)
			// and the expiry is not itself failed by the fault.
			DeferCleanup(func(ctx SpecContext) {
				Expect(e.Control.SetFaults(ctx, saved)).To(Succeed(), "put back the mock's own faults")
			}, NodeTimeout(10*time.Second))

			By("sending one otherwise valid request")
			before := len(e.Recorder.Exchanges())
			var resp *client.Response
			if opName == mock.OpCreate {
				resp = e.CreateWith(ctx, call)
			} else {
				resp = e.Send(ctx, call)
			}
			Expect(len(e.Recorder.Exchanges())-before).To(Equal(1), "the request must be sent once: the injected answer is the point, not something to retry")
			ExpectProblem(resp, status, code)
			if status == http.StatusTooManyRequests {
				ra := resp.Header.Get("Retry-After")
				n, err := strconv.Atoi(ra)
				_, dateErr := http.ParseTime(ra)
				Expect((err == nil && n >= 0) || dateErr == nil).To(BeTrue(), "a 429 must carry Retry-After (seconds or an HTTP date), got %q", ra)
			}
		}, entries)
	})
}
