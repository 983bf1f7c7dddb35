package load

import (
	"regexp"
	"strconv"
	"strings"
)

// Error classes with a fixed name.
const (
	classThrottled = "http 429 throttled"
	classTimeout   = "timeout"
	classRefused   = "connection refused"
	classReset     = "connection reset"
	classEOF       = "connection closed (EOF)"
	classDNS       = "dns lookup failed"
	classTLS       = "tls handshake failed"
	classPipe      = "broken pipe"
	classFiles     = "too many open files"
	classPorts     = "local ports exhausted"
	classCanceled  = "canceled"
	classStarved   = "starved: no reference ready"
)

var urlRE = regexp.MustCompile(`"?[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"]*"?`)

// ClassifyError maps a result's status code and error text to a short class without URLs, so
// that unique references in URLs cannot blow up vegeta's Errors set (it keeps every distinct
// string) or the report. Success is "".
func ClassifyError(code uint16, errText string) string {
	if errText == "" && code >= 200 && code < 400 {
		return ""
	}
	if code != 0 {
		if code == 429 {
			return classThrottled
		}
		if code < 200 || code >= 400 {
			return "http " + strconv.Itoa(int(code))
		}
	}
	e := strings.ToLower(errText)
	switch {
	case strings.Contains(e, starvedMarker):
		return classStarved
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return classTimeout
	case strings.Contains(e, "connection refused"):
		return classRefused
	case strings.Contains(e, "connection reset"):
		return classReset
	case strings.Contains(e, "broken pipe"):
		return classPipe
	case strings.HasSuffix(e, "eof") || strings.Contains(e, "eof"):
		return classEOF
	case strings.Contains(e, "no such host") || strings.Contains(e, "lookup "):
		return classDNS
	case strings.Contains(e, "tls") || strings.Contains(e, "x509"):
		return classTLS
	case strings.Contains(e, "too many open files"):
		return classFiles
	case strings.Contains(e, "cannot assign requested address"):
		return classPorts
	case strings.Contains(e, "context canceled") || strings.Contains(e, "request canceled"):
		return classCanceled
	case e == "":
		return "http " + strconv.Itoa(int(code))
	}
	s := urlRE.ReplaceAllString(errText, "<url>")
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}
