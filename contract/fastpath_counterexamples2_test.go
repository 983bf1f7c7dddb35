package contract_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
)

func TestFastPathCounterexamplesRound2(t *testing.T) {
	js := http.Header{"Content-Type": {"application/json"}}
	none := http.Header{}
	oas30 := func(doc string) string { return strings.Replace(doc, "openapi: 3.1.0", "openapi: 3.0.3", 1) }
	withSchemas := func(doc, schemas string) string {
		return strings.Replace(doc, "paths:", "components:\n  schemas:\n"+schemas+"paths:", 1)
	}
	cases := []struct {
		name, doc, method, target string
		h                         http.Header
		body                      string
	}{
		// 14. The library's radix tree drops empty segments: /x and /x/ are one node (the last
		// declared wins), and a request for /x/ is routed to /x.
		{"trailing slash template", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x/:
    get:
      responses: {"200": {description: ok}}
  /x:
    get:
      parameters:
        - {name: X-Key, in: header, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
`, "GET", "/x/", none, ""},
		{"trailing slash after parameter", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /a/{id}/:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, enum: [zzz]}}
      responses: {"200": {description: ok}}
`, "GET", "/a/b", none, ""},
		// 15. Path-only matching strips every server base path that is a string prefix of the
		// request path, and never tries the unstripped path once one is.
		{"base path of another server is a prefix", `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://h"}, {url: /a}]
paths:
  /a/b:
    get:
      responses: {"200": {description: ok}}
`, "GET", "/a/b", none, ""},
		{"base path prefix inside a segment", `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://h"}, {url: /a}]
paths:
  /ab:
    get:
      responses: {"200": {description: ok}}
`, "GET", "/ab", none, ""},
		{"shorter base path tried first", `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: /v}, {url: /v1}]
paths:
  /{id}/x:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: X-Key, in: header, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /x:
    get:
      responses: {"200": {description: ok}}
`, "GET", "/v1/x", none, ""},
		// 16. A path item without operations is still routed to by the library (405-style violation).
		{"path item without operations", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/b:
    summary: nothing here
  /a/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
`, "GET", "/a/b", none, ""},
		// 17. Parameter schemas the library cannot compile: it reports "failed schema compilation"
		// for every request that sends the parameter (libCompiles only covers bodies).
		{"header schema with duplicate required", ceParams("        - {name: X-Key, in: header, required: true, schema: {type: string, required: [a, a]}}"),
			"GET", "/x", http.Header{"X-Key": {"v"}}, ""},
		{"header schema with type: [] below", ceParams("        - {name: X-Key, in: header, required: true, schema: {type: string, items: {type: []}}}"),
			"GET", "/x", http.Header{"X-Key": {"v"}}, ""},
		{"path schema with duplicate required", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, required: [a, a]}}
      responses: {"200": {description: ok}}
`, "GET", "/a/b", none, ""},
		// 18. 3.0 nullable adds null to enum only; const is left alone by transformNullableSchema.
		{"3.0 nullable const", oas30(ceBody("{const: a, nullable: true}")), "POST", "/x", js, `null`},
		{"3.0 nullable typed const", oas30(ceBody("{type: string, const: a, nullable: true}")), "POST", "/x", js, `null`},
		// 19. libopenapi resolves $ref fragments literally: no percent-decoding, no ~1/~0 unescaping.
		{"percent-encoded $ref", withSchemas(ceBody("{$ref: '#/components/schemas/A%20B'}"), "    A B: {type: string}\n    A%20B: {type: integer}\n"),
			"POST", "/x", js, `"s"`},
		{"~1 in $ref", withSchemas(ceBody("{$ref: '#/components/schemas/a~1b'}"), "    a/b: {type: string}\n    a~1b: {type: integer}\n"),
			"POST", "/x", js, `"s"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, err := contract.Parse(c.name, []byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			d := newDiffPair(t, ct)
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			d.check(t, c.name, c.method, c.target, c.h, body)
		})
	}
}
