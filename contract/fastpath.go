package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"go.yaml.in/yaml/v3"
)

// The fast path is an accelerator in front of libopenapi-validator for requests. It answers one
// question only: "is this request certainly valid?". When it can prove that, the request has
// no violations and the library is not called; in every other case (invalid, or anything the
// fast path does not fully understand) the library validates the request as before and its
// violations are what callers get. So the fast path can only ever skip work for requests the
// library would accept, and it never writes a violation of its own.
//
// Why it exists: the library's JSON-schema evaluation collects full error trees for every
// branch of every oneOf (8 carrier branches per shipping option, a null branch per optional
// field) and allocates heavily, which made the mock's create several times slower than a
// bare handler. Valid requests, the common case under load, need none of that detail.
//
// Soundness rests on these rules:
//   - Only a whitelist of keywords is compiled. A schema with any other keyword (readOnly,
//     uniqueItems, if/then, patternProperties, non-local $ref, ...) disables the fast path for
//     its operation, so no constraint can be silently ignored; so does a schema or parameter
//     the library itself cannot compile (it then rejects every request).
//   - Evaluation is three-valued (valid, invalid, unknown). Cases whose exact semantics depend on
//     number representation (fractions against bounds, integers beyond 2^53) are unknown.
//   - Formats other than int32/int64 are checked by the library's own JSON-schema engine,
//     configured exactly as the library configures it; bodies are read as the library's JSON
//     decoder reads them (fastjson.go).
//   - Routing, headers and paths are reproduced as the library does them (canonical header
//     keys, the router's segment and base-path rules), and anything ambiguous (two templates,
//     two base paths, escapes, YAML aliases) is left to the library.
//
// Differential tests (fastpath_test.go, and the cases two adversarial reviews found, in
// fastpath_counterexamples*_test.go) run both paths over fixtures, negative cases, mutations
// and fuzzers, and fail on any request the fast path accepts and the library rejects.

type tri uint8

const (
	triInvalid tri = iota
	triValid
	triUnknown
)

// maxExactInt is the largest integer that float64 and int64 represent alike, so a comparison
// below it means the same whichever way the library decoded the number.
const maxExactInt = 1 << 53

// JSON types as a bit set.
const (
	tNull uint8 = 1 << iota
	tBool
	tObject
	tArray
	tNumber
	tInteger
	tString
)

var typeBits = map[string]uint8{
	"null": tNull, "boolean": tBool, "object": tObject, "array": tArray,
	"number": tNumber, "integer": tInteger, "string": tString,
}

// scalar is an enum or const value from the document.
type scalar struct {
	kind uint8 // one of tNull, tBool, tInteger, tString
	s    string
	i    int64
	b    bool
}

// fnode is one compiled schema.
type fnode struct {
	always   *bool // a boolean schema
	types    uint8
	enum     []scalar
	hasEnum  bool
	isConst  bool // the enum is a const (3.0 nullable adds null to an enum only)
	minLen   int64
	maxLen   int64
	pattern  *regexp.Regexp
	intFmt   int // 32 or 64 for the OpenAPI integer formats
	format   *jsonschema.Schema
	min, max *int64
	exMin    *int64
	exMax    *int64
	props    map[string]*fnode
	required []string
	addl     *fnode
	minProps int64
	maxProps int64
	items    *fnode
	minItems int64
	maxItems int64
	allOf    []*fnode
	anyOf    []*fnode
	oneOf    []*fnode
	not      *fnode
	disc     string
	// keys are the properties whose schema has an enum or const (a discriminator such as
	// brand or type), checked before anything else so a oneOf branch for another carrier is
	// rejected at once.
	keys []keyProp
}

type keyProp struct {
	name string
	sub  *fnode
}

// fastParam is a header or path parameter of type string.
type fastParam struct {
	name     string
	canon    string // name as a canonical header key
	required bool
	enum     []string
	schema   *fnode
}

// fastOp is the compiled request check of one operation.
type fastOp struct {
	method   string
	base     string   // the server base path the template starts with
	template string   // wire path template, base path included
	segs     []string // template split at "/", "{name}" for a parameter
	params   map[int][]*fastParam
	headers  []*fastParam
	hasBody  bool
	bodyType string // the one JSON media type whose schema is compiled
	body     *fnode
}

// fastPath holds the compiled operations and, for tests, why the others were left out.
type fastPath struct {
	ops []*fastOp
	// templates are the wire path templates of every path item of the document (with or
	// without operations, compiled or not), split into non-empty segments as the library's
	// router splits them: a request that two of them match is left to the router.
	templates []pathTemplate
	// bases are the servers' distinct base paths. The library strips every one that prefixes
	// the request path; a request that more than one prefixes is left to it.
	bases   []string
	skipped map[string]string // operation key -> reason
}

// pathTemplate is one wire path template and its non-empty segments.
type pathTemplate struct {
	path string
	segs []string
}

// unsupported says why a construct is not compiled; the reason is kept for tests (FastSkipped).
func unsupported(format string, args ...any) error {
	return fmt.Errorf("unsupported: "+format, args...)
}

type fastCompiler struct {
	root *yaml.Node
	// memo holds the nodes of the operation being compiled. It starts empty for each
	// operation: a failed compile leaves half-built nodes behind (a node is memoised before its
	// children, for recursion), and no other operation may pick those up.
	memo    map[*yaml.Node]*fnode
	nodes   []*fnode // every node of the operations that compiled
	oas30   bool     // an OpenAPI 3.0 document: nullable and boolean exclusive bounds
	version float32  // the document's version, as the library compiles formats for it
	opts    *config.ValidationOptions
	formats map[string]*jsonschema.Schema
}

// newFastPath compiles every operation it can. It never fails: an operation it cannot compile
// is simply validated by the library alone.
func newFastPath(c *Contract, cfg []config.Option) *fastPath {
	fp := &fastPath{skipped: map[string]string{}}
	skipAll := func(reason string) *fastPath {
		for _, op := range c.Operations {
			fp.skipped[op.Key()] = reason
		}
		return fp
	}
	oas30 := strings.HasPrefix(c.OpenAPI, "3.0.")
	if !oas30 && !strings.HasPrefix(c.OpenAPI, "3.1.") {
		return skipAll("OpenAPI " + c.OpenAPI + ": only 3.0 and 3.1 documents are compiled")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(c.Raw, &doc); err != nil || len(doc.Content) == 0 {
		return skipAll("the document could not be read as YAML")
	}
	root := doc.Content[0]
	if mapGet(root, "jsonSchemaDialect") != nil {
		return skipAll("a jsonSchemaDialect is declared")
	}
	if hasAliases(root) {
		// Anchors, aliases and merge keys are resolved by the library's YAML reader; the
		// compiler reads nodes as written, so it does not try.
		return skipAll("the document uses YAML aliases or merge keys")
	}
	for _, base := range c.BasePaths {
		if !slices.Contains(fp.bases, base) {
			fp.bases = append(fp.bases, base)
		}
		if c.model.Paths == nil || c.model.Paths.PathItems == nil {
			continue
		}
		for p := c.model.Paths.PathItems.First(); p != nil; p = p.Next() {
			fp.templates = append(fp.templates, pathTemplate{base + p.Key(), nonEmpty(strings.Split(base+p.Key(), "/"))})
		}
	}
	fc := &fastCompiler{root: root, oas30: oas30, version: helpers.VersionToFloat(c.OpenAPI),
		opts: config.NewValidationOptions(cfg...), formats: map[string]*jsonschema.Schema{}}
	bases := map[string]bool{}
	for _, op := range c.Operations {
		for _, base := range c.BasePaths {
			if bases[op.Key()+"\x00"+base] {
				continue // two servers with one base path
			}
			bases[op.Key()+"\x00"+base] = true
			fc.memo = map[*yaml.Node]*fnode{}
			fo, err := fc.operation(op, base)
			if err == nil {
				err = libCompiles(c, op, fo.hasBody, fc.opts, fc.version)
			}
			if err != nil {
				fp.skipped[op.Key()] = err.Error()
				continue
			}
			fp.ops = append(fp.ops, fo)
			for _, f := range fc.memo {
				fc.nodes = append(fc.nodes, f)
			}
		}
	}
	if fc.sameLevelCycle() {
		// A schema that applies itself to the same value (A: {allOf: [B]}, B: {allOf: [A]})
		// would recurse without end; the library detects that, so it decides.
		fp.ops = nil
		return skipAll("a schema refers to itself without descending into the value")
	}
	fc.linkKeys()
	return fp
}

// sameLevelCycle reports whether some node reaches itself through allOf, anyOf, oneOf or not
// alone, that is without moving to a property or an item of the value.
func (fc *fastCompiler) sameLevelCycle() bool {
	const (
		white = iota
		grey
		black
	)
	color := map[*fnode]int{}
	var visit func(f *fnode) bool
	visit = func(f *fnode) bool {
		switch color[f] {
		case grey:
			return true
		case black:
			return false
		}
		color[f] = grey
		next := append(append(append([]*fnode{}, f.allOf...), f.anyOf...), f.oneOf...)
		if f.not != nil {
			next = append(next, f.not)
		}
		for _, n := range next {
			if visit(n) {
				return true
			}
		}
		color[f] = black
		return false
	}
	for _, f := range fc.nodes {
		if visit(f) {
			return true
		}
	}
	return false
}

// linkKeys fills every compiled node's keys, once all nodes (recursive ones too) exist.
func (fc *fastCompiler) linkKeys() {
	for _, f := range fc.nodes {
		for name, sub := range f.props {
			if sub.hasEnum {
				f.keys = append(f.keys, keyProp{name, sub})
			}
		}
		sort.Slice(f.keys, func(i, j int) bool { return f.keys[i].name < f.keys[j].name })
	}
}

func (fc *fastCompiler) operation(op Operation, base string) (*fastOp, error) {
	item, err := fc.deref(mapGet(mapGet(fc.root, "paths"), op.SpecPath))
	if err != nil || item == nil {
		return nil, unsupported("path item %s", op.SpecPath)
	}
	opNode, err := fc.deref(mapGet(item, strings.ToLower(op.Method)))
	if err != nil || opNode == nil {
		return nil, unsupported("operation node")
	}
	if mapGet(item, "servers") != nil || mapGet(opNode, "servers") != nil {
		return nil, unsupported("servers on the path or operation")
	}
	if base != "" && !strings.HasPrefix(base, "/") {
		return nil, unsupported("relative server URL %q", base)
	}
	fo := &fastOp{method: op.Method, base: base, template: base + op.SpecPath, params: map[int][]*fastParam{}}
	fo.segs = strings.Split(strings.TrimPrefix(fo.template, "/"), "/")
	for _, seg := range fo.segs {
		if seg == "" {
			// The library's router drops empty segments (/x/ is /x); such templates are left to it.
			return nil, unsupported("empty segment in %s", fo.template)
		}
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			// The library's router reads {name:regex}; only plain names are taken.
			if name, ok = strings.CutSuffix(name, "}"); !ok || !plainName.MatchString(name) {
				return nil, unsupported("path segment %q", seg)
			}
		} else if !pathSafe(seg) {
			return nil, unsupported("path segment %q needs escaping", seg)
		}
	}
	// The library checks the path item's parameters and the operation's both, one after the
	// other (it does not let one replace the other), so every one of them is compiled.
	for _, list := range []*yaml.Node{mapGet(item, "parameters"), mapGet(opNode, "parameters")} {
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return nil, unsupported("parameters is not a list")
		}
		for _, p := range list.Content {
			p, err := fc.deref(p)
			if err != nil {
				return nil, err
			}
			if err := fc.param(fo, p); err != nil {
				return nil, err
			}
		}
	}
	for i, s := range fo.segs {
		if strings.HasPrefix(s, "{") && len(fo.params[i]) == 0 {
			return nil, unsupported("path parameter %s is not declared", s)
		}
	}
	if rb := mapGet(opNode, "requestBody"); rb != nil {
		if err := fc.requestBody(fo, rb); err != nil {
			return nil, err
		}
	}
	return fo, nil
}

// paramKeys are the parameter fields the fast path understands.
var paramKeys = map[string]bool{"name": true, "in": true, "required": true, "schema": true,
	"description": true, "deprecated": true, "example": true, "examples": true}

func (fc *fastCompiler) param(fo *fastOp, p *yaml.Node) error {
	name, in := scalarOf(mapGet(p, "name")), scalarOf(mapGet(p, "in"))
	// Anything that changes how a value is read (style, explode, content, ...) is not compiled.
	for i := 0; i+1 < len(p.Content); i += 2 {
		if k := p.Content[i].Value; !paramKeys[k] && !strings.HasPrefix(k, "x-") {
			return unsupported("parameter %s has %s", name, k)
		}
	}
	fp := &fastParam{name: name, canon: http.CanonicalHeaderKey(name)}
	if r := mapGet(p, "required"); r != nil {
		b, err := plainBool(r)
		if err != nil {
			return err
		}
		fp.required = b
	}
	if s := mapGet(p, "schema"); s != nil {
		sn, err := fc.deref(s)
		if err != nil {
			return err
		}
		// The library checks a parameter by its declared type: only plain strings are taken,
		// where the value is checked as sent.
		if t := mapGet(sn, "type"); t == nil || t.Kind != yaml.ScalarNode || t.Value != "string" {
			return unsupported("parameter %s is not of type string", name)
		}
		if e := mapGet(sn, "enum"); e != nil {
			for _, v := range e.Content {
				if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || strings.TrimSpace(v.Value) != v.Value {
					return unsupported("parameter %s has a non-string enum", name)
				}
				fp.enum = append(fp.enum, v.Value)
			}
		}
		if fp.schema, err = fc.schema(s); err != nil {
			return err
		}
	}
	switch in {
	case "header":
		fo.headers = append(fo.headers, fp)
	case "path":
		for i, s := range fo.segs {
			if s == "{"+name+"}" {
				fo.params[i] = append(fo.params[i], fp)
				return nil
			}
		}
		return unsupported("path parameter %s is not in the path", name)
	case "query", "cookie":
		if fp.required {
			return unsupported("required %s parameter %s", in, name)
		}
		// Optional ones are fine: a request with a query string or a Cookie header is
		// left to the library.
	default:
		return unsupported("parameter location %q", in)
	}
	return nil
}

func (fc *fastCompiler) requestBody(fo *fastOp, rb *yaml.Node) error {
	rb, err := fc.deref(rb)
	if err != nil {
		return err
	}
	fo.hasBody = true
	content := mapGet(rb, "content")
	if content == nil || content.Kind != yaml.MappingNode {
		return unsupported("request body without content")
	}
	for i := 0; i+1 < len(content.Content); i += 2 {
		mt := content.Content[i].Value
		if mt != "application/json" {
			continue
		}
		s := mapGet(content.Content[i+1], "schema")
		if s == nil {
			return unsupported("media type without schema")
		}
		if fo.body, err = fc.schema(s); err != nil {
			return err
		}
		fo.bodyType = mt
		return nil
	}
	return unsupported("no application/json request body")
}

// annotation keywords change nothing in validation.
var annotations = map[string]bool{
	"description": true, "title": true, "deprecated": true, "default": true, "example": true,
	"examples": true, "$comment": true, "externalDocs": true, "xml": true, "writeOnly": true,
}

func (fc *fastCompiler) schema(n *yaml.Node) (*fnode, error) {
	if f, ok := fc.memo[n]; ok {
		return f, nil
	}
	f := &fnode{minLen: -1, maxLen: -1, minProps: -1, maxProps: -1, minItems: -1, maxItems: -1}
	// Memoised before the children, so a recursive schema refers to itself.
	fc.memo[n] = f
	if n.Kind != yaml.MappingNode {
		return nil, unsupported("schema is not an object")
	}
	var nullable, exMin, exMax *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if annotations[k] || strings.HasPrefix(k, "x-") {
			continue
		}
		if fc.oas30 {
			// OpenAPI 3.0 keywords the library rewrites before compiling; applied below.
			switch {
			case k == "nullable":
				nullable = v
				continue
			case k == "exclusiveMinimum" && v.ShortTag() == "!!bool":
				exMin = v
				continue
			case k == "exclusiveMaximum" && v.ShortTag() == "!!bool":
				exMax = v
				continue
			}
		}
		if err := fc.keyword(f, k, v); err != nil {
			return nil, err
		}
	}
	if fc.oas30 {
		if err := oas30Rewrites(f, n, nullable, exMin, exMax); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// oas30Rewrites applies to a compiled 3.0 schema what the library's transformOAS30Keywords does
// to it before compiling: nullable: true adds null to type and to enum; exclusiveMinimum: true
// turns minimum into an exclusive bound (and false, or true without a bound, is dropped).
// nullable next to allOf or $ref is rewritten by the library into a oneOf of its own making,
// which is not reproduced: such a schema is left to the library.
func oas30Rewrites(f *fnode, n, nullable, exMin, exMax *yaml.Node) error {
	if nullable != nil {
		b, err := plainBool(nullable)
		if err != nil {
			return err
		}
		if b {
			if mapGet(n, "allOf") != nil || mapGet(n, "$ref") != nil {
				return unsupported("nullable next to allOf or $ref")
			}
			if f.types != 0 {
				f.types |= tNull
			}
			if f.hasEnum && !f.isConst && !slices.ContainsFunc(f.enum, func(e scalar) bool { return e.kind == tNull }) {
				f.enum = append(f.enum, scalar{kind: tNull})
			}
		}
	}
	for _, b := range []struct {
		node       *yaml.Node
		bound, out **int64
	}{{exMin, &f.min, &f.exMin}, {exMax, &f.max, &f.exMax}} {
		if b.node == nil {
			continue
		}
		on, err := plainBool(b.node)
		if err != nil {
			return err
		}
		if on && *b.bound != nil {
			*b.out, *b.bound = *b.bound, nil
		}
	}
	return nil
}

func (fc *fastCompiler) keyword(f *fnode, k string, v *yaml.Node) error {
	var err error
	switch k {
	case "$ref":
		target, err := fc.deref(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "$ref"}, v}})
		if err != nil {
			return err
		}
		sub, err := fc.schema(target)
		if err != nil {
			return err
		}
		f.allOf = append(f.allOf, sub)
	case "type":
		list := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			list = v.Content
		}
		for _, t := range list {
			bit, ok := typeBits[t.Value]
			if !ok || t.Kind != yaml.ScalarNode {
				return unsupported("type %q", t.Value)
			}
			f.types |= bit
		}
	case "enum", "const":
		list := []*yaml.Node{v}
		if k == "enum" {
			if v.Kind != yaml.SequenceNode {
				return unsupported("enum is not a list")
			}
			list = v.Content
		}
		if f.hasEnum {
			return unsupported("both enum and const")
		}
		f.hasEnum, f.isConst = true, k == "const"
		for _, e := range list {
			s, err := scalarValue(e)
			if err != nil {
				return err
			}
			f.enum = append(f.enum, s)
		}
	case "minLength":
		f.minLen, err = nonNegative(v)
	case "maxLength":
		f.maxLen, err = nonNegative(v)
	case "pattern":
		f.pattern, err = regexp.Compile(v.Value)
		if err != nil {
			return unsupported("pattern %q", v.Value)
		}
	case "format":
		return fc.format(f, v.Value)
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		i, err := integerBound(v)
		if err != nil {
			return err
		}
		switch k {
		case "minimum":
			f.min = &i
		case "maximum":
			f.max = &i
		case "exclusiveMinimum":
			f.exMin = &i
		default:
			f.exMax = &i
		}
	case "properties":
		if v.Kind != yaml.MappingNode {
			return unsupported("properties is not an object")
		}
		f.props = map[string]*fnode{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			sub, err := fc.schema(v.Content[i+1])
			if err != nil {
				return err
			}
			f.props[v.Content[i].Value] = sub
		}
	case "required":
		if v.Kind != yaml.SequenceNode {
			return unsupported("required is not a list")
		}
		for _, r := range v.Content {
			f.required = append(f.required, r.Value)
		}
	case "additionalProperties":
		// libopenapi keeps a boolean here as a boolean; elsewhere (oneOf: [false, ...]) it
		// builds a schema from it that does not mean false, so booleans are taken only here.
		if v.Kind == yaml.ScalarNode {
			b, err := plainBool(v)
			if err != nil {
				return err
			}
			f.addl = &fnode{always: &b}
			return nil
		}
		f.addl, err = fc.schema(v)
	case "minProperties":
		f.minProps, err = nonNegative(v)
	case "maxProperties":
		f.maxProps, err = nonNegative(v)
	case "items":
		f.items, err = fc.schema(v)
	case "minItems":
		f.minItems, err = nonNegative(v)
	case "maxItems":
		f.maxItems, err = nonNegative(v)
	case "allOf", "anyOf", "oneOf":
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			return unsupported("%s is not a non-empty list", k)
		}
		var subs []*fnode
		for _, s := range v.Content {
			sub, err := fc.schema(s)
			if err != nil {
				return err
			}
			subs = append(subs, sub)
		}
		switch k {
		case "allOf":
			f.allOf = append(f.allOf, subs...)
		case "anyOf":
			f.anyOf = subs
		default:
			f.oneOf = subs
		}
	case "not":
		f.not, err = fc.schema(v)
	case "discriminator":
		// The library's discriminator keyword only requires the property to be present.
		f.disc = scalarOf(mapGet(v, "propertyName"))
		if f.disc == "" {
			return unsupported("discriminator without propertyName")
		}
	default:
		return unsupported("keyword %s", k)
	}
	return err
}

func (fc *fastCompiler) format(f *fnode, name string) error {
	switch name {
	case "int32":
		f.intFmt = 32
		return nil
	case "int64":
		f.intFmt = 64
		return nil
	}
	if s, ok := fc.formats[name]; ok {
		f.format = s
		return nil
	}
	// A one-keyword schema compiled by the library's own compiler setup, so the format means
	// exactly what it means to the library (including any custom formats it was given).
	raw, _ := json.Marshal(map[string]string{"format": name})
	s, err := helpers.NewCompiledSchemaWithVersion("fastpath-format-"+name, raw, fc.opts, fc.version)
	if err != nil {
		return unsupported("format %s", name)
	}
	fc.formats[name] = s
	f.format = s
	return nil
}

// deref follows local $refs ("#/a/b") until a node without one.
func (fc *fastCompiler) deref(n *yaml.Node) (*yaml.Node, error) {
	for hops := 0; n != nil; hops++ {
		ref := mapGet(n, "$ref")
		if ref == nil {
			return n, nil
		}
		if hops > 32 {
			return nil, unsupported("$ref chain")
		}
		if n.Kind == yaml.MappingNode && len(n.Content) > 2 {
			// A reference object with siblings: for a schema those siblings are checked too;
			// the caller only uses deref for parameters and bodies, where they are summaries.
			if !onlyAnnotations(n) {
				return nil, unsupported("$ref with siblings")
			}
		}
		target, ok := strings.CutPrefix(ref.Value, "#")
		if !ok {
			return nil, unsupported("non-local $ref %q", ref.Value)
		}
		if strings.ContainsAny(target, "%~") {
			// libopenapi resolves a fragment literally, without percent-decoding or pointer
			// unescaping; rather than copy that, such references are left to it.
			return nil, unsupported("$ref %q has escapes", ref.Value)
		}
		n = fc.root
		for _, tok := range strings.Split(strings.TrimPrefix(target, "/"), "/") {
			if tok == "" {
				continue
			}
			n = mapGet(n, tok)
			if n == nil {
				return nil, unsupported("$ref %q does not resolve", ref.Value)
			}
		}
	}
	return n, nil
}

func onlyAnnotations(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k != "$ref" && k != "summary" && k != "description" {
			return false
		}
	}
	return true
}

func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalarOf(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func scalarValue(n *yaml.Node) (scalar, error) {
	if n.Kind != yaml.ScalarNode {
		return scalar{}, unsupported("non-scalar enum value")
	}
	switch n.ShortTag() {
	case "!!str":
		return scalar{kind: tString, s: n.Value}, nil
	case "!!null":
		return scalar{kind: tNull}, nil
	case "!!bool":
		b, err := plainBool(n)
		return scalar{kind: tBool, b: b}, err
	case "!!int":
		i, err := plainInt(n)
		if err != nil || i > maxExactInt || i < -maxExactInt {
			return scalar{}, unsupported("enum integer %q", n.Value)
		}
		return scalar{kind: tInteger, i: i}, nil
	}
	return scalar{}, unsupported("enum value %q", n.Value)
}

func nonNegative(n *yaml.Node) (int64, error) {
	i, err := plainInt(n)
	if err != nil || i < 0 {
		return 0, unsupported("bound %q", n.Value)
	}
	return i, nil
}

func integerBound(n *yaml.Node) (int64, error) {
	i, err := plainInt(n)
	if err != nil || i > maxExactInt || i < -maxExactInt {
		return 0, unsupported("numeric bound %q", n.Value)
	}
	return i, nil
}

// plainDecimal is an integer as YAML and JSON agree on it: no sign but "-", no leading zero
// (YAML reads 010 as octal 8), no underscores or other bases.
var plainDecimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func plainInt(n *yaml.Node) (int64, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || !plainDecimal.MatchString(n.Value) {
		return 0, unsupported("integer %q", n.Value)
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, unsupported("integer %q", n.Value)
	}
	return i, nil
}

// plainBool reads true or false written exactly so (YAML also takes True and TRUE).
func plainBool(n *yaml.Node) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || (n.Value != "true" && n.Value != "false") {
		return false, unsupported("boolean %q", n.Value)
	}
	return n.Value == "true", nil
}

// plainName is a path parameter name the library's router reads as a plain name.
var plainName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// pathSafe reports whether every byte of p stands for itself in a URL path (so the library,
// which matches escaped paths, sees p unchanged): unreserved, sub-delims, ':', '@' and '/'.
func pathSafe(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// hasAliases reports whether the tree has an alias node or a merge key.
func hasAliases(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Kind == yaml.ScalarNode && n.Tag == "!!merge" {
		return true
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "<<" && n.Content[i].Style == 0 {
				return true
			}
		}
	}
	for _, c := range n.Content {
		if hasAliases(c) {
			return true
		}
	}
	return false
}

// libCompiles checks that libopenapi-validator builds and compiles the operation's parameter
// schemas and JSON body schema: when it cannot (a schema the JSON Schema meta-schema refuses,
// say), it rejects every request that reaches it, so none may be accepted here.
func libCompiles(c *Contract, op Operation, hasBody bool, opts *config.ValidationOptions, version float32) error {
	item := c.model.Paths.PathItems.GetOrZero(op.SpecPath)
	if item == nil {
		return unsupported("no path item %s in the model", op.SpecPath)
	}
	hop := item.GetOperations().GetOrZero(strings.ToLower(op.Method))
	if hop == nil {
		return unsupported("no operation in the model")
	}
	for _, p := range slices.Concat(item.Parameters, hop.Parameters) {
		if p == nil || p.Schema == nil {
			continue
		}
		s := p.Schema.Schema()
		if s == nil {
			return unsupported("the library builds no schema for parameter %s", p.Name)
		}
		if _, err := schema_validation.CompileSchemaForValidation(s, schema_validation.SchemaValidationPurposeGeneric, opts, version); err != nil {
			return unsupported("the library does not compile parameter %s: %v", p.Name, err)
		}
	}
	if !hasBody {
		return nil
	}
	if hop.RequestBody == nil || hop.RequestBody.Content == nil {
		return unsupported("no request body in the model")
	}
	mt := hop.RequestBody.Content.GetOrZero("application/json")
	if mt == nil || mt.Schema == nil {
		return unsupported("no JSON body schema in the model")
	}
	s := mt.Schema.Schema()
	if s == nil {
		return unsupported("the library builds no body schema")
	}
	if _, err := schema_validation.CompileSchemaForValidation(s, schema_validation.SchemaValidationPurposeRequestBody, opts, version); err != nil {
		return unsupported("the library does not compile the body schema: %v", err)
	}
	return nil
}

// nonEmpty drops the empty strings, as the library's router drops empty path segments.
func nonEmpty(segs []string) []string {
	return slices.DeleteFunc(segs, func(s string) bool { return s == "" })
}

// accepts reports whether the request is certainly valid. false means "ask the library".
func (fp *fastPath) accepts(method, target string, h http.Header, body []byte) bool {
	path, query, hasQuery := strings.Cut(target, "?")
	// Queries, full URLs and any path byte that would be escaped (the library matches the
	// escaped path, and decodes "%2F" into a separator) are left to the library.
	if hasQuery && query != "" || !strings.HasPrefix(path, "/") || !pathSafe(path) {
		return false
	}
	for k := range h {
		if strings.EqualFold(k, "Cookie") {
			return false
		}
	}
	if strings.Contains(path, "//") || len(path) > 1 && strings.HasSuffix(path, "/") {
		return false // the router would drop the empty segment
	}
	// The base path: exactly one of the servers' must prefix the path, at a segment boundary.
	var base string
	n := 0
	for _, b := range fp.bases {
		if strings.HasPrefix(path, b) {
			base, n = b, n+1
		}
	}
	if n != 1 || base != "" && len(path) > len(base) && path[len(base)] != '/' {
		return false
	}
	segs := strings.Split(path[1:], "/")
	var found *fastOp
	for _, op := range fp.ops {
		if op.method != method || !op.matches(segs) {
			continue
		}
		if found != nil {
			return false
		}
		found = op
	}
	if found == nil || found.base != base {
		return false
	}
	// Only an unambiguous match is taken: when another template of the document (of any
	// method, compiled or not) also matches, the library's router decides.
	for _, t := range fp.templates {
		if t.path != found.template && templateMatches(t.segs, segs) {
			return false
		}
	}
	return found.accepts(segs, h, body)
}

// templateMatches is matches for any template, a parameter matching anything.
func templateMatches(tsegs, segs []string) bool {
	if len(tsegs) != len(segs) {
		return false
	}
	for i, s := range tsegs {
		if !strings.HasPrefix(s, "{") && s != segs[i] {
			return false
		}
	}
	return true
}

func (op *fastOp) matches(segs []string) bool {
	if len(op.segs) != len(segs) {
		return false
	}
	for i, s := range op.segs {
		if len(op.params[i]) == 0 && s != segs[i] {
			return false
		}
	}
	return true
}

func (op *fastOp) accepts(segs []string, h http.Header, body []byte) bool {
	for i, ps := range op.params {
		v, err := url.PathUnescape(segs[i])
		if err != nil || v == "" {
			return false
		}
		for _, p := range ps {
			if !p.acceptsValue(v) {
				return false
			}
		}
	}
	canonical := canonicalKeys(h)
	for _, p := range op.headers {
		v := headerValue(h, canonical, p)
		if v == "" {
			if p.required {
				return false
			}
			continue
		}
		if !p.acceptsValue(v) {
			return false
		}
	}
	if !op.hasBody {
		return len(body) == 0
	}
	if len(body) == 0 {
		return false
	}
	ct := headerValue(h, canonical, contentType)
	// The library's own parser, and an exact key, which the library looks up first.
	if mt, _, _ := helpers.ExtractContentType(ct); mt != op.bodyType {
		return false
	}
	d := getDoc()
	defer putDoc(d)
	root, ok := d.parse(body)
	return ok && op.body.eval(d, root) == triValid
}

// acceptsValue checks a parameter value against its enum (the library's own comparison, which
// trims spaces; enums with spaces are not compiled) and its schema (which the library applies to
// headers after the enum; for path parameters it stops at the enum, so this is stricter there).
func (p *fastParam) acceptsValue(v string) bool {
	if p.enum != nil && !slices.Contains(p.enum, v) {
		return false
	}
	if p.schema == nil {
		return true
	}
	n := jnode{kind: tString, str: v}
	return p.schema.eval(nil, &n) == triValid
}

// canonicalKeys reports whether every key of h is in canonical form, as a server's headers
// are; then each name has one spelling and a plain map lookup finds it.
func canonicalKeys(h http.Header) bool {
	for k := range h {
		if http.CanonicalHeaderKey(k) != k {
			return false
		}
	}
	return true
}

// contentType is the request's Content-Type header, looked up like a parameter.
var contentType = &fastParam{name: "Content-Type", canon: "Content-Type"}

// headerValue reads a header as the library will: buildRequest merges every spelling of a
// name under its canonical key (http.CanonicalHeaderKey, ASCII only), in sorted key order, and
// the library takes the first value (Header.Get).
func headerValue(h http.Header, canonical bool, p *fastParam) string {
	if canonical {
		if vs := h[p.canon]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	var key, v string
	found := false
	for k, vs := range h {
		if len(vs) > 0 && http.CanonicalHeaderKey(k) == p.canon && (!found || k < key) {
			key, v, found = k, vs[0], true
		}
	}
	return v
}

// and folds one more conjunct into r: invalid wins, then unknown.
func and(r, t tri) tri {
	if r == triInvalid || t == triInvalid {
		return triInvalid
	}
	if r == triUnknown || t == triUnknown {
		return triUnknown
	}
	return triValid
}

// exactInt returns a whole number within ±2^53 as an int64; beyond that float64 loses
// integers, and the fast path does not guess how the library would compare them.
func exactInt(f float64) (int64, bool) {
	if f != math.Trunc(f) || f > maxExactInt || f < -maxExactInt {
		return 0, false
	}
	return int64(f), true
}
