package mock_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
)

// A merchant's own test can serve the mock on loopback and call it with the documented keys,
// through a contract.Recorder so every answer is checked against the contract.
func ExampleNew() {
	m := mock.New()
	defer m.Close()
	srv := httptest.NewServer(m)
	defer srv.Close()
	rec := contract.NewRecorder(m.Validator(), http.DefaultTransport)
	hc := &http.Client{Transport: rec}

	// The merchant's callback endpoint.
	got := make(chan string, 1)
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
	}))
	defer merchant.Close()

	body := `{"type":"PAYMENT","reference":"acme-shop-123-order1",
	  "transaction":{"amount":{"value":49900,"currency":"NOK"},"paymentDescription":"One pair of socks"},
	  "merchantInfo":{"callbackUrl":"` + merchant.URL + `/cb","returnUrl":"http://127.0.0.1:9/return","callbackAuthorizationToken":"my-token"}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/checkout/v3/session", strings.NewReader(body))
	req.Header.Set("client_id", mock.DefaultMerchant.ClientID)
	req.Header.Set("client_secret", mock.DefaultMerchant.ClientSecret)
	req.Header.Set("Ocp-Apim-Subscription-Key", mock.DefaultMerchant.SubscriptionKey)
	req.Header.Set("Merchant-Serial-Number", mock.DefaultMerchant.MSN)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	fmt.Println(resp.StatusCode)

	// The simulated customer pays; the merchant would now get the payment callback.
	for _, action := range []string{mock.ActionInitiate, mock.ActionApprove} {
		resp, err := hc.Post(srv.URL+"/_mock/sessions/acme-shop-123-order1/"+action, "application/json", nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(action, resp.StatusCode)
	}
	fmt.Println("callback Authorization:", <-got)
	fmt.Println("requests checked:", len(rec.Exchanges()), "response violations:", len(rec.ResponseViolations()))
	for _, v := range rec.ResponseViolations() {
		fmt.Println(v)
	}
	// Output:
	// 200
	// initiate 200
	// approve 200
	// callback Authorization: my-token
	// requests checked: 3 response violations: 0
}
