package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
)

// createReq builds an authenticated create request for reference ref.
func createReq(ref string) *http.Request {
	body := strings.Replace(createSeeds[0], "fuzz-seed-0001", ref, 1)
	req := httptest.NewRequest(http.MethodPost, checkout.BasePath+"/session", strings.NewReader(body))
	req.Header = fuzzHeaders()
	return req
}

func TestCloseStopsAutoModePromptly(t *testing.T) {
	s := New(WithValidator(fuzzServer(t).v), WithAutoMode(3*time.Second), WithCallbackBackoff(0, 0))
	rec := serve(s, createReq("auto-close-0001"))
	if rec.Code != http.StatusOK {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.Bytes())
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %s with auto mode on; it must end the walks, not wait them out", d)
	}
}
