package client

import (
	"errors"
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
		{"https://api.vipps.no", []string{"api.vipps.no"}, nil},
		{"https://api.vipps.no:443", []string{"API.VIPPS.NO"}, nil},
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
