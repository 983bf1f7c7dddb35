// Command checkoutkit proves a Vipps MobilePay Checkout v3 integration correct and fast: it
// serves a stateful mock, runs contract suites, load-tests, and renders compliance reports.
//
// Each subcommand lives in its own file: it parses a FlagSet into an options struct and calls a
// library. This file holds the command table and the one exit point.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is the toolkit version, overridden at link time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes, as in the design: 0 success, 1 findings, 2 usage or setup error.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// command is one subcommand: run gets the arguments after the subcommand's name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands is the command table.
var commands = map[string]command{
	"mock":     {"serve the stateful Checkout v3 mock on loopback", runMock},
	"spec":     {"lint or show the OpenAPI contract (bundled or --spec FILE)", runSpec},
	"contract": {"run the contract suites against the embedded mock or --target URL", runContract},
	"load":     {"load-test the embedded mock or --target URL with vegeta", runLoad},
	"report":   {"re-render or merge saved reports", runReport},
	"version":  {"print the toolkit version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "checkoutkit: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "checkoutkit %s — prove a Vipps MobilePay Checkout v3 integration before launch\n\n", version)
	fmt.Fprintln(w, "Usage: checkoutkit <command> [flags]   (checkoutkit <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nExit codes: 0 success or conformant, 1 findings (violations, failed specs, SLO breach), 2 usage or setup error.")
}

// parseFlags parses args into fs and maps the outcome to an exit code: -1 means go on.
// --help prints the flags and exits 0; a bad flag prints the error and the flags and exits 2.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		printFlagUsage(fs, stdout)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "checkoutkit %s: %v\n", fs.Name(), err)
		printFlagUsage(fs, stderr)
		return exitUsage
	}
	if fs.NArg() > 0 && fs.Name() != "spec" && fs.Name() != "report" {
		fmt.Fprintf(stderr, "checkoutkit %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		printFlagUsage(fs, stderr)
		return exitUsage
	}
	return -1
}

func printFlagUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: checkoutkit %s [flags]\n\nFlags:\n", fs.Name())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fmt.Fprintln(stdout, "checkoutkit", version)
	return exitOK
}

// usageError prints a setup or usage problem and returns exit code 2.
func usageError(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "checkoutkit %s: %v\n", name, err)
	return exitUsage
}

// isTerminal reports whether f is a character device (a terminal), without x/term.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
