package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultCaptureLimit is how many bytes of each body an Exchange keeps (64 KiB).
const DefaultCaptureLimit = 64 << 10

// DefaultMaxExchanges is how many exchanges a Recorder retains before dropping the oldest.
const DefaultMaxExchanges = 10000

// Exchange is one request and its response (or transport error) as a Recorder saw them. Secret
// header values and callbackAuthorizationToken body values are already Redacted.
type Exchange struct {
	// Time is when the request was handed to the Recorder.
	Time time.Time `json:"time"`
	// Operation is the contract operation key ("POST /checkout/v3/session"), or "METHOD path"
	// for a request the contract does not know or that is out of scope.
	Operation string `json:"operation"`
	// InScope says whether the exchange was validated (see WithScope).
	InScope bool `json:"inScope"`
	// Method is the request's HTTP method.
	Method string `json:"method"`
	// URL is the request's full URL as sent.
	URL string `json:"url"`
	// Status is the response status (0 when the transport failed).
	Status int `json:"status,omitempty"`
	// Duration runs from handing the request on to the response headers, plus reading the
	// response body for validation.
	Duration time.Duration `json:"durationNs"`
	// RequestHeader is a redacted copy of the request's header.
	RequestHeader http.Header `json:"requestHeader,omitempty"`
	// ResponseHeader is a redacted copy of the response's header; nil when the transport failed.
	ResponseHeader http.Header `json:"responseHeader,omitempty"`
	// RequestBody is a redacted copy of the request body, cut at the capture limit (JSON: text
	// under "requestBody", see MarshalJSON).
	RequestBody []byte `json:"-"`
	// ResponseBody is a redacted copy of the response body, cut at the capture limit (JSON: text
	// under "responseBody").
	ResponseBody []byte `json:"-"`
	// RequestTruncated says the request body was longer than the capture limit.
	RequestTruncated bool `json:"requestTruncated,omitempty"`
	// ResponseTruncated says the response body was longer than the capture limit.
	ResponseTruncated bool `json:"responseTruncated,omitempty"`
	// RequestViolations are what the Validator found in the request; nil for out-of-scope exchanges.
	RequestViolations []Violation `json:"requestViolations,omitempty"`
	// ResponseViolations are what the Validator found in the response; nil for out-of-scope
	// exchanges and transport failures.
	ResponseViolations []Violation `json:"responseViolations,omitempty"`
	// CheckErr says why a validation could not run (e.g. a body over the validator's limit).
	CheckErr string `json:"checkError,omitempty"`
	// Err is the transport error, if the request failed.
	Err string `json:"error,omitempty"`
}

// MarshalJSON writes the bodies as strings, not base64, so reports stay readable (and a search
// of a report for a secret would find it, were it there).
func (e Exchange) MarshalJSON() ([]byte, error) {
	type plain Exchange
	return json.Marshal(struct {
		plain
		RequestBody  string `json:"requestBody,omitempty"`
		ResponseBody string `json:"responseBody,omitempty"`
	}{plain(e), string(e.RequestBody), string(e.ResponseBody)})
}

// UnmarshalJSON reads what MarshalJSON writes, so saved exchanges can be loaded again.
func (e *Exchange) UnmarshalJSON(b []byte) error {
	type plain Exchange
	var in struct {
		plain
		RequestBody  string `json:"requestBody"`
		ResponseBody string `json:"responseBody"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*e = Exchange(in.plain)
	if in.RequestBody != "" {
		e.RequestBody = []byte(in.RequestBody)
	}
	if in.ResponseBody != "" {
		e.ResponseBody = []byte(in.ResponseBody)
	}
	return nil
}

// Conformant reports whether the exchange completed with no violations and no check errors.
func (e Exchange) Conformant() bool {
	return e.Err == "" && e.CheckErr == "" && len(e.RequestViolations) == 0 && len(e.ResponseViolations) == 0
}

// RecorderStats counts everything a Recorder has seen since it was made or Reset, including
// exchanges it no longer retains.
type RecorderStats struct {
	// Exchanges counts every request the Recorder carried.
	Exchanges int `json:"exchanges"`
	// Validated counts the in-scope ones (validated against the contract).
	Validated int `json:"validated"`
	// RequestViolations counts the violations found in requests.
	RequestViolations int `json:"requestViolations"`
	// ResponseViolations counts the violations found in responses.
	ResponseViolations int `json:"responseViolations"`
	// TransportErrors counts requests that failed or whose answer could not be read.
	TransportErrors int `json:"transportErrors"`
	// Dropped counts exchanges no longer retained (see WithMaxExchanges).
	Dropped int `json:"dropped"`
}

// RecorderOption configures a Recorder.
type RecorderOption func(*Recorder)

// WithScope decides which requests are validated. Requests outside the scope (the mock's
// /_mock/ control calls, /healthz) are still passed on and recorded, with InScope false.
// Default: a path is in scope when the contract knows it, when it matches an operation's path
// without the server base path (so a client that forgets /checkout/v3 is caught), or when its
// first segment is that of an operation path (so /checkout/v3/unknown is flagged). A path that
// ends like an operation path (/session/x, /v3/session) is in scope too, so a client or server
// that forgets the base path is caught.
func WithScope(in func(*http.Request) bool) RecorderOption {
	return func(r *Recorder) { r.scope = in }
}

// WithCaptureLimit sets how many bytes of each body are kept in an Exchange. Default:
// DefaultCaptureLimit (64 KiB). Validation always sees the whole body (up to the Validator's
// own limit).
func WithCaptureLimit(n int) RecorderOption {
	return func(r *Recorder) { r.capture = n }
}

// WithMaxExchanges sets how many exchanges are retained; the oldest are dropped beyond it, and
// Stats still counts them. Default: DefaultMaxExchanges. n <= 0 means no limit.
func WithMaxExchanges(n int) RecorderOption {
	return func(r *Recorder) { r.maxEx = n }
}

// WithObserver calls fn with every exchange as soon as it is recorded, from the goroutine that
// made the request. fn must be safe for concurrent use. Default: none.
func WithObserver(fn func(Exchange)) RecorderOption {
	return func(r *Recorder) { r.observer = fn }
}

// Recorder is an http.RoundTripper that validates every in-scope request before passing it on
// and every response after, and records the exchange with its violations. A request that does
// not conform is still sent: negative tests send such requests on purpose. It is safe for
// concurrent use.
type Recorder struct {
	v        *Validator
	next     http.RoundTripper
	scope    func(*http.Request) bool
	capture  int
	maxEx    int
	observer func(Exchange)

	mu        sync.Mutex
	exchanges []Exchange // a ring once maxEx is reached; the oldest is at start
	start     int
	stats     RecorderStats
}

// NewRecorder wraps next (http.DefaultTransport when nil) with validation against v.
func NewRecorder(v *Validator, next http.RoundTripper, opts ...RecorderOption) *Recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	r := &Recorder{v: v, next: next, capture: DefaultCaptureLimit, maxEx: DefaultMaxExchanges}
	for _, o := range opts {
		o(r)
	}
	if r.scope == nil {
		r.scope = DefaultScope(v.Contract())
	}
	if r.capture < 0 {
		r.capture = 0
	}
	return r
}

// DefaultScope is the scope a Recorder uses when WithScope is not given; see WithScope.
func DefaultScope(c *Contract) func(*http.Request) bool {
	tails := pathTails(c)
	firsts := map[string]bool{}
	for _, op := range c.Operations {
		firsts[firstSegment(op.Path)] = true
	}
	return func(req *http.Request) bool {
		p := req.URL.Path
		if c.PathKnown(p) || firsts[firstSegment(p)] {
			return true
		}
		for _, t := range tails {
			if _, ok := matchTemplate(t, p); ok {
				return true
			}
		}
		return false
	}
}

// pathTails returns every operation path with one or more leading segments cut off
// (/v3/session, /session, ...), skipping tails that start with a template segment, which would
// match any path at all.
func pathTails(c *Contract) []string {
	var out []string
	for _, op := range c.Operations {
		for _, p := range []string{op.Path, op.SpecPath} {
			segs := strings.Split(strings.Trim(p, "/"), "/")
			for i := 1; i < len(segs); i++ {
				if strings.HasPrefix(segs[i], "{") {
					continue
				}
				out = append(out, "/"+strings.Join(segs[i:], "/"))
			}
		}
		out = append(out, op.SpecPath)
	}
	return out
}

func firstSegment(p string) string {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}

// Validator returns the validator the Recorder checks against.
func (r *Recorder) Validator() *Validator { return r.v }

// RoundTrip implements http.RoundTripper. It never changes req: it sends a clone whose body is
// the bytes it read, and it returns the response with its body restored, so callers read it as
// usual.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := Exchange{Time: time.Now(), Method: req.Method, URL: req.URL.String()}
	ex.InScope = r.scope(req)
	ex.Operation = req.Method + " " + req.URL.Path
	if op, ok := r.v.Contract().FindOperation(req.Method, req.URL.Path); ok && ex.InScope {
		ex.Operation = op.Key()
	}

	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			ex.Err = fmt.Sprintf("read request body: %v", err)
			r.record(ex)
			return nil, fmt.Errorf("contract recorder: read request body: %w", err)
		}
		reqBody = b
	}
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = io.NopCloser(bytes.NewReader(reqBody))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
		out.ContentLength = int64(len(reqBody))
	}
	ex.RequestHeader = RedactHeader(req.Header)
	ex.RequestBody, ex.RequestTruncated = r.capped(reqBody)

	target := req.URL.RequestURI()
	if ex.InScope {
		vs, err := r.v.ValidateRequestParts(req.Method, target, req.Header, reqBody)
		if err != nil {
			ex.CheckErr = "request: " + err.Error()
		}
		ex.RequestViolations = vs
	}

	start := time.Now()
	resp, err := r.next.RoundTrip(out)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = err.Error()
		r.record(ex)
		return nil, err
	}
	ex.Status = resp.StatusCode
	ex.ResponseHeader = RedactHeader(resp.Header)

	// Why a limit: a misbehaving server must not make the recorder buffer without bound. Up to
	// the validator's limit (+1 to detect overflow) is read; the rest stays in the original body,
	// which the caller still reads through the restored one.
	limit := r.v.opts.maxBody + 1
	var respBody []byte
	var readErr error
	if resp.Body != nil && resp.Body != http.NoBody {
		respBody, readErr = io.ReadAll(io.LimitReader(resp.Body, limit))
		resp.Body = &replayBody{r: io.MultiReader(bytes.NewReader(respBody), errReader(readErr, resp.Body)), c: resp.Body}
	}
	ex.Duration = time.Since(start)
	ex.ResponseBody, ex.ResponseTruncated = r.capped(respBody)
	switch {
	case readErr != nil:
		ex.Err = "read response body: " + readErr.Error()
	case !ex.InScope:
	case int64(len(respBody)) >= limit:
		ex.CheckErr = joinCheck(ex.CheckErr, fmt.Sprintf("response: body exceeds the validator's limit of %d bytes", limit-1))
	default:
		vs, err := r.v.ValidateResponseParts(req.Method, target, resp.StatusCode, resp.Header, respBody)
		if err != nil {
			ex.CheckErr = joinCheck(ex.CheckErr, "response: "+err.Error())
		}
		ex.ResponseViolations = vs
	}
	r.record(ex)
	return resp, nil
}

func joinCheck(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// errReader returns a reader that fails with err when err is set, else rest: after a read
// error the caller sees the same error, and otherwise the unread remainder.
func errReader(err error, rest io.Reader) io.Reader {
	if err != nil {
		return &failReader{err}
	}
	return rest
}

type failReader struct{ err error }

func (f *failReader) Read([]byte) (int, error) { return 0, f.err }

type replayBody struct {
	r io.Reader
	c io.Closer
}

func (b *replayBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *replayBody) Close() error               { return b.c.Close() }

// capped returns a redacted copy of at most the capture limit of b.
func (r *Recorder) capped(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	trunc := len(b) > r.capture
	if trunc {
		b = b[:r.capture]
	}
	// RedactBody may return its argument: copy first so the record never aliases a live body.
	return RedactBody(append([]byte(nil), b...)), trunc
}

func (r *Recorder) record(ex Exchange) {
	r.mu.Lock()
	r.stats.Exchanges++
	if ex.InScope {
		r.stats.Validated++
	}
	r.stats.RequestViolations += len(ex.RequestViolations)
	r.stats.ResponseViolations += len(ex.ResponseViolations)
	if ex.Err != "" {
		r.stats.TransportErrors++
	}
	// A ring once full: the oldest exchange is overwritten in place, so a long run costs O(1)
	// per exchange instead of a copy of everything retained.
	if r.maxEx <= 0 || len(r.exchanges) < r.maxEx {
		r.exchanges = append(r.exchanges, ex)
	} else {
		r.exchanges[r.start] = ex
		r.start = (r.start + 1) % len(r.exchanges)
		r.stats.Dropped++
	}
	r.mu.Unlock()
	if r.observer != nil {
		r.observer(ex)
	}
}

// Exchanges returns a copy of the retained exchanges, oldest first.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ordered()
}

// ordered copies the ring oldest first; r.mu must be held.
func (r *Recorder) ordered() []Exchange {
	out := make([]Exchange, 0, len(r.exchanges))
	out = append(out, r.exchanges[r.start:]...)
	return append(out, r.exchanges[:r.start]...)
}

// Violations returns every request and response violation of the retained exchanges, in the
// order they were recorded.
func (r *Recorder) Violations() []Violation {
	return r.collect(true, true)
}

// RequestViolations returns the request violations of the retained exchanges.
func (r *Recorder) RequestViolations() []Violation {
	return r.collect(true, false)
}

// ResponseViolations returns the response violations of the retained exchanges.
func (r *Recorder) ResponseViolations() []Violation {
	return r.collect(false, true)
}

// collect gathers the chosen sides' violations of the retained exchanges, oldest exchange
// first and, within one exchange, request before response.
func (r *Recorder) collect(request, response bool) []Violation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Violation
	for i := range r.exchanges {
		e := &r.exchanges[(r.start+i)%len(r.exchanges)]
		if request {
			out = append(out, e.RequestViolations...)
		}
		if response {
			out = append(out, e.ResponseViolations...)
		}
	}
	return out
}

// Stats returns the counts since the Recorder was made or last Reset.
func (r *Recorder) Stats() RecorderStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Reset forgets every exchange and zeroes the counts.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges, r.start = nil, 0
	r.stats = RecorderStats{}
}
