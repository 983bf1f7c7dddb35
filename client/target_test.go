package client

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		url   string
		allow []string
		want  error // nil = allowed
	}{
		{"http://127.0.0.1:8080", nil, nil},
		{"http://127.0.0.2/checkout", nil, nil},
		{"http://localhost:1234", nil, nil},
		{"http://LOCALHOST.:1234", nil, nil},
		{"http://[::1]:9000/", nil, nil},
		{"https://api.vipps.no", nil, ErrProductionHost},
		{"https://API.Vipps.NO./checkout/v3", nil, ErrProductionHost},
		{"https://api.vipps.no", []string{"apitest.vipps.no"}, ErrProductionHost},
		// Listing production never allows it: only TargetPolicy.AllowProduction does.
		{"https://api.vipps.no", []string{"api.vipps.no"}, ErrProductionHost},
		{"https://api.vipps.no:443", []string{"API.VIPPS.NO"}, ErrProductionHost},
		{"https://API.VIPPS.NO", []string{"API.VIPPS.NO"}, ErrProductionHost},
		{"https://api.vipps.no.", []string{"api.vipps.no."}, ErrProductionHost},
		{"https://x@api.vipps.no", []string{"x@api.vipps.no"}, ErrProductionHost},
		{"https://user:pw@API.vipps.no.:443/x", nil, ErrProductionHost},
		{"https://api.vipps.no..", []string{"api.vipps.no.."}, ErrProductionHost},
		{"https://api.vipps.no%2E", nil, ErrBadTarget}, // url.Parse refuses an escaped ASCII host
		{"https://apitest.vipps.no", nil, ErrHostNotAllowed},
		{"https://apitest.vipps.no", []string{"apitest.vipps.no"}, nil},
		{"https://apitest.vipps.no", []string{"apitest.vipps.no:443"}, nil},
		{"https://evil.apitest.vipps.no", []string{"apitest.vipps.no"}, ErrHostNotAllowed},
		{"https://api.vipps.no.example.com", []string{"apitest.vipps.no"}, ErrHostNotAllowed},
		{"http://10.0.0.5:8080", nil, ErrHostNotAllowed},
		{"http://0.0.0.0:8080", nil, ErrHostNotAllowed},
		{"ftp://127.0.0.1/", nil, ErrBadTarget},
		{"127.0.0.1:8080", nil, ErrBadTarget},
		{"/checkout/v3", nil, ErrBadTarget},
		{"http://", nil, ErrBadTarget},
		{"::not a url", nil, ErrBadTarget},
	}
	for _, tt := range tests {
		err := CheckTarget(tt.url, tt.allow...)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("CheckTarget(%q, %q) = %v; want %v", tt.url, tt.allow, err, tt.want)
		}
	}
}

func TestTargetPolicyProduction(t *testing.T) {
	for _, u := range []string{"https://api.vipps.no", "https://API.VIPPS.NO", "https://api.vipps.no.", "https://x@api.vipps.no", "https://Api.Vipps.No.:443/checkout/v3"} {
		if err := (TargetPolicy{}).Check(u); !errors.Is(err, ErrProductionHost) {
			t.Errorf("zero policy Check(%q) = %v; want ErrProductionHost", u, err)
		}
		if err := (TargetPolicy{AllowHosts: []string{"api.vipps.no", "API.VIPPS.NO."}}).Check(u); !errors.Is(err, ErrProductionHost) {
			t.Errorf("host-list policy Check(%q) = %v; want ErrProductionHost", u, err)
		}
		if err := (TargetPolicy{AllowProduction: true}).Check(u); err != nil {
			t.Errorf("AllowProduction Check(%q) = %v; want nil", u, err)
		}
	}
	// AllowProduction allows production only, not other hosts.
	if err := (TargetPolicy{AllowProduction: true}).Check("https://apitest.vipps.no"); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("AllowProduction lets the test host through: %v", err)
	}
}

func TestHostname(t *testing.T) {
	tests := []struct {
		url, want string
		ok        bool
	}{
		{"https://api.vipps.no", "api.vipps.no", true},
		{"https://API.VIPPS.NO.", "api.vipps.no", true},
		{"https://x@api.vipps.no", "api.vipps.no", true},
		{"https://u:p@Api.Vipps.No.:443/checkout", "api.vipps.no", true},
		{"http://[::1]:8080", "::1", true},
		{"http://LOCALHOST:1", "localhost", true},
		{"api.vipps.no", "", false},
		{"ftp://api.vipps.no", "", false},
		{"http://", "", false},
	}
	for _, tt := range tests {
		got, err := Hostname(tt.url)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Hostname(%q) = %q, %v; want %q, ok=%v", tt.url, got, err, tt.want, tt.ok)
		}
		if !tt.ok && !errors.Is(err, ErrBadTarget) {
			t.Errorf("Hostname(%q) error %v is not ErrBadTarget", tt.url, err)
		}
	}
}

func TestIsProductionHost(t *testing.T) {
	for host, want := range map[string]bool{
		"api.vipps.no": true, "API.VIPPS.NO": true, "api.vipps.no.": true, "Api.Vipps.No.:443": true, " api.vipps.no ": true,
		"apitest.vipps.no": false, "api.vipps.no.example.com": false, "x@api.vipps.no": false, "": false,
	} {
		if got := IsProductionHost(host); got != want {
			t.Errorf("IsProductionHost(%q) = %v; want %v", host, got, want)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true,
		"0.0.0.0": false, "": false, "10.0.0.1": false, "localhost.example.com": false, "api.vipps.no": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v; want %v", host, got, want)
		}
	}
}

func TestCheckTargetRedactsPassword(t *testing.T) {
	for _, u := range []string{"https://user:hunter2@api.vipps.no", "https://user:hunter2@example.com", "ftp://user:hunter2@127.0.0.1"} {
		if err := CheckTarget(u); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("CheckTarget(%q) = %v; want an error without the password", u, err)
		}
	}
}
