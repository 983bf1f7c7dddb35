package contract

import "net/http"

// FastAccepts reports whether v's fast path accepts the request on its own (for tests).
func FastAccepts(v *Validator, method, target string, h http.Header, body []byte) bool {
	return v.fast != nil && v.fast.accepts(method, target, h, body)
}

// FastSkipped returns the operations v's fast path could not compile, with the reason.
func FastSkipped(v *Validator) map[string]string {
	if v.fast == nil {
		return nil
	}
	return v.fast.skipped
}
