package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"no command", nil, exitUsage, "Usage: checkoutkit"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"help", []string{"--help"}, exitOK, "Commands:"},
		{"version", []string{"version"}, exitOK, version},
		{"spec bad flag", []string{"spec", "--nope"}, exitUsage, "flag provided but not defined"},
		{"spec help", []string{"spec", "--help"}, exitOK, "-spec"},
		{"spec unknown sub", []string{"spec", "bogus"}, exitUsage, "unknown subcommand"},
		{"spec missing file", []string{"spec", "lint", "--spec", "/nonexistent/x.yaml"}, exitUsage, "read spec"},
		{"mock bad flag", []string{"mock", "--listen"}, exitUsage, "flag needs an argument"},
		{"mock non-loopback", []string{"mock", "--listen", "0.0.0.0:0"}, exitUsage, "loopback"},
		{"mock bad fault", []string{"mock", "--fault", "create=418:2"}, exitUsage, "--fault"},
		{"load bad flag", []string{"load", "--rate", "fast"}, exitUsage, "invalid value"},
		{"load production", []string{"load", "--target", "https://api.vipps.no"}, exitUsage, "api.vipps.no"},
		{"load production userinfo confirmed", []string{"load", "--target", "https://x@api.vipps.no", "--confirm-host", "api.vipps.no"}, exitUsage, "never run against production"},
		{"load production upper case confirmed", []string{"load", "--target", "https://API.VIPPS.NO.", "--confirm-host", "API.VIPPS.NO."}, exitUsage, "never run against production"},
		{"load stray argument", []string{"load", "extra"}, exitUsage, "unexpected arguments"},
		{"report no file", []string{"report"}, exitUsage, "name at least one report file"},
		{"report bad file", []string{"report", "/nonexistent/compliance.json"}, exitUsage, "no such file"},
		{"report merge no file", []string{"report", "merge"}, exitUsage, "name at least one report file"},
		{"report merge bad slo", []string{"report", "merge", "--slo", "p99<<", "x.json"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("output lacks %q\nstdout: %s\nstderr: %s", tt.want, out, errOut)
			}
		})
	}
}

func TestSpecLint(t *testing.T) {
	code, out, _ := runCmd(t, "spec", "lint")
	if code != exitOK || !strings.Contains(out, "0 findings") {
		t.Fatalf("bundled contract: exit %d\n%s", code, out)
	}
	// A document whose example breaks its own schema is a finding: exit 1.
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	doc := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /checkout/v3/session/{reference}:
    get:
      parameters:
        - {name: reference, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [sessionState], properties: {sessionState: {type: string, enum: [SessionCreated]}}}
              examples:
                wrong: {value: {sessionState: Nope}}
`
	if err := os.WriteFile(broken, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "spec", "lint", "--spec", broken)
	if code != exitFindings || !strings.Contains(out, "sessionState") {
		t.Fatalf("broken example: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "spec", "show", "--json")
	var ops []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &ops) != nil || len(ops) != 4 {
		t.Fatalf("spec show --json: exit %d, %d operations\n%s", code, len(ops), out)
	}
}

// TestMockServesUntilCancelled starts the mock subcommand on a free loopback port, uses it, and
// checks that cancelling the context shuts it down with exit 0 and no secret in its output.
func TestMockServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"mock", "--listen", "127.0.0.1:0"}, &out, &errb) }()

	re := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		base = re.FindString(out.String())
	}
	if base == "" {
		cancel()
		t.Fatalf("no base URL printed:\n%s\n%s", out.String(), errb.String())
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/checkout/v3/session/unknown-ref-1", nil)
	req.Header.Set("client_id", mock.DefaultMerchant.ClientID)
	req.Header.Set("client_secret", mock.DefaultMerchant.ClientSecret)
	req.Header.Set("Ocp-Apim-Subscription-Key", mock.DefaultMerchant.SubscriptionKey)
	req.Header.Set("Merchant-Serial-Number", mock.DefaultMerchant.MSN)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown session: %d, want 404", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("mock did not stop after cancel")
	}
	all := out.String() + errb.String()
	for _, secret := range []string{mock.DefaultMerchant.ClientSecret, mock.DefaultMerchant.SubscriptionKey} {
		if strings.Contains(all, secret) {
			t.Fatalf("output contains a secret:\n%s", all)
		}
	}
}

// TestLoadShardsMergeAndRender runs two shards of one load run against the embedded mock,
// merges them, and checks the merged counts are the shards' sums; then re-renders the merged
// JSON with report render.
func TestLoadShardsMergeAndRender(t *testing.T) {
	dir := t.TempDir()
	var parts []*reports.Load
	for i, shard := range []string{"1/2", "2/2"} {
		out := filepath.Join(dir, "shard-"+string(rune('a'+i)))
		code, stdout, stderr := runCmd(t, "load", "--scenario", "lifecycle", "--rate", "40", "--requests", "20",
			"--duration", "0", "--shard", shard, "--run-id", "mergetest", "--plot=false", "--out", out)
		if code != exitOK {
			t.Fatalf("shard %s: exit %d\n%s\n%s", shard, code, stdout, stderr)
		}
		f, err := os.Open(filepath.Join(out, reports.LoadJSONFile))
		if err != nil {
			t.Fatal(err)
		}
		l, err := reports.ReadLoadJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, l)
	}
	mergedDir := filepath.Join(dir, "merged")
	code, stdout, stderr := runCmd(t, "report", "merge", "--out", mergedDir, filepath.Join(dir, "shard-a"), filepath.Join(dir, "shard-b", reports.LoadJSONFile))
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	f, err := os.Open(filepath.Join(mergedDir, reports.LoadJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := reports.ReadLoadJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	sum := map[string]int64{}
	for _, p := range parts {
		for _, op := range p.Operations {
			sum[op.Name] += op.Requests
		}
	}
	if len(merged.Operations) == 0 {
		t.Fatal("merged report has no operations")
	}
	for _, op := range merged.Operations {
		if op.Requests != sum[op.Name] {
			t.Errorf("%s: merged %d requests, shards add up to %d", op.Name, op.Requests, sum[op.Name])
		}
	}
	if sum["create"] != 20 {
		t.Errorf("the two shards created %d sessions, want 20 in all", sum["create"])
	}
	renderDir := filepath.Join(dir, "rendered")
	code, stdout, stderr = runCmd(t, "report", "--out", renderDir, filepath.Join(mergedDir, reports.LoadJSONFile))
	if code != exitOK {
		t.Fatalf("render: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, name := range []string{reports.LoadHTMLFile, reports.LoadMarkdownFile, reports.LoadTextFile} {
		if st, err := os.Stat(filepath.Join(renderDir, name)); err != nil || st.Size() == 0 {
			t.Errorf("render did not write %s: %v", name, err)
		}
	}
}
