package main

import (
	"context"
	"errors"
	"io"
)

// runContract is replaced by the contract subcommand's own implementation.
func runContract(_ context.Context, _ []string, _, stderr io.Writer) int {
	return usageError(stderr, "contract", errors.New("not built yet"))
}
