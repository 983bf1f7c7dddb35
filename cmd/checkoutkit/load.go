package main

import (
	"context"
	"errors"
	"io"
)

// runLoad is replaced by the load subcommand's own implementation.
func runLoad(_ context.Context, _ []string, _, stderr io.Writer) int {
	return usageError(stderr, "load", errors.New("not built yet"))
}
