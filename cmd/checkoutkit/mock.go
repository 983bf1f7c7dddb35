package main

import (
	"context"
	"errors"
	"io"
)

// runMock is replaced by the mock subcommand's own implementation.
func runMock(_ context.Context, _ []string, _, stderr io.Writer) int {
	return usageError(stderr, "mock", errors.New("not built yet"))
}
