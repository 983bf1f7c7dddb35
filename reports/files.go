package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File names WriteComplianceFiles and WriteLoadFiles use inside the output directory.
const (
	ComplianceJSONFile     = "compliance.json"
	ComplianceMarkdownFile = "compliance.md"
	ComplianceHTMLFile     = "compliance.html"
	ComplianceJUnitFile    = "junit.xml"
	LoadJSONFile           = "load.json"
	LoadTextFile           = "load.txt"
	LoadMarkdownFile       = "load.md"
	LoadHTMLFile           = "load.html"
)

// WriteComplianceFiles writes every rendering of c into dir (created if missing):
// compliance.json, compliance.md, compliance.html and junit.xml. It returns the paths written,
// in that order. Call c.Finalize first.
func WriteComplianceFiles(dir string, c *Compliance) ([]string, error) {
	return writeFiles(dir, []fileWriter{
		{ComplianceJSONFile, func(w io.Writer) error { return WriteComplianceJSON(w, c) }},
		{ComplianceMarkdownFile, func(w io.Writer) error { return WriteComplianceMarkdown(w, c) }},
		{ComplianceHTMLFile, func(w io.Writer) error { return WriteComplianceHTML(w, c) }},
		{ComplianceJUnitFile, func(w io.Writer) error { return WriteComplianceJUnit(w, c) }},
	})
}

// WriteLoadFiles writes every file rendering of l into dir (created if missing): load.json,
// load.txt, load.md and load.html. It returns the paths written, in that order.
func WriteLoadFiles(dir string, l *Load) ([]string, error) {
	return writeFiles(dir, []fileWriter{
		{LoadJSONFile, func(w io.Writer) error { return WriteLoadJSON(w, l) }},
		{LoadTextFile, func(w io.Writer) error { return WriteLoadText(w, l) }},
		{LoadMarkdownFile, func(w io.Writer) error { return WriteLoadMarkdown(w, l) }},
		{LoadHTMLFile, func(w io.Writer) error { return WriteLoadHTML(w, l) }},
	})
}

type fileWriter struct {
	name  string
	write func(io.Writer) error
}

// writeFiles renders each file in memory and then writes it whole, so a rendering error never
// leaves a truncated report behind that looks complete.
func writeFiles(dir string, files []fileWriter) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report directory: %w", err)
	}
	var paths []string
	for _, f := range files {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return paths, err
		}
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return paths, fmt.Errorf("write %s: %w", f.name, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// ReadReport reads a JSON report of either schema and returns a *Compliance or a *Load,
// chosen by its schemaVersion (for `checkoutkit report FILE`). An unknown version gives an
// error wrapping ErrSchemaVersion.
func ReadReport(r io.Reader) (any, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var head struct {
		SchemaVersion string `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	switch head.SchemaVersion {
	case ComplianceSchemaVersion:
		return ReadComplianceJSON(bytes.NewReader(data))
	case LoadSchemaVersion:
		return ReadLoadJSON(bytes.NewReader(data))
	default:
		return nil, fmt.Errorf("read report: schema %q: %w", head.SchemaVersion, ErrSchemaVersion)
	}
}
