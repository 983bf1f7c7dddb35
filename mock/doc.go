// Package mock is a stateful mock of the Vipps MobilePay Checkout API v3 that behaves as
// checkoutkit's contract (contract/checkout-v3.yaml) describes, for merchants' own tests, the
// contract suites and load runs:
//
//	srv := httptest.NewServer(mock.New())
//	defer srv.Close()
//	// ... point a client at srv.URL with mock.DefaultMerchant's keys ...
//
// Every response it sends validates against the contract it was given (the bundled one by
// default, or any other with WithValidator); its own test suite checks that for every exchange.
//
// # Request pipeline
//
// Each request to /checkout/v3 passes, in order: injected latency and errors (WithFaults); auth;
// the body size limit; the Idempotency-Key store; the media type; the JSON shape; validation of
// the whole request against the contract; the business rules; and the operation. The first step
// that refuses answers with the Checkout problem body (application/json; errorCode; errors, which
// is always present and {} when empty). A recover middleware answers 500 Internal-00500 as a last
// resort and counts it (Server.Panics); the fuzz tests prove no input reaches it.
//
// # Choices (MOCK-CHOICE)
//
// The public Checkout documentation leaves these open; the mock decides, and the contract's
// descriptions say the same.
//
// Paths and methods: a path outside /checkout/v3 (other than /_mock/ and /healthz), or a path that
// is not clean (//, ..), answers 404 Request-00404; a known path with an undeclared method answers
// 405 Request-00405 with Allow.
//
// Auth: a request is accepted when client_id, client_secret, Ocp-Apim-Subscription-Key and
// Merchant-Serial-Number all match one configured Merchant (compared with crypto/subtle, every
// merchant, no early exit). A wrong or missing client_id or client_secret answers 401
// Auth-00401; right credentials with a wrong or missing subscription key, or an MSN those keys do
// not cover (a missing MSN included), answer 403 Auth-00403. Sessions live per (MSN, reference):
// one merchant never sees another's, and two merchants may use the same reference. With no
// merchants configured the only merchant is DefaultMerchant, the reference page's example keys.
//
// Vipps-System-* headers: lenient by default: a missing one is logged as a warning and accepted;
// WithStrictSystemHeaders makes them required (400 keyed by the header name). A value over 30
// characters is always 400.
//
// Bodies: at most 64 KiB (WithMaxBody); larger answers 413 Request-00413. A body must be JSON
// (application/json, text/json or application/*+json) or it answers 415 Request-00415. Malformed
// JSON, a body that is not a JSON object, or a missing body on create and update answer 400
// Validation-00001 keyed "Body". Expire takes no body: an empty body or any JSON object is
// accepted and ignored.
//
// Undeclared statuses: every answer stays a documented one, also under a --spec document that
// declares fewer statuses than ours. A 401, 403, 404, 409, 413 or 415 that the operation does not
// declare (exactly, as 4XX or as default) is sent as 400 Validation-00001 instead, with the title
// as the message, keyed "Body" for 413 and 415 and by the original error code (Auth-00401,
// Auth-00403, Session-00100, Session-00409, Idempotency-00409) for the others; expire, which
// declares no 413 or 415 even in our contract, is the everyday case. An injected fault (429, 500,
// 502) whose status the operation does not declare is not injected: the request is served as if
// no fault fired.
//
// Validation errors: 400 Validation-00001, with errors keyed by PascalCase dotted field path
// derived from the violation's location (/body/transaction/amount/value is
// Transaction.Amount.Value; array items as FixedOptions[0]; a missing property is keyed by itself;
// headers by their name; the reference path parameter as Reference).
//
// Business rules (after schema validation): the reference is the top-level reference, else the
// deprecated transaction.reference; at least one is required (key Reference) and when both are
// given they must be equal (key Transaction.Reference). A SUBSCRIPTION without a transaction
// needs the top-level reference. Currencies of the order summary, the fixed options and the
// subscription must match the transaction's. On update, transaction.reference, when given, must
// equal the path's reference. Callback URLs (merchantInfo.callbackUrl and
// logistics.dynamicOptionsCallback) must be absolute http(s) URLs on an allowed host (below), else
// 400 keyed MerchantInfo.CallbackUrl or Logistics.DynamicOptionsCallback.
//
// Create: 200 {token, checkoutFrontendUrl, pollingUrl}; pollingUrl is
// {base}/checkout/v3/session/{reference}, where base is WithPublicBaseURL or "http://" + the
// request's Host. The sessionId is 22 URL-safe characters (16 random bytes, base64url); the token
// looks like a JWT but is signed by nothing. checkoutFrontendUrl points at /_mock/frontend/v1/,
// a page that only explains the control API. A reference already used within the MSN answers
// 409 Session-00409, whatever state its session is in, until that session is purged.
//
// States and operations (unknown or purged references answer 404 Session-00100 everywhere):
//
//	state              GET   PATCH                       expire                        create, same reference
//	SessionCreated     200   200 (amount, description,   200 -> SessionExpired         409
//	                         order summary, options)
//	PaymentInitiated   200   409 Session-00409           409 Session-00409             409
//	PaymentSuccessful  200   409                         409                           409
//	PaymentTerminated  200   409                         409                           409
//	SessionExpired     200   409                         200 (idempotent, no change)   409
//
// GET, PATCH and expire answer the SessionResponse. In SessionCreated, and in SessionExpired
// without a payment, it holds only sessionId, merchantSerialNumber, reference and sessionState.
// From PaymentInitiated on it adds paymentMethod "Wallet" and paymentDetails {type "WALLET",
// amount = transaction amount + the chosen shipping option's amount, state CREATED, AUTHORIZED or
// TERMINATED, aggregate}; shippingDetails when configuration.elements is Full (the default);
// billingDetails unless elements is PaymentOnly; userInfo only when requireUserInfo is set;
// subscriptionDetails (PENDING, ACTIVE with an agreementId, STOPPED) for SUBSCRIPTION sessions.
// The customer is the prefilled one, with fixed test values where nothing was prefilled.
//
// Time (on the Clock, so tests can advance it with a ManualClock): a session is SessionCreated
// for the TTL (1 h, WithSessionTTL) and then SessionExpired. A payment still PaymentInitiated
// when the TTL passes becomes PaymentTerminated / TERMINATED and the payment callback is sent. An
// ended session (expired, successful or terminated) stays readable for the retention (24 h,
// WithRetention), then answers 404 Session-00100 and is deleted. Transitions happen lazily when a
// session is touched, and a sweep over all sessions runs on create at most once per clock
// minute, so memory is bounded by the sessions created within TTL + retention. On top of that at
// most 1 000 000 sessions are held (WithMaxSessions); creating one more evicts the oldest, which
// then answers 404 as if purged. A purged or evicted reference may be used again.
//
// Idempotency-Key: outcomes are stored per (MSN, method, path, key) with the SHA-256 of the raw
// request body. The same key with the same body bytes replays the stored status and body (4xx
// included) without running the operation again; the same key with different bytes answers 409
// Idempotency-00409. A duplicate that arrives while the first request is still running answers
// 409 Idempotency-00409 at once (it does not wait), so of 32 concurrent identical creates exactly
// one runs and the others get 409 or, if they arrive after it finished, the replay. 5xx outcomes
// are never stored (the client may retry with the key); nor are 401/403/413, which are decided
// before the store is consulted. GET ignores the key; a key over 128 characters is a 400 and is
// never stored. Keys live 24 h (WithIdempotencyTTL). The store holds at most 100 000 keys
// (WithIdempotencyCapacity); when full, the oldest completed key is evicted first. A key whose
// request is still in flight is never evicted: when every held key is in flight, the store
// exceeds its cap by the number of requests running and trims back as they finish. All keys
// share one TTL, so the oldest is also the next to expire. A key that expires while its request
// is still running (only possible with a request as long as the TTL) is simply not stored, and
// never settles a later request's entry for the same key.
//
// # Control API (the simulated customer)
//
// POST /_mock/sessions/{reference}/{action}, no keys needed, merchant chosen by the
// Merchant-Serial-Number header (default: the only merchant configured):
//
//	initiate  SessionCreated -> PaymentInitiated (paymentDetails CREATED); picks the default fixed option
//	approve   PaymentInitiated -> PaymentSuccessful (AUTHORIZED), sends the payment callback
//	reject    PaymentInitiated -> PaymentTerminated (TERMINATED), sends the payment callback
//	address   body {streetAddress, postalCode, region, country}; answers AddressResult
//
// Any other transition answers 409 Session-00409; an unknown action 404.
//
// GET, PUT and DELETE /_mock/faults (FaultControlPath; no keys needed; on by default, off with
// WithFaultControl(false), then 404) read, replace and clear the injected faults at runtime:
//
//	PUT /_mock/faults
//	{"errors":[{"operation":"create","status":502,"rate":1,"retryAfter":"1s"}],
//	 "latency":{"get":"uniform:10ms..50ms"},"seed":42}
//
// operation is create, get, update, expire or *; status 429, 500 or 502; rate in [0, 1]
// (default 1); retryAfter a Go duration (429 only, default 1s); latency values use
// ParseLatency's syntax. PUT replaces the whole configuration (rules not listed are dropped);
// DELETE clears it; all three answer 200 with the configuration now in force, in the same form.
// Bad JSON, an unknown field, an unknown operation, another status or a rate outside [0, 1]
// answer 400 Validation-00001 with the Checkout error body, keyed like Errors[0].Status, and
// change nothing. The swap is atomic: each request sees the old or the new configuration whole. Address posts the body
// to logistics.dynamicOptionsCallback with Authorization set to the callbackAuthorizationToken,
// waits at most 8 s (WithLogisticsBudget) and checks the answer against the contract's schema for
// that callback's 200 answer (contract.Validator.ValidateCallbackAnswer; a contract that declares
// none is logged as a warning and the answer is used as far as it decodes). A failure, a timeout, a non-200, an answer that breaks the schema,
// null or [] falls back to logistics.fixedOptions. The option marked isDefault (else the lowest
// priority) is chosen, and the address and option show in shippingDetails from then on.
// WithAutoMode(d) walks every new session through initiate and approve, d apart, for demos;
// Close ends the walks at once (a session keeps the state it reached) and only waits for the
// payment callbacks already queued.
//
// # Callbacks
//
// The payment callback is POSTed to merchantInfo.callbackUrl when a payment ends (AUTHORIZED or
// TERMINATED; never for CREATED; for an unpaid expiry only with WithExpiredCallbacks), with
// Authorization set to the raw callbackAuthorizationToken and the SessionResponse, exactly as GET
// shows it, as the body. Any non-2xx answer or transport error is retried up to 3 times, waiting
// 1 s, 2 s and 4 s (WithCallbackBackoff), on a background goroutine; Close waits for them and
// Shutdown abandons them when its context ends.
//
// Callbacks only go to allowed hosts: loopback (localhost, 127.0.0.0/8, ::1) by default, plus the
// names, addresses and CIDR prefixes of WithCallbackHosts. The URL is checked at create (400), and
// again when dialling: the dialer refuses a host outside the list and, after DNS resolution, any
// IP address that is not loopback or allowed (unless the name itself was allowed). No proxy is
// used and redirects are not followed.
//
// # Faults and breakage
//
// WithFaults adds latency per operation (fixed, uniform or exponential) and answers a share of
// requests with 500 Internal-00500, 502 Integration-00502 or 429 Request-00429 with Retry-After;
// all three are declared by the contract, so injected answers are still conformant. Faults run
// before auth, as a gateway's would, and are never stored under an Idempotency-Key. A seed makes
// them repeatable. Server.SetFaults and PUT /_mock/faults (above) change them while the mock
// runs, so a contract suite can exercise every documented 429, 500 and 502 answer on demand.
//
// WithBreakage sends deliberately non-conforming answers, to prove that a suite can fail:
// BreakDropRequiredField drops sessionState (GET, PATCH, expire) and pollingUrl (create);
// BreakWrongEnum sends sessionState "SessionStarted"; BreakUndocumentedStatus answers create with
// 201 and expire with 418.
//
// # Speed
//
// Validation stays on for every request. contract.Validator proves most valid requests valid
// with a compiled check of the contract and leaves every other request to libopenapi-validator
// (see the contract package), which keeps a create at about half the throughput of a bare
// handler or better (make bench). Two caches keep repeated polling cheap without changing any
// answer: the SessionResponse JSON is rendered once per change of the session, and the
// contract verdict of a bodyless request (GET, expire without a body) is remembered, keyed by
// method, target and every header value, so an identical repeated request reuses a verdict that
// is the same by construction (4096 entries, emptied when full; WithVerdictCache(0) turns it
// off). With the bundled contract the fast path makes that cache nearly free of effect; it
// matters under a --spec document the fast path does not compile (one whose schemas use
// keywords it does not know, say). Requests with a body are validated every time.
//
// # Logs
//
// Structured (log/slog): method, path, status, duration, MSN and reference per request, and
// callback outcomes. Headers, bodies, query strings and callback URLs are never logged, so no
// key, secret or callback token reaches a log.
package mock
