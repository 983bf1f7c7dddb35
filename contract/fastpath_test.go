package contract_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/fixtures"
)

// The fast path must never accept a request the library rejects. These tests run both over
// the fixtures, every generated negative case, systematic mutations of every value of the
// valid bodies, and header and path variants, and compare what the caller gets.

type diffPair struct {
	fast, lib *contract.Validator
	accepted  int
	total     int
}

func newDiffPair(t testing.TB, c *contract.Contract) *diffPair {
	t.Helper()
	fast, err := contract.NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := contract.NewValidator(c, contract.WithoutFastPath())
	if err != nil {
		t.Fatal(err)
	}
	return &diffPair{fast: fast, lib: lib}
}

// check fails when the fast path accepts a request the library rejects, and returns whether
// it accepted. A request the fast path does not accept goes to the library by construction
// (ValidateRequestParts then runs exactly the library path), so only acceptances need the
// library's second opinion; that keeps these tests fast, as an invalid body costs the library
// milliseconds.
func (d *diffPair) check(t testing.TB, what, method, target string, h http.Header, body []byte) bool {
	t.Helper()
	d.total++
	if !contract.FastAccepts(d.fast, method, target, h, body) {
		return false
	}
	d.accepted++
	got, gerr := d.fast.ValidateRequestParts(method, target, h, body)
	want, werr := d.lib.ValidateRequestParts(method, target, h, body)
	if gerr != nil || len(got) > 0 {
		t.Errorf("%s: accepted on the fast path, yet ValidateRequestParts answered %v, %v", what, got, gerr)
	}
	if werr != nil || len(want) > 0 {
		t.Errorf("%s: the fast path accepted %s %s but the library reports %v (error %v)\nbody: %s", what, method, target, want, werr, body)
	}
	return true
}

const (
	diffCreate = "/checkout/v3/session"
	diffRef    = "/checkout/v3/session/acme-order-0001"
)

// validRequests are the valid fixture bodies with the operation each is sent to.
func validRequests(t testing.TB) []struct {
	name, method, target string
	body                 []byte
} {
	t.Helper()
	var out []struct {
		name, method, target string
		body                 []byte
	}
	for _, name := range fixtures.ValidNames() {
		b, err := fixtures.Valid(name)
		if err != nil {
			t.Fatal(err)
		}
		method, target := http.MethodPost, diffCreate
		if strings.HasPrefix(name, "update") {
			method, target = http.MethodPatch, diffRef
		}
		out = append(out, struct {
			name, method, target string
			body                 []byte
		}{name, method, target, b})
	}
	return out
}

func TestFastPathCompilesTheBundledContract(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	if s := contract.FastSkipped(d.fast); len(s) > 0 {
		t.Fatalf("operations left to the library alone: %v", s)
	}
	// Every valid fixture must be accepted without the library, or the speed-up is gone.
	for _, r := range validRequests(t) {
		if !d.check(t, r.name, r.method, r.target, goodHeaders(), r.body) {
			t.Errorf("%s: the fast path did not accept a valid fixture", r.name)
		}
	}
	for _, r := range []struct{ method, target string }{{"GET", diffRef}, {"POST", diffRef + "/expire"}} {
		if !d.check(t, r.method, r.method, r.target, goodHeaders(), nil) {
			t.Errorf("%s %s: the fast path did not accept a valid request", r.method, r.target)
		}
	}
}

func TestFastPathIsOffWhereItCannotBeExact(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.NewValidator(c, contract.WithoutFastPath())
	if err != nil {
		t.Fatal(err)
	}
	if contract.FastAccepts(v, "GET", diffRef, goodHeaders(), nil) {
		t.Error("WithoutFastPath still accepts on the fast path")
	}
	// A 3.0 document, and a keyword the fast path does not know, leave operations to the library.
	for name, doc := range map[string]string{
		"3.2":         strings.Replace(string(contract.Bundled()), "openapi: 3.1.0", "openapi: 3.2.0", 1),
		"uniqueItems": strings.Replace(string(contract.Bundled()), "minItems: 1", "minItems: 1\n          uniqueItems: true", 1),
	} {
		if doc == string(contract.Bundled()) {
			t.Fatalf("%s: the edit did not apply", name)
		}
		c2, err := contract.Parse(name, []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v2, err := contract.NewValidator(c2)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(contract.FastSkipped(v2)) == 0 {
			t.Errorf("%s: every operation was compiled", name)
		}
		body, _ := fixtures.Valid("payment-minimal")
		if contract.FastAccepts(v2, "POST", diffCreate, goodHeaders(), body) {
			t.Errorf("%s: create accepted on the fast path", name)
		}
	}
}

func TestFastPathAgreesOnFixturesAndNegativeCases(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	inv, err := fixtures.Invalid()
	if err != nil {
		t.Fatal(err)
	}
	for _, ic := range inv {
		target := strings.Replace(ic.PathTemplate(), "{reference}", "acme-order-0001", 1)
		if d.check(t, ic.Name, ic.Method(), target, goodHeaders(), ic.Body) {
			t.Errorf("%s: an invalid fixture was accepted", ic.Name)
		}
		// What is not accepted gets the library's own violations, unchanged.
		got, gerr := d.fast.ValidateRequestParts(ic.Method(), target, goodHeaders(), ic.Body)
		want, werr := d.lib.ValidateRequestParts(ic.Method(), target, goodHeaders(), ic.Body)
		if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) {
			t.Errorf("%s: violations differ with the fast path on:\nfast: %v %v\nlib:  %v %v", ic.Name, got, gerr, want, werr)
		}
	}
	doc, err := negative.Load(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range validRequests(t) {
		op, ok := c.FindOperation(r.method, r.target)
		if !ok {
			t.Fatalf("no operation for %s %s", r.method, r.target)
		}
		cases, err := doc.Generate(op, r.body)
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range cases {
			if d.check(t, r.name+": "+cs.Name, r.method, r.target, goodHeaders(), cs.Body) {
				t.Errorf("%s: %s: a negative case was accepted", r.name, cs.Name)
			}
		}
	}
	t.Logf("%d requests, %d accepted on the fast path", d.total, d.accepted)
}

// mutations are the values every member of a valid body is replaced by in turn.
var mutations = []any{
	nil, "", "x", strings.Repeat("a", 300), "ünïcødé-ref-ø", "http://127.0.0.1:9/x", "not a uri", "2024-01-02T03:04:05Z",
	json.Number("0"), json.Number("-1"), json.Number("1"), json.Number("1.5"), json.Number("1.0"), json.Number("1e2"),
	json.Number("-0"), json.Number("2147483648"), json.Number("9007199254740993"), json.Number("10001"),
	true, false, map[string]any{}, []any{}, []any{map[string]any{}},
	// Values of the contract's enums and discriminators, so a value moves to another oneOf
	// branch (a POSTEN option becomes an OTHER one) or another allowed enum member.
	"PAYMENT", "SUBSCRIPTION", "POSTEN", "POSTNORD", "PORTERBUDDY", "HELTHJEM", "POSTI", "GLS", "DAO", "OTHER",
	"MAILBOX", "PICKUP_POINT", "HOME_DELIVERY", "NOK", "EUR", "nok", "PCS", "MONTH", "Full", "WEB_REDIRECT",
	"CUSTOMER_PRESENT", "Klarna",
}

func TestFastPathAgreesOnMutations(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	for _, r := range validRequests(t) {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(r.body))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		for _, ptr := range pointers(doc, "") {
			for _, m := range mutations {
				body := mutate(t, doc, ptr, m, false)
				d.check(t, r.name+" "+ptr, r.method, r.target, goodHeaders(), body)
			}
			if ptr != "" {
				d.check(t, r.name+" delete "+ptr, r.method, r.target, goodHeaders(), mutate(t, doc, ptr, nil, true))
			}
		}
	}
	if d.accepted == 0 {
		t.Fatal("no mutation was accepted on the fast path: the comparison proved nothing")
	}
	t.Logf("%d requests, %d accepted on the fast path", d.total, d.accepted)
}

func TestFastPathAgreesOnHeadersAndPaths(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	body, err := fixtures.Valid("payment-minimal")
	if err != nil {
		t.Fatal(err)
	}
	type req struct {
		method, target string
		body           []byte
	}
	reqs := []req{{"POST", diffCreate, body}, {"GET", diffRef, nil}, {"POST", diffRef + "/expire", nil}}
	for _, r := range reqs {
		for name := range goodHeaders() {
			for _, val := range []string{"", " ", "x", strings.Repeat("v", 30), strings.Repeat("v", 31), "ø", " padded "} {
				h := goodHeaders()
				h.Set(name, val)
				d.check(t, name+"="+val, r.method, r.target, h, r.body)
			}
			h := goodHeaders()
			h.Del(name)
			d.check(t, "without "+name, r.method, r.target, h, r.body)
			h = goodHeaders()
			h[strings.ToLower(name)] = []string{"other-spelling"}
			d.check(t, "two spellings of "+name, r.method, r.target, h, r.body)
		}
		for _, ct := range []string{"application/json; charset=utf-8", "APPLICATION/JSON", "text/json", "application/problem+json", "application/json;", "text/plain", ""} {
			h := goodHeaders()
			h.Set("Content-Type", ct)
			d.check(t, "content-type "+ct, r.method, r.target, h, r.body)
		}
		d.check(t, "lower-case method", strings.ToLower(r.method), r.target, goodHeaders(), r.body)
		d.check(t, "query", r.method, r.target+"?a=b", goodHeaders(), r.body)
		d.check(t, "empty query", r.method, r.target+"?", goodHeaders(), r.body)
		d.check(t, "trailing slash", r.method, r.target+"/", goodHeaders(), r.body)
		d.check(t, "double slash", r.method, strings.Replace(r.target, "/session", "//session", 1), goodHeaders(), r.body)
		d.check(t, "full URL", r.method, "http://127.0.0.1:1"+r.target, goodHeaders(), r.body)
		h := goodHeaders()
		h.Set("Cookie", "a=b")
		d.check(t, "cookie", r.method, r.target, h, r.body)
	}
	for _, ref := range []string{"short", "acme-order-0001", strings.Repeat("r", 50), strings.Repeat("r", 51), "acme%2Dorder-0001",
		"acme%2Forder-0001", "acme%zzorder", "acme_order_0001", "acme order 0001", "%20acme-order-0001", "ø-acme-order"} {
		for _, r := range []req{{"GET", "/checkout/v3/session/" + ref, nil}, {"POST", "/checkout/v3/session/" + ref + "/expire", nil},
			{"PATCH", "/checkout/v3/session/" + ref, []byte(`{"transaction":{"amount":{"value":1,"currency":"NOK"},"paymentDescription":"abc"}}`)}} {
			d.check(t, "reference "+ref, r.method, r.target, goodHeaders(), r.body)
		}
	}
	for _, b := range []string{"", " ", "{}", "[]", "null", `{"a":1} {"b":2}`, `{"a":1}x`, "{", `{"type":"PAYMENT"}`} {
		for _, r := range reqs {
			d.check(t, "body "+b, r.method, r.target, goodHeaders(), []byte(b))
		}
	}
	t.Logf("%d requests, %d accepted on the fast path", d.total, d.accepted)
}

// FuzzFastPathAgrees sends arbitrary create bodies and reference paths through both.
func FuzzFastPathAgrees(f *testing.F) {
	for _, name := range fixtures.ValidNames() {
		b, _ := fixtures.Valid(name)
		f.Add(b, "acme-order-0001")
		f.Add(b, "application/json; charset=utf-8")
	}
	inv, _ := fixtures.Invalid()
	for _, ic := range inv {
		f.Add(ic.Body, "x")
	}
	c, err := contract.Default()
	if err != nil {
		f.Fatal(err)
	}
	d := newDiffPair(f, c)
	f.Fuzz(func(t *testing.T, body []byte, ref string) {
		d.check(t, "create", "POST", diffCreate, goodHeaders(), body)
		d.check(t, "update", "PATCH", "/checkout/v3/session/"+ref, goodHeaders(), body)
		d.check(t, "get", "GET", "/checkout/v3/session/"+ref, goodHeaders(), nil)
		// The same string as a header value and as a content type.
		h := goodHeaders()
		h.Set("Vipps-System-Name", ref)
		h.Set("Merchant-Serial-Number", ref)
		d.check(t, "headers", "GET", diffRef, h, nil)
		h = goodHeaders()
		h.Set("Content-Type", ref)
		d.check(t, "content type", "POST", diffCreate, h, body)
	})
}

// pointers lists the JSON pointer of every value in doc, the root included.
func pointers(doc any, at string) []string {
	out := []string{at}
	switch x := doc.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, pointers(x[k], at+"/"+contract.PointerEscape(k))...)
		}
	case []any:
		for i, v := range x {
			out = append(out, pointers(v, at+"/"+itoa(i))...)
		}
	}
	return out
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// mutate returns doc encoded with the value at ptr replaced by v (or deleted), leaving doc as it was.
func mutate(t testing.TB, doc any, ptr string, v any, del bool) []byte {
	t.Helper()
	raw, _ := json.Marshal(doc)
	var cp any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&cp); err != nil {
		t.Fatal(err)
	}
	if ptr == "" {
		b, _ := json.Marshal(v)
		return b
	}
	segs := strings.Split(ptr[1:], "/")
	parent := cp
	for _, s := range segs[:len(segs)-1] {
		parent = step(parent, s)
	}
	last := strings.NewReplacer("~1", "/", "~0", "~").Replace(segs[len(segs)-1])
	switch p := parent.(type) {
	case map[string]any:
		if del {
			delete(p, last)
		} else {
			p[last] = v
		}
	case []any:
		var i int
		_ = json.Unmarshal([]byte(last), &i)
		if del {
			p = append(p[:i:i], p[i+1:]...)
			parent = p
			return reencodeWith(t, cp, segs[:len(segs)-1], p)
		}
		p[i] = v
	}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reencodeWith replaces the array at segs (a parent path) with arr and encodes the document.
func reencodeWith(t testing.TB, doc any, segs []string, arr []any) []byte {
	t.Helper()
	if len(segs) == 0 {
		b, _ := json.Marshal(arr)
		return b
	}
	parent := doc
	for _, s := range segs[:len(segs)-1] {
		parent = step(parent, s)
	}
	last := strings.NewReplacer("~1", "/", "~0", "~").Replace(segs[len(segs)-1])
	switch p := parent.(type) {
	case map[string]any:
		p[last] = arr
	case []any:
		var i int
		_ = json.Unmarshal([]byte(last), &i)
		p[i] = arr
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func step(v any, seg string) any {
	seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
	switch x := v.(type) {
	case map[string]any:
		return x[seg]
	case []any:
		var i int
		_ = json.Unmarshal([]byte(seg), &i)
		return x[i]
	}
	return nil
}

// BenchmarkValidateRequest compares request validation with the fast path (the default) and
// with the library alone, for a create with one shipping option and for a GET:
//
//	go test ./contract -run '^$' -bench ValidateRequest -benchmem
func BenchmarkValidateRequest(b *testing.B) {
	c, err := contract.Default()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"type":"PAYMENT","reference":"bench-ref-000001","transaction":{"amount":{"value":49900,"currency":"NOK"},"paymentDescription":"One pair of socks"},` +
		`"logistics":{"fixedOptions":[{"brand":"POSTEN","type":"PICKUP_POINT","id":"posten-pickup","priority":0,"isDefault":true,"amount":{"value":4900,"currency":"NOK"}}]},` +
		`"merchantInfo":{"callbackUrl":"http://127.0.0.1:9/cb","returnUrl":"http://127.0.0.1:9/r","callbackAuthorizationToken":"tok"}}`)
	for _, mode := range []struct {
		name string
		opts []contract.Option
	}{{"fast", nil}, {"library", []contract.Option{contract.WithoutFastPath()}}} {
		v, err := contract.NewValidator(c, mode.opts...)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range []struct {
			name, method, target string
			body                 []byte
		}{{"create", "POST", diffCreate, body}, {"get", "GET", diffRef, nil}} {
			b.Run(r.name+"/"+mode.name, func(b *testing.B) {
				h := goodHeaders()
				b.ReportAllocs()
				for b.Loop() {
					if vs, err := v.ValidateRequestParts(r.method, r.target, h, r.body); err != nil || len(vs) > 0 {
						b.Fatal(err, vs)
					}
				}
			})
		}
	}
}

func TestFastPathLeavesSelfReferenceToTheLibrary(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/A'}
      responses:
        "200": {description: ok}
components:
  schemas:
    A: {allOf: [{$ref: '#/components/schemas/B'}]}
    B: {type: object, anyOf: [{$ref: '#/components/schemas/A'}]}
`
	c, err := contract.Parse("cycle", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		t.Skipf("the library refuses the document itself: %v", err)
	}
	if len(contract.FastSkipped(v)) == 0 {
		t.Fatal("a same-level cycle was compiled; evaluating it would never end")
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if contract.FastAccepts(v, "POST", "/x", h, []byte(`{}`)) {
		t.Fatal("accepted on the fast path")
	}
}

// TestFastPathNeverReusesAFailedCompile: a schema that fails to compile halfway (multipleOf is
// not compiled) must not be picked up, half-built, by the next operation that uses it.
func TestFastPathNeverReusesAFailedCompile(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/X'}
      responses:
        "200": {description: ok}
  /b:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/X'}
      responses:
        "200": {description: ok}
components:
  schemas:
    X: {type: integer, minimum: 0, multipleOf: 5}
`
	c, err := contract.Parse("partial", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	if n := len(contract.FastSkipped(d.fast)); n != 2 {
		t.Errorf("%d operations left to the library, want both: %v", n, contract.FastSkipped(d.fast))
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for _, path := range []string{"/a", "/b"} {
		if d.check(t, path, "POST", path, h, []byte(`3`)) {
			t.Errorf("%s: 3 accepted although it is not a multiple of 5", path)
		}
	}
}

// oas30Doc is an OpenAPI 3.0 document with the 3.0 keywords the library rewrites (nullable,
// boolean exclusive bounds) in every position the fast path compiles.
const oas30Doc = `openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "http://127.0.0.1/api/v1"}]
paths:
  /orders/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, minLength: 3, maxLength: 10, pattern: '^[a-z0-9-]+$'}}
    put:
      parameters:
        - {name: X-Client, in: header, required: true, schema: {type: string, maxLength: 5}}
        - {name: X-Mode, in: header, schema: {type: string, enum: [fast, slow]}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Order'}
      responses: {"200": {description: ok}}
components:
  schemas:
    Order:
      type: object
      required: [amount, currency, lines]
      properties:
        amount: {type: integer, minimum: 0, exclusiveMinimum: true, maximum: 1000, exclusiveMaximum: true, format: int32}
        currency: {type: string, enum: [NOK, EUR], nullable: true}
        note: {type: string, nullable: true, maxLength: 20}
        kind: {type: string, nullable: false}
        ratio: {type: number}
        tags: {type: array, items: {type: string}, maxItems: 3, nullable: true}
        lines: {type: array, minItems: 1, items: {$ref: '#/components/schemas/Line'}}
        payment:
          oneOf: [{$ref: '#/components/schemas/Card'}, {$ref: '#/components/schemas/Cash'}]
          discriminator: {propertyName: method}
        extra: {nullable: true, oneOf: [{type: string}, {type: integer}]}
        when: {type: string, format: date-time}
        site: {type: string, format: uri, nullable: true}
        meta: {type: object, additionalProperties: {type: string}}
        strict: {type: object, properties: {a: {type: boolean}}, additionalProperties: false}
    Line:
      type: object
      required: [sku, qty]
      properties:
        sku: {type: string, minLength: 1}
        qty: {type: integer, minimum: 1, exclusiveMinimum: false}
        price: {type: number, nullable: true}
    Card: {type: object, required: [method, last4], properties: {method: {type: string, enum: [card]}, last4: {type: string, pattern: '^[0-9]{4}$'}}}
    Cash: {type: object, required: [method], properties: {method: {type: string, enum: [cash]}, change: {type: integer, nullable: true}}}
`

const oas30Body = `{"amount":500,"currency":"NOK","note":null,"kind":"k","ratio":0.5,"tags":["a"],
"lines":[{"sku":"s","qty":2,"price":null}],"payment":{"method":"card","last4":"1234"},"extra":"x",
"when":"2024-01-02T03:04:05Z","site":"http://127.0.0.1/x","meta":{"a":"b"},"strict":{"a":true}}`

func TestFastPathAgreesOnAnOpenAPI30Document(t *testing.T) {
	c, err := contract.Parse("oas30", []byte(oas30Doc))
	if err != nil {
		t.Fatal(err)
	}
	d := newDiffPair(t, c)
	if s := contract.FastSkipped(d.fast); len(s) > 0 {
		t.Fatalf("left to the library: %v", s)
	}
	const target = "/api/v1/orders/ord-1"
	hdr := func() http.Header {
		return http.Header{"Content-Type": {"application/json"}, "X-Client": {"abc"}, "X-Mode": {"fast"}}
	}
	if !d.check(t, "valid", "PUT", target, hdr(), []byte(oas30Body)) {
		t.Fatal("the valid body was not accepted on the fast path")
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(oas30Body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	// Bounds and their neighbours, for the rewritten exclusive bounds.
	values := append([]any{json.Number("1000"), json.Number("999"), json.Number("0.5"), json.Number("2")}, mutations...)
	for _, ptr := range pointers(doc, "") {
		for _, m := range values {
			d.check(t, ptr, "PUT", target, hdr(), mutate(t, doc, ptr, m, false))
		}
		if ptr != "" {
			d.check(t, "delete "+ptr, "PUT", target, hdr(), mutate(t, doc, ptr, nil, true))
		}
	}
	for _, h := range []http.Header{{"X-Client": {"abcdef"}}, {"X-Mode": {"medium"}}, {"X-Client": {""}}} {
		hh := hdr()
		for k, v := range h {
			hh[k] = v
		}
		d.check(t, "header", "PUT", target, hh, []byte(oas30Body))
	}
	for _, id := range []string{"ab", "ord_1", "ord-1-very-long", "ORD-1"} {
		d.check(t, "id "+id, "PUT", "/api/v1/orders/"+id, hdr(), []byte(oas30Body))
	}
	t.Logf("%d requests, %d accepted on the fast path", d.total, d.accepted)

	// nullable next to allOf is rewritten by the library into a oneOf of its own: not compiled.
	c2, err := contract.Parse("oas30-allof", []byte(strings.Replace(oas30Doc,
		"kind: {type: string, nullable: false}", "kind: {nullable: true, allOf: [{type: string}]}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := contract.NewValidator(c2)
	if err != nil {
		t.Fatal(err)
	}
	if len(contract.FastSkipped(v2)) == 0 {
		t.Error("nullable next to allOf was compiled")
	}
}

// FuzzFastPathAgreesOAS30 sends arbitrary bodies, ids and header values to the 3.0 document.
func FuzzFastPathAgreesOAS30(f *testing.F) {
	f.Add([]byte(oas30Body), "ord-1", "abc")
	f.Add([]byte(`{"amount":1,"currency":null,"lines":[{"sku":"a","qty":1}]}`), "abc", "fast")
	c, err := contract.Parse("oas30", []byte(oas30Doc))
	if err != nil {
		f.Fatal(err)
	}
	d := newDiffPair(f, c)
	f.Fuzz(func(t *testing.T, body []byte, id, hv string) {
		h := http.Header{"Content-Type": {"application/json"}, "X-Client": {hv}, "X-Mode": {hv}}
		d.check(t, "put", "PUT", "/api/v1/orders/"+id, h, body)
	})
}
