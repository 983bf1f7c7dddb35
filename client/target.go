package client

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Hosts of the Vipps MobilePay API.
const (
	// ProductionHost is the production API. Traffic there moves real money.
	ProductionHost = "api.vipps.no"
	// TestHost is the test environment (MT).
	TestHost = "apitest.vipps.no"
)

// Errors of CheckTarget.
var (
	// ErrProductionHost refuses the production host when it was not explicitly allowed.
	ErrProductionHost = errors.New("refusing the production host " + ProductionHost + " without an explicit allowance")
	// ErrHostNotAllowed refuses a host that is neither loopback nor allowed.
	ErrHostNotAllowed = errors.New("host not allowed")
	// ErrBadTarget is returned for a URL that is not an absolute http(s) URL.
	ErrBadTarget = errors.New("target is not an absolute http or https URL")
)

// CheckTarget is the safety check to run before sending anything to rawURL. Loopback hosts
// (localhost, 127.0.0.0/8, ::1) are always allowed. Any other host must be in allowHosts
// (host names, case-insensitive; a "host:port" entry counts for its host); the production host
// api.vipps.no is refused with ErrProductionHost unless it is listed, and any other unlisted
// host with ErrHostNotAllowed. The test host apitest.vipps.no must be listed too.
func CheckTarget(rawURL string, allowHosts ...string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("target %q: %w", rawURL, ErrBadTarget)
	}
	host := normHost(u.Hostname())
	if host == "" {
		return fmt.Errorf("target %q: %w", rawURL, ErrBadTarget)
	}
	if isLoopback(host) {
		return nil
	}
	for _, a := range allowHosts {
		if h, _, err := net.SplitHostPort(a); err == nil {
			a = h
		}
		if normHost(a) == host {
			return nil
		}
	}
	if host == ProductionHost {
		return fmt.Errorf("target %q: %w", rawURL, ErrProductionHost)
	}
	return fmt.Errorf("target %q: %w: %s is not loopback and not in the allowed hosts %v", rawURL, ErrHostNotAllowed, host, allowHosts)
}

// normHost lower-cases a host and drops a trailing dot and IPv6 brackets, so API.VIPPS.NO.
// and api.vipps.no are the same host.
func normHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
