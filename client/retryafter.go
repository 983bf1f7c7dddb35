package client

import (
	"net/http"
	"strings"
	"time"
)

// RetryAfter reads the Retry-After header of h (RFC 9110 §10.2.3) as a wait measured from now.
// It accepts delta-seconds ("120") or an HTTP-date ("Wed, 25 Nov 2026 10:00:00 GMT", and the
// two obsolete date forms http.ParseTime knows), after trimming surrounding white space. A date
// in the past means 0. The result is clamped to [0, max]; max <= 0 means no upper bound.
// fallback (clamped the same way) is returned when the header is absent, empty or invalid
// (a sign, a fraction, a unit such as "3s", or any other text).
func RetryAfter(h http.Header, now time.Time, fallback, max time.Duration) time.Duration {
	d, ok := parseRetryAfter(strings.TrimSpace(h.Get("Retry-After")), now, max)
	if !ok {
		d = fallback
	}
	if d < 0 {
		d = 0
	}
	if max > 0 && d > max {
		d = max
	}
	return d
}

// parseRetryAfter parses a trimmed value; ok is false when it is neither form.
func parseRetryAfter(v string, now time.Time, max time.Duration) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		// Accumulate by hand: strconv.Atoi would refuse a valid but huge delta-seconds, and
		// multiplying it by time.Second would overflow. Anything past the cap (or past what a
		// Duration holds) is the cap.
		limit := time.Duration(1<<63 - 1)
		if max > 0 {
			limit = max
		}
		var secs int64
		for _, c := range v {
			secs = secs*10 + int64(c-'0')
			if secs > int64(limit/time.Second) {
				return limit, true
			}
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return t.Sub(now), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}
