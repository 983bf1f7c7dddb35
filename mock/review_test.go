package mock

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
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

// TestUndeclaredStatusesUnderSpec serves a --spec style document that declares only 200, 400
// and 500: every answer, fallbacks included, must still be a documented one.
func TestUndeclaredStatusesUnderSpec(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	raw := string(c.Raw)
	for _, name := range []string{"Unauthorized", "Forbidden", "NotFound", "Conflict", "TooManyRequests", "BadGateway"} {
		raw = regexp.MustCompile(`(?m)^\s*'\d{3}': \{\$ref: '#/components/responses/`+name+`'\}\n`).ReplaceAllString(raw, "")
	}
	small, err := contract.Parse("small.yaml", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	op, _ := small.FindOperation(http.MethodPost, checkout.BasePath+"/session")
	if fmt.Sprint(op.Statuses) != "[200 400 413 415 500]" {
		t.Fatalf("the trimmed document declares %v for create", op.Statuses)
	}
	v, err := contract.NewValidator(small)
	if err != nil {
		t.Fatal(err)
	}
	s := New(WithValidator(v), WithCallbackBackoff(0, 0))
	defer s.Close()

	expect := func(req *http.Request, status int, key string) {
		t.Helper()
		rec := serve(s, req)
		if status < 500 {
			checkAnswer(t, s, req, rec) // conforms to the small document
		} else if vs, err := v.ValidateResponseParts(req.Method, req.URL.RequestURI(), rec.Code, rec.Header(), rec.Body.Bytes()); err != nil || len(vs) > 0 {
			t.Fatalf("%s %s: %v %v", req.Method, req.URL, err, vs)
		}
		if rec.Code != status {
			t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL, rec.Code, status, rec.Body.Bytes())
		}
		if key != "" && !strings.Contains(rec.Body.String(), `"`+key+`"`) {
			t.Errorf("%s %s: no error key %q in %s", req.Method, req.URL, key, rec.Body.Bytes())
		}
	}
	expect(createReq("small-spec-0001"), http.StatusOK, "")
	expect(createReq("small-spec-0001"), http.StatusBadRequest, checkout.ErrSessionConflict) // 409
	bad := createReq("small-spec-0002")
	bad.Header.Set(checkout.HeaderClientSecret, "wrong")
	expect(bad, http.StatusBadRequest, checkout.ErrUnauthorized) // 401
	bad = createReq("small-spec-0003")
	bad.Header.Set(checkout.HeaderSubscriptionKey, "wrong")
	expect(bad, http.StatusBadRequest, checkout.ErrForbidden) // 403
	get := httptest.NewRequest(http.MethodGet, checkout.BasePath+"/session/no-such-ref", nil)
	get.Header = fuzzHeaders()
	expect(get, http.StatusBadRequest, checkout.ErrSessionNotFound) // 404
	idem := func(body string) *http.Request {
		r := createReq("small-spec-0004")
		if body != "" {
			r = httptest.NewRequest(http.MethodPost, checkout.BasePath+"/session", strings.NewReader(body))
			r.Header = fuzzHeaders()
		}
		r.Header.Set(checkout.HeaderIdempotencyKey, "small-key")
		return r
	}
	expect(idem(""), http.StatusOK, "")
	expect(idem(strings.Replace(createSeeds[0], "fuzz-seed-0001", "small-spec-0005", 1)), http.StatusBadRequest, checkout.ErrIdempotencyConflict)

	// Faults: 429 and 502 are not declared, so they are not injected; 500 is.
	for _, tc := range []struct {
		status, want int
		ref          string
	}{{429, 200, "small-spec-0010"}, {502, 200, "small-spec-0011"}, {500, 500, "small-spec-0012"}} {
		s.SetFaults(Faults{Errors: []ErrorRule{{Op: OpCreate, Status: tc.status, Rate: 1}}})
		expect(createReq(tc.ref), tc.want, "")
	}
}
