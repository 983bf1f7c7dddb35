// Package client is a typed client for the Vipps MobilePay Checkout API v3: create, get,
// [experimental] update and expire a session.
//
// Every request carries the merchant's keys (client_id, client_secret,
// Ocp-Apim-Subscription-Key, Merchant-Serial-Number) and the four Vipps-System-* headers, an
// Idempotency-Key when one is given, and a JSON body where the operation has one. Answers are
// decoded into the types of package checkout; error answers into checkout.ProblemDetails. A
// non-2xx answer is NOT a Go error: the error result means the request could not be made or its
// answer could not be read. Raw requests (for negative tests) go through Client.Do.
//
// Credentials never print their secrets: String, GoString, Format, LogValue (slog) and
// MarshalJSON all redact them. CheckTarget is the safety check tools run before pointing the
// client anywhere: loopback is always fine, the production host api.vipps.no is refused unless
// it is named, and any other host must be named.
//
// The client validates nothing itself; give it a contract.Recorder as transport
// (WithTransport) to validate and record every exchange.
package client
