package mock

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/checkoutkit/checkoutkit/contract"
)

// Merchant is one set of test keys and the sales unit (Merchant-Serial-Number) they cover. A
// partner whose keys cover several sales units is several Merchant values with the same keys.
type Merchant struct {
	// ClientID is the client_id header value.
	ClientID string `json:"clientId"`
	// ClientSecret is the client_secret header value. Never logged.
	ClientSecret string `json:"clientSecret"`
	// SubscriptionKey is the Ocp-Apim-Subscription-Key header value. Never logged.
	SubscriptionKey string `json:"subscriptionKey"`
	// MSN is the Merchant-Serial-Number these keys cover.
	MSN string `json:"merchantSerialNumber"`
}

// DefaultMerchant holds the example keys of the Checkout API reference page, so a request copied
// from the documentation works against the mock unchanged. They are public example values, not
// secrets of any real merchant.
var DefaultMerchant = Merchant{
	ClientID:        "fb492b5e-7907-4d83-bc20-c7fb60ca35de",
	ClientSecret:    "Y8Kteew6GE3ZmeycEt6egg==",
	SubscriptionKey: "0f14ebcab0eb4b29ae0cb90d91b4a84a",
	MSN:             "123456",
}

// Defaults of the options.
const (
	// DefaultSessionTTL is how long a session stays SessionCreated before it expires (1 h, as Vipps documents).
	DefaultSessionTTL = time.Hour
	// DefaultRetention is how long a session stays readable after it ended, before it is purged.
	DefaultRetention = 24 * time.Hour
	// DefaultIdempotencyTTL is how long an Idempotency-Key outcome is kept.
	DefaultIdempotencyTTL = 24 * time.Hour
	// DefaultIdempotencyCapacity is the most Idempotency-Key outcomes kept at once (oldest evicted first).
	DefaultIdempotencyCapacity = 100000
	// DefaultMaxBody is the largest request body accepted (64 KiB); larger answers 413.
	DefaultMaxBody = 64 << 10
	// DefaultCallbackBackoff is the first retry delay of the payment callback; it doubles per retry.
	DefaultCallbackBackoff = time.Second
	// DefaultCallbackRetries is how many times a failed payment callback is retried (Vipps: at most 3).
	DefaultCallbackRetries = 3
	// DefaultLogisticsBudget is how long the dynamic logistics callback may take (Vipps: 8 s).
	DefaultLogisticsBudget = 8 * time.Second
	// DefaultMaxSessions is the most sessions held at once (all merchants); beyond it the oldest
	// session is evicted, as if purged.
	DefaultMaxSessions = 1_000_000
	// DefaultVerdictCache is how many verdicts of bodyless requests are remembered.
	DefaultVerdictCache = 4096
	// DefaultCallbackTimeout bounds one payment callback attempt.
	DefaultCallbackTimeout = 10 * time.Second
)

type options struct {
	validator        *contract.Validator
	merchants        []Merchant
	clock            Clock
	strictHeaders    bool
	sessionTTL       time.Duration
	retention        time.Duration
	idemTTL          time.Duration
	idemCap          int
	maxBody          int64
	callbackHosts    []string
	callbackClient   *http.Client
	callbackBackoff  time.Duration
	callbackRetries  int
	logisticsBudget  time.Duration
	logger           *slog.Logger
	faults           Faults
	faultControl     bool
	breakage         []Breakage
	autoDelay        time.Duration
	publicBaseURL    string
	expiredCallbacks bool
	verdictCache     int
	maxSessions      int
}

func defaultOptions() options {
	return options{
		clock:           SystemClock{},
		sessionTTL:      DefaultSessionTTL,
		retention:       DefaultRetention,
		idemTTL:         DefaultIdempotencyTTL,
		idemCap:         DefaultIdempotencyCapacity,
		maxBody:         DefaultMaxBody,
		callbackBackoff: DefaultCallbackBackoff,
		callbackRetries: DefaultCallbackRetries,
		logisticsBudget: DefaultLogisticsBudget,
		logger:          slog.New(slog.DiscardHandler),
		verdictCache:    DefaultVerdictCache,
		maxSessions:     DefaultMaxSessions,
		faultControl:    true,
	}
}

// Option configures a Server.
type Option func(*options)

// WithValidator sets the contract validator every request is checked with. Default: a validator
// over the bundled contract (contract.Default), built once per Server.
func WithValidator(v *contract.Validator) Option { return func(o *options) { o.validator = v } }

// WithMerchants replaces the accepted merchants. Default: DefaultMerchant only.
func WithMerchants(ms ...Merchant) Option {
	return func(o *options) { o.merchants = append([]Merchant(nil), ms...) }
}

// WithClock sets the clock behind session TTL, retention and idempotency expiry. Default: the
// system clock. Tests pass a *ManualClock and Advance it.
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithStrictSystemHeaders makes the four Vipps-System-* headers required (400 when missing).
// Default: false — a missing header is logged as a warning and accepted; a value over 30
// characters is always 400.
func WithStrictSystemHeaders(strict bool) Option {
	return func(o *options) { o.strictHeaders = strict }
}

// WithSessionTTL sets how long a session may stay unpaid. Default: DefaultSessionTTL (1 h).
func WithSessionTTL(d time.Duration) Option { return func(o *options) { o.sessionTTL = d } }

// WithRetention sets how long an ended session stays readable before it answers 404 and is
// purged. Default: DefaultRetention (24 h).
func WithRetention(d time.Duration) Option { return func(o *options) { o.retention = d } }

// WithIdempotencyTTL sets how long Idempotency-Key outcomes are kept. Default: 24 h.
func WithIdempotencyTTL(d time.Duration) Option { return func(o *options) { o.idemTTL = d } }

// WithIdempotencyCapacity caps how many Idempotency-Key outcomes are kept; when full the oldest
// is evicted. Default: DefaultIdempotencyCapacity (100 000).
func WithIdempotencyCapacity(n int) Option { return func(o *options) { o.idemCap = n } }

// WithMaxBody sets the largest request body accepted; larger bodies answer 413 Request-00413.
// Default: DefaultMaxBody (64 KiB).
func WithMaxBody(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithCallbackHosts allows callbacks to more hosts: host names, IP addresses or CIDR prefixes.
// Default: loopback only (localhost, 127.0.0.0/8, ::1). A session whose callback URL names any
// other host is refused at create with 400.
func WithCallbackHosts(hosts ...string) Option {
	return func(o *options) { o.callbackHosts = append(o.callbackHosts, hosts...) }
}

// WithCallbackClient sets the HTTP client for callbacks. Default: a client with no proxy, no
// redirects, a DefaultCallbackTimeout per attempt and a dialer that refuses every IP address that
// is not loopback or allowed by WithCallbackHosts. A client given here replaces that dialer
// check (the host check at create still applies).
func WithCallbackClient(c *http.Client) Option { return func(o *options) { o.callbackClient = c } }

// WithCallbackBackoff sets the first retry delay of the payment callback (it doubles per retry)
// and the number of retries. Default: DefaultCallbackBackoff (1 s) and DefaultCallbackRetries (3).
func WithCallbackBackoff(base time.Duration, retries int) Option {
	return func(o *options) { o.callbackBackoff, o.callbackRetries = base, retries }
}

// WithLogisticsBudget sets how long the dynamic logistics callback may take before the mock
// falls back to the fixed options. Default: DefaultLogisticsBudget (8 s).
func WithLogisticsBudget(d time.Duration) Option { return func(o *options) { o.logisticsBudget = d } }

// WithLogger sets the structured logger. Default: discard. Logs carry method, path, status,
// duration, MSN and reference, never headers or bodies.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithFaults injects latency and errors from the start. Default: none. Server.SetFaults and
// PUT /_mock/faults replace them at runtime.
func WithFaults(f Faults) Option { return func(o *options) { o.faults = f } }

// WithFaultControl serves the runtime fault control endpoint (GET, PUT and DELETE
// /_mock/faults). Default: true, so a demo or a contract run against a mock in another process
// can exercise the documented 429, 500 and 502 answers; pass false when the mock is reachable by
// parties that must not be able to make it fail (the endpoint, like the rest of /_mock/, needs
// no keys). Off, the path answers 404. Server.SetFaults works either way.
func WithFaultControl(on bool) Option { return func(o *options) { o.faultControl = on } }

// WithBreakage makes the mock send deliberately non-conforming responses, to prove that a
// contract suite can fail. Default: none.
func WithBreakage(b ...Breakage) Option {
	return func(o *options) { o.breakage = append(o.breakage, b...) }
}

// WithAutoMode makes every created session initiate after delay and be approved after another
// delay, as if a customer paid, for demos. Default: off (delay 0).
func WithAutoMode(delay time.Duration) Option { return func(o *options) { o.autoDelay = delay } }

// WithPublicBaseURL sets the base of pollingUrl and checkoutFrontendUrl (e.g.
// "http://127.0.0.1:8080"). Default: "http://" + the request's Host.
func WithPublicBaseURL(u string) Option { return func(o *options) { o.publicBaseURL = u } }

// WithExpiredCallbacks sends the payment callback also when a session expires with no payment
// attempt. Default: false (Vipps does not document such a callback).
func WithExpiredCallbacks(on bool) Option { return func(o *options) { o.expiredCallbacks = on } }

// WithVerdictCache sets how many contract verdicts of bodyless requests (GET, expire) are
// remembered, keyed by method, target and every header, so an identical repeated request (a
// merchant polling a session) is not validated again: the verdict is the same by construction.
// Requests with a body are always validated. Default: DefaultVerdictCache; 0 turns it off.
func WithVerdictCache(n int) Option { return func(o *options) { o.verdictCache = n } }

// WithMaxSessions caps how many sessions are held at once, across merchants. Creating one more
// evicts the oldest (it then answers 404 Session-00100, as if purged), so a long load run with a
// long retention cannot exhaust memory. Default: DefaultMaxSessions (1 000 000).
func WithMaxSessions(n int) Option { return func(o *options) { o.maxSessions = n } }
