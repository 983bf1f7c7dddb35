package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/fixtures"
	"github.com/checkoutkit/checkoutkit/mock"
)

// A merchant's own test: the mock on loopback, the client sending through a validating
// Recorder, and a check that every answer conformed.
func Example() {
	m := mock.New()
	defer m.Close()
	srv := httptest.NewServer(m)
	defer srv.Close()

	c, _ := contract.Default()
	v, _ := contract.NewValidator(c)
	rec := contract.NewRecorder(v, srv.Client().Transport)

	dm := mock.DefaultMerchant
	creds := client.Credentials{ClientID: dm.ClientID, ClientSecret: dm.ClientSecret, SubscriptionKey: dm.SubscriptionKey, MerchantSerialNumber: dm.MSN}
	cl := client.New(srv.URL, creds, client.WithTransport(rec))

	ctx := context.Background()
	body, _ := fixtures.Valid("payment-minimal")
	body, _ = fixtures.WithReference(body, "example-order-0001")
	if _, resp, err := cl.CreateSession(ctx, body, "example-idem-1"); err != nil || !resp.OK() {
		fmt.Println("create failed:", err)
		return
	}
	s, _, _ := cl.GetSession(ctx, "example-order-0001")
	fmt.Println(s.SessionState)

	_, resp, _ := cl.GetSession(ctx, "example-order-9999")
	fmt.Println(resp.Status, resp.Problem.ErrorCode)

	fmt.Println(creds) // secrets never print
	fmt.Println(len(rec.Violations()), "violations in", rec.Stats().Validated, "exchanges")
	// Output:
	// SessionCreated
	// 404 Session-00100
	// {ClientID:fb492b5e-7907-4d83-bc20-c7fb60ca35de ClientSecret:REDACTED SubscriptionKey:REDACTED MerchantSerialNumber:123456}
	// 0 violations in 3 exchanges
}

// CheckTarget before pointing a client at a URL a user gave.
func ExampleCheckTarget() {
	fmt.Println(client.CheckTarget("http://127.0.0.1:8080"))
	fmt.Println(client.CheckTarget("https://apitest.vipps.no", client.TestHost))
	fmt.Println(client.CheckTarget("https://api.vipps.no", client.TestHost))
	// Output:
	// <nil>
	// <nil>
	// target "https://api.vipps.no": refusing the production host api.vipps.no without an explicit allowance
}
