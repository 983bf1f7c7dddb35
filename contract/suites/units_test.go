package suites

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/reports"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", time.Second},
		{"0", 0},
		{"7", 7 * time.Second},
		{" 3 ", 3 * time.Second},
		{"-1", time.Second},
		{"soon", time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// scripted answers each request with the next status; it records the bodies it got.
type scripted struct {
	statuses []int
	bodies   []string
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	var b []byte
	if req.Body != nil {
		b, _ = io.ReadAll(req.Body)
	}
	s.bodies = append(s.bodies, string(b))
	code := s.statuses[0]
	if len(s.statuses) > 1 {
		s.statuses = s.statuses[1:]
	}
	h := http.Header{}
	if code == http.StatusTooManyRequests {
		h.Set("Retry-After", "0")
	}
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

func TestRetry429(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		max      int
		want     int
		attempts int
	}{
		{"no 429", []int{200}, 3, 200, 1},
		{"retried until it succeeds", []int{429, 429, 200}, 3, 200, 3},
		{"gives up after max retries", []int{429}, 2, 429, 3},
		{"other errors are not retried", []int{500, 200}, 3, 500, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scripted{statuses: tt.statuses}
			rt := &retry429{next: s, max: tt.max, cap: time.Second}
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/x", strings.NewReader(`{"a":1}`))
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.want || len(s.bodies) != tt.attempts {
				t.Errorf("status %d after %d attempts, want %d after %d", resp.StatusCode, len(s.bodies), tt.want, tt.attempts)
			}
			for i, b := range s.bodies {
				if b != `{"a":1}` {
					t.Errorf("attempt %d sent body %q, want the original", i, b)
				}
			}
		})
	}
	t.Run("WithoutRetry429 hands the first 429 over", func(t *testing.T) {
		s := &scripted{statuses: []int{429, 200}}
		rt := &retry429{next: s, max: 3, cap: time.Second}
		req, _ := http.NewRequestWithContext(WithoutRetry429(context.Background()), http.MethodGet, "http://127.0.0.1/x", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusTooManyRequests || len(s.bodies) != 1 {
			t.Errorf("status %d after %d attempts, want 429 after 1", resp.StatusCode, len(s.bodies))
		}
	})
	t.Run("stops when the context ends", func(t *testing.T) {
		s := &scripted{statuses: []int{429}}
		rt := &retry429{next: s, max: 3, cap: time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/x", nil)
		if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
}

func TestCheckPrefix(t *testing.T) {
	for _, tt := range []struct {
		p  string
		ok bool
	}{{"ckk1abc", true}, {"a-b-C-9", true}, {"has space", false}, {"under_score", false}, {strings.Repeat("a", 25), false}} {
		if err := checkPrefix(tt.p); (err == nil) != tt.ok {
			t.Errorf("checkPrefix(%q) = %v, want ok=%v", tt.p, err, tt.ok)
		}
	}
}

// TestBuildCompliance checks which findings the builder keeps: a deliberately invalid
// request's violations are expected (dropped), everything else counts.
func TestBuildCompliance(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	create, get := "POST /checkout/v3/session", "GET /checkout/v3/session/{reference}"
	reqV := contract.Violation{Operation: create, Direction: contract.DirRequest, Location: "/body/reference", Keyword: "/pattern", Message: "bad"}
	respV := contract.Violation{Operation: get, Direction: contract.DirResponse, Status: 200, Location: "/body/sessionState", Keyword: "/enum", Message: "wrong", SpecLine: 9, SpecCol: 3, HowToFix: "fix it"}
	in := ComplianceInput{
		Tool:     reports.Tool{Name: "checkoutkit", Version: "test"},
		Target:   reports.Target{URL: "http://127.0.0.1:1", Kind: reports.TargetEmbeddedMock},
		Contract: c,
		Started:  time.Unix(0, 0), Finished: time.Unix(2, 0),
		Exchanges: []RecordedExchange{
			{Exchange: contract.Exchange{Operation: create, InScope: true, Status: 400, RequestViolations: []contract.Violation{reqV}}, Spec: "negative", Invalid: true},
			{Exchange: contract.Exchange{Operation: create, InScope: true, Status: 200, RequestViolations: []contract.Violation{reqV}}, Spec: "positive"},
			{Exchange: contract.Exchange{Operation: get, InScope: true, Status: 200, ResponseViolations: []contract.Violation{respV}}, Spec: "get"},
			{Exchange: contract.Exchange{Operation: get, InScope: true, Status: 418}, Spec: "odd"},
			{Exchange: contract.Exchange{Operation: "POST /_mock/sessions/x/approve", InScope: false, Status: 200}, Spec: "control"},
		},
		Report: &types.Report{SpecReports: types.SpecReports{
			{LeafNodeType: types.NodeTypeIt, LeafNodeText: "passes", State: types.SpecStatePassed},
			{LeafNodeType: types.NodeTypeIt, LeafNodeText: "fails", State: types.SpecStateFailed, Failure: types.Failure{Message: "boom"}},
			{LeafNodeType: types.NodeTypeIt, LeafNodeText: "skips", State: types.SpecStateSkipped, Failure: types.Failure{Message: "needs the mock"}},
			{LeafNodeType: types.NodeTypeIt, LeafNodeText: "filtered", State: types.SpecStateSkipped},
			{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStatePassed},
		}},
		Constraints: []negative.Constraint{{Operation: create, Schema: "#/a/minLength", Keyword: "minLength"}, {Operation: create, Schema: "#/b/pattern", Keyword: "pattern"}},
		Exercised:   map[string]bool{create + " #/a/minLength": true},
	}
	got := BuildCompliance(in)
	if len(got.Violations) != 2 {
		t.Fatalf("violations %+v: want the positive request's and the response's", got.Violations)
	}
	if v := got.Violations[1]; v.Status != "200" || v.Location != "/body/sessionState" || v.SpecLine != 9 || v.HowToFix != "fix it" || v.Spec != "get" {
		t.Errorf("response violation %+v lost a field", v)
	}
	if len(got.Undocumented) != 1 || got.Undocumented[0].Code != "418" {
		t.Errorf("undocumented %+v, want 418 on get", got.Undocumented)
	}
	if got.Summary.Specs != 4 || got.Summary.Passed != 1 || got.Summary.Failed != 1 || got.Summary.Skipped != 2 {
		t.Errorf("summary %+v", got.Summary)
	}
	reasons := map[string]string{}
	for _, s := range got.Specs {
		reasons[s.Name] = s.Reason + s.Failure
	}
	if !strings.Contains(reasons["skips"], "needs the mock") || !strings.Contains(reasons["filtered"], "label filter") || !strings.Contains(reasons["fails"], "boom") {
		t.Errorf("spec reasons %v", reasons)
	}
	if got.Coverage.ConstraintsExercised != 1 || got.Coverage.ConstraintsTotal != 2 {
		t.Errorf("constraint coverage %d/%d, want 1/2", got.Coverage.ConstraintsExercised, got.Coverage.ConstraintsTotal)
	}
	if got.Summary.Exchanges != 4 {
		t.Errorf("exchanges %d, want the 4 in scope", got.Summary.Exchanges)
	}
	if got.Verdict != reports.VerdictNotConformant {
		t.Errorf("verdict %s", got.Verdict)
	}
}

// countingRT answers 200 and counts the requests that reached it.
type countingRT struct{ n int }

func (c *countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n++
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

// TestGateRefusesNonsense proves a positive request that breaks the contract never leaves the
// process, while one marked invalid on purpose is sent.
func TestGateRefusesNonsense(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	next := &countingRT{}
	s := &runState{cfg: Config{Validator: v}}
	g := &gate{s: s, next: next}
	newReq := func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/checkout/v3/session", strings.NewReader(`{"type":"PAYMENT"}`))
		for k, val := range map[string]string{"client_id": "a", "client_secret": "b", "Ocp-Apim-Subscription-Key": "c", "Merchant-Serial-Number": "1",
			"Vipps-System-Name": "n", "Vipps-System-Version": "1", "Vipps-System-Plugin-Name": "p", "Vipps-System-Plugin-Version": "1", "Content-Type": "application/json"} {
			req.Header.Set(k, val)
		}
		return req
	}
	_, err = g.RoundTrip(newReq(context.Background()))
	var refused *RefusedError
	if !errors.As(err, &refused) || len(refused.Violations) == 0 || next.n != 0 {
		t.Fatalf("positive nonsense: err %v, sent %d, want RefusedError and nothing sent", err, next.n)
	}
	if len(s.refused) == 0 {
		t.Error("the refused violations were not kept for the report")
	}
	if _, err := g.RoundTrip(newReq(invalidOnPurpose(context.Background()))); err != nil || next.n != 1 {
		t.Fatalf("invalid on purpose: err %v, sent %d, want it sent", err, next.n)
	}
	if !s.invalid {
		t.Error("the exchange was not marked invalid on purpose")
	}
}

// A body or document the generator cannot handle is an error Run can report (exit 2), not a
// panic while Ginkgo builds the tree.
func TestGeneratedCasesReportsGeneratorErrors(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := negative.Load(c)
	if err != nil {
		t.Fatal(err)
	}
	good := []byte(`{"type":"PAYMENT"}`)
	var cases []negative.Case
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("generatedCases panicked: %v", p)
			}
		}()
		cases, err = generatedCases(doc, c.Operations, []byte("{"), good, good, nil)
	}()
	if err == nil || !strings.Contains(err.Error(), "generate negative cases for POST") {
		t.Fatalf("want a generation error for create, got %v (%d cases)", err, len(cases))
	}
	cases, err = generatedCases(doc, c.Operations, good, good, good, nil)
	if err != nil || len(cases) == 0 {
		t.Fatalf("a good base: %d cases, %v", len(cases), err)
	}
}
