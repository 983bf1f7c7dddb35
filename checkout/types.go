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
	Name                    string         `json:"name"`
	ID                      string         `json:"id"`
	TotalAmount             int64          `json:"totalAmount"`
	TotalAmountExcludingTax int64          `json:"totalAmountExcludingTax"`
	TotalTaxAmount          int64          `json:"totalTaxAmount"`
	TaxRate                 *int           `json:"taxRate,omitempty"`
	TaxPercentage           *int           `json:"taxPercentage,omitempty"`
	UnitInfo                *OrderUnitInfo `json:"unitInfo,omitempty"`
	Discount                *int64         `json:"discount,omitempty"`
	ProductURL              *string        `json:"productUrl,omitempty"`
	IsReturn                *bool          `json:"isReturn,omitempty"`
	IsShipping              *bool          `json:"isShipping,omitempty"`
}

// OrderUnitInfo describes unit price and quantity of an order line.
type OrderUnitInfo struct {
	UnitPrice    int64  `json:"unitPrice"`
	Quantity     string `json:"quantity"`
	QuantityUnit string `json:"quantityUnit"`
}

// OrderBottomLine holds the currency and the totals of an order summary.
type OrderBottomLine struct {
	Currency       string          `json:"currency"`
	TipAmount      *int64          `json:"tipAmount,omitempty"`
	GiftCardAmount *int64          `json:"giftCardAmount,omitempty"`
	TerminalID     *string         `json:"terminalId,omitempty"`
	PaymentSources *PaymentSources `json:"paymentSources,omitempty"`
	ReceiptNumber  *string         `json:"receiptNumber,omitempty"`
}

// PaymentSources splits a payment between sources.
type PaymentSources struct {
	GiftCard *int64 `json:"giftCard,omitempty"`
	Card     *int64 `json:"card,omitempty"`
	Voucher  *int64 `json:"voucher,omitempty"`
	Cash     *int64 `json:"cash,omitempty"`
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
	FirstName     *string `json:"firstName,omitempty"`
	LastName      *string `json:"lastName,omitempty"`
	Email         *string `json:"email,omitempty"`
	PhoneNumber   *string `json:"phoneNumber,omitempty"`
	StreetAddress *string `json:"streetAddress,omitempty"`
	City          *string `json:"city,omitempty"`
	PostalCode    *string `json:"postalCode,omitempty"`
	Country       *string `json:"country,omitempty"`
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
	CustomerInteraction    *string                 `json:"customerInteraction,omitempty"`
	Elements               *string                 `json:"elements,omitempty"`
	Countries              *Countries              `json:"countries,omitempty"`
	UserFlow               *string                 `json:"userFlow,omitempty"`
	RequireUserInfo        *bool                   `json:"requireUserInfo,omitempty"`
	CustomConsent          *CustomConsent          `json:"customConsent,omitempty"`
	ShowOrderSummary       *bool                   `json:"showOrderSummary,omitempty"`
	ExternalPaymentMethods []ExternalPaymentMethod `json:"externalPaymentMethods,omitempty"`
}

// Countries limits the countries the customer can choose.
type Countries struct {
	Supported []string `json:"supported"`
}

// CustomConsent shows a consent checkbox.
type CustomConsent struct {
	Text     string `json:"text"`
	Required bool   `json:"required"`
}

// ExternalPaymentMethod offers a payment method outside Vipps (Klarna).
type ExternalPaymentMethod struct {
	PaymentMethod string `json:"paymentMethod"`
	RedirectURL   string `json:"redirectUrl"`
}

// Subscription describes a Recurring agreement created by a SUBSCRIPTION session.
type Subscription struct {
	ProductName          string   `json:"productName"`
	Amount               Amount   `json:"amount"`
	Interval             Interval `json:"interval"`
	MerchantAgreementURL string   `json:"merchantAgreementUrl"`
	ProductDescription   *string  `json:"productDescription,omitempty"`
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
	SessionID             string                       `json:"sessionId"`
	MerchantSerialNumber  *string                      `json:"merchantSerialNumber,omitempty"`
	Reference             string                       `json:"reference"`
	SessionState          SessionState                 `json:"sessionState"`
	PaymentMethod         *string                      `json:"paymentMethod,omitempty"`
	SubscriptionDetails   *ResponseSubscriptionDetails `json:"subscriptionDetails,omitempty"`
	PaymentDetails        *PaymentDetails              `json:"paymentDetails,omitempty"`
	UserInfo              *UserInfo                    `json:"userInfo,omitempty"`
	ShippingDetails       *ShippingDetails             `json:"shippingDetails,omitempty"`
	BillingDetails        *BillingDetails              `json:"billingDetails,omitempty"`
	CustomConsentProvided *bool                        `json:"customConsentProvided,omitempty"`
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
	AuthorizedAmount *Amount `json:"authorizedAmount,omitempty"`
	CapturedAmount   *Amount `json:"capturedAmount,omitempty"`
	CancelledAmount  *Amount `json:"cancelledAmount,omitempty"`
	RefundedAmount   *Amount `json:"refundedAmount,omitempty"`
}

// ResponseSubscriptionDetails is the agreement created by a SUBSCRIPTION session.
type ResponseSubscriptionDetails struct {
	// State is PENDING, ACTIVE, STOPPED or EXPIRED.
	State       *string `json:"state,omitempty"`
	AgreementID *string `json:"agreementId,omitempty"`
}

// UserInfo is sent when configuration.requireUserInfo is set.
type UserInfo struct {
	Sub   string  `json:"sub"`
	Email *string `json:"email,omitempty"`
}

// ShippingDetails is the chosen shipping and its address.
type ShippingDetails struct {
	FirstName        *string      `json:"firstName,omitempty"`
	LastName         *string      `json:"lastName,omitempty"`
	Email            *string      `json:"email,omitempty"`
	PhoneNumber      *string      `json:"phoneNumber,omitempty"`
	StreetAddress    *string      `json:"streetAddress,omitempty"`
	PostalCode       *string      `json:"postalCode,omitempty"`
	City             *string      `json:"city,omitempty"`
	Country          *string      `json:"country,omitempty"`
	ShippingMethodID *string      `json:"shippingMethodId,omitempty"`
	Amount           *Amount      `json:"amount,omitempty"`
	PickupPoint      *PickupPoint `json:"pickupPoint,omitempty"`
}

// PickupPoint is the pickup point the customer chose.
type PickupPoint struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Address      string   `json:"address"`
	PostalCode   string   `json:"postalCode"`
	City         string   `json:"city"`
	Country      string   `json:"country"`
	OpeningHours []string `json:"openingHours,omitempty"`
}

// BillingDetails is the customer's billing contact.
type BillingDetails struct {
	FirstName     string  `json:"firstName"`
	LastName      string  `json:"lastName"`
	Email         string  `json:"email"`
	PhoneNumber   string  `json:"phoneNumber"`
	StreetAddress *string `json:"streetAddress,omitempty"`
	PostalCode    *string `json:"postalCode,omitempty"`
	City          *string `json:"city,omitempty"`
	Country       *string `json:"country,omitempty"`
}

// Address is the body of the dynamic logistics callback (MerchantLogisticsCallbackRequestBody).
type Address struct {
	StreetAddress string `json:"streetAddress"`
	PostalCode    string `json:"postalCode"`
	// Region is the city, despite the name.
	Region string `json:"region"`
	// Country is ISO 3166-1 alpha-2.
	Country string `json:"country"`
}

// ProblemDetails is the Checkout error body (CheckoutProblemDetails). Errors is always sent
// ({} when empty), as the contract requires.
type ProblemDetails struct {
	Type      *string             `json:"type,omitempty"`
	Title     *string             `json:"title,omitempty"`
	Status    *int                `json:"status,omitempty"`
	Detail    *string             `json:"detail,omitempty"`
	Instance  *string             `json:"instance,omitempty"`
	ErrorCode string              `json:"errorCode"`
	Errors    map[string][]string `json:"errors"`
}

// Ptr returns a pointer to v; handy for the optional fields.
func Ptr[T any](v T) *T { return &v }

// NewProblem returns a problem body with Title and Status set and an empty (non-nil) Errors map,
// so it marshals with "errors": {} as the contract requires.
func NewProblem(status int, errorCode, title string) *ProblemDetails {
	return &ProblemDetails{Title: &title, Status: &status, ErrorCode: errorCode, Errors: map[string][]string{}}
}
