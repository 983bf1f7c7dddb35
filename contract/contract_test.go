package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// mustDefault parses the bundled contract and builds one validator for the whole test binary:
// building compiles every schema, and sharing one is exactly what the package promises is safe.
var sharedValidator = func() func(t testing.TB) (*Contract, *Validator) {
	var c *Contract
	var v *Validator
	var err error
	return func(t testing.TB) (*Contract, *Validator) {
		t.Helper()
		if c == nil && err == nil {
			c, err = Default()
			if err == nil {
				v, err = NewValidator(c)
			}
		}
		if err != nil {
			t.Fatalf("bundled contract: %v", err)
		}
		return c, v
	}
}()

func TestMatchTemplate(t *testing.T) {
	tests := []struct {
		template, path string
		score          int
		ok             bool
	}{
		{"/checkout/v3/session", "/checkout/v3/session", 3, true},
		{"/checkout/v3/session", "/checkout/v3/session/", 3, true},
		{"/checkout/v3/session/{reference}", "/checkout/v3/session/abc", 3, true},
		{"/checkout/v3/session/{reference}/expire", "/checkout/v3/session/abc/expire", 4, true},
		{"/checkout/v3/session/{reference}", "/checkout/v3/session", 0, false},
		{"/checkout/v3/session/{reference}", "/checkout/v3/session//", 0, false},
		{"/checkout/v3/session/{reference}", "/checkout/v3/session/a/b", 0, false},
		{"/checkout/v3/session", "/checkout/v2/session", 0, false},
		{"/session", "/checkout/v3/session", 0, false},
		{"/{a}/{b}", "/x/y", 0, true},
	}
	for _, tt := range tests {
		score, ok := matchTemplate(tt.template, tt.path)
		if ok != tt.ok || (ok && score != tt.score) {
			t.Errorf("matchTemplate(%q, %q) = %d, %v; want %d, %v", tt.template, tt.path, score, ok, tt.score, tt.ok)
		}
	}
}

func TestFindOperation(t *testing.T) {
	c, _ := sharedValidator(t)
	tests := []struct {
		method, path string
		want         string // operation key; "" = not found
	}{
		{"POST", "/checkout/v3/session", "POST /checkout/v3/session"},
		{"post", "/checkout/v3/session", "POST /checkout/v3/session"},
		{"GET", "/checkout/v3/session/acme-1234", "GET /checkout/v3/session/{reference}"},
		{"PATCH", "/checkout/v3/session/acme-1234", "PATCH /checkout/v3/session/{reference}"},
		{"POST", "/checkout/v3/session/acme-1234/expire", "POST /checkout/v3/session/{reference}/expire"},
		// "expire" as a reference is a GET of a session called expire, not the expire operation.
		{"GET", "/checkout/v3/session/expire", "GET /checkout/v3/session/{reference}"},
		{"GET", "/checkout/v3/session", ""},
		{"DELETE", "/checkout/v3/session/acme-1234", ""},
		{"POST", "/session", ""},
		{"GET", "/healthz", ""},
		{"POST", "/_mock/sessions/acme-1234/approve", ""},
	}
	for _, tt := range tests {
		op, ok := c.FindOperation(tt.method, tt.path)
		got := ""
		if ok {
			got = op.Key()
		}
		if got != tt.want {
			t.Errorf("FindOperation(%s, %s) = %q; want %q", tt.method, tt.path, got, tt.want)
		}
	}
	if len(c.Operations) != 4 {
		t.Errorf("bundled contract has %d operations; want 4", len(c.Operations))
	}
	if _, ok := c.Find("patch", "/checkout/v3/session/{reference}"); !ok {
		t.Errorf("Find(patch, template) did not find the update operation")
	}
	if !c.PathKnown("/checkout/v3/session/x/expire") || c.PathKnown("/checkout/v3/sessions") {
		t.Errorf("PathKnown disagrees with the contract's paths")
	}
}

// doc30 is a 3.0.3 document written the way Vipps' own published one is: the base path in the
// server URL, bare paths, and nullable: true.
const doc30 = `openapi: 3.0.3
info: {title: Thirty, version: "1"}
servers:
  - url: https://apitest.vipps.no/checkout/v3
paths:
  /session:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [reference, amount]
              properties:
                reference: {type: string, minLength: 8}
                amount: {type: integer, minimum: 0}
                note: {type: string, nullable: true}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [token]
                properties:
                  token: {type: string}
                  pollingUrl: {type: string, nullable: true}
  /session/{reference}:
    get:
      parameters:
        - {name: reference, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  state: {type: string, nullable: true, enum: [A, B]}
`

func TestOpenAPI30Document(t *testing.T) {
	c, err := Parse("thirty.yaml", []byte(doc30))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.OpenAPI != "3.0.3" {
		t.Errorf("OpenAPI = %q; want 3.0.3", c.OpenAPI)
	}
	if len(c.BasePaths) != 1 || c.BasePaths[0] != "/checkout/v3" {
		t.Errorf("BasePaths = %q; want [/checkout/v3]", c.BasePaths)
	}
	op, ok := c.FindOperation("POST", "/checkout/v3/session")
	if !ok || op.Path != "/checkout/v3/session" || op.SpecPath != "/session" {
		t.Fatalf("FindOperation(POST /checkout/v3/session) = %+v, %v", op, ok)
	}
	if _, ok := c.Find("GET", "/checkout/v3/session/{reference}"); !ok {
		t.Errorf("Find(GET, /checkout/v3/session/{reference}) found nothing")
	}
	v, err := NewValidator(c)
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name, method, target string
		status               int // 0: a request
		body                 string
		wantLoc              string // "" = conforms
	}{
		{"null on a nullable field", "POST", "/checkout/v3/session", 0, `{"reference":"abcdefgh","amount":1,"note":null}`, ""},
		{"string on a nullable field", "POST", "/checkout/v3/session", 0, `{"reference":"abcdefgh","amount":1,"note":"hi"}`, ""},
		{"bound still checked", "POST", "/checkout/v3/session", 0, `{"reference":"abcdefgh","amount":-1}`, "/body/amount"},
		{"bare path is not the operation", "POST", "/session", 0, `{"reference":"abcdefgh","amount":1}`, "/path"},
		{"nullable response field", "POST", "/checkout/v3/session", 200, `{"token":"t","pollingUrl":null}`, ""},
		{"nullable enum accepts null", "GET", "/checkout/v3/session/abcdefgh", 200, `{"state":null}`, ""},
		{"nullable enum rejects others", "GET", "/checkout/v3/session/abcdefgh", 200, `{"state":"C"}`, "/body/state"},
	}
	for _, tt := range tests {
		var vs []Violation
		var err error
		if tt.status == 0 {
			vs, err = v.ValidateRequestParts(tt.method, tt.target, h, []byte(tt.body))
		} else {
			vs, err = v.ValidateResponseParts(tt.method, tt.target, tt.status, h, []byte(tt.body))
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.wantLoc == "" && len(vs) != 0 {
			t.Errorf("%s: want no violations, got %v", tt.name, vs)
		}
		if tt.wantLoc != "" && !hasLocation(vs, tt.wantLoc) {
			t.Errorf("%s: want a violation at %s, got %v", tt.name, tt.wantLoc, vs)
		}
	}
}

func hasLocation(vs []Violation, loc string) bool {
	for _, v := range vs {
		if v.Location == loc {
			return true
		}
	}
	return false
}

// TestRecorderWith30Document: with a 3.0-style contract (base path in the server URL, as in
// Vipps' published one), the Recorder validates /checkout/v3/session and flags a bare /session.
func TestRecorderWith30Document(t *testing.T) {
	c, err := Parse("thirty.yaml", []byte(doc30))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"token":"t","pollingUrl":null}`)
	}))
	defer srv.Close()
	rec := NewRecorder(v, srv.Client().Transport)
	hc := &http.Client{Transport: rec}
	for _, p := range []string{"/checkout/v3/session", "/session"} {
		req, _ := http.NewRequest("POST", srv.URL+p, strings.NewReader(`{"reference":"abcdefgh","amount":1,"note":null}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	exs := rec.Exchanges()
	if len(exs) != 2 {
		t.Fatalf("%d exchanges", len(exs))
	}
	if !exs[0].Conformant() || exs[0].Operation != "POST /checkout/v3/session" {
		t.Errorf("conforming exchange: %+v", exs[0])
	}
	if !exs[1].InScope || !hasLocation(exs[1].RequestViolations, "/path") || !hasLocation(exs[1].ResponseViolations, "/path") {
		t.Errorf("bare /session not flagged: %+v", exs[1])
	}
}
