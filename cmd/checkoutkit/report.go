package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/reports"
)

// runReport implements "checkoutkit report [render] FILE" and "checkoutkit report merge FILE...".
func runReport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	sub := "render"
	if len(args) > 0 && (args[0] == "render" || args[0] == "merge") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	out := fs.String("out", "out", "folder to write the rendered reports into")
	var slos multiFlag
	if sub == "merge" {
		fs.Var(&slos, "slo", "SLO to evaluate on the merged figures, e.g. 'create:p99<300ms' (repeatable; default: the shards' own)")
	}
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		if code == exitOK {
			fmt.Fprintln(stdout, `
Subcommands:
  render FILE        re-render a saved compliance.json or load.json into every format (the default)
  merge PATH...      merge load.json reports of --shard runs (files, or folders holding them) into one,
                     with exact merged percentiles;
                     exits 1 when the merged run breaks an SLO`)
		}
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintf(stderr, "checkoutkit report %s: name at least one report file\n", sub)
		printFlagUsage(fs, stderr)
		return exitUsage
	}
	if sub == "merge" {
		return mergeReports(files, slos, *out, stdout, stderr)
	}
	if len(files) != 1 {
		return usageError(stderr, "report", errors.New("render takes exactly one file (use merge for several)"))
	}
	f, err := os.Open(files[0])
	if err != nil {
		return usageError(stderr, "report", err)
	}
	defer f.Close()
	rep, err := reports.ReadReport(f)
	if err != nil {
		return usageError(stderr, "report", err)
	}
	var written []string
	switch r := rep.(type) {
	case *reports.Compliance:
		written, err = reports.WriteComplianceFiles(*out, r)
	case *reports.Load:
		written, err = reports.WriteLoadFiles(*out, r)
	}
	if err != nil {
		return usageError(stderr, "report", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", strings.Join(written, ", "))
	return exitOK
}

func mergeReports(paths []string, sloExprs []string, out string, stdout, stderr io.Writer) int {
	slos, err := load.ParseSLOs(sloExprs)
	if err != nil {
		return usageError(stderr, "report merge", err)
	}
	// A path may be a folder (a Kubernetes merge Job cannot glob): its load.json and those of
	// its direct subfolders are merged.
	merged, err := load.MergeFilesSLO(paths, slos)
	if err != nil {
		return usageError(stderr, "report merge", err)
	}
	written, err := reports.WriteLoadFiles(out, merged)
	if err != nil {
		return usageError(stderr, "report merge", err)
	}
	if err := reports.WriteLoadText(stdout, merged); err != nil {
		return usageError(stderr, "report merge", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", strings.Join(written, ", "))
	if merged.Verdict == reports.VerdictFail {
		return exitFindings
	}
	return exitOK
}
