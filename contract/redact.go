package contract

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// Redacted replaces every secret value in recorded exchanges, logs and reports.
const Redacted = "REDACTED"

// SecretHeaders names the headers whose values are secrets: the merchant's client secret, the
// subscription key and the Authorization header (which carries the callbackAuthorizationToken on
// callbacks). Names are matched case-insensitively, since net/http canonicalises client_secret
// to Client_secret.
var SecretHeaders = []string{"client_secret", "Ocp-Apim-Subscription-Key", "Authorization", "Proxy-Authorization"}

// SecretBodyFields names the JSON object keys whose values RedactBody blanks.
var SecretBodyFields = []string{"callbackAuthorizationToken"}

// IsSecretHeader reports whether name is one of SecretHeaders, ignoring case.
func IsSecretHeader(name string) bool {
	for _, s := range SecretHeaders {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// RedactHeader returns a copy of h in which every value of a secret header is Redacted. The
// original is not modified; a nil header gives nil.
func RedactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := h.Clone()
	for name, vals := range out {
		if !IsSecretHeader(name) {
			continue
		}
		red := make([]string, len(vals))
		for i := range red {
			red[i] = Redacted
		}
		out[name] = red
	}
	return out
}

// secretFieldRe matches a secret key and its string value, including a string cut short by a
// capture limit (no closing quote), so a truncated body cannot leak the start of a token.
var secretFieldRe = regexp.MustCompile(`("(?:` + strings.Join(quoteAll(SecretBodyFields), "|") + `)"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)`)

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = regexp.QuoteMeta(s)
	}
	return out
}

// RedactBody returns body with the value of every "callbackAuthorizationToken" key replaced by
// "REDACTED", wherever it is nested. It works on bytes, so formatting is kept and a truncated or
// malformed body is redacted too; a valid JSON body that still hides a secret field (written
// with escapes, say) is re-encoded with the value blanked. A body without secrets is returned
// unchanged (the same slice).
func RedactBody(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	out := body
	if secretFieldRe.Match(body) {
		out = secretFieldRe.ReplaceAll(body, []byte(`${1}"`+Redacted+`"`))
	}
	// Why the second pass: a key spelled with JSON escapes ("callbackAuthorization\u0054oken")
	// or in another case slips past the byte pattern but is the same field to a JSON reader.
	mayHide := bytes.Contains(bytes.ToLower(out), []byte("token")) || bytes.Contains(out, []byte(`\u`))
	if !mayHide || !json.Valid(out) {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return out
	}
	if !redactValue(v) {
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return out
	}
	return b
}

// redactValue blanks secret fields in a decoded JSON value and reports whether it changed any.
func redactValue(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if isSecretField(k) {
				if s, ok := val.(string); !ok || s != Redacted {
					if val != nil {
						t[k] = Redacted
						changed = true
					}
				}
				continue
			}
			if redactValue(val) {
				changed = true
			}
		}
	case []any:
		for _, e := range t {
			if redactValue(e) {
				changed = true
			}
		}
	}
	return changed
}

func isSecretField(k string) bool {
	for _, s := range SecretBodyFields {
		if strings.EqualFold(s, k) {
			return true
		}
	}
	return false
}
