package reports

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := WriteComplianceFiles(dir, sampleCompliance())
	if err != nil {
		t.Fatal(err)
	}
	lpaths, err := WriteLoadFiles(dir, sampleLoad())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ComplianceJSONFile, ComplianceMarkdownFile, ComplianceHTMLFile, ComplianceJUnitFile,
		LoadJSONFile, LoadTextFile, LoadMarkdownFile, LoadHTMLFile}
	all := append(paths, lpaths...)
	if len(all) != len(want) {
		t.Fatalf("wrote %v, want %v", all, want)
	}
	for i, p := range all {
		if filepath.Base(p) != want[i] {
			t.Errorf("path %d = %s, want %s", i, p, want[i])
		}
		st, err := os.Stat(p)
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", p, err)
		}
	}
	// What `checkoutkit report` does: read a saved JSON report of either kind and re-render it.
	for _, name := range []string{ComplianceJSONFile, LoadJSONFile} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := ReadReport(f)
		f.Close()
		if err != nil {
			t.Fatalf("ReadReport(%s): %v", name, err)
		}
		var b bytes.Buffer
		switch rep := r.(type) {
		case *Compliance:
			err = WriteComplianceHTML(&b, rep)
		case *Load:
			err = WriteLoadHTML(&b, rep)
		default:
			t.Fatalf("ReadReport(%s) returned %T", name, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		html, _ := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, ".json")+".html"))
		if !bytes.Equal(b.Bytes(), html) {
			t.Errorf("re-rendered %s differs from the first rendering", name)
		}
	}
	if _, err := ReadReport(strings.NewReader(`{"schemaVersion":"something/v1"}`)); !errors.Is(err, ErrSchemaVersion) {
		t.Errorf("unknown schema: err = %v, want ErrSchemaVersion", err)
	}
	if _, err := ReadReport(strings.NewReader(`not json`)); err == nil {
		t.Error("not JSON: no error")
	}
}

// TestNoSecretsInReports feeds credentials (the mock merchant's) into every place a builder
// might carelessly put them — target URL userinfo and query, run configuration — and checks
// that no rendering of either report contains them.
func TestNoSecretsInReports(t *testing.T) {
	secrets := []string{"Y8Kteew6GE3ZmeycEt6egg==", "0f14ebcab0eb4b29ae0cb90d91b4a84a", "cb-token-5up3r"}
	target := "http://client:Y8Kteew6GE3ZmeycEt6egg==@127.0.0.1:9/?subscription-key=0f14ebcab0eb4b29ae0cb90d91b4a84a"

	c := sampleCompliance()
	c.Target.URL = target
	c.Finalize()
	l := sampleLoad()
	l.Target.URL = target
	l.Config["client-secret"] = secrets[0]
	l.Config["Ocp-Apim-Subscription-Key"] = secrets[1]
	l.Config["callbackAuthorizationToken"] = secrets[2]
	l.Config["callback-url"] = "http://127.0.0.1:8/cb?token=" + secrets[2]
	l.Finalize()

	dir := t.TempDir()
	if _, err := WriteComplianceFiles(dir, c); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteLoadFiles(dir, l); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 8 {
		t.Fatalf("%d files written, want 8", len(entries))
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the secret %q", e.Name(), s)
			}
		}
		if !bytes.Contains(data, []byte(Redacted)) {
			t.Errorf("%s does not show where a value was redacted", e.Name())
		}
	}
	if l.Config["workers"] != "10" {
		t.Errorf("an ordinary setting was changed: workers = %q", l.Config["workers"])
	}
}
