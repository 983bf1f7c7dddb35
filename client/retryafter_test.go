package client

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	const fb, max = 2 * time.Second, time.Minute
	tests := []struct {
		name     string
		values   []string // nil: header absent
		fallback time.Duration
		max      time.Duration
		want     time.Duration
	}{
		{"absent", nil, fb, max, fb},
		{"empty", []string{""}, fb, max, fb},
		{"blank", []string{"   "}, fb, max, fb},
		{"zero", []string{"0"}, fb, max, 0},
		{"seconds", []string{"7"}, fb, max, 7 * time.Second},
		{"trimmed", []string{" \t3 "}, fb, max, 3 * time.Second},
		{"leading zeros", []string{"007"}, fb, max, 7 * time.Second},
		{"capped", []string{"3600"}, fb, max, max},
		{"huge is capped not invalid", []string{"99999999999999999999999"}, fb, max, max},
		{"huge uncapped saturates", []string{"99999999999999999999999"}, fb, 0, time.Duration(1<<63 - 1)},
		{"no cap", []string{"3600"}, fb, 0, time.Hour},
		{"negative", []string{"-1"}, fb, max, fb},
		{"plus sign", []string{"+5"}, fb, max, fb},
		{"fraction", []string{"1.5"}, fb, max, fb},
		{"unit", []string{"3s"}, fb, max, fb},
		{"text", []string{"soon"}, fb, max, fb},
		{"date ahead", []string{date(50 * time.Second)}, fb, max, 50 * time.Second},
		{"date trimmed", []string{"  " + date(5*time.Second) + " "}, fb, max, 5 * time.Second},
		{"date past", []string{date(-time.Minute)}, fb, max, 0},
		{"date capped", []string{date(time.Hour)}, fb, max, max},
		{"rfc850 date", []string{now.Add(4 * time.Second).Format("Monday, 02-Jan-06 15:04:05 GMT")}, fb, max, 4 * time.Second},
		{"bad date", []string{"Wed, 32 Nov 2026 10:00:00 GMT"}, fb, max, fb},
		{"fallback capped", nil, time.Hour, max, max},
		{"negative fallback", nil, -time.Second, max, 0},
		{"first value wins", []string{"4", "9"}, fb, max, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Retry-After", v)
			}
			if got := RetryAfter(h, now, tt.fallback, tt.max); got != tt.want {
				t.Errorf("RetryAfter(%q) = %v, want %v", tt.values, got, tt.want)
			}
		})
	}
}

// FuzzRetryAfter: any header value gives a wait in [0, max], never a panic, and a plain
// delta-seconds value below the cap is read exactly.
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, s := range []string{"", "0", "7", " 3 ", "-1", "+5", "1.5", "99999999999999999999", "soon",
		now.Add(time.Minute).Format(http.TimeFormat), "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan  2 15:04:05 2006"} {
		f.Add(s, int64(time.Minute))
	}
	f.Fuzz(func(t *testing.T, v string, maxNS int64) {
		max := time.Duration(maxNS)
		h := http.Header{"Retry-After": {v}}
		got := RetryAfter(h, now, time.Second, max)
		if got < 0 {
			t.Fatalf("RetryAfter(%q, max %v) = %v < 0", v, max, got)
		}
		if max > 0 && got > max {
			t.Fatalf("RetryAfter(%q, max %v) = %v > max", v, max, got)
		}
		if max > time.Hour && len(v) > 0 && len(v) < 4 && isDigits(v) {
			var n int64
			for _, c := range v {
				n = n*10 + int64(c-'0')
			}
			if got != time.Duration(n)*time.Second {
				t.Fatalf("RetryAfter(%q) = %v, want %ds", v, got, n)
			}
		}
	})
}
