package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract/suites"
	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// envContractHelper carries the JSON-encoded arguments of a contract run in a helper process.
// Ginkgo runs specs once per process, so every test that runs the suite runs it in a child.
const envContractHelper = "CHECKOUTKIT_CONTRACT_HELPER_ARGS"

// TestContractHelperProcess is not a test: it is the child the tests below start. It runs the
// command with the given arguments and exits with its code.
func TestContractHelperProcess(t *testing.T) {
	raw, ok := os.LookupEnv(envContractHelper)
	if !ok {
		t.Skip("helper process only")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
}

type contractChild struct {
	code           int
	stdout, stderr string
}

// runContractChild runs "checkoutkit <args>" in a child process with extra environment.
func runContractChild(t *testing.T, env []string, args ...string) contractChild {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestContractHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envContractHelper+"="+string(raw)), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("start child: %v", err)
	}
	return contractChild{code, out.String(), errb.String()}
}

func readContractCompliance(t *testing.T, dir string) *reports.Compliance {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, suites.FileComplianceJSON))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := reports.ReadComplianceJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestContractNeverWritesSecrets runs the whole suite with known secret values (credentials
// from the environment against a mock that knows them, and the embedded mock's own keys) and
// greps every output file, stdout and stderr for each: none may appear.
func TestContractNeverWritesSecrets(t *testing.T) {
	merchant := mock.Merchant{ClientID: "ckk-test-client-id", ClientSecret: "S3cr3t-client-Secret-0d2f9a", SubscriptionKey: "9f1c2b3a4d5e6f708192a3b4c5d6e7f8", MSN: "654321"}
	token := "ckk-callback-token-7e57a1b2c3"
	srv := httptest.NewServer(mock.New(mock.WithMerchants(merchant)))
	t.Cleanup(srv.Close)

	tests := []struct {
		name    string
		args    func(out string) []string
		env     []string
		secrets []string
	}{
		{
			name: "credentials from the environment",
			args: func(out string) []string {
				return []string{"contract", "--target", srv.URL, "--target-is-mock", "--out", out}
			},
			env: []string{envClientID + "=" + merchant.ClientID, envClientSecret + "=" + merchant.ClientSecret,
				envSubscriptionKey + "=" + merchant.SubscriptionKey, envMSN + "=" + merchant.MSN, envCallbackToken + "=" + token},
			secrets: []string{merchant.ClientSecret, merchant.SubscriptionKey, token},
		},
		{
			name:    "embedded mock",
			args:    func(out string) []string { return []string{"contract", "--out", out} },
			env:     []string{envCallbackToken + "=" + token},
			secrets: []string{mock.DefaultMerchant.ClientSecret, mock.DefaultMerchant.SubscriptionKey, token},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			res := runContractChild(t, tt.env, tt.args(out)...)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, contractTail(res.stdout), contractTail(res.stderr))
			}
			c := readContractCompliance(t, out)
			// The secrets must really have been used: the callback spec compares the token, and
			// every passing spec authenticated with the keys.
			if c.Summary.Passed < 100 || c.Summary.Skipped != 0 {
				t.Fatalf("summary %+v: want the whole suite run and passed", c.Summary)
			}
			outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
			entries, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) < 5 {
				t.Errorf("only %d report files in %s", len(entries), out)
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(out, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				outputs[e.Name()] = string(b)
			}
			for name, text := range outputs {
				for _, s := range tt.secrets {
					if strings.Contains(text, s) {
						t.Errorf("%s contains a secret value (%d characters)", name, len(s))
					}
				}
			}
		})
	}
}

// TestContractExitCodes checks the command's exit codes and refusals.
func TestContractExitCodes(t *testing.T) {
	broken := httptest.NewServer(mock.New(mock.WithBreakage(mock.BreakWrongEnum)))
	t.Cleanup(broken.Close)
	creds := []string{envClientID + "=" + mock.DefaultMerchant.ClientID, envClientSecret + "=" + mock.DefaultMerchant.ClientSecret,
		envSubscriptionKey + "=" + mock.DefaultMerchant.SubscriptionKey, envMSN + "=" + mock.DefaultMerchant.MSN}
	tests := []struct {
		name       string
		env        []string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"help", nil, []string{"contract", "--help"}, exitOK, envClientSecret, ""},
		{"bad flag", nil, []string{"contract", "--no-such-flag"}, exitUsage, "", "no-such-flag"},
		{"production refused", creds, []string{"contract", "--target", "https://api.vipps.no", "--out", "OUT"}, exitUsage, "", "api.vipps.no"},
		{"live target without credentials", nil, []string{"contract", "--target", "https://apitest.vipps.no", "--out", "OUT"}, exitUsage, "", envClientSecret},
		{"unreadable spec", nil, []string{"contract", "--spec", "/no/such/spec.yaml", "--out", "OUT"}, exitUsage, "", "spec"},
		{"not conformant", creds, []string{"contract", "--target", broken.URL, "--target-is-mock", "--label-filter", "smoke", "--out", "OUT"}, exitFindings, "NOT-CONFORMANT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			args := append([]string(nil), tt.args...)
			for i := range args {
				if args[i] == "OUT" {
					args[i] = out
				}
			}
			res := runContractChild(t, tt.env, args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.code, contractTail(res.stdout), contractTail(res.stderr))
			}
			if tt.wantStdout != "" && !strings.Contains(res.stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, contractTail(res.stdout))
			}
			if tt.wantStderr != "" && !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, contractTail(res.stderr))
			}
		})
	}
}

// TestContractLiveTargetSkipsMockOnly runs against a URL target that is not declared a mock:
// the specs that need the control API must be skipped, and reported as skipped with the reason.
func TestContractLiveTargetSkipsMockOnly(t *testing.T) {
	srv := httptest.NewServer(mock.New())
	t.Cleanup(srv.Close)
	creds := []string{envClientID + "=" + mock.DefaultMerchant.ClientID, envClientSecret + "=" + mock.DefaultMerchant.ClientSecret,
		envSubscriptionKey + "=" + mock.DefaultMerchant.SubscriptionKey, envMSN + "=" + mock.DefaultMerchant.MSN}
	out := t.TempDir()
	res := runContractChild(t, creds, "contract", "--target", srv.URL, "--label-filter", "smoke || mock-only", "--out", out)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, contractTail(res.stdout), contractTail(res.stderr))
	}
	c := readContractCompliance(t, out)
	skipped, passed := 0, 0
	for _, s := range c.Specs {
		mockOnly := false
		for _, l := range s.Labels {
			mockOnly = mockOnly || l == suites.LabelMockOnly
		}
		switch {
		case mockOnly && s.State != reports.SpecSkipped:
			t.Errorf("mock-only spec %q is %s on a live target", s.Name, s.State)
		case mockOnly:
			skipped++
			if !strings.Contains(s.Reason, "live") {
				t.Errorf("mock-only spec %q skipped without the reason: %q", s.Name, s.Reason)
			}
		case s.State == reports.SpecPassed:
			passed++
		}
	}
	if skipped == 0 || passed == 0 {
		t.Errorf("%d mock-only specs skipped and %d others passed; want both", skipped, passed)
	}
	if c.Target.Kind != reports.TargetURL {
		t.Errorf("target kind %q", c.Target.Kind)
	}
}

func contractTail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}
