package client

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

	"github.com/checkoutkit/checkoutkit/checkout"
)

// Version is the toolkit version the client reports by default in Vipps-System-Version,
// Vipps-System-Plugin-Version and User-Agent. Builds may set it with -ldflags -X.
var Version = "0.1.0-dev"

// Defaults of the client.
const (
	// DefaultSystemName is the default Vipps-System-Name.
	DefaultSystemName = "checkoutkit"
	// DefaultPluginName is the default Vipps-System-Plugin-Name.
	DefaultPluginName = "checkoutkit-client"
	// DefaultTimeout is the timeout of the http.Client the client makes when none is given.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBody is how many bytes of an answer the client reads (4 MiB).
	DefaultMaxResponseBody = 4 << 20
)

// ErrResponseTooLarge is returned when an answer's body is over the client's limit.
var ErrResponseTooLarge = errors.New("response body over the client's limit")

// SystemInfo fills the four Vipps-System-* headers (each at most 30 characters).
type SystemInfo struct {
	// Name is Vipps-System-Name. Default: DefaultSystemName.
	Name string
	// Version is Vipps-System-Version. Default: Version.
	Version string
	// PluginName is Vipps-System-Plugin-Name. Default: DefaultPluginName.
	PluginName string
	// PluginVersion is Vipps-System-Plugin-Version. Default: Version.
	PluginVersion string
}

// DefaultSystemInfo returns the system headers the client sends unless told otherwise.
func DefaultSystemInfo() SystemInfo {
	return SystemInfo{Name: DefaultSystemName, Version: Version, PluginName: DefaultPluginName, PluginVersion: Version}
}

// withDefaults fills empty fields from DefaultSystemInfo.
func (s SystemInfo) withDefaults() SystemInfo {
	d := DefaultSystemInfo()
	if s.Name == "" {
		s.Name = d.Name
	}
	if s.Version == "" {
		s.Version = d.Version
	}
	if s.PluginName == "" {
		s.PluginName = d.PluginName
	}
	if s.PluginVersion == "" {
		s.PluginVersion = d.PluginVersion
	}
	return s
}

// Response is an answer as received. A non-2xx answer is a Response, not an error.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the answer's headers.
	Header http.Header
	// Body is the whole answer body.
	Body []byte
	// Problem is the decoded Checkout error body of a 4xx or 5xx answer whose body is a JSON
	// object; nil otherwise.
	Problem *checkout.ProblemDetails
	// Duration runs from sending the request to reading the last byte of the answer.
	Duration time.Duration
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r != nil && r.Status >= 200 && r.Status < 300 }

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends through hc. Default: an http.Client with DefaultTimeout over a clone of
// http.DefaultTransport. WithTransport, when also given, replaces hc's transport in a copy.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithTransport sends through rt, for example a contract.Recorder. Default: the HTTP client's.
func WithTransport(rt http.RoundTripper) Option { return func(c *Client) { c.rt = rt } }

// WithSystemInfo sets the Vipps-System-* headers; empty fields keep their defaults.
func WithSystemInfo(s SystemInfo) Option { return func(c *Client) { c.sys = s } }

// WithUserAgent sets the User-Agent header. Default: "checkoutkit-client/" + Version.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// WithMaxResponseBody caps how much of an answer is read. Default: DefaultMaxResponseBody.
func WithMaxResponseBody(n int64) Option { return func(c *Client) { c.maxBody = n } }

// Client calls one Checkout v3 endpoint as one merchant. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	baseErr error
	creds   Credentials
	sys     SystemInfo
	ua      string
	hc      *http.Client
	rt      http.RoundTripper
	maxBody int64
}

// New returns a client for the API at baseURL (scheme, host and any path prefix, without
// /checkout/v3: e.g. https://apitest.vipps.no or http://127.0.0.1:8080). A malformed baseURL
// makes every call return an error. New does not run CheckTarget; callers that take a target
// from a user should.
func New(baseURL string, creds Credentials, opts ...Option) *Client {
	c := &Client{creds: creds, maxBody: DefaultMaxResponseBody}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		c.baseErr = fmt.Errorf("base URL %q: %w", baseURL, err)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		c.baseErr = fmt.Errorf("base URL %q: %w", baseURL, ErrBadTarget)
	default:
		c.base = u
	}
	for _, o := range opts {
		o(c)
	}
	c.sys = c.sys.withDefaults()
	if c.ua == "" {
		c.ua = "checkoutkit-client/" + Version
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if c.rt != nil {
		hc := *c.hc
		hc.Transport = c.rt
		c.hc = &hc
	}
	return c
}

// String describes the client without its secrets.
func (c *Client) String() string {
	return fmt.Sprintf("client.Client{base:%s creds:%s system:%+v}", c.BaseURL(), c.creds, c.sys)
}

// Format makes every fmt verb print String: fmt prints unexported fields such as the
// credentials by reflection, which would skip their own redaction.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// Credentials returns the client's credentials (which print redacted).
func (c *Client) Credentials() Credentials { return c.creds }

// SystemInfo returns the Vipps-System-* values the client sends.
func (c *Client) SystemInfo() SystemInfo { return c.sys }

// BaseURL returns the base URL the client was made with, or "" if it was malformed.
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// Headers returns the headers every request carries: the merchant's keys (empty ones left out,
// so a test can make a client that lacks one), the Vipps-System-* headers and User-Agent.
func (c *Client) Headers() http.Header {
	h := http.Header{}
	set := func(k, v string) {
		if v != "" {
			h[k] = []string{v} // exact spelling: client_id, not Client_id, goes on the wire
		}
	}
	set(checkout.HeaderClientID, c.creds.ClientID)
	set(checkout.HeaderClientSecret, c.creds.ClientSecret)
	set(checkout.HeaderSubscriptionKey, c.creds.SubscriptionKey)
	set(checkout.HeaderMSN, c.creds.MerchantSerialNumber)
	set(checkout.HeaderSystemName, c.sys.Name)
	set(checkout.HeaderSystemVersion, c.sys.Version)
	set(checkout.HeaderPluginName, c.sys.PluginName)
	set(checkout.HeaderPluginVersion, c.sys.PluginVersion)
	set("User-Agent", c.ua)
	return h
}

// Do sends a raw request: method on path (the wire path, e.g. /checkout/v3/session, joined to
// the base URL's path), with body sent as is (nil for none; Content-Type application/json
// unless hdr sets one). hdr adds to or replaces the standard headers; a name in hdr with no
// values (hdr["client_id"] = nil) removes that header, for negative tests. The error result
// is only for a request that could not be made or an answer that could not be read.
func (c *Client) Do(ctx context.Context, method, path string, body []byte, hdr http.Header) (*Response, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	u := *c.base
	rawPath := strings.TrimRight(c.base.EscapedPath(), "/") + "/" + strings.TrimLeft(path, "/")
	ref, err := url.Parse(rawPath)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", path, err)
	}
	u.Path, u.RawPath, u.RawQuery = ref.Path, ref.RawPath, ref.RawQuery
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	req.Header = c.Headers()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	for k, vs := range hdr {
		// Match the standard names case-insensitively, so hdr["Client_id"] replaces client_id.
		for have := range req.Header {
			if strings.EqualFold(have, k) {
				delete(req.Header, have)
			}
		}
		if len(vs) > 0 {
			req.Header[k] = append([]string(nil), vs...)
		}
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Duration: time.Since(start)}
	if err != nil {
		return out, fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if int64(len(b)) > c.maxBody {
		out.Body = b[:c.maxBody]
		return out, fmt.Errorf("%s %s: %w (%d bytes)", method, path, ErrResponseTooLarge, c.maxBody)
	}
	if resp.StatusCode >= 400 {
		var p checkout.ProblemDetails
		if json.Unmarshal(b, &p) == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
			out.Problem = &p
		}
	}
	return out, nil
}

// sessionPath is the wire path of a session; the reference is path-escaped.
func sessionPath(ref string) string { return checkout.BasePath + "/session/" + url.PathEscape(ref) }

func idemHeader(key string) http.Header {
	if key == "" {
		return nil
	}
	return http.Header{checkout.HeaderIdempotencyKey: {key}}
}

// encode turns a body into JSON: []byte and json.RawMessage are sent as they are, anything
// else is marshalled.
func encode(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case string:
		return []byte(b), nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode request body: %w", err)
	}
	return b, nil
}

// call sends a JSON request and decodes a 2xx answer into out.
func call[T any](ctx context.Context, c *Client, method, path string, body any, hdr http.Header) (*T, *Response, error) {
	b, err := encode(body)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(ctx, method, path, b, hdr)
	if err != nil || !resp.OK() {
		return nil, resp, err
	}
	out := new(T)
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return nil, resp, fmt.Errorf("%s %s: decode the %d answer: %w", method, path, resp.Status, err)
	}
	return out, resp, nil
}

// CreateSession sends POST /checkout/v3/session with body (a checkout.InitiateSessionRequest,
// any other value marshalled to JSON, or raw JSON bytes) and an optional Idempotency-Key. The
// session is returned on a 2xx answer, nil otherwise; the Response is always returned when
// there was one.
func (c *Client) CreateSession(ctx context.Context, body any, idemKey string) (*checkout.InitiateSessionResponse, *Response, error) {
	return call[checkout.InitiateSessionResponse](ctx, c, http.MethodPost, checkout.BasePath+"/session", body, idemHeader(idemKey))
}

// GetSession sends GET /checkout/v3/session/{reference}.
func (c *Client) GetSession(ctx context.Context, ref string) (*checkout.SessionResponse, *Response, error) {
	return call[checkout.SessionResponse](ctx, c, http.MethodGet, sessionPath(ref), nil, nil)
}

// UpdateSession sends the experimental PATCH /checkout/v3/session/{reference} with body (a
// checkout.UpdateSessionRequest, any other value, or raw JSON bytes).
func (c *Client) UpdateSession(ctx context.Context, ref string, body any, idemKey string) (*checkout.SessionResponse, *Response, error) {
	return call[checkout.SessionResponse](ctx, c, http.MethodPatch, sessionPath(ref), body, idemHeader(idemKey))
}

// ExpireSession sends POST /checkout/v3/session/{reference}/expire, with no body (the
// contract documents none).
func (c *Client) ExpireSession(ctx context.Context, ref string, idemKey string) (*checkout.SessionResponse, *Response, error) {
	return call[checkout.SessionResponse](ctx, c, http.MethodPost, sessionPath(ref)+"/expire", nil, idemHeader(idemKey))
}
