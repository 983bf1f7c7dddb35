// Package checkout holds plain Go types for the Vipps MobilePay Checkout API v3 as described by
// checkoutkit's contract (contract/checkout-v3.yaml): request and response bodies, the error
// (problem) body, session and payment states, header names and the error codes checkoutkit's mock
// uses.
//
// It is a leaf package with no dependencies beyond the standard library, so the mock, the client,
// the load runner and users' own code can share the same shapes. Nullable, optional fields are
// pointers or slices with omitempty, so a value marshals to the smallest body the contract accepts.
package checkout
