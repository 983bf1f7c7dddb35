package main

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"
)

// startMockCmd runs the mock subcommand with args on a free loopback port and returns its base
// URL; the command is cancelled and awaited at cleanup.
func startMockCmd(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"mock", "--listen", "127.0.0.1:0"}, args...), &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("mock did not stop after cancel")
		}
	})
	re := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if base := re.FindString(out.String()); base != "" {
			return base
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("mock exited %d:\n%s\n%s", code, out.String(), errb.String())
		default:
		}
	}
	t.Fatalf("no base URL printed:\n%s\n%s", out.String(), errb.String())
	return ""
}

// TestMockFaultControlFlags checks /_mock/faults is served on a loopback-only mock, turned off
// by --allow-non-loopback, and back on only with an explicit --fault-control.
func TestMockFaultControlFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"loopback default", nil, http.StatusOK},
		{"loopback, explicitly off", []string{"--fault-control=false"}, http.StatusNotFound},
		{"non-loopback allowed", []string{"--allow-non-loopback"}, http.StatusNotFound},
		{"non-loopback allowed, explicitly on", []string{"--allow-non-loopback", "--fault-control"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := startMockCmd(t, tt.args...)
			resp, err := http.Get(base + "/_mock/faults")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("GET /_mock/faults: %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
