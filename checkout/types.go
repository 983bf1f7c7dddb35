package checkout

// Amount is an amount in minor units (10.00 NOK = 1000).
type Amount struct {
	// Value is the amount in minor units, never negative.
	Value int64 `json:"value"`
	// Currency is the ISO 4217 code (NOK, DKK or EUR).
	Currency string `json:"currency"`
}

// InitiateSessionRequest is the body of POST /checkout/v3/session, for both PAYMENT and
// SUBSCRIPTION sessions (told apart by Type).
type InitiateSessionRequest struct {
	// Type is "PAYMENT" or "SUBSCRIPTION".
	Type string `json:"type"`
	// Reference is the merchant's reference, unique per MSN (8-50 of a-z A-Z 0-9 -).
	Reference *string `json:"reference,omitempty"`
	// Transaction is the payment; required for PAYMENT, optional for SUBSCRIPTION.
	Transaction *PaymentTransaction `json:"transaction,omitempty"`
	// Logistics holds shipping options (PAYMENT only).
	Logistics *Logistics `json:"logistics,omitempty"`
	// PrefillCustomer pre-fills the customer's details.
	PrefillCustomer *PrefillCustomer `json:"prefillCustomer,omitempty"`
	// MerchantInfo holds the callback and return URLs; required.
	MerchantInfo *MerchantInfo `json:"merchantInfo,omitempty"`
	// Configuration tunes the Checkout UI.
	Configuration *CheckoutConfig `json:"configuration,omitempty"`
	// Subscription describes the agreement (SUBSCRIPTION only).
	Subscription *Subscription `json:"subscription,omitempty"`
}

// PaymentTransaction is the payment part of a session.
type PaymentTransaction struct {
	// Amount is the amount to pay, without shipping.
	Amount Amount `json:"amount"`
	// Reference is the deprecated place of the reference (prefer the top-level one).
	Reference *string `json:"reference,omitempty"`
	// PaymentDescription is shown to the customer (3-100 characters).
	PaymentDescription string `json:"paymentDescription"`
	// OrderSummary lists the order lines for the receipt.
	OrderSummary *OrderSummary `json:"orderSummary,omitempty"`
}

// OrderSummary is the receipt: order lines plus a bottom line.
type OrderSummary struct {
	// OrderLines has at least one line.
	OrderLines []OrderLine `json:"orderLines"`
	// OrderBottomLine holds the currency and totals.
	OrderBottomLine OrderBottomLine `json:"orderBottomLine"`
}

// OrderLine is one line of the order summary. At least one of TaxRate and TaxPercentage is required.
type OrderLine struct {
	// Name is the line's product name (1-2048 characters).
	Name string `json:"name"`
	// ID is the merchant's product or line id (1-255 characters).
	ID string `json:"id"`
	// TotalAmount is the line total in minor units, tax and discount included.
	TotalAmount int64 `json:"totalAmount"`
	// TotalAmountExcludingTax is the line total in minor units without tax.
	TotalAmountExcludingTax int64 `json:"totalAmountExcludingTax"`
	// TotalTaxAmount is the line's tax in minor units.
	TotalTaxAmount int64 `json:"totalTaxAmount"`
	// TaxRate is the tax rate in hundredths of a percent (2500 = 25 %), 0-10000; optional, but
	// it or TaxPercentage must be set.
	TaxRate *int `json:"taxRate,omitempty"`
	// TaxPercentage is the deprecated whole-percent tax rate (0-100); optional, nil when TaxRate
	// is used instead.
	TaxPercentage *int `json:"taxPercentage,omitempty"`
	// UnitInfo holds unit price and quantity; optional and nullable.
	UnitInfo *OrderUnitInfo `json:"unitInfo,omitempty"`
	// Discount is the discount in minor units; optional and nullable.
	Discount *int64 `json:"discount,omitempty"`
	// ProductURL links to the product page (absolute URL); optional and nullable.
	ProductURL *string `json:"productUrl,omitempty"`
	// IsReturn marks a returned item; optional and nullable (absent means false).
	IsReturn *bool `json:"isReturn,omitempty"`
	// IsShipping marks the line as the shipping cost; optional and nullable (absent means false).
	IsShipping *bool `json:"isShipping,omitempty"`
}

// OrderUnitInfo describes unit price and quantity of an order line.
type OrderUnitInfo struct {
	// UnitPrice is the price of one unit in minor units.
	UnitPrice int64 `json:"unitPrice"`
	// Quantity is an integer or a fraction as text, for display ("2", "0.5", "1/2").
	Quantity string `json:"quantity"`
	// QuantityUnit is PCS, KG, KM, MINUTE or LITRE; the contract's default is PCS.
	QuantityUnit string `json:"quantityUnit"`
}

// OrderBottomLine holds the currency and the totals of an order summary.
type OrderBottomLine struct {
	// Currency is the ISO 4217 code of every amount in the summary (NOK, DKK or EUR).
	Currency string `json:"currency"`
	// TipAmount is the tip in minor units; optional and nullable.
	TipAmount *int64 `json:"tipAmount,omitempty"`
	// GiftCardAmount is the amount paid by gift card in minor units; optional and nullable.
	GiftCardAmount *int64 `json:"giftCardAmount,omitempty"`
	// TerminalID identifies the point-of-sale terminal; optional and nullable.
	TerminalID *string `json:"terminalId,omitempty"`
	// PaymentSources splits the payment between sources; optional and nullable.
	PaymentSources *PaymentSources `json:"paymentSources,omitempty"`
	// ReceiptNumber is the merchant's receipt number; optional and nullable.
	ReceiptNumber *string `json:"receiptNumber,omitempty"`
}

// PaymentSources splits a payment between sources.
type PaymentSources struct {
	// GiftCard is the amount paid by gift card in minor units; optional and nullable.
	GiftCard *int64 `json:"giftCard,omitempty"`
	// Card is the amount paid by card in minor units; optional and nullable.
	Card *int64 `json:"card,omitempty"`
	// Voucher is the amount paid by voucher in minor units; optional and nullable.
	Voucher *int64 `json:"voucher,omitempty"`
	// Cash is the amount paid in cash in minor units; optional and nullable.
	Cash *int64 `json:"cash,omitempty"`
}

// Logistics holds the shipping options of a session.
type Logistics struct {
	// DynamicOptionsCallback is the URL Checkout calls with the customer's address.
	DynamicOptionsCallback *string `json:"dynamicOptionsCallback,omitempty"`
	// FixedOptions are static options, and the fallback of the dynamic callback.
	FixedOptions []LogisticsOption `json:"fixedOptions,omitempty"`
	// Integrations holds carrier credentials (deprecated); kept raw.
	Integrations map[string]any `json:"integrations,omitempty"`
}

// LogisticsOption is one shipping option. It is flat: every carrier's fields live here, and the
// contract's oneOf (by Brand) decides which are allowed.
type LogisticsOption struct {
	// Brand is the carrier (POSTEN, POSTNORD, PORTERBUDDY, HELTHJEM, POSTI, GLS, DAO, OTHER).
	Brand string `json:"brand"`
	// Type is the delivery type (MAILBOX, PICKUP_POINT, HOME_DELIVERY); not for OTHER.
	Type *string `json:"type,omitempty"`
	// ID identifies the option (1-200 characters); it comes back as shippingDetails.shippingMethodId.
	ID string `json:"id"`
	// Priority is the display order (>= 0).
	Priority int `json:"priority"`
	// IsDefault marks the preselected option.
	IsDefault bool `json:"isDefault"`
	// Description is an optional description.
	Description *string `json:"description,omitempty"`
	// Amount is the price; required except for PORTERBUDDY.
	Amount *Amount `json:"amount,omitempty"`
	// CustomType is a carrier-specific type label.
	CustomType *string `json:"customType,omitempty"`
	// TaxRate is in hundredths of a percent (2500 = 25 %).
	TaxRate *int `json:"taxRate,omitempty"`
	// Title is required for OTHER (1-200 characters).
	Title *string `json:"title,omitempty"`
}

// PrefillCustomer pre-fills the customer's details; every field is optional.
type PrefillCustomer struct {
	// FirstName is the customer's given name; optional and nullable.
	FirstName *string `json:"firstName,omitempty"`
	// LastName is the customer's family name; optional and nullable.
	LastName *string `json:"lastName,omitempty"`
	// Email is the customer's e-mail address; optional and nullable.
	Email *string `json:"email,omitempty"`
	// PhoneNumber is the customer's phone number with country code, with or without a leading
	// "+"; optional and nullable.
	PhoneNumber *string `json:"phoneNumber,omitempty"`
	// StreetAddress is the customer's street address; optional and nullable.
	StreetAddress *string `json:"streetAddress,omitempty"`
	// City is the customer's city; optional and nullable.
	City *string `json:"city,omitempty"`
	// PostalCode is the customer's postal code; optional and nullable.
	PostalCode *string `json:"postalCode,omitempty"`
	// Country is the customer's country (ISO 3166-1 alpha-2); optional and nullable.
	Country *string `json:"country,omitempty"`
}

// MerchantInfo holds the merchant's URLs and the callback token.
type MerchantInfo struct {
	// CallbackURL receives the payment callback.
	CallbackURL string `json:"callbackUrl"`
	// ReturnURL is where the customer goes afterwards.
	ReturnURL string `json:"returnUrl"`
	// CallbackAuthorizationToken is sent back as the Authorization header of callbacks. Never log it.
	CallbackAuthorizationToken string `json:"callbackAuthorizationToken"`
	// TermsAndConditionsURL is optional.
	TermsAndConditionsURL *string `json:"termsAndConditionsUrl,omitempty"`
}

// CheckoutConfig tunes the Checkout UI.
type CheckoutConfig struct {
	// CustomerInteraction is CUSTOMER_PRESENT or CUSTOMER_NOT_PRESENT (case-sensitive); optional
	// and nullable.
	CustomerInteraction *string `json:"customerInteraction,omitempty"`
	// Elements chooses what Checkout asks for: Full, PaymentAndContactInfo or PaymentOnly; optional
	// and nullable, default Full.
	Elements *string `json:"elements,omitempty"`
	// Countries limits the countries the customer can pick; optional and nullable (nil = all).
	Countries *Countries `json:"countries,omitempty"`
	// UserFlow is WEB_REDIRECT or NATIVE_REDIRECT; optional and nullable.
	UserFlow *string `json:"userFlow,omitempty"`
	// RequireUserInfo asks for the customer's consent to share user info (see
	// SessionResponse.UserInfo); optional and nullable, default false.
	RequireUserInfo *bool `json:"requireUserInfo,omitempty"`
	// CustomConsent shows a merchant-defined consent checkbox; optional and nullable.
	CustomConsent *CustomConsent `json:"customConsent,omitempty"`
	// ShowOrderSummary shows the transaction's order summary to the customer; optional and
	// nullable (absent means not shown).
	ShowOrderSummary *bool `json:"showOrderSummary,omitempty"`
	// ExternalPaymentMethods lists payment methods outside Vipps MobilePay; optional and nullable.
	ExternalPaymentMethods []ExternalPaymentMethod `json:"externalPaymentMethods,omitempty"`
}

// Countries limits the countries the customer can choose.
type Countries struct {
	// Supported lists the allowed countries as ISO 3166-1 alpha-2 codes (NO, DK, FI, ...); required.
	Supported []string `json:"supported"`
}

// CustomConsent shows a consent checkbox.
type CustomConsent struct {
	// Text is the consent text shown beside the checkbox (at least one character); required.
	Text string `json:"text"`
	// Required makes ticking the checkbox mandatory to pay; required in the body.
	Required bool `json:"required"`
}

// ExternalPaymentMethod offers a payment method outside Vipps (Klarna).
type ExternalPaymentMethod struct {
	// PaymentMethod names the method; the contract allows only "Klarna".
	PaymentMethod string `json:"paymentMethod"`
	// RedirectURL is the absolute URL the customer is sent to for that method; required.
	RedirectURL string `json:"redirectUrl"`
}

// Subscription describes a Recurring agreement created by a SUBSCRIPTION session.
type Subscription struct {
	// ProductName is the subscribed product's name (at least one character); required.
	ProductName string `json:"productName"`
	// Amount is the recurring price in minor units; required.
	Amount Amount `json:"amount"`
	// Interval is how often Amount is charged; required.
	Interval Interval `json:"interval"`
	// MerchantAgreementURL is the absolute URL where the customer manages the agreement; required.
	MerchantAgreementURL string `json:"merchantAgreementUrl"`
	// ProductDescription describes the product; optional and nullable.
	ProductDescription *string `json:"productDescription,omitempty"`
	// Campaign is one of the event, period or price campaigns; kept raw.
	Campaign map[string]any `json:"campaign,omitempty"`
}

// Interval is a repetition interval.
type Interval struct {
	// Unit is YEAR, MONTH, WEEK or DAY.
	Unit string `json:"unit"`
	// Count is at least 1.
	Count int `json:"count"`
}

// UpdateSessionRequest is the body of the experimental PATCH /checkout/v3/session/{reference}.
type UpdateSessionRequest struct {
	// Transaction replaces the session's amount, description and order summary.
	Transaction PaymentTransaction `json:"transaction"`
	// LogisticOptions, when given, replaces logistics.fixedOptions.
	LogisticOptions []LogisticsOption `json:"logisticOptions,omitempty"`
}

// InitiateSessionResponse is the 200 body of a create.
type InitiateSessionResponse struct {
	// Token is the token for the Checkout frontend SDK.
	Token string `json:"token"`
	// CheckoutFrontendURL is the frontend the SDK loads.
	CheckoutFrontendURL string `json:"checkoutFrontendUrl"`
	// PollingURL is {base}/checkout/v3/session/{reference}.
	PollingURL string `json:"pollingUrl"`
}

// SessionResponse is the body of GET, PATCH and expire, and of the payment callback.
type SessionResponse struct {
	// SessionID is Checkout's id for the session; always set.
	SessionID string `json:"sessionId"`
	// MerchantSerialNumber is the MSN the session belongs to; optional and nullable.
	MerchantSerialNumber *string `json:"merchantSerialNumber,omitempty"`
	// Reference is the merchant's reference the session was created with; always set.
	Reference string `json:"reference"`
	// SessionState is the session's state (see the SessionState constants); always set.
	SessionState SessionState `json:"sessionState"`
	// PaymentMethod is the method the customer paid with; the values drift between API versions
	// (Wallet, Card, BankTransfer, Klarna), so any string is accepted. Optional and nullable.
	PaymentMethod *string `json:"paymentMethod,omitempty"`
	// SubscriptionDetails is set for SUBSCRIPTION sessions; optional and nullable.
	SubscriptionDetails *ResponseSubscriptionDetails `json:"subscriptionDetails,omitempty"`
	// PaymentDetails is the payment; optional and nullable (absent before one exists).
	PaymentDetails *PaymentDetails `json:"paymentDetails,omitempty"`
	// UserInfo is set when configuration.requireUserInfo was true and the customer consented;
	// optional and nullable.
	UserInfo *UserInfo `json:"userInfo,omitempty"`
	// ShippingDetails is the chosen shipping and its address; optional and nullable.
	ShippingDetails *ShippingDetails `json:"shippingDetails,omitempty"`
	// BillingDetails is the customer's billing contact; optional and nullable.
	BillingDetails *BillingDetails `json:"billingDetails,omitempty"`
	// CustomConsentProvided says whether the customer ticked the custom consent checkbox;
	// optional and nullable (nil when no custom consent was asked for).
	CustomConsentProvided *bool `json:"customConsentProvided,omitempty"`
}

// PaymentDetails is the payment inside a session response.
type PaymentDetails struct {
	// Type is WALLET, CARD or BANKTRANSFER (undocumented values; optional).
	Type *string `json:"type,omitempty"`
	// Amount is transaction plus chosen shipping.
	Amount Amount `json:"amount"`
	// State is CREATED, AUTHORIZED or TERMINATED.
	State PaymentState `json:"state"`
	// Aggregate follows captures, cancels and refunds.
	Aggregate *TransactionAggregate `json:"aggregate,omitempty"`
}

// TransactionAggregate sums what happened to a payment.
type TransactionAggregate struct {
	// AuthorizedAmount is the amount reserved, in minor units; optional and nullable.
	AuthorizedAmount *Amount `json:"authorizedAmount,omitempty"`
	// CapturedAmount is the amount captured so far, in minor units; optional and nullable.
	CapturedAmount *Amount `json:"capturedAmount,omitempty"`
	// CancelledAmount is the amount cancelled, in minor units; optional and nullable.
	CancelledAmount *Amount `json:"cancelledAmount,omitempty"`
	// RefundedAmount is the amount refunded, in minor units; optional and nullable.
	RefundedAmount *Amount `json:"refundedAmount,omitempty"`
}

// ResponseSubscriptionDetails is the agreement created by a SUBSCRIPTION session.
type ResponseSubscriptionDetails struct {
	// State is PENDING, ACTIVE, STOPPED or EXPIRED.
	State *string `json:"state,omitempty"`
	// AgreementID is the Recurring API agreement id; optional and nullable.
	AgreementID *string `json:"agreementId,omitempty"`
}

// UserInfo is sent when configuration.requireUserInfo is set.
type UserInfo struct {
	// Sub is the customer's stable subject id (for the Userinfo API); always set.
	Sub string `json:"sub"`
	// Email is the customer's e-mail address; optional and nullable.
	Email *string `json:"email,omitempty"`
}

// ShippingDetails is the chosen shipping and its address.
type ShippingDetails struct {
	// FirstName is the recipient's given name; optional and nullable.
	FirstName *string `json:"firstName,omitempty"`
	// LastName is the recipient's family name; optional and nullable.
	LastName *string `json:"lastName,omitempty"`
	// Email is the recipient's e-mail address; optional and nullable.
	Email *string `json:"email,omitempty"`
	// PhoneNumber is the recipient's phone number; optional and nullable.
	PhoneNumber *string `json:"phoneNumber,omitempty"`
	// StreetAddress is the delivery street address; optional and nullable.
	StreetAddress *string `json:"streetAddress,omitempty"`
	// PostalCode is the delivery postal code; optional and nullable.
	PostalCode *string `json:"postalCode,omitempty"`
	// City is the delivery city; optional and nullable.
	City *string `json:"city,omitempty"`
	// Country is the delivery country (ISO 3166-1 alpha-2); optional and nullable.
	Country *string `json:"country,omitempty"`
	// ShippingMethodID is the LogisticsOption.ID the customer chose; optional and nullable.
	ShippingMethodID *string `json:"shippingMethodId,omitempty"`
	// Amount is the shipping price in minor units; optional and nullable.
	Amount *Amount `json:"amount,omitempty"`
	// PickupPoint is the chosen pickup point, for PICKUP_POINT options; optional and nullable.
	PickupPoint *PickupPoint `json:"pickupPoint,omitempty"`
}

// PickupPoint is the pickup point the customer chose.
type PickupPoint struct {
	// ID is the carrier's id of the pickup point; always set.
	ID string `json:"id"`
	// Name is the pickup point's name; always set.
	Name string `json:"name"`
	// Address is the pickup point's street address; always set.
	Address string `json:"address"`
	// PostalCode is the pickup point's postal code; always set.
	PostalCode string `json:"postalCode"`
	// City is the pickup point's city; always set.
	City string `json:"city"`
	// Country is the pickup point's country; always set.
	Country string `json:"country"`
	// OpeningHours lists opening hours as free text, one entry per line; optional and nullable.
	OpeningHours []string `json:"openingHours,omitempty"`
}

// BillingDetails is the customer's billing contact.
type BillingDetails struct {
	// FirstName is the customer's given name; required.
	FirstName string `json:"firstName"`
	// LastName is the customer's family name; required.
	LastName string `json:"lastName"`
	// Email is the customer's e-mail address; required.
	Email string `json:"email"`
	// PhoneNumber is the customer's phone number; required.
	PhoneNumber string `json:"phoneNumber"`
	// StreetAddress is the billing street address; optional and nullable.
	StreetAddress *string `json:"streetAddress,omitempty"`
	// PostalCode is the billing postal code; optional and nullable.
	PostalCode *string `json:"postalCode,omitempty"`
	// City is the billing city; optional and nullable.
	City *string `json:"city,omitempty"`
	// Country is the billing country; optional and nullable.
	Country *string `json:"country,omitempty"`
}

// Address is the body of the dynamic logistics callback (MerchantLogisticsCallbackRequestBody).
type Address struct {
	// StreetAddress is the customer's street address; required.
	StreetAddress string `json:"streetAddress"`
	// PostalCode is the customer's postal code; required.
	PostalCode string `json:"postalCode"`
	// Region is the city, despite the name.
	Region string `json:"region"`
	// Country is ISO 3166-1 alpha-2.
	Country string `json:"country"`
}

// ProblemDetails is the Checkout error body (CheckoutProblemDetails). Errors is always sent
// ({} when empty), as the contract requires.
type ProblemDetails struct {
	// Type is a URI identifying the problem type (RFC 9457); optional and nullable.
	Type *string `json:"type,omitempty"`
	// Title is a short human-readable summary of the problem; optional and nullable.
	Title *string `json:"title,omitempty"`
	// Status repeats the HTTP status code; optional and nullable.
	Status *int `json:"status,omitempty"`
	// Detail explains this occurrence of the problem; optional and nullable.
	Detail *string `json:"detail,omitempty"`
	// Instance identifies this occurrence (e.g. a trace id); optional and nullable.
	Instance *string `json:"instance,omitempty"`
	// ErrorCode is Checkout's code, e.g. ErrValidation ("Validation-00001"); always set.
	ErrorCode string `json:"errorCode"`
	// Errors maps a field name to its messages; always sent, {} when empty.
	Errors map[string][]string `json:"errors"`
}

// Ptr returns a pointer to v; handy for the optional fields.
func Ptr[T any](v T) *T { return &v }

// NewProblem returns a problem body with Title and Status set and an empty (non-nil) Errors map,
// so it marshals with "errors": {} as the contract requires.
func NewProblem(status int, errorCode, title string) *ProblemDetails {
	return &ProblemDetails{Title: &title, Status: &status, ErrorCode: errorCode, Errors: map[string][]string{}}
}
