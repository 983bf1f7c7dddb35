package checkout_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

// TestTypesMarshalToContractBodies marshals typical values of the types and validates the JSON
// against the bundled contract, so a wrong json tag or a nil-vs-empty mistake shows up here.
func TestTypesMarshalToContractBodies(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	hdr := http.Header{"Content-Type": {"application/json"}}
	ref := "acme-shop-123-order1"
	paid := &checkout.SessionResponse{
		SessionID: "v52EtjZriRmGiKiAKHByK2", MerchantSerialNumber: checkout.Ptr("123456"),
		Reference: ref, SessionState: checkout.StatePaymentSuccessful,
		PaymentMethod: checkout.Ptr(checkout.PaymentMethodWallet),
		PaymentDetails: &checkout.PaymentDetails{
			Type: checkout.Ptr(checkout.PaymentDetailsTypeWallet), Amount: checkout.Amount{Value: 1000, Currency: "NOK"},
			State:     checkout.PaymentAuthorized,
			Aggregate: &checkout.TransactionAggregate{AuthorizedAmount: &checkout.Amount{Value: 1000, Currency: "NOK"}},
		},
		BillingDetails: &checkout.BillingDetails{FirstName: "Ada", LastName: "L", Email: "a@example.com", PhoneNumber: "4791234567"},
	}
	cases := []struct {
		name, method, target string
		status               int
		body                 any
	}{
		{"create response", http.MethodPost, "/checkout/v3/session", 200, checkout.InitiateSessionResponse{
			Token: "a.b.c", CheckoutFrontendURL: "http://127.0.0.1/frontend", PollingURL: "http://127.0.0.1/checkout/v3/session/" + ref}},
		{"get created", http.MethodGet, "/checkout/v3/session/" + ref, 200, checkout.SessionResponse{
			SessionID: "x", Reference: ref, SessionState: checkout.StateSessionCreated}},
		{"get paid", http.MethodGet, "/checkout/v3/session/" + ref, 200, paid},
		{"problem", http.MethodGet, "/checkout/v3/session/" + ref, 404, checkout.NewProblem(404, checkout.ErrSessionNotFound, "Session expired or not known.")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := v.ValidateResponseParts(tc.method, tc.target, tc.status, hdr, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range vs {
				t.Errorf("%s: %s", b, x)
			}
		})
	}

	req := checkout.InitiateSessionRequest{
		Type: checkout.TypePayment, Reference: &ref,
		Transaction: &checkout.PaymentTransaction{Amount: checkout.Amount{Value: 1000, Currency: "NOK"}, PaymentDescription: "Socks"},
		Logistics: &checkout.Logistics{FixedOptions: []checkout.LogisticsOption{
			{Brand: checkout.BrandPosten, Type: checkout.Ptr("PICKUP_POINT"), ID: "p1", IsDefault: true, Amount: &checkout.Amount{Value: 0, Currency: "NOK"}},
			{Brand: checkout.BrandOther, ID: "o1", Priority: 1, Title: checkout.Ptr("Shop"), Amount: &checkout.Amount{Value: 0, Currency: "NOK"}},
		}},
		MerchantInfo: &checkout.MerchantInfo{CallbackURL: "http://127.0.0.1:9/cb", ReturnURL: "http://127.0.0.1:9/r", CallbackAuthorizationToken: "tok"},
	}
	b, _ := json.Marshal(req)
	h := http.Header{}
	for k, val := range map[string]string{"Content-Type": "application/json", checkout.HeaderClientID: "a", checkout.HeaderClientSecret: "b",
		checkout.HeaderSubscriptionKey: "c", checkout.HeaderMSN: "123456", checkout.HeaderSystemName: "x",
		checkout.HeaderSystemVersion: "1", checkout.HeaderPluginName: "p", checkout.HeaderPluginVersion: "1"} {
		h.Set(k, val) // Set canonicalises client_id to Client_id, as a server would
	}
	vs, err := v.ValidateRequestParts(http.MethodPost, "/checkout/v3/session", h, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range vs {
		t.Errorf("request %s: %s", b, x)
	}
}
