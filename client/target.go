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

// TargetPolicy says which targets a tool may send requests to. The zero value allows loopback
// only.
type TargetPolicy struct {
	// AllowHosts lists further hosts (names or IPs, case-insensitive; a "host:port" entry counts
	// for its host). Listing the production host here does NOT allow it. Default none.
	AllowHosts []string
	// AllowProduction allows the production host api.vipps.no. It is a separate switch, never
	// implied by AllowHosts, so a host list assembled from user input (a --target, a config
	// file) cannot let production in by a spelling variant. Default false.
	AllowProduction bool
}

// Check is the safety check to run before sending anything to rawURL. Loopback hosts
// (localhost, 127.0.0.0/8, ::1) are always allowed. The production host is refused with
// ErrProductionHost unless p.AllowProduction is set, whatever the host list says; any other host
// must be in p.AllowHosts or is refused with ErrHostNotAllowed. Hosts are compared after
// Hostname's normalisation (case, trailing dot, userinfo and port do not matter).
func (p TargetPolicy) Check(rawURL string) error {
	host, err := Hostname(rawURL)
	if err != nil {
		return err
	}
	if IsLoopbackHost(host) {
		return nil
	}
	// Production is decided before the allow list: an entry spelling production never counts.
	if IsProductionHost(host) {
		if p.AllowProduction {
			return nil
		}
		return fmt.Errorf("target %q: %w", RedactURL(rawURL), ErrProductionHost)
	}
	for _, a := range p.AllowHosts {
		if h, _, err := net.SplitHostPort(a); err == nil {
			a = h
		}
		if NormalizeHost(a) == host {
			return nil
		}
	}
	return fmt.Errorf("target %q: %w: %s is not loopback and not in the allowed hosts %v", RedactURL(rawURL), ErrHostNotAllowed, host, p.AllowHosts)
}

// CheckTarget is TargetPolicy{AllowHosts: allowHosts}.Check(rawURL): loopback is allowed, other
// hosts must be listed, and the production host api.vipps.no is always refused with
// ErrProductionHost (listing it does not help; use TargetPolicy.AllowProduction). The test host
// apitest.vipps.no must be listed too.
func CheckTarget(rawURL string, allowHosts ...string) error {
	return TargetPolicy{AllowHosts: allowHosts}.Check(rawURL)
}

// Hostname returns the host an HTTP client would connect to for rawURL, normalised with
// NormalizeHost: url.Parse's Hostname, so userinfo ("x@"), port and IPv6 brackets are dropped
// and percent-escapes decoded. It fails with ErrBadTarget for anything but an absolute http or
// https URL with a host.
func Hostname(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("target %q: %w", RedactURL(rawURL), ErrBadTarget)
	}
	host := NormalizeHost(u.Hostname())
	if host == "" {
		return "", fmt.Errorf("target %q: %w", RedactURL(rawURL), ErrBadTarget)
	}
	return host, nil
}

// NormalizeHost lower-cases a host name and drops surrounding space, IPv6 brackets and trailing
// dots, so "API.VIPPS.NO." and "api.vipps.no" compare equal. It does not strip a port.
func NormalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	// A fully qualified name may end in a dot; more than one is not valid DNS but is trimmed too,
	// so no spelling of production slips past a comparison.
	return strings.TrimRight(h, ".")
}

// IsProductionHost reports whether host (a bare host name, any case, optionally with a trailing
// dot or a port) is the production API host.
func IsProductionHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return NormalizeHost(host) == ProductionHost
}

// IsLoopbackHost reports whether host (a bare host name or IP, any case, optionally bracketed or
// with a trailing dot) is localhost or a loopback IP (127.0.0.0/8, ::1).
func IsLoopbackHost(host string) bool {
	host = NormalizeHost(host)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL returns rawURL with a userinfo password replaced by "xxxxx" (url.URL.Redacted), for
// error messages and logs; a string that does not parse is returned as is.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Redacted()
}
