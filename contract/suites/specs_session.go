package suites

import (
	"encoding/json"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best dot-imported
	. "github.com/onsi/gomega"    //nolint:revive // as does Gomega's

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
)

// CreateSessionSpecInput is the input of CreateSessionSpec.
type CreateSessionSpecInput struct {
	// Env is the run's environment.
	Env *Env
	// Bodies are the create bodies to try, one table entry each; their reference, callback URL
	// and callback token are replaced per entry.
	Bodies []NamedBody
}

// CreateSessionSpec checks each operation's success path for every create body: create answers
// 200 with a token, a frontend URL and a polling URL, and the new session reads back as
// SessionCreated under its reference.
func CreateSessionSpec(in CreateSessionSpecInput) {
	Describe("Creating a session", live(LabelSmoke), func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "CreateSessionSpec needs an Env")
			Expect(in.Bodies).NotTo(BeEmpty(), "CreateSessionSpec needs bodies")
		})
		entries := []TableEntry{}
		for _, b := range in.Bodies {
			entries = append(entries, Entry(b.Name, b.Body))
		}
		DescribeTable("answers 200 and the session reads back as SessionCreated",
			func(ctx SpecContext, fixture []byte) {
				e := in.Env
				ref := e.NewRef("create")
				resp := e.Create(ctx, e.Body(fixture, ref), "")
				created := initiated(resp)
				Expect(created.Token).NotTo(BeEmpty(), "token")
				Expect(created.CheckoutFrontendURL).NotTo(BeEmpty(), "checkoutFrontendUrl")
				Expect(created.PollingURL).To(HaveSuffix("/session/"+ref), "pollingUrl names the session")

				s := Session(e.Get(ctx, ref))
				Expect(s.Reference).To(Equal(ref))
				Expect(s.SessionState).To(Equal(checkout.StateSessionCreated))
			}, entries)
	})
}

// LifecycleSpecInput is the input of LifecycleSpec.
type LifecycleSpecInput struct {
	Env *Env
	// Create is a create body; Update an update body.
	Create, Update []byte
}

// LifecycleSpec walks create → get → update → get → expire → get, then checks that an expired
// session refuses an update (409) and that expiring it again is harmless (200).
func LifecycleSpec(in LifecycleSpecInput) {
	Describe("A session's lifecycle", live(LabelStateful, LabelSmoke), func() {
		BeforeEach(func() {
			Expect(in.Env).NotTo(BeNil(), "LifecycleSpec needs an Env")
			Expect(in.Create).NotTo(BeEmpty(), "LifecycleSpec needs a create body")
			Expect(in.Update).NotTo(BeEmpty(), "LifecycleSpec needs an update body")
		})
		It("moves from SessionCreated through an update to SessionExpired", func(ctx SpecContext) {
			e := in.Env
			ref := e.NewRef("life")
			initiated(e.Create(ctx, e.Body(in.Create, ref), ""))

			By("reading the new session")
			Expect(Session(e.Get(ctx, ref)).SessionState).To(Equal(checkout.StateSessionCreated))

			By("updating it")
			updated := Session(e.Update(ctx, ref, in.Update, ""))
			Expect(updated.Reference).To(Equal(ref))
			Expect(updated.SessionState).To(Equal(checkout.StateSessionCreated))
			Expect(Session(e.Get(ctx, ref)).SessionState).To(Equal(checkout.StateSessionCreated))

			By("expiring it")
			Expect(Session(e.Expire(ctx, ref)).SessionState).To(Equal(checkout.StateSessionExpired))

			By("reading it after expiry: SessionExpired, or 404 once purged")
			got := e.Get(ctx, ref)
			if got.Status == http.StatusNotFound {
				ExpectProblem(got, http.StatusNotFound, checkout.ErrSessionNotFound)
			} else {
				Expect(Session(got).SessionState).To(Equal(checkout.StateSessionExpired))
			}

			By("refusing an update of the expired session")
			ExpectProblem(e.Update(ctx, ref, in.Update, ""), http.StatusConflict, "")

			By("expiring it again, which changes nothing")
			again := e.Expire(ctx, ref)
			Expect(again.Status).To(BeElementOf(http.StatusOK, http.StatusNotFound), describe(again))
		})
	})
}

// initiated decodes a 200 create answer, failing the spec otherwise.
func initiated(resp *client.Response) checkout.InitiateSessionResponse {
	GinkgoHelper()
	Expect(resp.Status).To(Equal(http.StatusOK), describe(resp))
	var out checkout.InitiateSessionResponse
	Expect(json.Unmarshal(resp.Body, &out)).To(Succeed(), "decode InitiateSessionResponse")
	return out
}

// paymentState is the paymentDetails.state of s, or "" when there is none.
func paymentState(s checkout.SessionResponse) string {
	if s.PaymentDetails == nil {
		return ""
	}
	return strings.TrimSpace(string(s.PaymentDetails.State))
}
