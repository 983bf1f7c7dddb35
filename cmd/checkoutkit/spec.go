package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/checkoutkit/checkoutkit/contract"
)

// runSpec implements "checkoutkit spec lint|show|dump [--spec FILE]".
func runSpec(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec", flag.ContinueOnError)
	specPath := fs.String("spec", "", "OpenAPI document to use instead of the bundled Checkout v3 contract")
	asJSON := fs.Bool("json", false, "print findings or operations as JSON")
	sub := "lint"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		if code == exitOK {
			fmt.Fprintln(stdout, "\nSubcommands: lint (default) validates the document; show lists its operations; dump prints the bundled document.")
		}
		return code
	}
	switch sub {
	case "dump":
		_, _ = stdout.Write(contract.Bundled())
		return exitOK
	case "lint", "show":
	default:
		fmt.Fprintf(stderr, "checkoutkit spec: unknown subcommand %q (lint, show, dump)\n", sub)
		return exitUsage
	}
	c, err := contract.LoadFile(*specPath)
	if err != nil {
		return usageError(stderr, "spec", err)
	}
	if sub == "show" {
		return showSpec(c, *asJSON, stdout)
	}
	findings, err := contract.Lint(c)
	if err != nil {
		return usageError(stderr, "spec", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(findings)
	} else {
		fmt.Fprintf(stdout, "%s — %s %s (OpenAPI %s, sha256 %s)\n", c.Name, c.Title, c.Version, c.OpenAPI, c.SHA256[:12])
		for _, f := range findings {
			fmt.Fprintf(stdout, "  %s\n", f)
		}
		fmt.Fprintf(stdout, "%d operations, %d findings\n", len(c.Operations), len(findings))
	}
	if len(findings) > 0 {
		return exitFindings
	}
	return exitOK
}

func showSpec(c *contract.Contract, asJSON bool, stdout io.Writer) int {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(c.Operations)
		return exitOK
	}
	fmt.Fprintf(stdout, "%s %s (OpenAPI %s)\n", c.Title, c.Version, c.OpenAPI)
	for _, op := range c.Operations {
		fmt.Fprintf(stdout, "  %-6s %-40s %s\n", op.Method, op.Path, strings.Join(op.Statuses, " "))
	}
	return exitOK
}
