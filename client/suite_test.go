package client_test

import (
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestClientSuite runs the client's behaviour specs: against a small recording server of the
// test's own, and end to end against the mock.
func TestClientSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "client")
}

// validator is shared by every spec: building one compiles the whole contract.
var validator *contract.Validator

var _ = BeforeSuite(func() {
	c, err := contract.Default()
	Expect(err).NotTo(HaveOccurred())
	validator, err = contract.NewValidator(c)
	Expect(err).NotTo(HaveOccurred())
})
