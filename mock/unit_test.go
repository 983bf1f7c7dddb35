package mock

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/contract"
)

func TestFieldKeys(t *testing.T) {
	cases := []struct {
		v    contract.Violation
		want string
	}{
		{contract.Violation{Location: "/body/transaction/amount/value"}, "Transaction.Amount.Value"},
		{contract.Violation{Location: "/body/logistics/fixedOptions/0/id"}, "Logistics.FixedOptions[0].Id"},
		{contract.Violation{Location: "/body/transaction", Keyword: "/oneOf/0/$ref/properties/transaction/required", Message: "missing properties 'amount', 'paymentDescription'"}, "Transaction.Amount,Transaction.PaymentDescription"},
		{contract.Violation{Location: "/body", Keyword: "/oneOf/0/$ref/required", Message: "missing property 'merchantInfo'"}, "MerchantInfo"},
		{contract.Violation{Location: "/body"}, "Body"},
		{contract.Violation{Location: "/header/Vipps-System-Name"}, "Vipps-System-Name"},
		{contract.Violation{Location: "/path/reference"}, "Reference"},
		{contract.Violation{Location: "/body/a~1b/c"}, "A/b.C"},
	}
	for _, c := range cases {
		got := strings.Join(fieldKeys(c.v), ",")
		if got != c.want {
			t.Errorf("fieldKeys(%+v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestParseLatency(t *testing.T) {
	cases := []struct {
		in   string
		op   string
		want Latency
		bad  bool
	}{
		{in: "get=20ms", op: "get", want: Latency{Kind: LatencyFixed, Fixed: 20 * time.Millisecond}},
		{in: "*=fixed:1s", op: "*", want: Latency{Kind: LatencyFixed, Fixed: time.Second}},
		{in: "create=uniform:10ms..50ms", op: "create", want: Latency{Kind: LatencyUniform, Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}},
		{in: "expire=exp:30ms", op: "expire", want: Latency{Kind: LatencyExponential, Mean: 30 * time.Millisecond}},
		{in: "get=uniform:50ms..10ms", bad: true},
		{in: "nope=20ms", bad: true},
		{in: "get=normal:20ms", bad: true},
		{in: "get", bad: true},
		{in: "get=-1s", bad: true},
	}
	for _, c := range cases {
		op, l, err := ParseLatency(c.in)
		if c.bad {
			if !errors.Is(err, ErrBadFault) {
				t.Errorf("ParseLatency(%q): want ErrBadFault, got %v", c.in, err)
			}
			continue
		}
		if err != nil || op != c.op || l != c.want {
			t.Errorf("ParseLatency(%q) = %q, %+v, %v", c.in, op, l, err)
		}
	}
}

func TestParseErrorRule(t *testing.T) {
	good := []struct {
		in   string
		want ErrorRule
	}{
		{"create=429:0.25", ErrorRule{Op: "create", Status: 429, Rate: 0.25}},
		{"*=500:1", ErrorRule{Op: "*", Status: 500, Rate: 1}},
		{"get=429:0.1:retry=2s", ErrorRule{Op: "get", Status: 429, Rate: 0.1, RetryAfter: 2 * time.Second}},
		{"expire=429:0:retry=1500ms", ErrorRule{Op: "expire", Status: 429, Rate: 0, RetryAfter: 1500 * time.Millisecond}},
		{"update=429:1:retry=0s", ErrorRule{Op: "update", Status: 429, Rate: 1}},
	}
	for _, c := range good {
		r, err := ParseErrorRule(c.in)
		if err != nil || r != c.want {
			t.Errorf("ParseErrorRule(%q) = %+v, %v; want %+v", c.in, r, err, c.want)
		}
	}
	for _, bad := range []string{
		"create=404:0.1", "create=500:1.5", "create=500", "x=500:0.1", "create=500:NaN",
		"create=500:0.1:retry=2s",   // retry only for 429
		"create=429:0.1:retry=-1s",  // negative
		"create=429:0.1:retry=soon", // not a duration
		"create=429:0.1:wait=2s",    // unknown option
		"create=429:0.1:retry=2s:x", // too many parts
		"create=429:0.1:",           // empty option
	} {
		if _, err := ParseErrorRule(bad); !errors.Is(err, ErrBadFault) {
			t.Errorf("ParseErrorRule(%q): want ErrBadFault, got %v", bad, err)
		}
	}
}

func TestLatencyDistributions(t *testing.T) {
	f := newFaulter(Faults{Seed: 7, Latency: map[string]Latency{
		OpGet:    {Kind: LatencyUniform, Min: 10 * time.Millisecond, Max: 20 * time.Millisecond},
		OpCreate: {Kind: LatencyExponential, Mean: 10 * time.Millisecond},
	}})
	var sum time.Duration
	for range 2000 {
		d := f.delay(OpGet)
		if d < 10*time.Millisecond || d > 20*time.Millisecond {
			t.Fatalf("uniform delay %v out of range", d)
		}
		sum += f.delay(OpCreate)
	}
	if mean := sum / 2000; mean < 8*time.Millisecond || mean > 12*time.Millisecond {
		t.Errorf("exponential mean %v, want about 10ms", mean)
	}
	if f.delay(OpExpire) != 0 {
		t.Error("an operation with no latency configured got one")
	}
}

func TestHostPolicy(t *testing.T) {
	p := newHostPolicy([]string{"merchant.example.com", "10.0.0.0/8", "192.0.2.7"})
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]:8/x", "http://127.9.9.9/x",
		"https://merchant.example.com/cb", "http://10.2.3.4/x", "http://192.0.2.7/x", "http://MERCHANT.example.com./x"} {
		if err := p.checkURL(u); err != nil {
			t.Errorf("checkURL(%q) = %v, want allowed", u, err)
		}
	}
	for _, u := range []string{"http://example.com/x", "http://192.0.2.8/x", "ftp://127.0.0.1/x", "/relative", "http://[::ffff:8.8.8.8]/x", "http://169.254.169.254/"} {
		if err := p.checkURL(u); err == nil {
			t.Errorf("checkURL(%q) allowed, want refused", u)
		}
	}
	// After resolution: localhost must land on loopback; a trusted name may land anywhere.
	if err := p.control("localhost")("tcp", "203.0.113.5:80", nil); !errors.Is(err, errHostNotAllowed) {
		t.Errorf("localhost resolving to 203.0.113.5: got %v, want refused", err)
	}
	if err := p.control("merchant.example.com")("tcp", "203.0.113.5:80", nil); err != nil {
		t.Errorf("an allowed name: got %v", err)
	}
	if err := newHostPolicy(nil).control("localhost")("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("loopback: got %v", err)
	}
}

func TestCallbackClientNeverDialsOutside(t *testing.T) {
	c := newHostPolicy(nil).client(time.Second)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://192.0.2.1:9/cb", nil)
	_, err := c.Do(req)
	if !errors.Is(err, errHostNotAllowed) {
		t.Fatalf("dial to 192.0.2.1: got %v, want errHostNotAllowed", err)
	}
}

func TestIdemStoreEvictsOldestAndExpires(t *testing.T) {
	st := newIdemStore(time.Hour, 3)
	now := time.Unix(0, 0)
	keys := []idemKey{{key: "a"}, {key: "b"}, {key: "c"}, {key: "d"}}
	for i, k := range keys {
		_, s, e := st.begin(k, [32]byte{1}, now.Add(time.Duration(i)*time.Minute))
		if s != idemNew {
			t.Fatalf("begin %v: state %v", k, s)
		}
		st.finish(e, result{status: 200, body: []byte("x")})
	}
	if st.len() != 3 {
		t.Fatalf("len %d, want 3", st.len())
	}
	if _, s, _ := st.begin(keys[0], [32]byte{1}, now.Add(4*time.Minute)); s != idemNew {
		t.Errorf("oldest key a should have been evicted, got state %v", s)
	}
	if res, s, _ := st.begin(keys[3], [32]byte{1}, now.Add(4*time.Minute)); s != idemReplay || res.status != 200 {
		t.Errorf("key d: state %v status %d, want replay 200", s, res.status)
	}
	_, s, e := st.begin(keys[3], [32]byte{1}, now.Add(4*time.Minute+time.Hour))
	if s != idemNew {
		t.Errorf("key d after TTL: state %v, want new", s)
	}
	st.finish(e, result{status: 502})
	if _, s, _ := st.begin(keys[3], [32]byte{1}, now.Add(5*time.Minute+time.Hour)); s != idemNew {
		t.Errorf("a 5xx must not be stored: state %v", s)
	}
}

func TestVerdictCacheKeysEveryHeader(t *testing.T) {
	h1 := http.Header{"A": {"1"}, "B": {"2"}}
	h2 := http.Header{"A": {"1"}, "B": {"2", "3"}}
	h3 := http.Header{"A": {"12"}, "B": {""}}
	keys := map[string]bool{}
	for _, k := range []string{
		verdictKey("GET", "/x", h1), verdictKey("GET", "/x", h2), verdictKey("GET", "/x", h3),
		verdictKey("GET", "/y", h1), verdictKey("POST", "/x", h1), verdictKey("GET", "/x", http.Header{}),
	} {
		if keys[k] {
			t.Errorf("key collision: %q", k)
		}
		keys[k] = true
	}
	if verdictKey("GET", "/x", h1) != verdictKey("GET", "/x", http.Header{"B": {"2"}, "A": {"1"}}) {
		t.Error("the key depends on map order")
	}
	c := newVerdictCache(2)
	c.put("a", nil)
	c.put("b", nil)
	c.put("c", nil)
	if _, ok := c.get("a"); ok || len(c.m) != 1 {
		t.Errorf("a full cache must be emptied before adding: %d entries", len(c.m))
	}
}

// TestVerdictCacheNeverChangesOutcome: a valid GET is cached, and the same GET with one header
// changed (too long) is validated again and refused.
func TestVerdictCacheNeverChangesOutcome(t *testing.T) {
	s := fuzzServer(t)
	send := func(name string) int {
		req := httptest.NewRequest(http.MethodGet, "/checkout/v3/session/unknown-ref-01", nil)
		req.Header = fuzzHeaders()
		req.Header.Set("Vipps-System-Name", name)
		return serve(s, req).Code
	}
	for range 3 {
		if got := send("ok"); got != http.StatusNotFound {
			t.Fatalf("valid GET: %d, want 404", got)
		}
		if got := send(strings.Repeat("x", 31)); got != http.StatusBadRequest {
			t.Fatalf("GET with a 31-character Vipps-System-Name: %d, want 400", got)
		}
	}
}

// TestRecoverAnswersConformant500 proves the last-resort middleware works: a panicking handler
// gets a 500 Internal-00500 problem body, the connection is answered, and the panic is counted.
func TestRecoverAnswersConformant500(t *testing.T) {
	s := New(WithValidator(fuzzServer(t).v))
	defer s.Close()
	s.mux.HandleFunc("GET /_mock/test-panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := serve(s, httptest.NewRequest(http.MethodGet, "/_mock/test-panic", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"errorCode":"Internal-00500"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if s.Panics() != 1 {
		t.Fatalf("Panics() = %d, want 1", s.Panics())
	}
}

func TestErrStringDropsURL(t *testing.T) {
	c := newHostPolicy(nil).client(time.Second)
	req, _ := http.NewRequest(http.MethodPost, "http://192.0.2.1:9/cb?token=secret-in-query", nil)
	_, err := c.Do(req)
	if err == nil || strings.Contains(errString(err), "secret-in-query") {
		t.Fatalf("errString leaks the URL: %q", errString(err))
	}
}
