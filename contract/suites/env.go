package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/fixtures"
	"github.com/checkoutkit/checkoutkit/mock"
)

// Env is what the bootstrap hands every spec: the target, a client whose every request goes
// through the pre-send gate and the validating Recorder, and the run's identity. Its helpers
// fail the calling spec (they use GinkgoHelper and Gomega) rather than return errors.
type Env struct {
	// Contract and Validator are what the run certifies against.
	Contract  *contract.Contract
	Validator *contract.Validator
	// Recorder records and validates every exchange the Client makes.
	Recorder *contract.Recorder
	// Client carries the run's credentials.
	Client *client.Client
	// NewClient makes a client with other credentials on the same validating transport.
	NewClient func(client.Credentials) *client.Client
	// Credentials are the run's merchant keys (never printed).
	Credentials client.Credentials
	// BaseURL is the target's base URL.
	BaseURL string
	// Live says the target is a real Checkout environment.
	Live bool
	// Control drives the mock's simulated customer; nil on live targets.
	Control *Control
	// RunPrefix starts every reference the run makes.
	RunPrefix string
	// CallbackBase is the base of the callback URLs the run hands out.
	CallbackBase string
	// Token is the run's merchantInfo.callbackAuthorizationToken (a secret: never printed).
	Token string

	state *runState
}

// NewRef returns a fresh reference: the run prefix, a tag and a sequence number, within the
// contract's 8-50 characters of a-z A-Z 0-9 and '-'.
func (e *Env) NewRef(tag string) string {
	e.state.mu.Lock()
	e.state.seq++
	n := e.state.seq
	e.state.mu.Unlock()
	ref := fmt.Sprintf("%s-%s-%d", e.RunPrefix, tag, n)
	if len(ref) > 50 {
		ref = fmt.Sprintf("%s-%d", e.RunPrefix, n)
	}
	return ref
}

// CallbackURL is the payment callback URL for ref.
func (e *Env) CallbackURL(ref string) string {
	return e.CallbackBase + "/callbacks/" + url.PathEscape(ref)
}

// Body prepares a create body: the fixture body with ref as reference, the run's callback URL
// and callback token.
func (e *Env) Body(fixture []byte, ref string) []byte {
	ginkgo.GinkgoHelper()
	b, err := fixtures.WithReference(fixture, ref)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "set the reference")
	if _, ok := negative.GetValue(b, "/merchantInfo"); ok {
		b, err = fixtures.WithCallbackURL(b, e.CallbackURL(ref))
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "set the callback URL")
		b, err = negative.SetValue(b, "/merchantInfo/callbackAuthorizationToken", e.Token)
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "set the callback token")
	}
	return b
}

// Call is one request for Env.Send.
type Call struct {
	// Client sends the request. Default: Env.Client.
	Client *client.Client
	// Method and Path (the wire path, e.g. /checkout/v3/session/abc).
	Method, Path string
	// Body is sent as is (nil for none).
	Body []byte
	// Header holds extra headers (Idempotency-Key, overrides).
	Header http.Header
	// Invalid says the request is invalid on purpose: it is sent unchecked and its request
	// violations are expected.
	Invalid bool
	// NoRetry429 hands a 429 answer to the spec as is, instead of retrying it after
	// Retry-After (see WithoutRetry429).
	NoRetry429 bool
}

// Send makes one call through the gate and the Recorder and fails the spec on a transport
// error, a refused request or any response violation (each listed with its location and how
// to fix it).
func (e *Env) Send(ctx context.Context, c Call) *client.Response {
	ginkgo.GinkgoHelper()
	resp, vs, err := e.send(ctx, c)
	e.check(c, resp, vs, err)
	return resp
}

// send makes the call and returns the response violations it caused, asserting nothing.
func (e *Env) send(ctx context.Context, c Call) (*client.Response, []contract.Violation, error) {
	cl := c.Client
	if cl == nil {
		cl = e.Client
	}
	if c.Invalid {
		ctx = invalidOnPurpose(ctx)
	}
	if c.NoRetry429 {
		ctx = WithoutRetry429(ctx)
	}
	before := len(e.Recorder.ResponseViolations())
	resp, err := cl.Do(ctx, c.Method, c.Path, c.Body, c.Header)
	vs := e.Recorder.ResponseViolations()
	if len(vs) < before {
		before = len(vs) // the recorder was reset meanwhile
	}
	return resp, vs[before:], err
}

func (e *Env) check(c Call, resp *client.Response, vs []contract.Violation, err error) {
	ginkgo.GinkgoHelper()
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "%s %s", c.Method, c.Path)
	if len(vs) > 0 {
		// Fail directly rather than through a matcher: the message is the list itself, each
		// violation with its location, contract line:col and how to fix it.
		ginkgo.Fail(fmt.Sprintf("the %d response to %s %s does not conform to the contract:\n%s", resp.Status, c.Method, c.Path, listViolations(vs)))
	}
}

// LastExchange returns the exchange the last Send made.
func (e *Env) LastExchange() contract.Exchange {
	ginkgo.GinkgoHelper()
	ex, ok := e.state.lastExchange()
	gomega.Expect(ok).To(gomega.BeTrue(), "no exchange was recorded")
	return ex.Exchange
}

// Create sends a create-session request and, when it succeeds, registers the session's expiry
// as cleanup (live safety: every session the run creates is expired afterwards).
func (e *Env) Create(ctx context.Context, body []byte, idemKey string) *client.Response {
	ginkgo.GinkgoHelper()
	h := http.Header{}
	if idemKey != "" {
		h.Set(checkout.HeaderIdempotencyKey, idemKey)
	}
	return e.CreateWith(ctx, Call{Method: http.MethodPost, Path: checkout.BasePath + "/session", Body: body, Header: h})
}

// CreateWith sends a create call as given (other credentials, an invalid body) and, whenever
// the target answers 2xx, registers the expiry of the body's reference as cleanup.
func (e *Env) CreateWith(ctx context.Context, c Call) *client.Response {
	ginkgo.GinkgoHelper()
	resp, vs, err := e.send(ctx, c)
	// Register the expiry before any assertion can end the spec: a session must never be left
	// behind on a live target, even when its create answer broke the contract.
	if err == nil && resp.Status/100 == 2 {
		if ref, ok := negative.GetValue(c.Body, "/reference"); ok {
			e.ExpireAfter(fmt.Sprint(ref))
		}
	}
	e.check(c, resp, vs, err)
	return resp
}

// ExpireAfter registers the expiry of ref as cleanup. A session that already reached an end
// state answers 409 and a purged one 404; both are fine here, but the answer must conform.
func (e *Env) ExpireAfter(ref string) {
	ginkgo.DeferCleanup(func(ctx ginkgo.SpecContext) {
		resp := e.Send(ctx, Call{Method: http.MethodPost, Path: sessionPath(ref) + "/expire"})
		gomega.Expect(resp.Status).To(gomega.BeElementOf(http.StatusOK, http.StatusConflict, http.StatusNotFound), "cleanup: expire %s", ref)
	}, ginkgo.NodeTimeout(30*time.Second))
}

// Get sends GET for ref.
func (e *Env) Get(ctx context.Context, ref string) *client.Response {
	ginkgo.GinkgoHelper()
	return e.Send(ctx, Call{Method: http.MethodGet, Path: sessionPath(ref)})
}

// Update sends PATCH for ref.
func (e *Env) Update(ctx context.Context, ref string, body []byte, idemKey string) *client.Response {
	ginkgo.GinkgoHelper()
	h := http.Header{}
	if idemKey != "" {
		h.Set(checkout.HeaderIdempotencyKey, idemKey)
	}
	return e.Send(ctx, Call{Method: http.MethodPatch, Path: sessionPath(ref), Body: body, Header: h})
}

// Expire sends the expire request for ref.
func (e *Env) Expire(ctx context.Context, ref string) *client.Response {
	ginkgo.GinkgoHelper()
	return e.Send(ctx, Call{Method: http.MethodPost, Path: sessionPath(ref) + "/expire"})
}

// Session decodes a 200 SessionResponse, failing the spec otherwise.
func Session(resp *client.Response) checkout.SessionResponse {
	ginkgo.GinkgoHelper()
	gomega.Expect(resp.Status).To(gomega.Equal(http.StatusOK), describe(resp))
	var s checkout.SessionResponse
	gomega.Expect(json.Unmarshal(resp.Body, &s)).To(gomega.Succeed(), "decode SessionResponse")
	return s
}

// ExpectProblem checks a documented error answer: the status, a Checkout problem body with an
// errorCode and, when code is not empty, that errorCode.
func ExpectProblem(resp *client.Response, status int, code string) {
	ginkgo.GinkgoHelper()
	gomega.Expect(resp.Status).To(gomega.Equal(status), describe(resp))
	var p checkout.ProblemDetails
	gomega.Expect(json.Unmarshal(resp.Body, &p)).To(gomega.Succeed(), "decode the problem body")
	gomega.Expect(p.ErrorCode).NotTo(gomega.BeEmpty(), "errorCode")
	if code != "" {
		gomega.Expect(p.ErrorCode).To(gomega.Equal(code), describe(resp))
	}
}

func sessionPath(ref string) string { return checkout.BasePath + "/session/" + url.PathEscape(ref) }

// describe summarises a response for a failure message: status and the problem's code and
// title. Bodies of Checkout answers carry no secrets.
func describe(resp *client.Response) string {
	if resp == nil {
		return "no response"
	}
	var p checkout.ProblemDetails
	if json.Unmarshal(resp.Body, &p) == nil && p.ErrorCode != "" {
		title := ""
		if p.Title != nil {
			title = *p.Title
		}
		return fmt.Sprintf("got %d %s %q %v", resp.Status, p.ErrorCode, title, p.Errors)
	}
	body := resp.Body
	if len(body) > 300 {
		body = append(body[:300:300], "..."...)
	}
	return fmt.Sprintf("got %d %s", resp.Status, bytes.TrimSpace(contract.RedactBody(body)))
}

func listViolations(vs []contract.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  - ")
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Control drives the mock's simulated customer through its control API.
type Control struct {
	base string
	msn  string
	hc   *http.Client
}

// Control actions.
const (
	ActionInitiate = "initiate"
	ActionApprove  = "approve"
	ActionReject   = "reject"
)

// Do performs action on the session ref and fails the spec unless the mock accepts it.
func (c *Control) Do(ctx context.Context, ref, action string) {
	ginkgo.GinkgoHelper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/_mock/sessions/"+url.PathEscape(ref)+"/"+action, nil)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	req.Header.Set(checkout.HeaderMSN, c.msn)
	resp, err := c.hc.Do(req)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "mock control %s", action)
	defer resp.Body.Close()
	gomega.Expect(resp.StatusCode/100).To(gomega.Equal(2), "mock control %s %s: status %d", action, ref, resp.StatusCode)
}

// ErrNoFaultControl is reported (as a skip) when the target has no fault control endpoint:
// it is not a checkoutkit mock, or one started with mock.WithFaultControl(false).
var ErrNoFaultControl = errors.New("suites: the target has no " + mock.FaultControlPath + " endpoint (not a checkoutkit mock, or fault control is off)")

// SetFaults replaces the mock's injected faults through PUT /_mock/faults. It returns
// ErrNoFaultControl when the target does not serve that endpoint, and fails the spec on any
// other refusal.
func (c *Control) SetFaults(ctx context.Context, f mock.FaultsRequest) error {
	ginkgo.GinkgoHelper()
	body, err := json.Marshal(f)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = c.faults(ctx, http.MethodPut, body)
	return err
}

// ClearFaults removes every injected fault through DELETE /_mock/faults.
func (c *Control) ClearFaults(ctx context.Context) error {
	ginkgo.GinkgoHelper()
	_, err := c.faults(ctx, http.MethodDelete, nil)
	return err
}

// Faults returns the mock's faults in force now (GET /_mock/faults), so a spec can put back
// what the mock was started with.
func (c *Control) Faults(ctx context.Context) (mock.FaultsRequest, error) {
	ginkgo.GinkgoHelper()
	var fr mock.FaultsRequest
	b, err := c.faults(ctx, http.MethodGet, nil)
	if err != nil {
		return fr, err
	}
	gomega.Expect(json.Unmarshal(b, &fr)).To(gomega.Succeed(), "decode %s", mock.FaultControlPath)
	return fr, nil
}

func (c *Control) faults(ctx context.Context, method string, body []byte) ([]byte, error) {
	ginkgo.GinkgoHelper()
	req, err := http.NewRequestWithContext(ctx, method, c.base+mock.FaultControlPath, bytes.NewReader(body))
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "mock control %s %s", method, mock.FaultControlPath)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "read the %s answer", mock.FaultControlPath)
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
		return nil, ErrNoFaultControl
	}
	gomega.Expect(resp.StatusCode).To(gomega.Equal(http.StatusOK), "mock control %s %s: %s", method, mock.FaultControlPath, b)
	return b, nil
}
