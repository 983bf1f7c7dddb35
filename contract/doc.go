// Package contract owns checkoutkit's view of the Checkout v3 OpenAPI contract: the bundled
// document (checkout-v3.yaml, embedded), loading any other document given with --spec, finding
// operations by method and path, and validating requests and responses against it.
//
// A Violation is a finding about an exchange; a Go error means a check could not run. The
// validating RoundTripper (Recorder) records every exchange it carries with its violations, and
// the Gomega matchers in this package assert on either.
//
// # Speed
//
// Validator.ValidateRequest has a fast path: at NewValidator the request side of each operation
// of an OpenAPI 3.0 or 3.1 document (path and header parameters of type string, the JSON body
// schema) is compiled into a small checker that can only say "certainly valid". Requests it proves valid
// skip libopenapi-validator, whose full evaluation (error trees for every oneOf branch) costs
// several times more; every other request, and every request of an operation that uses a
// keyword the checker does not compile, is validated by the library as before, so callers see
// the same violations either way. Differential tests and a fuzz target compare the two on the
// fixtures, every generated negative case and mutations of every value. WithoutFastPath turns
// it off; WithCrossCheck runs the library behind every fast acceptance and reports any
// disagreement, which the project's own mock suites do on every request.
package contract
