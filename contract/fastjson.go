package contract

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The fast path's own JSON reading: one arena of nodes per body, instead of the maps and boxed
// values encoding/json builds (which, with their garbage, were a third of the fast path's cost).
// It must see exactly the values the library sees (encoding/json into interface{}), so it
// reads only what json.Valid has accepted, hands every string with an escape or a non-ASCII
// byte to encoding/json itself, parses numbers with strconv.ParseFloat as encoding/json does,
// and gives up on an object with a repeated key (encoding/json keeps the last one).

// jnode is one JSON value. kind is one of the type bits (tNull, tBool, tNumber, tString,
// tObject, tArray); an object's or array's children are kids[kstart : kstart+klen] of its doc.
type jnode struct {
	kind   uint8
	b      bool
	num    float64
	str    string
	key    string // the member name, for a member of an object
	kstart int32
	klen   int32
}

type jdoc struct {
	b     []byte
	pos   int
	nodes []jnode
	kids  []int32
	stack []int32
}

var docPool = sync.Pool{New: func() any { return new(jdoc) }}

func getDoc() *jdoc { return docPool.Get().(*jdoc) }

// putDoc returns d to the pool without the body and strings it refers to.
func putDoc(d *jdoc) {
	clear(d.nodes)
	d.b, d.nodes, d.kids, d.stack = nil, d.nodes[:0], d.kids[:0], d.stack[:0]
	docPool.Put(d)
}

// parse reads b, which must be one JSON value, and returns its root. ok is false when b is not
// what encoding/json would decode into interface{} without error, or has a repeated key.
func (d *jdoc) parse(b []byte) (*jnode, bool) {
	if !json.Valid(b) {
		return nil, false
	}
	// Every value starts at the top, or after '[', '{', ',' or ':', so this bounds the node
	// count; with the capacity set up front, node pointers stay valid while parsing.
	bound := 1
	for _, c := range b {
		if c == '[' || c == '{' || c == ',' || c == ':' {
			bound++
		}
	}
	if cap(d.nodes) < bound {
		d.nodes = make([]jnode, 0, bound)
	}
	d.b, d.pos = b, 0
	root, ok := d.value()
	if !ok {
		return nil, false
	}
	return &d.nodes[root], true
}

func (d *jdoc) ws() {
	for d.pos < len(d.b) {
		switch d.b[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jdoc) add(n jnode) int32 {
	d.nodes = append(d.nodes, n)
	return int32(len(d.nodes) - 1)
}

func (d *jdoc) value() (int32, bool) {
	d.ws()
	switch c := d.b[d.pos]; c {
	case '{':
		return d.container(tObject)
	case '[':
		return d.container(tArray)
	case '"':
		s, ok := d.string()
		return d.add(jnode{kind: tString, str: s}), ok
	case 't':
		d.pos += 4
		return d.add(jnode{kind: tBool, b: true}), true
	case 'f':
		d.pos += 5
		return d.add(jnode{kind: tBool}), true
	case 'n':
		d.pos += 4
		return d.add(jnode{kind: tNull}), true
	default:
		start := d.pos
		for d.pos < len(d.b) && numByte(d.b[d.pos]) {
			d.pos++
		}
		f, err := strconv.ParseFloat(string(d.b[start:d.pos]), 64)
		return d.add(jnode{kind: tNumber, num: f}), err == nil
	}
}

func numByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (d *jdoc) container(kind uint8) (int32, bool) {
	d.pos++ // '{' or '['
	idx := d.add(jnode{kind: kind})
	base := len(d.stack)
	for {
		d.ws()
		if c := d.b[d.pos]; c == '}' || c == ']' {
			d.pos++
			break
		}
		var key string
		if kind == tObject {
			d.ws()
			k, ok := d.string()
			if !ok {
				return idx, false
			}
			key = k
			d.ws()
			d.pos++ // ':'
		}
		child, ok := d.value()
		if !ok {
			return idx, false
		}
		d.nodes[child].key = key
		d.stack = append(d.stack, child)
		d.ws()
		if d.b[d.pos] == ',' {
			d.pos++
		}
	}
	members := d.stack[base:]
	if kind == tObject && repeatsKey(d, members) {
		return idx, false
	}
	n := &d.nodes[idx]
	n.kstart, n.klen = int32(len(d.kids)), int32(len(members))
	d.kids = append(d.kids, members...)
	d.stack = d.stack[:base]
	return idx, true
}

func repeatsKey(d *jdoc, members []int32) bool {
	for i := 1; i < len(members); i++ {
		for j := 0; j < i; j++ {
			if d.nodes[members[i]].key == d.nodes[members[j]].key {
				return true
			}
		}
	}
	return false
}

// string reads a JSON string at d.pos. A string with an escape or a non-ASCII byte is decoded
// by encoding/json itself, so escapes, surrogates and invalid UTF-8 come out exactly as the
// library sees them.
func (d *jdoc) string() (string, bool) {
	start := d.pos
	d.pos++ // opening quote
	plain := true
	for {
		c := d.b[d.pos]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			d.pos++ // skip the escaped byte (json.Valid checked the escape)
		} else if c >= utf8.RuneSelf {
			plain = false
		}
		d.pos++
	}
	d.pos++ // closing quote
	if plain {
		return string(d.b[start+1 : d.pos-1]), true
	}
	var s string
	err := json.Unmarshal(d.b[start:d.pos], &s)
	return s, err == nil
}

func (d *jdoc) kid(n *jnode, i int32) *jnode { return &d.nodes[d.kids[n.kstart+i]] }

// member returns the object member named name, or nil.
func (d *jdoc) member(n *jnode, name string) *jnode {
	for i := range n.klen {
		if k := d.kid(n, i); k.key == name {
			return k
		}
	}
	return nil
}

func (f *fnode) eval(d *jdoc, v *jnode) tri {
	if f.always != nil {
		if *f.always {
			return triValid
		}
		return triInvalid
	}
	if f.rejects(d, v) {
		return triInvalid
	}
	r := triValid
	if f.types != 0 {
		if r = and(r, f.typeOK(v)); r == triInvalid {
			return r
		}
	}
	if f.hasEnum {
		if r = and(r, f.enumOK(v)); r == triInvalid {
			return r
		}
	}
	switch v.kind {
	case tString:
		r = and(r, f.stringOK(v.str))
	case tNumber:
		r = and(r, f.numberOK(v.num))
	case tObject:
		r = and(r, f.objectOK(d, v))
	case tArray:
		r = and(r, f.arrayOK(d, v))
	}
	if r == triInvalid {
		return r
	}
	if f.disc != "" && (v.kind != tObject || d.member(v, f.disc) == nil) {
		return triInvalid
	}
	for _, s := range f.allOf {
		if r = and(r, s.eval(d, v)); r == triInvalid {
			return r
		}
	}
	if len(f.anyOf) > 0 {
		any := triInvalid
		for _, s := range f.anyOf {
			t := s.eval(d, v)
			if t == triValid {
				any = triValid
				break
			}
			if t == triUnknown {
				any = triUnknown
			}
		}
		if r = and(r, any); r == triInvalid {
			return r
		}
	}
	if len(f.oneOf) > 0 {
		valid, unknown := 0, 0
		for _, s := range f.oneOf {
			switch s.eval(d, v) {
			case triValid:
				valid++
			case triUnknown:
				unknown++
			}
		}
		one := triInvalid
		switch {
		case valid > 1:
		case unknown > 0:
			one = triUnknown
		case valid == 1:
			one = triValid
		}
		if r = and(r, one); r == triInvalid {
			return r
		}
	}
	if f.not != nil {
		switch f.not.eval(d, v) {
		case triValid:
			return triInvalid
		case triUnknown:
			r = and(r, triUnknown)
		}
	}
	return r
}

// rejects is a shortcut: a key property (or one of an allOf member, which is how a $ref is
// compiled) whose value is outside its enum makes v invalid whatever else holds.
func (f *fnode) rejects(d *jdoc, v *jnode) bool {
	if v.kind != tObject {
		return false
	}
	for _, k := range f.keys {
		if x := d.member(v, k.name); x != nil && k.sub.enumOK(x) == triInvalid {
			return true
		}
	}
	for _, s := range f.allOf {
		if s.rejects(d, v) {
			return true
		}
	}
	return false
}

func (f *fnode) typeOK(v *jnode) tri {
	if v.kind == tNumber {
		x := v.num
		if f.types&tNumber != 0 {
			return triValid
		}
		if f.types&tInteger == 0 || x != math.Trunc(x) {
			return triInvalid
		}
		if _, ok := exactInt(x); ok {
			return triValid // 1.0 and 1e2 are integers, as they are to the library
		}
		return triUnknown
	}
	if f.types&v.kind != 0 {
		return triValid
	}
	return triInvalid
}

func (f *fnode) enumOK(v *jnode) tri {
	r := triInvalid
	for _, e := range f.enum {
		switch v.kind {
		case tNull:
			if e.kind == tNull {
				return triValid
			}
		case tBool:
			if e.kind == tBool && e.b == v.b {
				return triValid
			}
		case tString:
			if e.kind == tString && e.s == v.str {
				return triValid
			}
		case tNumber:
			if e.kind != tInteger {
				continue
			}
			i, ok := exactInt(v.num)
			if !ok {
				r = triUnknown
			} else if i == e.i {
				return triValid
			}
		}
	}
	return r
}

func (f *fnode) stringOK(s string) tri {
	if f.minLen >= 0 || f.maxLen >= 0 {
		n := int64(utf8.RuneCountInString(s))
		if f.minLen >= 0 && n < f.minLen || f.maxLen >= 0 && n > f.maxLen {
			return triInvalid
		}
	}
	if f.pattern != nil && !f.pattern.MatchString(s) {
		return triInvalid
	}
	// Formats are checked on strings only: the built-in ones ignore other values, and
	// NewValidator registers no custom format that could do otherwise.
	if f.format != nil && f.format.Validate(s) != nil {
		return triInvalid
	}
	return triValid
}

func (f *fnode) numberOK(n float64) tri {
	if f.min == nil && f.max == nil && f.exMin == nil && f.exMax == nil && f.intFmt == 0 {
		return triValid
	}
	i, ok := exactInt(n)
	if !ok {
		return triUnknown
	}
	switch {
	case f.min != nil && i < *f.min, f.max != nil && i > *f.max,
		f.exMin != nil && i <= *f.exMin, f.exMax != nil && i >= *f.exMax,
		f.intFmt == 32 && (i < math.MinInt32 || i > math.MaxInt32):
		return triInvalid
	}
	return triValid
}

func (f *fnode) objectOK(d *jdoc, obj *jnode) tri {
	n := int64(obj.klen)
	if f.minProps >= 0 && n < f.minProps || f.maxProps >= 0 && n > f.maxProps {
		return triInvalid
	}
	for _, k := range f.required {
		if d.member(obj, k) == nil {
			return triInvalid
		}
	}
	r := triValid
	for i := range obj.klen {
		v := d.kid(obj, i)
		sub, ok := f.props[v.key]
		if !ok {
			sub = f.addl
		}
		if sub == nil {
			continue
		}
		if r = and(r, sub.eval(d, v)); r == triInvalid {
			return r
		}
	}
	return r
}

func (f *fnode) arrayOK(d *jdoc, arr *jnode) tri {
	n := int64(arr.klen)
	if f.minItems >= 0 && n < f.minItems || f.maxItems >= 0 && n > f.maxItems {
		return triInvalid
	}
	r := triValid
	if f.items != nil {
		for i := range arr.klen {
			if r = and(r, f.items.eval(d, d.kid(arr, i))); r == triInvalid {
				return r
			}
		}
	}
	return r
}
