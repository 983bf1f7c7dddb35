package mock_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/contract"
)

// validator is built once for the whole suite: building it compiles every schema.
var validator *contract.Validator

func TestMock(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Mock Suite")
}

var _ = BeforeSuite(func() {
	c, err := contract.Default()
	Expect(err).NotTo(HaveOccurred())
	validator, err = contract.NewValidator(c)
	Expect(err).NotTo(HaveOccurred())
})
