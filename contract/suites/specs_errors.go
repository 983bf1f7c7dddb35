package suites

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract/negative"
)

// ErrorCaseSpecInput is the input of ErrorCaseSpec.
type ErrorCaseSpecInput struct {
	Env *Env
	// Create is a create body; Update an update body.
	Create, Update []byte
}

// ErrorCaseSpec checks the documented error answers that do not come from a body schema: wrong
// credentials (401, 403), an unknown reference (404 Session-00100 on get, update and expire), a
// duplicate reference (409), a body that is not JSON (415) and one over the size limit (413).
// Each answer must be the documented status with a conforming Checkout problem body.
func ErrorCaseSpec(in ErrorCaseSpecInput) {
	Describe("Error answers", live(LabelNegative), func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "ErrorCaseSpec needs an Env")
			Expect(in.Create).NotTo(BeEmpty(), "ErrorCaseSpec needs a create body")
			Expect(in.Update).NotTo(BeEmpty(), "ErrorCaseSpec needs an update body")
		})

		Context("with wrong credentials", func() {
			// Every operation, since each checks the keys on its own path through the gateway.
			var entries []TableEntry
			for _, op := range []struct{ method, suffix string }{
				{http.MethodPost, ""}, {http.MethodGet, "/{ref}"}, {http.MethodPatch, "/{ref}"}, {http.MethodPost, "/{ref}/expire"},
			} {
				name := op.method + " " + checkout.BasePath + "/session" + op.suffix
				entries = append(entries,
					Entry(name+" answers 401 to a wrong client_secret", op.method, op.suffix, "secret", http.StatusUnauthorized),
					Entry(name+" answers 401 to a wrong client_id", op.method, op.suffix, "id", http.StatusUnauthorized),
					Entry(name+" answers 403 to a wrong subscription key", op.method, op.suffix, "key", http.StatusForbidden),
				)
			}
			DescribeTable("are refused", func(ctx SpecContext, method, suffix, wrong string, status int) {
				e := in.Env
				creds := e.Credentials
				switch wrong {
				case "secret":
					creds.ClientSecret = "wrong-" + randomHex(8)
				case "id":
					creds.ClientID = "wrong-" + randomHex(8)
				case "key":
					creds.SubscriptionKey = randomHex(16)
				}
				ref := e.NewRef("auth")
				call := Call{Client: e.NewClient(creds), Method: method, Path: checkout.BasePath + "/session" + strings.ReplaceAll(suffix, "{ref}", ref)}
				var resp *client.Response
				switch {
				case suffix == "":
					call.Body = e.Body(in.Create, ref)
					resp = e.CreateWith(ctx, call)
				case method == http.MethodPatch:
					call.Body = in.Update
					resp = e.Send(ctx, call)
				default:
					resp = e.Send(ctx, call)
				}
				ExpectProblem(resp, status, "")
			}, entries)
		})

		Context("with a reference longer than the contract allows", func() {
			It("answers 400 to get and expire", func(ctx SpecContext) {
				e := in.Env
				long := e.RunPrefix + "-" + strings.Repeat("x", 60)
				ExpectProblem(e.Send(ctx, Call{Method: http.MethodGet, Path: sessionPath(long), Invalid: true}), http.StatusBadRequest, checkout.ErrValidation)
				ExpectProblem(e.Send(ctx, Call{Method: http.MethodPost, Path: sessionPath(long) + "/expire", Invalid: true}), http.StatusBadRequest, checkout.ErrValidation)
			})
		})

		Context("with an unknown reference", func() {
			It("answers 404 Session-00100 to get, update and expire", func(ctx SpecContext) {
				e := in.Env
				ref := e.NewRef("unknown")
				ExpectProblem(e.Get(ctx, ref), http.StatusNotFound, checkout.ErrSessionNotFound)
				ExpectProblem(e.Update(ctx, ref, in.Update, ""), http.StatusNotFound, checkout.ErrSessionNotFound)
				ExpectProblem(e.Expire(ctx, ref), http.StatusNotFound, checkout.ErrSessionNotFound)
			})
		})

		Context("with a reference already used", func() {
			It("answers 409 to a second create", func(ctx SpecContext) {
				e := in.Env
				ref := e.NewRef("dup")
				initiated(e.Create(ctx, e.Body(in.Create, ref), ""))
				ExpectProblem(e.Create(ctx, e.Body(in.Create, ref), ""), http.StatusConflict, "")
			})
		})

		Context("with a body that is not JSON", func() {
			It("answers 415 to create and update", func(ctx SpecContext) {
				e := in.Env
				h := http.Header{"Content-Type": {"text/plain"}}
				resp := e.CreateWith(ctx, Call{Method: http.MethodPost, Path: checkout.BasePath + "/session", Body: []byte("reference=not-json"), Header: h, Invalid: true})
				ExpectProblem(resp, http.StatusUnsupportedMediaType, "")
				ref := e.NewRef("media")
				initiated(e.Create(ctx, e.Body(in.Create, ref), ""))
				resp = e.Send(ctx, Call{Method: http.MethodPatch, Path: sessionPath(ref), Body: []byte("amount=1"), Header: h, Invalid: true})
				ExpectProblem(resp, http.StatusUnsupportedMediaType, "")
			})
		})
	})

	Describe("Oversized bodies", mockOnly(LabelNegative), func() {
		BeforeEach(func() {
			if in.Env.Control == nil {
				Skip("the size limit is the mock's documented choice (64 KiB); a live target's limit is unknown")
			}
		})
		It("answers 413 to a create body over the size limit", func(ctx SpecContext) {
			e := in.Env
			ref := e.NewRef("big")
			body, err := negative.SetValue(e.Body(in.Create, ref), "/prefillCustomer", map[string]any{"streetAddress": strings.Repeat("a", 70<<10)})
			Expect(err).NotTo(HaveOccurred())
			resp := e.CreateWith(ctx, Call{Method: http.MethodPost, Path: checkout.BasePath + "/session", Body: body})
			ExpectProblem(resp, http.StatusRequestEntityTooLarge, "")
		})
		It("answers 413 to an update body over the size limit", func(ctx SpecContext) {
			e := in.Env
			ref := e.NewRef("big")
			initiated(e.Create(ctx, e.Body(in.Create, ref), ""))
			body, err := negative.SetValue(in.Update, "/transaction/orderSummary", map[string]any{
				"orderLines":      []any{map[string]any{"name": strings.Repeat("a", 2048), "id": "x", "totalAmount": 1, "totalAmountExcludingTax": 1, "totalTaxAmount": 0, "taxRate": 0}},
				"orderBottomLine": map[string]any{"currency": "NOK", "receiptNumber": strings.Repeat("r", 70<<10)},
			})
			Expect(err).NotTo(HaveOccurred())
			ExpectProblem(e.Send(ctx, Call{Method: http.MethodPatch, Path: sessionPath(ref), Body: body}), http.StatusRequestEntityTooLarge, "")
		})
	})
}

// IdempotencySpecInput is the input of IdempotencySpec.
type IdempotencySpecInput struct {
	Env *Env
	// Create is a create body.
	Create []byte
}

// IdempotencySpec checks Idempotency-Key on create: the same key and body replay the first
// answer (same status, same body, no second session), and the same key with another body is
// refused with 409.
func IdempotencySpec(in IdempotencySpecInput) {
	Describe("Idempotency-Key on create", live(LabelIdempotency), func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "IdempotencySpec needs an Env")
			Expect(in.Create).NotTo(BeEmpty(), "IdempotencySpec needs a create body")
		})
		It("replays the first answer for the same key and body", func(ctx SpecContext) {
			e := in.Env
			ref, key := e.NewRef("idem"), "ckk-"+randomHex(16)
			body := e.Body(in.Create, ref)
			first := e.Create(ctx, body, key)
			initiated(first)
			second := e.Create(ctx, body, key)
			Expect(second.Status).To(Equal(first.Status), describe(second))
			Expect(bytes.Equal(bytes.TrimSpace(second.Body), bytes.TrimSpace(first.Body))).To(BeTrue(), "the replayed body differs from the first")
		})
		It("refuses the same key with a different body", func(ctx SpecContext) {
			e := in.Env
			ref, key := e.NewRef("idem"), "ckk-"+randomHex(16)
			body := e.Body(in.Create, ref)
			initiated(e.Create(ctx, body, key))
			other, err := negative.SetValue(body, "/transaction/paymentDescription", "A different order")
			Expect(err).NotTo(HaveOccurred())
			ExpectProblem(e.Create(ctx, other, key), http.StatusConflict, "")
		})
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
