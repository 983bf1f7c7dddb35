package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/mock"
)

// testMerchant has keys that differ from mock.DefaultMerchant, so a test can tell a run used
// the environment's keys and can look for these secrets in the output.
var testMerchant = mock.Merchant{
	ClientID:        "3c7a2f4e-0d1b-4e8a-9f6b-5a4c3b2a1908",
	ClientSecret:    "S3cr3t-env-only-Zq8vXw2==",
	SubscriptionKey: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
	MSN:             "778899",
}

// setMerchantEnv puts testMerchant's keys into the environment and clears the system values.
func setMerchantEnv(t *testing.T) {
	t.Helper()
	t.Setenv(envClientID, testMerchant.ClientID)
	t.Setenv(envClientSecret, testMerchant.ClientSecret)
	t.Setenv(envSubscriptionKey, testMerchant.SubscriptionKey)
	t.Setenv(envMSN, testMerchant.MSN)
	for _, k := range []string{envSystemName, envSystemVersion, envPluginName, envPluginVersion} {
		t.Setenv(k, "")
	}
}

// headerRecorder wraps a handler and keeps every Vipps-System-* value it saw.
type headerRecorder struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]map[string]bool
}

func (h *headerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	for _, name := range []string{checkout.HeaderSystemName, checkout.HeaderSystemVersion, checkout.HeaderPluginName, checkout.HeaderPluginVersion} {
		if h.seen[name] == nil {
			h.seen[name] = map[string]bool{}
		}
		h.seen[name][r.Header.Get(name)] = true
	}
	h.mu.Unlock()
	h.next.ServeHTTP(w, r)
}

func (h *headerRecorder) values(name string) map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]bool{}
	for v := range h.seen[name] {
		out[v] = true
	}
	return out
}

// startTestMock serves a mock that knows only the given merchants (default testMerchant) on a
// loopback httptest server.
func startTestMock(t *testing.T, merchants ...mock.Merchant) (string, *headerRecorder) {
	t.Helper()
	if len(merchants) == 0 {
		merchants = []mock.Merchant{testMerchant}
	}
	m := mock.New(mock.WithMerchants(merchants...))
	rec := &headerRecorder{next: m, seen: map[string]map[string]bool{}}
	srv := httptest.NewServer(rec)
	t.Cleanup(func() {
		srv.Close()
		m.Close()
	})
	return srv.URL, rec
}

func TestReadEnv(t *testing.T) {
	env := map[string]string{envClientID: "id", envSystemName: "acme-shop", envPluginVersion: "9.9.9"}
	s := readEnv(func(k string) string { return env[k] }, pluginLoad)
	if s.System.Name != "acme-shop" || s.System.Version != version || s.System.PluginName != pluginLoad || s.System.PluginVersion != "9.9.9" {
		t.Errorf("partial system values: got %+v; want acme-shop, %s, %s, 9.9.9", s.System, version, pluginLoad)
	}
	if s.Credentials.ClientID != "id" {
		t.Errorf("client id %q", s.Credentials.ClientID)
	}
	want := []string{envClientSecret, envSubscriptionKey, envMSN}
	if len(s.Missing) != len(want) {
		t.Fatalf("missing %v; want %v", s.Missing, want)
	}
	for i := range want {
		if s.Missing[i] != want[i] {
			t.Errorf("missing %v; want %v", s.Missing, want)
		}
	}
}

// TestLoadSystemInfoFromEnv runs load against a mock and checks the requests carried the
// VIPPS_SYSTEM_* / VIPPS_PLUGIN_* values the contract command reads too, with defaults for the
// ones not set.
func TestLoadSystemInfoFromEnv(t *testing.T) {
	setMerchantEnv(t)
	t.Setenv(envSystemName, "acme-shop")
	t.Setenv(envPluginVersion, "9.9.9")
	target, rec := startTestMock(t)
	code, stdout, stderr := runCmd(t, "load", "--target", target, "--scenario", "lifecycle", "--rate", "40", "--requests", "4",
		"--duration", "0", "--plot=false", "--out", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for name, want := range map[string]string{
		checkout.HeaderSystemName: "acme-shop", checkout.HeaderSystemVersion: version,
		checkout.HeaderPluginName: pluginLoad, checkout.HeaderPluginVersion: "9.9.9",
	} {
		got := rec.values(name)
		if len(got) != 1 || !got[want] {
			t.Errorf("%s: saw %v; want only %q", name, got, want)
		}
	}
}
