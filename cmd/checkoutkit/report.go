package main

import (
	"context"
	"errors"
	"io"
)

// runReport is replaced by the report subcommand's own implementation.
func runReport(_ context.Context, _ []string, _, stderr io.Writer) int {
	return usageError(stderr, "report", errors.New("not built yet"))
}
