package checkout

// BasePath is the path prefix of every Checkout v3 operation.
const BasePath = "/checkout/v3"

// Header names used by the Checkout API.
const (
	// HeaderClientID carries the merchant's client id (the "username").
	HeaderClientID = "client_id"
	// HeaderClientSecret carries the merchant's client secret. Never log it.
	HeaderClientSecret = "client_secret"
	// HeaderSubscriptionKey carries the API product's subscription key. Never log it.
	HeaderSubscriptionKey = "Ocp-Apim-Subscription-Key"
	// HeaderMSN carries the Merchant-Serial-Number (sales unit).
	HeaderMSN = "Merchant-Serial-Number"
	// HeaderSystemName carries the name of the e-commerce solution (at most 30 characters).
	HeaderSystemName = "Vipps-System-Name"
	// HeaderSystemVersion carries the version of the e-commerce solution (at most 30 characters).
	HeaderSystemVersion = "Vipps-System-Version"
	// HeaderPluginName carries the name of the plugin (at most 30 characters).
	HeaderPluginName = "Vipps-System-Plugin-Name"
	// HeaderPluginVersion carries the version of the plugin (at most 30 characters).
	HeaderPluginVersion = "Vipps-System-Plugin-Version"
	// HeaderIdempotencyKey carries the optional idempotency key.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderAuthorization is the header of the callbacks, carrying callbackAuthorizationToken. Never log it.
	HeaderAuthorization = "Authorization"
	// HeaderRetryAfter is sent with 429 answers.
	HeaderRetryAfter = "Retry-After"
)

// HeaderPluginNameAlias and HeaderPluginVersionAlias are the same headers under the names the
// working agreement uses (HeaderSystemPluginName, HeaderSystemPluginVersion).
const (
	// HeaderSystemPluginName is an alias of HeaderPluginName.
	HeaderSystemPluginName = HeaderPluginName
	// HeaderSystemPluginVersion is an alias of HeaderPluginVersion.
	HeaderSystemPluginVersion = HeaderPluginVersion
)

// SystemHeaders lists the four Vipps-System-* headers.
var SystemHeaders = []string{HeaderSystemName, HeaderSystemVersion, HeaderPluginName, HeaderPluginVersion}

// SystemHeaderMaxLen is the longest value a Vipps-System-* header may have.
const SystemHeaderMaxLen = 30

// SessionState is the state of a Checkout session (ExternalSessionState).
type SessionState string

// Session states.
const (
	// StateSessionCreated: the session exists and the customer has not started paying.
	StateSessionCreated SessionState = "SessionCreated"
	// StatePaymentInitiated: the customer started a payment (paymentDetails CREATED).
	StatePaymentInitiated SessionState = "PaymentInitiated"
	// StateSessionExpired: the session expired (TTL or expire call) with no payment.
	StateSessionExpired SessionState = "SessionExpired"
	// StatePaymentSuccessful: the payment is reserved (paymentDetails AUTHORIZED).
	StatePaymentSuccessful SessionState = "PaymentSuccessful"
	// StatePaymentTerminated: the payment was aborted, rejected or failed (paymentDetails TERMINATED).
	StatePaymentTerminated SessionState = "PaymentTerminated"
)

// SessionStates lists every session state in lifecycle order.
var SessionStates = []SessionState{StateSessionCreated, StatePaymentInitiated, StatePaymentSuccessful, StatePaymentTerminated, StateSessionExpired}

// PaymentState is the state of the payment inside a session.
type PaymentState string

// Payment states.
const (
	// PaymentCreated: the payment is initiated and in progress.
	PaymentCreated PaymentState = "CREATED"
	// PaymentAuthorized: the amount is reserved.
	PaymentAuthorized PaymentState = "AUTHORIZED"
	// PaymentTerminated: aborted, expired or failed.
	PaymentTerminated PaymentState = "TERMINATED"
)

// Session types (InitiateSessionRequest.Type).
const (
	// TypePayment is a one-off payment session.
	TypePayment = "PAYMENT"
	// TypeSubscription is a session that creates a Recurring agreement.
	TypeSubscription = "SUBSCRIPTION"
)

// Payment methods as the mock reports them in SessionResponse.PaymentMethod.
const (
	// PaymentMethodWallet is a Vipps/MobilePay wallet payment.
	PaymentMethodWallet = "Wallet"
	// PaymentMethodCard is a card payment.
	PaymentMethodCard = "Card"
)

// PaymentDetailsTypeWallet is the paymentDetails.type the mock sends for wallet payments.
const PaymentDetailsTypeWallet = "WALLET"

// Logistics brands (LogisticsOption.Brand).
const (
	BrandPosten      = "POSTEN"
	BrandPostnord    = "POSTNORD"
	BrandPorterbuddy = "PORTERBUDDY"
	BrandHelthjem    = "HELTHJEM"
	BrandPosti       = "POSTI"
	BrandGLS         = "GLS"
	BrandDAO         = "DAO"
	BrandOther       = "OTHER"
)

// Error codes (CheckoutProblemDetails.errorCode). Validation-00001 and Session-00100 are documented
// by Vipps; the others are checkoutkit's choices (see the contract's response descriptions).
const (
	// ErrValidation: 400, one or more validation errors.
	ErrValidation = "Validation-00001"
	// ErrSessionNotFound: 404, session expired or not known.
	ErrSessionNotFound = "Session-00100"
	// ErrSessionConflict: 409, duplicate reference or an operation the session's state forbids.
	ErrSessionConflict = "Session-00409"
	// ErrIdempotencyConflict: 409, an Idempotency-Key reused with another body or still in flight.
	ErrIdempotencyConflict = "Idempotency-00409"
	// ErrUnauthorized: 401, invalid client_id or client_secret.
	ErrUnauthorized = "Auth-00401"
	// ErrForbidden: 403, invalid subscription key or a Merchant-Serial-Number the keys do not cover.
	ErrForbidden = "Auth-00403"
	// ErrNotFound: 404 for a path the API does not have.
	ErrNotFound = "Request-00404"
	// ErrMethodNotAllowed: 405 for a method a known path does not have.
	ErrMethodNotAllowed = "Request-00405"
	// ErrTooLarge: 413, request body over the size limit.
	ErrTooLarge = "Request-00413"
	// ErrUnsupportedMedia: 415, a request body that is not JSON.
	ErrUnsupportedMedia = "Request-00415"
	// ErrRateLimited: 429, too many requests (Retry-After says when to retry).
	ErrRateLimited = "Request-00429"
	// ErrInternal: 500, unexpected error.
	ErrInternal = "Internal-00500"
	// ErrBadGateway: 502, an integration failed.
	ErrBadGateway = "Integration-00502"
)
