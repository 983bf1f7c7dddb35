package contract

import (
	"strings"
	"testing"
)

func TestBundledContractLintsClean(t *testing.T) {
	c, _ := sharedValidator(t)
	findings, err := Lint(c)
	if err != nil {
		t.Fatalf("Lint: %v", err)
	}
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
	exs := Examples(c)
	t.Logf("bundled contract: %d examples, all valid", len(exs))
	// The lint above is only worth something if it looked at examples: require at least the
	// request examples of create and update and a success and an error example per operation.
	perOp := map[string]int{}
	keys := map[string]bool{}
	for _, e := range exs {
		perOp[e.Operation.Key()]++
		keys[e.Operation.Key()+" "+e.Key] = true
		if len(e.Body) == 0 || e.MediaType == "" {
			t.Errorf("%s: empty body or media type", e.Name())
		}
	}
	for _, op := range c.Operations {
		if perOp[op.Key()] < 2 {
			t.Errorf("%s has %d examples; want at least 2", op.Key(), perOp[op.Key()])
		}
	}
	for _, k := range []string{"POST /checkout/v3/session payment", "POST /checkout/v3/session subscription", "PATCH /checkout/v3/session/{reference} newAmount"} {
		if !keys[k] {
			t.Errorf("example %q not found", k)
		}
	}
	if len(exs) < 10 {
		t.Errorf("Examples found %d; the bundled contract has at least 10", len(exs))
	}
}

const lintDoc = `openapi: 3.1.0
info: {title: Lint, version: "1"}
paths:
  /things:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [n]
              properties:
                n: {type: integer, minimum: 1}
            examples:
              good: {value: {n: 2}}
              BROKEN_REQ
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
              example: RESP_EXAMPLE
`

func TestLintFindsBrokenExamples(t *testing.T) {
	tests := []struct {
		name, brokenReq, respExample string
		wantWhere                    []string // substrings of the findings' Where, in any order
	}{
		{"clean", "", "{id: x}", nil},
		{"request example breaks minimum", "bad: {value: {n: 0}}", "{id: x}", []string{`request example "bad"`}},
		{"response example lacks required", "", "{other: 1}", []string{`response 200 example "example"`}},
		{"both", "bad: {value: {n: \"two\"}}", "{id: 7}", []string{`request example "bad"`, `response 200 example "example"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(lintDoc, "BROKEN_REQ", tt.brokenReq, 1)
			doc = strings.Replace(doc, "RESP_EXAMPLE", tt.respExample, 1)
			c, err := Parse("lint.yaml", []byte(doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			fs, err := Lint(c)
			if err != nil {
				t.Fatalf("Lint: %v", err)
			}
			if len(fs) != len(tt.wantWhere) {
				t.Fatalf("got %d findings, want %d: %v", len(fs), len(tt.wantWhere), fs)
			}
			for _, w := range tt.wantWhere {
				found := false
				for _, f := range fs {
					if strings.Contains(f.Where, w) && f.Message != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("no finding at %q in %v", w, fs)
				}
			}
		})
	}
}

func TestLintFindsBrokenDocument(t *testing.T) {
	// A response without its required description, and a parameter with an unknown "in".
	const broken = `openapi: 3.1.0
info: {title: Broken, version: "1"}
paths:
  /things/{id}:
    get:
      parameters:
        - {name: id, in: somewhere, required: true, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema: {type: object}
`
	c, err := Parse("broken.yaml", []byte(broken))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	fs, err := Lint(c)
	if err != nil {
		t.Fatalf("Lint: %v", err)
	}
	if len(fs) == 0 {
		t.Fatalf("Lint found nothing wrong with a document that breaks the meta-schema")
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.Where, "document") {
			t.Errorf("finding %s is not about the document", f)
		}
	}
}

func TestParseRejectsNonDocuments(t *testing.T) {
	for name, raw := range map[string]string{
		"not yaml":      "{{{",
		"swagger 2":     "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
		"no operations": "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
	} {
		if _, err := Parse(name, []byte(raw)); err == nil {
			t.Errorf("Parse(%s) succeeded; want an error", name)
		}
	}
}
