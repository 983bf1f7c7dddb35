package contract_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
)

// Each case is a request the fast path accepts on its own while the library reports violations.
// d.check fails the subtest in that case; a fixed fast path makes every subtest pass.

func ceBody(schema string) string {
	return `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: ` + schema + `
      responses:
        "200": {description: ok}
`
}

func ceParams(params string) string {
	return `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    get:
      parameters:
` + params + `
      responses:
        "200": {description: ok}
`
}

func TestFastPathCounterexamples(t *testing.T) {
	js := http.Header{"Content-Type": {"application/json"}}
	none := http.Header{}
	cases := []struct {
		name, doc, method, target string
		h                         http.Header
		body                      string
	}{
		// 1. YAML 1.1 octal: 010 is 8 to the library, 10 to strconv.ParseInt(…, 10, …).
		{"octal maximum", ceBody("{type: integer, maximum: 010}"), "POST", "/x", js, `9`},
		{"octal minimum", ceBody("{type: integer, minimum: -010}"), "POST", "/x", js, `-9`},
		{"octal enum", ceBody("{enum: [010]}"), "POST", "/x", js, `10`},
		{"octal enum 0010", ceBody("{enum: [0010]}"), "POST", "/x", js, `10`},
		// 2. True/TRUE are !!bool, but the fast path compares the text with "true".
		{"True enum", ceBody("{enum: [True]}"), "POST", "/x", js, `false`},
		{"TRUE const", ceBody("{type: object, properties: {a: {const: TRUE}}}"), "POST", "/x", js, `{"a":false}`},
		{"True schema in oneOf", ceBody("{oneOf: [True, {type: string}]}"), "POST", "/x", js, `"a"`},
		{"not True", ceBody("{not: True}"), "POST", "/x", js, `1`},
		{"required: True header", ceParams("        - {name: X-Key, in: header, required: True, schema: {type: string}}"), "GET", "/x", none, ""},
		{"required: True query", ceParams("        - {name: q, in: query, required: True, schema: {type: string}}"), "GET", "/x", none, ""},
		// 3. Aliases: an AliasNode's Value is the anchor name, and mapGet does not follow it.
		{"alias required", `openapi: 3.1.0
info: {title: t, version: "1", x-t: &yes true}
paths:
  /x:
    get:
      parameters:
        - {name: X-Key, in: header, required: *yes, schema: {type: string}}
      responses:
        "200": {description: ok}
`, "GET", "/x", none, ""},
		{"alias pattern", `openapi: 3.1.0
info: {title: t, version: "1", x-p: &a '^b$'}
paths:
  /x:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: string, pattern: *a}
      responses:
        "200": {description: ok}
`, "POST", "/x", js, `"a"`},
		{"alias operation", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get: &op
      parameters:
        - {name: X-Key, in: header, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
  /b:
    get: *op
`, "GET", "/b", none, ""},
		{"alias parameters", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters: &ps
        - {name: X-Key, in: header, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
  /b:
    get:
      parameters: *ps
      responses:
        "200": {description: ok}
`, "GET", "/b", none, ""},
		// 4. Merge keys are not resolved by mapGet.
		{"merge into operation", `openapi: 3.1.0
info: {title: t, version: "1"}
x-defs:
  op: &op
    parameters:
      - {name: X-Key, in: header, required: true, schema: {type: string}}
paths:
  /b:
    get:
      <<: *op
      responses:
        "200": {description: ok}
`, "GET", "/b", none, ""},
		{"merge into path item", `openapi: 3.1.0
info: {title: t, version: "1"}
x-defs:
  common: &common
    parameters:
      - {name: X-Key, in: header, required: true, schema: {type: string}}
paths:
  /b:
    <<: *common
    get:
      responses:
        "200": {description: ok}
`, "GET", "/b", none, ""},
		// 5. The library does not let operation parameters override path-item ones: it checks both.
		{"path-item header not overridden", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    parameters:
      - {name: X-Key, in: header, required: true, schema: {type: string, enum: [a]}}
    get:
      parameters:
        - {name: X-Key, in: header, schema: {type: string}}
      responses:
        "200": {description: ok}
`, "GET", "/x", http.Header{"X-Key": {"b"}}, ""},
		{"path-item path param not overridden", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, enum: [a]}}
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
`, "GET", "/x/b", none, ""},
		{"header names differing in case", ceParams(`        - {name: X-Key, in: header, required: true, schema: {type: string, enum: [a]}}
        - {name: x-key, in: header, schema: {type: string}}`), "GET", "/x", http.Header{"X-Key": {"b"}}, ""},
		// 6. Header names are folded with strings.EqualFold (Unicode), the library uses ASCII canonicalisation.
		{"kelvin sign header", ceParams("        - {name: X-Key, in: header, required: true, schema: {type: string}}"), "GET", "/x",
			http.Header{"x-\u212Aey": {"ok"}, "other": {"1"}}, ""},
		{"header name that is not a token", ceParams("        - {name: 'X Key', in: header, required: true, schema: {type: string}}"), "GET", "/x",
			http.Header{"x key": {"v"}, "other": {"1"}}, ""},
		// 7. Only "Cookie" and "cookie" are looked at; buildRequest canonicalises COOKIE too.
		{"COOKIE spelling", ceParams("        - {name: a, in: cookie, schema: {type: string, enum: [ok]}}"), "GET", "/x",
			http.Header{"COOKIE": {"a=zzz"}}, ""},
		// 8. An operation the fast path skipped still wins in the library's router.
		{"skipped literal path", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
  /a/b:
    get:
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
`, "GET", "/a/b", none, ""},
		{"literal path with another method", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
  /a/b:
    post:
      responses:
        "200": {description: ok}
`, "GET", "/a/b", none, ""},
		// 9. The library matches the escaped path (EscapedPath), so literal | ^ " < > \ ` } never match.
		{"literal pipe", strings.Replace(ceParams("        []"), "/x:", "'/a|b':", 1), "GET", "/a|b", none, ""},
		// 10. A relative server URL is not a base path to the library.
		{"relative server", `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: v1}]
paths:
  /x:
    get:
      responses:
        "200": {description: ok}
`, "GET", "/v1/x", none, ""},
		// 11. {name:regex} is a regex template to the library.
		{"colon in parameter name", `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /p/{a:b}:
    get:
      parameters:
        - {name: 'a:b', in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok}
`, "GET", "/p/val", none, ""},
		// 12. Schemas the library cannot compile or build (every request is rejected).
		{"type: []", ceBody("{type: []}"), "POST", "/x", js, `"a"`},
		{"duplicate type", ceBody("{type: [string, string]}"), "POST", "/x", js, `"a"`},
		{"duplicate required", ceBody("{type: object, required: [a, a]}"), "POST", "/x", js, `{"a":1}`},
		{"discriminator mapping list", ceBody("{type: object, discriminator: {propertyName: a, mapping: [x]}}"), "POST", "/x", js, `{"a":1}`},
		{"not: false", ceBody("{not: false}"), "POST", "/x", js, `1`},
		// 13. libopenapi turns a false subschema of oneOf into one that matches.
		{"false in oneOf", ceBody("{oneOf: [false, {type: integer}]}"), "POST", "/x", js, `1`},
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

// The bundled contract: a required header sent under a name that only Unicode folding matches.
func TestFastPathCounterexampleBundledLongS(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	h := goodHeaders()
	v := h.Get("Merchant-Serial-Number")
	h.Del("Merchant-Serial-Number")
	h["merchant-\u017Ferial-number"] = []string{v} // U+017F LATIN SMALL LETTER LONG S folds to 's'
	h["x-any"] = []string{"1"}                     // any non-canonical key sends the fast path to headerGet
	d.check(t, "long s", "GET", diffRef, h, nil)
}
