// Package contract owns checkoutkit's view of the Checkout v3 OpenAPI contract: the bundled
// document (checkout-v3.yaml, embedded), loading any other document given with --spec, finding
// operations by method and path, and validating requests and responses against it.
//
// A Violation is a finding about an exchange; a Go error means a check could not run. The
// validating RoundTripper (Recorder) records every exchange it carries with its violations, and
// the Gomega matchers in this package assert on either.
package contract
