package main

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// TestLoadNeverWritesSecrets runs load against a loopback mock with non-default keys taken from
// the environment, once with keys the mock accepts and once with keys it refuses (the failure
// path is where headers tend to be dumped), and checks that neither the client secret nor the
// subscription key (raw or base64) appears in stdout, stderr or any file under --out.
func TestLoadNeverWritesSecrets(t *testing.T) {
	tests := []struct {
		name      string
		merchants []mock.Merchant // what the mock accepts
		requests  string
		wantCode  int
		wantFiles []string
	}{
		{"accepted keys", []mock.Merchant{testMerchant}, "8", exitOK,
			[]string{reports.LoadJSONFile, reports.LoadTextFile, reports.LoadMarkdownFile, reports.LoadHTMLFile, load.ResultsFile, load.LedgerFile, "plot.html"}},
		// Enough requests for load's authentication-storm abort (load.DefaultAuthMin 401s).
		{"refused keys", []mock.Merchant{mock.DefaultMerchant}, "40", exitUsage,
			[]string{reports.LoadJSONFile, load.ResultsFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setMerchantEnv(t)
			target, _ := startTestMock(t, tt.merchants...)
			out := t.TempDir()
			code, stdout, stderr := runCmd(t, "load", "--target", target, "--scenario", "lifecycle", "--rate", "100",
				"--requests", tt.requests, "--duration", "0", "--replay", "0.5", "--sample", "1", "--out", out)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, name := range tt.wantFiles {
				if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
					t.Errorf("%s not written (%v): the check below would prove nothing about it", name, err)
				}
			}
			secrets := map[string][]byte{}
			for _, s := range []string{testMerchant.ClientSecret, testMerchant.SubscriptionKey} {
				secrets[s] = []byte(s)
				secrets[s+" (base64)"] = []byte(base64.StdEncoding.EncodeToString([]byte(s)))
			}
			check := func(where string, data []byte) {
				for label, s := range secrets {
					if bytes.Contains(data, s) {
						t.Errorf("%s contains the secret %s", where, label)
					}
				}
			}
			check("stdout", []byte(stdout))
			check("stderr", []byte(stderr))
			files := 0
			err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				files++
				check(path, data)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files < len(tt.wantFiles) {
				t.Errorf("only %d files under --out", files)
			}
		})
	}
}
