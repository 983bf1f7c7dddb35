package negative

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/checkoutkit/checkoutkit/contract"
	"go.yaml.in/yaml/v3"
)

// Keywords a Case can break. Schema keywords keep their JSON Schema names; KeywordJSON is the
// malformed-document case, which no schema keyword describes.
const (
	KeywordRequired  = "required"
	KeywordType      = "type"
	KeywordMinLength = "minLength"
	KeywordMaxLength = "maxLength"
	KeywordPattern   = "pattern"
	KeywordEnum      = "enum"
	KeywordConst     = "const"
	KeywordMinimum   = "minimum"
	KeywordMaximum   = "maximum"
	KeywordMinItems  = "minItems"
	KeywordMaxItems  = "maxItems"
	KeywordJSON      = "json"
)

// ErrNoRequestBody is returned when the operation declares no JSON request body.
var ErrNoRequestBody = errors.New("negative: the operation declares no JSON request body")

// Constraint is one checkable rule of a request schema.
type Constraint struct {
	// Operation is the operation key ("POST /checkout/v3/session").
	Operation string `json:"operation"`
	// Schema is the constraint's location in the document: the JSON pointer of the schema
	// (restarting at each $ref target) followed by the keyword, e.g.
	// "#/components/schemas/Amount/properties/value/minimum" or ".../required/currency".
	Schema string `json:"schema"`
	// Keyword is the schema keyword (one of the Keyword* constants).
	Keyword string `json:"keyword"`
}

// ID is the constraint's unique name within a contract: operation and schema location.
func (c Constraint) ID() string { return c.Operation + " " + c.Schema }

// Case is one invalid request body.
type Case struct {
	Constraint
	// Name describes the case in one line, for spec names.
	Name string `json:"name"`
	// Location is the JSON pointer, within the body, of the value that breaks the constraint
	// ("" for the whole document). For a missing required property it is the property's own
	// pointer; validators usually report the parent object.
	Location string `json:"location"`
	// Body is the invalid request body.
	Body []byte `json:"-"`
	// ExpectedStatus is the status the contract documents for an invalid body (400).
	ExpectedStatus int `json:"expectedStatus"`
}

// Touches reports whether the case changes the value at pointer or anything under or above it.
// Suites use it to decide whether a top-level value (a reference, say) may be replaced without
// undoing the case.
func (c Case) Touches(pointer string) bool {
	if c.Keyword == KeywordJSON {
		return true
	}
	return c.Location == pointer || strings.HasPrefix(c.Location, pointer+"/") || strings.HasPrefix(pointer, c.Location+"/") || c.Location == ""
}

// WithValue returns the case's body with the value at pointer (an existing object member's path,
// e.g. /reference) set to v. Malformed-JSON bodies and cases that touch pointer are returned
// unchanged, so the case still breaks what it says it breaks.
func (c Case) WithValue(pointer string, v any) []byte {
	if c.Touches(pointer) {
		return c.Body
	}
	doc, err := decode(c.Body)
	if err != nil {
		return c.Body
	}
	out, ok := setAt(doc, splitPointer(pointer), v, false)
	if !ok {
		return c.Body
	}
	b, err := encode(out)
	if err != nil {
		return c.Body
	}
	return b
}

// Document is a contract's raw document, parsed once for walking its schemas.
type Document struct {
	c    *contract.Contract
	root any
}

// Load parses c's raw document.
func Load(c *contract.Contract) (*Document, error) {
	var root any
	if err := yaml.Unmarshal(c.Raw, &root); err != nil {
		return nil, fmt.Errorf("parse %s for schemas: %w", c.Name, err)
	}
	return &Document{c: c, root: normalize(root)}, nil
}

// requestSchema finds the JSON request body schema of op and its document location.
func (d *Document) requestSchema(op contract.Operation) (map[string]any, string, error) {
	item, ok := lookup(d.root, []string{"paths", op.SpecPath})
	if !ok {
		return nil, "", fmt.Errorf("operation %s: path %s not in the document", op.Key(), op.SpecPath)
	}
	opNode, ok := lookup(item, []string{strings.ToLower(op.Method)})
	if !ok {
		return nil, "", fmt.Errorf("operation %s: method not in the document", op.Key())
	}
	rb, ok := asMap(opNode)["requestBody"]
	if !ok {
		return nil, "", fmt.Errorf("operation %s: %w", op.Key(), ErrNoRequestBody)
	}
	rbm, _, err := d.deref(asMap(rb), "")
	if err != nil {
		return nil, "", err
	}
	content := asMap(rbm["content"])
	names := make([]string, 0, len(content))
	for mt := range content {
		names = append(names, mt)
	}
	sort.Strings(names)
	for _, mt := range names {
		if !strings.Contains(mt, "json") {
			continue
		}
		s := asMap(asMap(content[mt])["schema"])
		if s == nil {
			continue
		}
		loc := "#/paths/" + contract.PointerEscape(op.SpecPath) + "/" + strings.ToLower(op.Method) + "/requestBody/content/" + contract.PointerEscape(mt) + "/schema"
		return s, loc, nil
	}
	return nil, "", fmt.Errorf("operation %s: %w", op.Key(), ErrNoRequestBody)
}

// deref follows $ref chains inside the document. loc is the location of s; the result's
// location is the last $ref target.
func (d *Document) deref(s map[string]any, loc string) (map[string]any, string, error) {
	for i := 0; i < 32; i++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s, loc, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, "", fmt.Errorf("schema %s: only local $refs are supported, got %q", loc, ref)
		}
		target, ok := lookup(d.root, splitPointer(strings.TrimPrefix(ref, "#")))
		if !ok {
			return nil, "", fmt.Errorf("schema %s: $ref %q not found", loc, ref)
		}
		s, loc = asMap(target), ref
	}
	return nil, "", fmt.Errorf("schema %s: $ref chain too long", loc)
}

// Constraints lists every constraint of op's request schema, every oneOf branch included, in
// document order by location. An operation without a JSON request body has none.
func (d *Document) Constraints(op contract.Operation) ([]Constraint, error) {
	s, loc, err := d.requestSchema(op)
	if errors.Is(err, ErrNoRequestBody) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []Constraint{{Operation: op.Key(), Schema: loc + "#json", Keyword: KeywordJSON}}
	var walk func(s map[string]any, loc string, depth int) error
	walk = func(s map[string]any, loc string, depth int) error {
		if depth > 40 {
			return nil
		}
		s, loc, err := d.deref(s, loc)
		if err != nil {
			return err
		}
		if seen[loc] {
			return nil
		}
		seen[loc] = true
		add := func(kw, at string) { out = append(out, Constraint{Operation: op.Key(), Schema: at, Keyword: kw}) }
		types := schemaTypes(s)
		if len(types) == 1 && types[0] == "null" {
			return nil // a null branch: breaking it just means taking another branch
		}
		if len(types) > 0 {
			add(KeywordType, loc+"/type")
		}
		for _, kw := range []string{KeywordMinLength, KeywordMaxLength, KeywordPattern, KeywordEnum, KeywordConst, KeywordMinimum, KeywordMaximum, KeywordMinItems, KeywordMaxItems} {
			if _, ok := s[kw]; ok && checkable(kw, s) {
				add(kw, loc+"/"+kw)
			}
		}
		if _, ok := s["exclusiveMinimum"].(float64); ok {
			add(KeywordMinimum, loc+"/exclusiveMinimum")
		}
		if _, ok := s["exclusiveMaximum"].(float64); ok {
			add(KeywordMaximum, loc+"/exclusiveMaximum")
		}
		for _, r := range asSlice(s["required"]) {
			if name, ok := r.(string); ok {
				add(KeywordRequired, loc+"/required/"+contract.PointerEscape(name))
			}
		}
		for _, name := range sortedKeys(asMap(s["properties"])) {
			if err := walk(asMap(asMap(s["properties"])[name]), loc+"/properties/"+contract.PointerEscape(name), depth+1); err != nil {
				return err
			}
		}
		if items := asMap(s["items"]); items != nil {
			if err := walk(items, loc+"/items", depth+1); err != nil {
				return err
			}
		}
		for _, comb := range []string{"oneOf", "allOf"} {
			for i, b := range asSlice(s[comb]) {
				if err := walk(asMap(b), loc+"/"+comb+"/"+strconv.Itoa(i), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(s, loc, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// Generate makes the invalid bodies for op from base, a body that must itself be valid. Cases
// are deduplicated by constraint, so a schema reached through several places (an Amount, say)
// gives one case per constraint and carrier-specific branches give one each.
func (d *Document) Generate(op contract.Operation, base []byte) ([]Case, error) {
	s, loc, err := d.requestSchema(op)
	if err != nil {
		return nil, err
	}
	doc, err := decode(base)
	if err != nil {
		return nil, fmt.Errorf("operation %s: base body: %w", op.Key(), err)
	}
	g := &gen{d: d, op: op.Key(), base: doc, seen: map[string]bool{}}
	g.emitRaw(Constraint{Operation: op.Key(), Schema: loc + "#json", Keyword: KeywordJSON}, "", "malformed JSON document", malformed(base))
	if err := g.walk(s, loc, nil, doc, true, 0); err != nil {
		return nil, err
	}
	return g.cases, g.err
}

type gen struct {
	d     *Document
	op    string
	base  any
	seen  map[string]bool
	cases []Case
	err   error
}

func (g *gen) emitRaw(c Constraint, at, name string, body []byte) {
	if g.seen[c.Schema] {
		return
	}
	g.seen[c.Schema] = true
	g.cases = append(g.cases, Case{Constraint: c, Name: name, Location: at, Body: body, ExpectedStatus: http.StatusBadRequest})
}

// emit records a case that sets (or, with del, removes) the value at path.
func (g *gen) emit(schema, kw string, path []string, v any, del bool, what string) {
	if g.seen[schema] || g.err != nil {
		return
	}
	out, ok := setAt(deepCopy(g.base), path, v, del)
	if !ok {
		return
	}
	b, err := encode(out)
	if err != nil {
		g.err = fmt.Errorf("encode case %s: %w", schema, err)
		return
	}
	at := contract.Pointer(path...)
	name := fmt.Sprintf("%s at %s", what, displayPointer(at))
	g.emitRaw(Constraint{Operation: g.op, Schema: schema, Keyword: kw}, at, name, b)
}

// walk visits schema s (at document location loc) with the instance inst at path. present says
// whether inst exists in the base; absent optional members only get leaf cases, which need no
// valid value underneath.
func (g *gen) walk(s map[string]any, loc string, path []string, inst any, present bool, depth int) error {
	if depth > 40 || s == nil {
		return nil
	}
	s, loc, err := g.d.deref(s, loc)
	if err != nil {
		return err
	}
	if present && inst == nil {
		return nil // null is only valid where a null branch allows it; nothing under it to break
	}
	for i, b := range asSlice(s["allOf"]) {
		if err := g.walk(asMap(b), loc+"/allOf/"+strconv.Itoa(i), path, inst, present, depth+1); err != nil {
			return err
		}
	}
	if branches := asSlice(s["oneOf"]); len(branches) > 0 {
		i, b, bloc := g.pickBranch(branches, loc, inst, present)
		if i >= 0 {
			if err := g.walk(b, bloc, path, inst, present, depth+1); err != nil {
				return err
			}
		}
	}
	// anyOf is not walked: breaking one branch can leave another satisfied, so no single
	// mutation is sure to be invalid.
	if len(path) == 0 {
		// The document root: a body of the wrong JSON type, then its members.
		if types := schemaTypes(s); len(types) > 0 {
			g.emit(loc+"/type", KeywordType, nil, wrongType(types), false, "a body that is not an object")
		}
		return g.object(s, loc, path, inst, present, depth)
	}
	types := schemaTypes(s)
	if len(types) > 0 {
		g.emit(loc+"/type", KeywordType, path, wrongType(types), false, "wrong type (want "+strings.Join(types, " or ")+")")
	}
	if c, ok := s["const"]; ok {
		g.emit(loc+"/const", KeywordConst, path, notIn([]any{c}), false, fmt.Sprintf("value other than the constant %v", c))
	}
	if e := asSlice(s["enum"]); len(e) > 0 {
		g.emit(loc+"/enum", KeywordEnum, path, notIn(e), false, "value outside the enum")
	}
	g.numeric(s, loc, path)
	g.text(s, loc, path, inst, present)
	if !present {
		return nil
	}
	switch v := inst.(type) {
	case map[string]any:
		return g.object(s, loc, path, v, present, depth)
	case []any:
		if n, ok := num(s["minItems"]); ok && n >= 1 {
			g.emit(loc+"/minItems", KeywordMinItems, path, []any{}, false, fmt.Sprintf("fewer than %d items", int(n)))
		}
		if n, ok := num(s["maxItems"]); ok && len(v) > 0 && n < 1000 {
			items := make([]any, int(n)+1)
			for i := range items {
				items[i] = deepCopy(v[0])
			}
			g.emit(loc+"/maxItems", KeywordMaxItems, path, items, false, fmt.Sprintf("more than %d items", int(n)))
		}
		if items := asMap(s["items"]); items != nil {
			for i, el := range v {
				if err := g.walk(items, loc+"/items", appendPath(path, strconv.Itoa(i)), el, true, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *gen) object(s map[string]any, loc string, path []string, inst any, present bool, depth int) error {
	obj, ok := inst.(map[string]any)
	if !present || !ok {
		return nil
	}
	for _, r := range asSlice(s["required"]) {
		name, ok := r.(string)
		if !ok {
			continue
		}
		if _, has := obj[name]; has {
			g.emit(loc+"/required/"+contract.PointerEscape(name), KeywordRequired, appendPath(path, name), nil, true, "required property missing")
		}
	}
	props := asMap(s["properties"])
	for _, name := range sortedKeys(props) {
		v, has := obj[name]
		if err := g.walk(asMap(props[name]), loc+"/properties/"+contract.PointerEscape(name), appendPath(path, name), v, has, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// pickBranch chooses the oneOf branch the instance is meant to satisfy: the one whose const
// properties all match it, else the first whose type admits it. Null branches are never chosen.
func (g *gen) pickBranch(branches []any, loc string, inst any, present bool) (int, map[string]any, string) {
	type cand struct {
		i   int
		s   map[string]any
		loc string
	}
	var typed []cand
	for i, b := range branches {
		bs, _, err := g.d.deref(asMap(b), loc+"/oneOf/"+strconv.Itoa(i))
		if err != nil || bs == nil {
			continue
		}
		types := schemaTypes(bs)
		if len(types) == 1 && types[0] == "null" {
			continue
		}
		if obj, ok := inst.(map[string]any); ok && present {
			consts, match := 0, true
			for name, p := range asMap(bs["properties"]) {
				ps, _, err := g.d.deref(asMap(p), "")
				if err != nil || ps == nil {
					continue
				}
				if c, ok := ps["const"]; ok {
					consts++
					if fmt.Sprint(obj[name]) != fmt.Sprint(c) {
						match = false
					}
				}
			}
			if consts > 0 {
				if match {
					return i, asMap(b), loc + "/oneOf/" + strconv.Itoa(i)
				}
				continue
			}
		}
		if !present || admits(types, inst) {
			typed = append(typed, cand{i, asMap(b), loc + "/oneOf/" + strconv.Itoa(i)})
		}
	}
	if len(typed) == 0 {
		return -1, nil, ""
	}
	// An absent member only gets leaf cases, and only when the choice is unambiguous.
	if !present && len(typed) > 1 {
		return -1, nil, ""
	}
	return typed[0].i, typed[0].s, typed[0].loc
}

func (g *gen) numeric(s map[string]any, loc string, path []string) {
	if m, ok := num(s["minimum"]); ok {
		g.emit(loc+"/minimum", KeywordMinimum, path, jsonNumber(m-1), false, fmt.Sprintf("value below the minimum %v", m))
	}
	if m, ok := num(s["exclusiveMinimum"]); ok {
		g.emit(loc+"/exclusiveMinimum", KeywordMinimum, path, jsonNumber(m), false, fmt.Sprintf("value not above the exclusive minimum %v", m))
	}
	if m, ok := num(s["maximum"]); ok {
		g.emit(loc+"/maximum", KeywordMaximum, path, jsonNumber(m+1), false, fmt.Sprintf("value above the maximum %v", m))
	}
	if m, ok := num(s["exclusiveMaximum"]); ok {
		g.emit(loc+"/exclusiveMaximum", KeywordMaximum, path, jsonNumber(m), false, fmt.Sprintf("value not below the exclusive maximum %v", m))
	}
}

// text emits the string-length and pattern cases. For a member absent from the base a pattern
// makes a made-up string ambiguous (it may break the pattern too), so those need a present value.
func (g *gen) text(s map[string]any, loc string, path []string, inst any, present bool) {
	cur, isStr := inst.(string)
	pattern, hasPattern := s["pattern"].(string)
	if !present && hasPattern {
		return
	}
	if !present || !isStr || cur == "" {
		cur = "a"
	}
	if n, ok := num(s["minLength"]); ok && n >= 1 {
		short := ""
		if n > 1 {
			short = fit(cur, int(n)-1)
		}
		g.emit(loc+"/minLength", KeywordMinLength, path, short, false, fmt.Sprintf("shorter than %d characters", int(n)))
	}
	if n, ok := num(s["maxLength"]); ok && n < 100000 {
		g.emit(loc+"/maxLength", KeywordMaxLength, path, fit(cur, int(n)+1), false, fmt.Sprintf("longer than %d characters", int(n)))
	}
	if hasPattern {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return // an ECMA-only pattern Go cannot compile: no case rather than a wrong one
		}
		lo, hi := 1, 64
		if n, ok := num(s["minLength"]); ok {
			lo = int(n)
		}
		if n, ok := num(s["maxLength"]); ok {
			hi = int(n)
		}
		for _, c := range []string{"!", " ", "~", "é", "a"} {
			l := max(lo, 1)
			if l > hi {
				break
			}
			cand := strings.Repeat(c, l)
			if !re.MatchString(cand) {
				g.emit(loc+"/pattern", KeywordPattern, path, cand, false, "value not matching "+pattern)
				return
			}
		}
	}
}

// fit repeats or cuts s to exactly n runes.
func fit(s string, n int) string {
	r := []rune(s)
	if len(r) == 0 {
		r = []rune("a")
	}
	for len(r) < n {
		r = append(r, r...)
	}
	return string(r[:n])
}

func checkable(kw string, s map[string]any) bool {
	switch kw {
	case KeywordMinLength, KeywordMinItems:
		n, ok := num(s[kw])
		return ok && n >= 1
	case KeywordMaxLength:
		n, ok := num(s[kw])
		return ok && n < 100000
	case KeywordPattern:
		p, _ := s[kw].(string)
		_, err := regexp.Compile(p)
		return err == nil
	}
	return true
}

func schemaTypes(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if str, ok := x.(string); ok {
				out = append(out, str)
			}
		}
		return out
	}
	return nil
}

func admits(types []string, v any) bool {
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		switch v.(type) {
		case map[string]any:
			if t == "object" {
				return true
			}
		case []any:
			if t == "array" {
				return true
			}
		case string:
			if t == "string" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case json.Number:
			if t == "number" || t == "integer" {
				return true
			}
		case nil:
			if t == "null" {
				return true
			}
		}
	}
	return false
}

// wrongType returns a value none of types admits.
func wrongType(types []string) any {
	for _, v := range []any{json.Number("12345"), "wrong-type", true, map[string]any{}, []any{}} {
		if !admits(types, v) {
			return v
		}
	}
	return true
}

// notIn returns a value of the same kind as the listed values that is none of them.
func notIn(vals []any) any {
	numeric := false
	for _, v := range vals {
		if _, ok := v.(float64); ok {
			numeric = true
		}
	}
	if numeric {
		for n := 987654; ; n++ {
			if !containsValue(vals, float64(n)) {
				return json.Number(strconv.Itoa(n))
			}
		}
	}
	for i := 0; ; i++ {
		cand := "NOT_A_DOCUMENTED_VALUE"
		if i > 0 {
			cand += strconv.Itoa(i)
		}
		if !containsValue(vals, cand) {
			return cand
		}
	}
}

func containsValue(vals []any, v any) bool {
	for _, x := range vals {
		if fmt.Sprint(x) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

func jsonNumber(f float64) json.Number {
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

// malformed cuts the base document short so it is not JSON at all.
func malformed(base []byte) []byte {
	b := bytes.TrimSpace(base)
	if len(b) > 2 {
		return append([]byte(nil), b[:len(b)/2]...)
	}
	return []byte(`{"`)
}

// normalize turns YAML's decoded values into JSON-like ones: map[string]any, []any, float64.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	}
	return v
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asSlice(v any) []any        { s, _ := v.([]any); return s }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func lookup(root any, segs []string) (any, bool) {
	cur := root
	for _, s := range segs {
		switch t := cur.(type) {
		case map[string]any:
			v, ok := t[s]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func splitPointer(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = contract.PointerUnescape(s)
	}
	return segs
}

func displayPointer(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func appendPath(path []string, s string) []string {
	out := make([]string, len(path), len(path)+1)
	copy(out, path)
	return append(out, s)
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	return v, nil
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = deepCopy(x)
		}
		return s
	}
	return v
}

// setAt sets (or deletes) the value at path in doc, creating the last member if missing. It
// returns false if a parent does not exist.
func setAt(doc any, path []string, v any, del bool) (any, bool) {
	if len(path) == 0 {
		return v, !del
	}
	parent, ok := lookup(doc, path[:len(path)-1])
	if !ok {
		return nil, false
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		if del {
			delete(p, last)
		} else {
			p[last] = v
		}
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) || del {
			return nil, false
		}
		p[i] = v
	default:
		return nil, false
	}
	return doc, true
}

// SetValue returns body (a JSON document) with the value at pointer set to v, creating the last
// member of an existing object. Suites use it to put run-specific references and URLs into
// fixture bodies.
func SetValue(body []byte, pointer string, v any) ([]byte, error) {
	doc, err := decode(body)
	if err != nil {
		return nil, err
	}
	out, ok := setAt(doc, splitPointer(pointer), v, false)
	if !ok {
		return nil, fmt.Errorf("set %s: no such parent in the document", pointer)
	}
	return encode(out)
}

// GetValue returns the value at pointer in body, decoded (numbers as json.Number).
func GetValue(body []byte, pointer string) (any, bool) {
	doc, err := decode(body)
	if err != nil {
		return nil, false
	}
	return lookup(doc, splitPointer(pointer))
}
