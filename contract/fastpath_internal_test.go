package contract

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/config"
	"go.yaml.in/yaml/v3"
)

// compileSchema compiles one schema given as YAML, with the library's default options.
func compileSchema(t *testing.T, src string) (*fnode, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	fc := &fastCompiler{root: doc.Content[0], memo: map[*yaml.Node]*fnode{},
		opts: config.NewValidationOptions(config.WithFormatAssertions()), formats: map[string]*jsonschema.Schema{}}
	f, err := fc.schema(doc.Content[0])
	if err == nil {
		for _, n := range fc.memo {
			fc.nodes = append(fc.nodes, n)
		}
		fc.linkKeys()
	}
	return f, err
}

func TestFastEval(t *testing.T) {
	tests := []struct {
		name, schema, value string
		want                tri
	}{
		{"integer", "{type: integer}", "3", triValid},
		{"1.0 is an integer", "{type: integer}", "1.0", triValid},
		{"1.5 is not", "{type: integer}", "1.5", triInvalid},
		{"beyond 2^53 is left open", "{type: integer}", "1e300", triUnknown},
		{"number takes a fraction", "{type: number}", "1.5", triValid},
		{"minimum", "{type: integer, minimum: 1}", "0", triInvalid},
		{"maximum", "{type: integer, maximum: 1}", "1", triValid},
		{"exclusive minimum", "{type: integer, exclusiveMinimum: 1}", "1", triInvalid},
		{"a fraction against a bound is left open", "{type: number, minimum: 1}", "1.5", triUnknown},
		{"int32", "{type: integer, format: int32}", "2147483648", triInvalid},
		{"length counts runes", "{type: string, maxLength: 2}", `"øø"`, triValid},
		{"too short", "{type: string, minLength: 3}", `"ab"`, triInvalid},
		{"pattern is a search", "{type: string, pattern: 'b'}", `"abc"`, triValid},
		{"pattern", "{type: string, pattern: '^b'}", `"abc"`, triInvalid},
		{"uri format", "{type: string, format: uri}", `"not a uri"`, triInvalid},
		{"uri format ok", "{type: string, format: uri}", `"http://127.0.0.1/x"`, triValid},
		{"null in a type list", "{type: [string, 'null']}", "null", triValid},
		{"enum with null", "{enum: [A, null]}", "null", triValid},
		{"enum miss", "{enum: [A, B]}", `"C"`, triInvalid},
		{"enum integer", "{enum: [1, 2]}", "2.0", triValid},
		{"const", "{const: PAYMENT}", `"PAYMENT"`, triValid},
		{"required", "{type: object, required: [a]}", `{}`, triInvalid},
		{"extra allowed", "{type: object, properties: {a: {type: string}}}", `{"b":1}`, triValid},
		{"extra refused", "{type: object, properties: {a: {type: string}}, additionalProperties: false}", `{"b":1}`, triInvalid},
		{"items", "{type: array, items: {type: string}, minItems: 1}", `["a", 1]`, triInvalid},
		{"minItems", "{type: array, minItems: 1}", `[]`, triInvalid},
		{"oneOf exactly one", "{oneOf: [{type: string}, {type: integer}]}", `"a"`, triValid},
		{"oneOf two match", "{oneOf: [{type: string}, {minLength: 1}]}", `"a"`, triInvalid},
		{"oneOf with an open branch", "{oneOf: [{type: string}, {type: integer}]}", "1e300", triUnknown},
		{"anyOf", "{anyOf: [{type: string}, {type: integer}]}", "true", triInvalid},
		{"allOf", "{allOf: [{type: string}, {minLength: 2}]}", `"a"`, triInvalid},
		{"not", "{not: {type: string}}", "1", triValid},
		{"discriminator needs the property", "{discriminator: {propertyName: brand}, oneOf: [{type: object}]}", `{}`, triInvalid},
		{"a key property rejects early", "{type: object, properties: {brand: {const: POSTEN}, id: {type: string}}}", `{"brand":"GLS","id":"x"}`, triInvalid},
		{"additionalProperties false", "{type: object, additionalProperties: false}", `{"a":1}`, triInvalid},
		{"invalid beats open", "{type: integer, maxLength: 1, allOf: [{type: string}]}", "1e300", triInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := compileSchema(t, tt.schema)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			d := getDoc()
			defer putDoc(d)
			v, ok := d.parse([]byte(tt.value))
			if !ok {
				t.Fatalf("parse %s", tt.value)
			}
			if got := f.eval(d, v); got != tt.want {
				t.Errorf("eval(%s) = %d, want %d", tt.value, got, tt.want)
			}
		})
	}
}

func TestFastCompileRefusesWhatItDoesNotKnow(t *testing.T) {
	for _, src := range []string{
		"{type: array, uniqueItems: true}", "{readOnly: true}", "{if: {type: string}, then: {minLength: 1}}",
		"{patternProperties: {a: {type: string}}}", "{type: number, multipleOf: 2}", "{$ref: 'other.yaml#/X'}",
		"{minimum: 1.5}", "{enum: [{a: 1}]}", "{nullable: true}", "{type: [string, date]}", "{enum: [A], const: A}",
		"{maximum: 010}", "{enum: [True]}", "{const: TRUE}", "{oneOf: [false, {type: integer}]}", "{not: false}",
		"{additionalProperties: True}", "false",
	} {
		if _, err := compileSchema(t, src); err == nil {
			t.Errorf("%s compiled; it must be left to the library", src)
		}
	}
}

// toAny turns a parsed node back into what encoding/json would have built.
func toAny(d *jdoc, n *jnode) any {
	switch n.kind {
	case tNull:
		return nil
	case tBool:
		return n.b
	case tNumber:
		return n.num
	case tString:
		return n.str
	case tObject:
		m := map[string]any{}
		for i := range n.klen {
			k := d.kid(n, i)
			m[k.key] = toAny(d, k)
		}
		return m
	default:
		a := []any{}
		for i := range n.klen {
			a = append(a, toAny(d, d.kid(n, i)))
		}
		return a
	}
}

// checkParse: whatever the arena accepts, encoding/json decodes to the same value; whatever
// encoding/json refuses, the arena refuses.
func checkParse(t *testing.T, b []byte) {
	t.Helper()
	var want any
	werr := json.Unmarshal(b, &want)
	d := getDoc()
	defer putDoc(d)
	n, ok := d.parse(b)
	if werr != nil {
		if ok {
			t.Fatalf("%q: parsed, but encoding/json refuses it: %v", b, werr)
		}
		return
	}
	if ok && !reflect.DeepEqual(toAny(d, n), want) {
		t.Fatalf("%q: parsed as %#v, encoding/json reads %#v", b, toAny(d, n), want)
	}
}

func TestArenaParse(t *testing.T) {
	for _, s := range []string{
		`null`, `true`, `false`, `0`, `-0`, `1.5e3`, `1E400`, `"a"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, "\"\xff\"",
		`"tab\tx"`, `[]`, `{}`, `[1,[2,[3]],{"a":[]}]`, ` { "a" : 1 , "b" : [ true , null ] } `, `{"a":1,"a":2}`,
		`{"a":1} x`, `[1,]`, `01`, `"\q"`, `{"é":"x","a\"b":1}`, `123456789012345678901234567890`, ``,
	} {
		checkParse(t, []byte(s))
	}
	d := getDoc()
	defer putDoc(d)
	if _, ok := d.parse([]byte(`{"a":1,"a":2}`)); ok {
		t.Error("a repeated key was parsed; encoding/json keeps only the last one")
	}
}

func FuzzArenaParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",true,null]}`, `"\u00e9"`, `[{"b":{}}]`, `1e999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkParse(t, b) })
}
