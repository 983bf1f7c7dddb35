package contract_test

import (
	"net/http"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestContractSuite runs the Ginkgo specs of this package (the Recorder and the matchers, seen
// from outside as a user's tests see them); the pure functions have plain table tests.
func TestContractSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "contract")
}

// validator is built once for the suite: building compiles every schema, and one shared
// Validator is what the package tells its users to have.
var validator *contract.Validator

var _ = BeforeSuite(func() {
	c, err := contract.Default()
	Expect(err).NotTo(HaveOccurred())
	validator, err = contract.NewValidator(c)
	Expect(err).NotTo(HaveOccurred())
})

// goodHeaders are the headers every Checkout request carries (values from the reference page).
func goodHeaders() http.Header {
	h := http.Header{}
	h.Set("client_id", "fb492b5e-7907-4d83-bc20-c7fb60ca35de")
	h.Set("client_secret", "Y8Kteew6GE3ZmeycEt6egg==")
	h.Set("Ocp-Apim-Subscription-Key", "0f14ebcab0eb4b29ae0cb90d91b4a84a")
	h.Set("Merchant-Serial-Number", "123456")
	h.Set("Vipps-System-Name", "checkoutkit")
	h.Set("Vipps-System-Version", "0.1.0")
	h.Set("Vipps-System-Plugin-Name", "checkoutkit-test")
	h.Set("Vipps-System-Plugin-Version", "0.1.0")
	h.Set("Content-Type", "application/json")
	return h
}

const minimalPayment = `{"type":"PAYMENT","reference":"acme-order-0001",
 "transaction":{"amount":{"value":49900,"currency":"NOK"},"paymentDescription":"One pair of socks"},
 "merchantInfo":{"callbackUrl":"http://127.0.0.1:9000/cb","returnUrl":"http://127.0.0.1:9000/r","callbackAuthorizationToken":"tok-1"}}`
