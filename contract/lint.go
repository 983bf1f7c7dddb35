package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/pb33f/go-yaml"
	validator "github.com/pb33f/libopenapi-validator"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// Finding is one problem with a contract document itself.
type Finding struct {
	// Where names the element ("document", or "POST /checkout/v3/session response 200 example x").
	Where string `json:"where"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Line is the 1-based line of the element in the document; 0 when unknown.
	Line int `json:"line,omitempty"`
	// Col is the 1-based column of the element in the document; 0 when unknown.
	Col int `json:"col,omitempty"`
}

// String renders the finding on one line.
func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s (%d:%d): %s", f.Where, f.Line, f.Col, f.Message)
	}
	return fmt.Sprintf("%s: %s", f.Where, f.Message)
}

// Lint checks c against the OpenAPI meta-schema and checks that every example in a request or
// response body validates against its own schema (libopenapi-validator never uses examples, so a
// wrong one would otherwise go unnoticed).
func Lint(c *Contract) ([]Finding, error) {
	lib, errs := validator.NewValidator(c.doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build validator for %s: %w", c.Name, joinErrs(errs))
	}
	var out []Finding
	if ok, verrs := lib.ValidateDocument(); !ok {
		for _, e := range verrs {
			if len(e.SchemaValidationErrors) == 0 {
				out = append(out, Finding{Where: "document", Message: e.Message + ": " + e.Reason, Line: e.SpecLine, Col: e.SpecCol})
			}
			for _, f := range e.SchemaValidationErrors {
				out = append(out, Finding{Where: "document " + f.KeywordLocation, Message: f.Reason, Line: f.Line, Col: f.Column})
			}
		}
	}
	v, err := NewValidator(c)
	if err != nil {
		return nil, err
	}
	for _, ex := range Examples(c) {
		var vs []Violation
		var err error
		if ex.Status == 0 {
			h := http.Header{"Content-Type": {ex.MediaType}}
			vs, err = v.ValidateRequestParts(ex.Operation.Method, concretePath(ex.Operation.Path), h, ex.Body)
			vs = bodyOnly(vs)
		} else {
			h := http.Header{"Content-Type": {ex.MediaType}}
			vs, err = v.ValidateResponseParts(ex.Operation.Method, concretePath(ex.Operation.Path), ex.Status, h, ex.Body)
		}
		if err != nil {
			return nil, err
		}
		for _, vi := range vs {
			out = append(out, Finding{Where: ex.Name(), Message: vi.Location + ": " + vi.Message, Line: vi.SpecLine, Col: vi.SpecCol})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out, nil
}

// Example is one named example of a request or response body in the contract.
type Example struct {
	// Operation is the contract operation the example belongs to.
	Operation Operation
	// Status is the response status the example is declared under; 0 for a request body example.
	Status int
	// MediaType is the content type the example is declared under, e.g. "application/json".
	MediaType string
	// Key is the example's name in the examples map, or "example" for a single (unnamed) example.
	Key string
	// Body is the example value marshalled as JSON.
	Body []byte
}

// Name says where the example is.
func (e Example) Name() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s request example %q", e.Operation.Key(), e.Key)
	}
	return fmt.Sprintf("%s response %d example %q", e.Operation.Key(), e.Status, e.Key)
}

// Examples lists every JSON body example (examples map and single example) of c.
func Examples(c *Contract) []Example {
	var out []Example
	for p := c.model.Paths.PathItems.First(); p != nil; p = p.Next() {
		for o := p.Value().GetOperations().First(); o != nil; o = o.Next() {
			op, ok := c.Find(o.Key(), c.BasePaths[0]+p.Key())
			if !ok {
				continue
			}
			if rb := o.Value().RequestBody; rb != nil {
				out = append(out, mediaExamples(op, 0, rb.Content)...)
			}
			if rs := o.Value().Responses; rs != nil && rs.Codes != nil {
				for r := rs.Codes.First(); r != nil; r = r.Next() {
					st, err := strconv.Atoi(r.Key())
					if err != nil || r.Value() == nil {
						continue
					}
					out = append(out, mediaExamples(op, st, r.Value().Content)...)
				}
			}
		}
	}
	return out
}

func mediaExamples(op Operation, status int, content *orderedmap.Map[string, *v3.MediaType]) []Example {
	var out []Example
	if content == nil {
		return nil
	}
	for m := content.First(); m != nil; m = m.Next() {
		mt := m.Value()
		if mt.Example != nil {
			if b, err := nodeJSON(mt.Example); err == nil {
				out = append(out, Example{Operation: op, Status: status, MediaType: m.Key(), Key: "example", Body: b})
			}
		}
		if mt.Examples == nil {
			continue
		}
		for e := mt.Examples.First(); e != nil; e = e.Next() {
			if e.Value() == nil || e.Value().Value == nil {
				continue
			}
			if b, err := nodeJSON(e.Value().Value); err == nil {
				out = append(out, Example{Operation: op, Status: status, MediaType: m.Key(), Key: e.Key(), Body: b})
			}
		}
	}
	return out
}

// bodyOnly keeps the violations about the body: a request example carries no headers.
func bodyOnly(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if len(v.Location) >= 5 && v.Location[:5] == "/body" {
			out = append(out, v)
		}
	}
	return out
}

// concretePath fills every {param} with a plausible value.
func concretePath(template string) string {
	out := []byte{}
	in := false
	for i := 0; i < len(template); i++ {
		switch {
		case template[i] == '{':
			in = true
			out = append(out, "example-ref-1"...)
		case template[i] == '}':
			in = false
		case !in:
			out = append(out, template[i])
		}
	}
	return string(out)
}

// nodeJSON turns a YAML example node into JSON bytes.
func nodeJSON(n *yaml.Node) ([]byte, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
