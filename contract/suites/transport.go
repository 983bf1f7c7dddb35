package suites

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
)

type intentKey struct{}

// invalidOnPurpose marks ctx's requests as deliberately invalid: the gate sends them unchecked
// and their request violations are expected rather than findings.
func invalidOnPurpose(ctx context.Context) context.Context {
	return context.WithValue(ctx, intentKey{}, true)
}

func isInvalidOnPurpose(ctx context.Context) bool {
	b, _ := ctx.Value(intentKey{}).(bool)
	return b
}

type noRetryKey struct{}

// WithoutRetry429 marks ctx's requests as ones whose 429 answer is the point of the spec: the
// suite's transport hands the first 429 to the caller instead of waiting Retry-After and
// retrying. Env.Send does the same for a Call with NoRetry429 set.
func WithoutRetry429(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetryKey{}, true)
}

func isNoRetry429(ctx context.Context) bool {
	b, _ := ctx.Value(noRetryKey{}).(bool)
	return b
}

// RefusedError is returned for a request a positive spec tried to send that does not conform
// to the contract. The request is not sent.
type RefusedError struct {
	// Violations are the request's violations.
	Violations []contract.Violation
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request refused before sending: it does not conform to the contract (%d violation(s)):", len(e.Violations))
	for _, v := range e.Violations {
		b.WriteString("\n  - ")
		b.WriteString(v.String())
	}
	return b.String()
}

// gate validates every positive request before it is sent and refuses one that does not
// conform; it marks the run state with the request's intent for the Recorder's observer.
type gate struct {
	s    *runState
	next http.RoundTripper
}

func (g *gate) RoundTrip(req *http.Request) (*http.Response, error) {
	invalid := isInvalidOnPurpose(req.Context())
	if !invalid {
		var body []byte
		if req.Body != nil && req.Body != http.NoBody {
			b, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("read request body: %w", err)
			}
			body = b
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(b))
		}
		vs, err := g.s.cfg.Validator.ValidateRequestParts(req.Method, req.URL.RequestURI(), req.Header, body)
		if err != nil {
			return nil, fmt.Errorf("validate request before sending: %w", err)
		}
		if len(vs) > 0 {
			g.s.mu.Lock()
			for _, v := range vs {
				g.s.refused = append(g.s.refused, SpecViolation{v, g.s.current})
			}
			g.s.mu.Unlock()
			return nil, &RefusedError{Violations: vs}
		}
	}
	g.s.mu.Lock()
	g.s.invalid = invalid
	g.s.mu.Unlock()
	return g.next.RoundTrip(req)
}

// retry429 retries a request answered 429 after its Retry-After (seconds or an HTTP date),
// capped, at most max times. Without Retry-After it waits one second. Each 429 is still
// recorded by the Recorder underneath, as the documented status it is. A request whose context
// was made by WithoutRetry429 is never retried.
type retry429 struct {
	next http.RoundTripper
	max  int
	cap  time.Duration
}

func (r *retry429) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := r.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt >= r.max || isNoRetry429(req.Context()) {
			return resp, err
		}
		if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
			return resp, nil // cannot replay the body: hand the 429 to the caller
		}
		wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if wait > r.cap {
			wait = r.cap
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck // draining for reuse only
		resp.Body.Close()
		if err := req.Context().Err(); err != nil {
			return nil, err // a ready timer would otherwise win the select half the time
		}
		t := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, req.Context().Err()
		case <-t.C:
		}
		if req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replay body after 429: %w", err)
			}
			req = req.Clone(req.Context())
			req.Body = b
		}
	}
}

// retryAfter parses a Retry-After value with client.RetryAfter (delta-seconds or an HTTP-date,
// trimmed; a past date is 0); a missing or bad one means one second. It leaves the cap to the
// caller (retry429.cap).
func retryAfter(v string, now time.Time) time.Duration {
	return client.RetryAfter(http.Header{"Retry-After": {v}}, now, time.Second, 0)
}
