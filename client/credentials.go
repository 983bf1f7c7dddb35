package client

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/checkoutkit/checkoutkit/contract"
)

// Credentials are a merchant's API keys for Checkout. ClientSecret and SubscriptionKey are
// secrets: every way of printing, logging or marshalling Credentials replaces them with
// contract.Redacted, so passing them to fmt, slog or encoding/json never leaks them. fmt can
// only use these methods on exported fields: a struct that keeps Credentials in an unexported
// field prints them raw unless it redacts itself, as Client does.
type Credentials struct {
	// ClientID is sent as client_id (not secret).
	ClientID string
	// ClientSecret is sent as client_secret.
	ClientSecret string
	// SubscriptionKey is sent as Ocp-Apim-Subscription-Key.
	SubscriptionKey string
	// MerchantSerialNumber is sent as Merchant-Serial-Number (not secret).
	MerchantSerialNumber string
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return contract.Redacted
}

// String shows the identifiers and hides the secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("{ClientID:%s ClientSecret:%s SubscriptionKey:%s MerchantSerialNumber:%s}",
		c.ClientID, redact(c.ClientSecret), redact(c.SubscriptionKey), c.MerchantSerialNumber)
}

// GoString is used by %#v; it hides the secrets too.
func (c Credentials) GoString() string {
	return fmt.Sprintf("client.Credentials{ClientID:%q, ClientSecret:%q, SubscriptionKey:%q, MerchantSerialNumber:%q}",
		c.ClientID, redact(c.ClientSecret), redact(c.SubscriptionKey), c.MerchantSerialNumber)
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %d, %x, ...) print the redacted form; without
// it, verbs that skip String (such as %d) would print the raw fields.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, c.String())
}

// LogValue implements slog.LogValuer with the secrets redacted.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", redact(c.ClientSecret)),
		slog.String("subscription_key", redact(c.SubscriptionKey)),
		slog.String("merchant_serial_number", c.MerchantSerialNumber),
	)
}

// MarshalJSON writes the credentials with the secrets redacted, so a configuration or report
// that embeds them cannot leak them.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"clientId":             c.ClientID,
		"clientSecret":         redact(c.ClientSecret),
		"subscriptionKey":      redact(c.SubscriptionKey),
		"merchantSerialNumber": c.MerchantSerialNumber,
	})
}

// Complete reports whether all four keys are set.
func (c Credentials) Complete() bool {
	return c.ClientID != "" && c.ClientSecret != "" && c.SubscriptionKey != "" && c.MerchantSerialNumber != ""
}
