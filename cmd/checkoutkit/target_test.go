package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/client"
)

// testCreds is a getenv with complete, non-default credentials.
func testCreds(extra map[string]string) func(string) string {
	env := map[string]string{
		envClientID: "cid-test", envClientSecret: "secret-test-value", envSubscriptionKey: "subkey-test-value", envMSN: "654321",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

var productionSpellings = []string{
	"https://api.vipps.no", "https://API.VIPPS.NO", "https://api.vipps.no.", "https://Api.Vipps.No./checkout",
	"https://x@api.vipps.no", "https://user:pw@API.VIPPS.NO.:443",
}

// TestContractConfigProduction checks that no spelling of the production host gets past the
// contract command without --allow-production, and that with it production is passed on as
// AllowProduction and never through the host list (which suites hands to client.CheckTarget).
func TestContractConfigProduction(t *testing.T) {
	for _, target := range productionSpellings {
		cfg, err := contractConfig(contractOptions{target: target}, testCreds(nil))
		if err == nil || !errors.Is(err, client.ErrProductionHost) {
			t.Errorf("contract --target %s without --allow-production: err = %v, want ErrProductionHost", target, err)
		}
		for _, h := range cfg.AllowHosts {
			if client.IsProductionHost(h) {
				t.Errorf("contract --target %s: production %q in AllowHosts", target, h)
			}
		}
		// What suites does with the host list: it must refuse production.
		if err := client.CheckTarget(target, append([]string{client.TestHost}, cfg.AllowHosts...)...); !errors.Is(err, client.ErrProductionHost) {
			t.Errorf("contract --target %s: CheckTarget with AllowHosts %v = %v, want ErrProductionHost", target, cfg.AllowHosts, err)
		}

		cfg, err = contractConfig(contractOptions{target: target, allowProduction: true}, testCreds(nil))
		if err != nil {
			t.Errorf("contract --target %s --allow-production: %v", target, err)
		}
		if !cfg.AllowProduction {
			t.Errorf("contract --target %s --allow-production: AllowProduction not set", target)
		}
		for _, h := range cfg.AllowHosts {
			if client.IsProductionHost(h) {
				t.Errorf("contract --target %s --allow-production: production %q in AllowHosts", target, h)
			}
		}
	}
	cfg, err := contractConfig(contractOptions{target: "https://ApiTest.Vipps.No."}, testCreds(nil))
	if err != nil || len(cfg.AllowHosts) != 1 || cfg.AllowHosts[0] != client.TestHost {
		t.Errorf("contract --target https://ApiTest.Vipps.No.: AllowHosts %v, err %v; want [%s]", cfg.AllowHosts, err, client.TestHost)
	}
	if _, err := contractConfig(contractOptions{target: "https://api.vipps.no.example.com"}, testCreds(nil)); err != nil && strings.Contains(err.Error(), "production") {
		t.Errorf("a host that merely starts with the production name is not production: %v", err)
	}
}

// TestLoadRefusesProduction checks that load refuses every spelling of the production host,
// even when --confirm-host names it in any spelling.
func TestLoadRefusesProduction(t *testing.T) {
	for _, target := range productionSpellings {
		for _, confirm := range []string{"", "api.vipps.no", "API.VIPPS.NO.", "x@api.vipps.no", "api.vipps.no:443"} {
			err := checkLoadTarget(target, confirm)
			if err == nil || !strings.Contains(err.Error(), "never run against production") {
				t.Errorf("load --target %s --confirm-host %q: err = %v, want the production refusal", target, confirm, err)
			}
		}
	}
	for _, tt := range []struct {
		target, confirm string
		ok              bool
	}{
		{"http://127.0.0.1:8080", "", true},
		{"https://apitest.vipps.no", "apitest.vipps.no", true},
		{"https://x@ApiTest.Vipps.No.", "apitest.vipps.no", true},
		{"https://apitest.vipps.no", "", false},
		{"https://apitest.vipps.no", "staging.example.com", false},
		{"apitest.vipps.no", "apitest.vipps.no", false},
	} {
		if err := checkLoadTarget(tt.target, tt.confirm); (err == nil) != tt.ok {
			t.Errorf("load --target %s --confirm-host %q: err = %v, want ok=%v", tt.target, tt.confirm, err, tt.ok)
		}
	}
}

// TestContractTargetIsMockNeedsLoopback checks --target-is-mock is refused for any host but
// loopback, since it would send /_mock/ control and fault calls there.
func TestContractTargetIsMockNeedsLoopback(t *testing.T) {
	for _, tt := range []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://x@LOCALHOST.:8080", true},
		{"https://apitest.vipps.no", false},
		{"http://10.0.0.5:8080", false},
		{"http://0.0.0.0:8080", false},
		{"http://mock.internal:8080", false},
		{"https://API.VIPPS.NO", false},
	} {
		_, err := contractConfig(contractOptions{target: tt.target, targetIsMock: true, allowProduction: true}, testCreds(nil))
		if tt.ok && err != nil {
			t.Errorf("contract --target %s --target-is-mock: %v", tt.target, err)
		}
		if !tt.ok && (err == nil || !strings.Contains(err.Error(), "loopback")) {
			t.Errorf("contract --target %s --target-is-mock: err = %v, want a loopback refusal", tt.target, err)
		}
	}
}

// TestContractTargetIsMockExit checks the command exits 2 with the reason before any traffic.
// The credentials are cleared so that, were the check missing, the command would stop at them
// (exit 2 with another message) rather than contact the host.
func TestContractTargetIsMockExit(t *testing.T) {
	for _, k := range []string{envClientID, envClientSecret, envSubscriptionKey, envMSN} {
		t.Setenv(k, "")
	}
	code, stdout, stderr := runCmd(t, "contract", "--target", "http://mock.internal:8080", "--target-is-mock", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "--target-is-mock needs a loopback --target") {
		t.Fatalf("exit %d, want %d with the loopback reason\n%s\n%s", code, exitUsage, stdout, stderr)
	}
}

// TestCheckListen checks the mock's listen check uses the same loopback rule as client targets
// (any case, trailing dot, brackets).
func TestCheckListen(t *testing.T) {
	for _, tt := range []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1:8080", false, true},
		{"127.9.9.9:0", false, true},
		{"[::1]:8080", false, true},
		{"localhost:8080", false, true},
		{"LOCALHOST:8080", false, true},
		{"localhost.:8080", false, true},
		{":8080", false, false},
		{"0.0.0.0:8080", false, false},
		{"10.0.0.1:8080", false, false},
		{"localhost.example.com:8080", false, false},
		{"0.0.0.0:8080", true, true},
		{":8080", true, true},
		{"127.0.0.1", false, false}, // no port
	} {
		if err := checkListen(tt.addr, tt.allow); (err == nil) != tt.ok {
			t.Errorf("checkListen(%q, %v) = %v; want ok=%v", tt.addr, tt.allow, err, tt.ok)
		}
	}
}

// TestTargetErrorsRedactPassword checks a password in a --target's userinfo is not echoed.
func TestTargetErrorsRedactPassword(t *testing.T) {
	for _, target := range []string{"https://u:hunter2@api.vipps.no", "https://u:hunter2@staging.example.com"} {
		if err := checkLoadTarget(target, ""); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("load %s: %v; want an error without the password", target, err)
		}
		if _, err := contractConfig(contractOptions{target: target, targetIsMock: true}, testCreds(nil)); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("contract %s: %v; want an error without the password", target, err)
		}
		if _, err := contractConfig(contractOptions{target: target}, testCreds(nil)); err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("contract %s: %v; want an error without the password", target, err)
		}
	}
}
