package mock_test

import (
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/contract"
)

// validator is built once for the whole suite: building it compiles every schema.
var validator *contract.Validator

// fastMisses records requests the validator's fast path accepted and the library rejected:
// the suite cross-checks every request the mock validates, and fails if there is any.
var fastMisses struct {
	sync.Mutex
	list []string
}

func TestMock(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Mock Suite")
}

var _ = BeforeSuite(func() {
	c, err := contract.Default()
	Expect(err).NotTo(HaveOccurred())
	validator, err = contract.NewValidator(c, contract.WithCrossCheck(func(method, target string, vs []contract.Violation) {
		fastMisses.Lock()
		defer fastMisses.Unlock()
		fastMisses.list = append(fastMisses.list, method+" "+target+": "+vs[0].String())
	}))
	Expect(err).NotTo(HaveOccurred())
})

var _ = AfterSuite(func() {
	fastMisses.Lock()
	defer fastMisses.Unlock()
	Expect(fastMisses.list).To(BeEmpty(), "the fast path accepted requests the library rejects:\n%s", strings.Join(fastMisses.list, "\n"))
})
