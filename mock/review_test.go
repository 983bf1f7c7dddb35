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

func TestIdemStoreNeverEvictsInFlight(t *testing.T) {
	st := newIdemStore(time.Hour, 2)
	now := time.Unix(0, 0)
	a, b, c, d := idemKey{key: "a"}, idemKey{key: "b"}, idemKey{key: "c"}, idemKey{key: "d"}
	sum := [32]byte{1}
	_, _, ea := st.begin(a, sum, now) // a stays in flight throughout
	_, _, eb := st.begin(b, sum, now)
	st.finish(eb, result{status: 200, body: []byte("b")})
	// Full: c must evict the completed b, not the older in-flight a.
	if _, s, _ := st.begin(c, sum, now); s != idemNew {
		t.Fatalf("begin c: state %v", s)
	}
	if _, s, _ := st.begin(a, sum, now); s != idemInFlight {
		t.Fatalf("a was evicted while in flight: a second begin got state %v, want in flight", s)
	}
	if _, s, _ := st.begin(b, sum, now); s != idemNew {
		t.Fatalf("completed b should have been evicted, got state %v", s)
	}
	// Now a, c and b are all in flight: d exceeds the cap rather than evict one of them.
	_, s, ed := st.begin(d, sum, now)
	if s != idemNew || st.len() != 4 {
		t.Fatalf("begin d with every entry in flight: state %v, len %d, want new, 4", s, st.len())
	}
	// Settling a makes it the only completed entry of an over-full store: it is trimmed.
	st.finish(ea, result{status: 200, body: []byte("first")})
	if st.len() != 3 {
		t.Fatalf("after finish a: len %d, want 3 (a trimmed)", st.len())
	}
	st.finish(ed, result{status: 200, body: []byte("d")})
	if st.len() > 2 {
		t.Fatalf("finish must trim back to the cap: len %d", st.len())
	}
}

func TestIdemStoreStaleFinishTouchesNothing(t *testing.T) {
	st := newIdemStore(time.Hour, 10)
	now := time.Unix(0, 0)
	k, sum := idemKey{key: "k"}, [32]byte{1}
	_, _, first := st.begin(k, sum, now)
	// The first entry expires while its request still runs; the key starts again.
	_, s, second := st.begin(k, sum, now.Add(2*time.Hour))
	if s != idemNew || second == first {
		t.Fatalf("begin after TTL: state %v", s)
	}
	st.finish(first, result{status: 200, body: []byte("stale")})
	if _, s, _ := st.begin(k, sum, now.Add(2*time.Hour)); s != idemInFlight {
		t.Fatalf("the first request's finish settled the second's entry: state %v, want in flight", s)
	}
	st.finish(second, result{status: 201, body: []byte("mine")})
	if res, s, _ := st.begin(k, sum, now.Add(2*time.Hour)); s != idemReplay || string(res.body) != "mine" {
		t.Fatalf("replay: state %v body %q, want the second request's own result", s, res.body)
	}
}
