package contract

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

//go:embed checkout-v3.yaml
var bundled []byte

// BundledName is the name under which the embedded document is reported.
const BundledName = "checkout-v3.yaml (bundled)"

// ErrNoOperations is returned when a document declares no operations at all.
var ErrNoOperations = errors.New("contract: the document declares no operations")

// Contract is a parsed OpenAPI document with its operations indexed by method and wire path.
// It is immutable once loaded and safe for concurrent use.
type Contract struct {
	// Name says where the document came from (a file path or BundledName).
	Name string
	// Title and Version are the document's info.title and info.version.
	Title, Version string
	// OpenAPI is the document's openapi version string (3.0.x or 3.1.x).
	OpenAPI string
	// SHA256 is the hex digest of the raw document bytes.
	SHA256 string
	// Raw is the document as read.
	Raw []byte
	// BasePaths are the path parts of the servers' URLs ("" when a server has none).
	BasePaths []string
	// Operations lists every operation, sorted by wire path then method.
	Operations []Operation

	doc   libopenapi.Document
	model *v3.Document
}

// Operation is one method on one path of the contract.
type Operation struct {
	// Method is the upper-case HTTP method.
	Method string
	// Path is the wire path template, with the first server's base path in front
	// (e.g. /checkout/v3/session/{reference}) whatever style the document uses.
	Path string
	// SpecPath is the key of the path in the document (e.g. /session/{reference}).
	SpecPath string
	// ID is the operationId, which may be empty; never rely on it to find an operation.
	ID string
	// Summary is the operation's summary.
	Summary string
	// Statuses are the documented response codes, sorted ("200", "400", ..., "default").
	Statuses []string
	// HasBody says whether a request body is declared.
	HasBody bool
	// Callbacks names the declared callbacks.
	Callbacks []string
}

// Key is the operation's stable name in reports: "METHOD /wire/path".
func (o Operation) Key() string { return o.Method + " " + o.Path }

// Bundled returns the raw bytes of the embedded Checkout v3 document.
func Bundled() []byte { return append([]byte(nil), bundled...) }

// Default parses the embedded document.
func Default() (*Contract, error) { return Parse(BundledName, bundled) }

// LoadFile reads and parses the document at path. An empty path means the bundled document.
func LoadFile(path string) (*Contract, error) {
	if path == "" {
		return Default()
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return Parse(path, raw)
}

// Parse builds a Contract from raw YAML or JSON bytes.
func Parse(name string, raw []byte) (*Contract, error) {
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("parse spec %s: %w", name, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build spec %s: %w", name, err)
	}
	if model == nil {
		return nil, fmt.Errorf("build spec %s: not an OpenAPI 3 document", name)
	}
	sum := sha256.Sum256(raw)
	c := &Contract{
		Name:    name,
		OpenAPI: model.Model.Version,
		SHA256:  hex.EncodeToString(sum[:]),
		Raw:     raw,
		doc:     doc,
		model:   &model.Model,
	}
	if info := model.Model.Info; info != nil {
		c.Title, c.Version = info.Title, info.Version
	}
	c.BasePaths = basePaths(&model.Model)
	c.Operations = operations(&model.Model, c.BasePaths)
	if len(c.Operations) == 0 {
		return nil, fmt.Errorf("spec %s: %w", name, ErrNoOperations)
	}
	return c, nil
}

func basePaths(m *v3.Document) []string {
	var out []string
	for _, s := range m.Servers {
		raw := s.URL
		// Server variables are not resolved: only their path part matters here.
		if u, err := url.Parse(raw); err == nil {
			raw = u.Path
		}
		out = append(out, strings.TrimRight(raw, "/"))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

func operations(m *v3.Document, bases []string) []Operation {
	if m.Paths == nil || m.Paths.PathItems == nil {
		return nil
	}
	var ops []Operation
	for p := m.Paths.PathItems.First(); p != nil; p = p.Next() {
		specPath, item := p.Key(), p.Value()
		for o := item.GetOperations().First(); o != nil; o = o.Next() {
			op := o.Value()
			out := Operation{
				Method:   strings.ToUpper(o.Key()),
				Path:     bases[0] + specPath,
				SpecPath: specPath,
				ID:       op.OperationId,
				Summary:  op.Summary,
				HasBody:  op.RequestBody != nil,
			}
			if op.Responses != nil {
				if op.Responses.Codes != nil {
					for r := op.Responses.Codes.First(); r != nil; r = r.Next() {
						out.Statuses = append(out.Statuses, r.Key())
					}
				}
				if op.Responses.Default != nil {
					out.Statuses = append(out.Statuses, "default")
				}
			}
			sort.Strings(out.Statuses)
			if op.Callbacks != nil {
				for cb := op.Callbacks.First(); cb != nil; cb = cb.Next() {
					out.Callbacks = append(out.Callbacks, cb.Key())
				}
			}
			ops = append(ops, out)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// FindOperation returns the operation that serves method on the concrete request path
// (e.g. "/checkout/v3/session/abc"). Literal segments win over templated ones.
func (c *Contract) FindOperation(method, path string) (Operation, bool) {
	method = strings.ToUpper(method)
	best, bestScore := Operation{}, -1
	for _, op := range c.Operations {
		if op.Method != method {
			continue
		}
		for _, base := range c.BasePaths {
			if score, ok := matchTemplate(base+op.SpecPath, path); ok && score > bestScore {
				best, bestScore = op, score
			}
		}
	}
	return best, bestScore >= 0
}

// PathKnown reports whether any operation (of any method) serves path.
func (c *Contract) PathKnown(path string) bool {
	for _, op := range c.Operations {
		for _, base := range c.BasePaths {
			if _, ok := matchTemplate(base+op.SpecPath, path); ok {
				return true
			}
		}
	}
	return false
}

// Find returns the operation with this method and wire path template, as in Operation.Key.
func (c *Contract) Find(method, template string) (Operation, bool) {
	for _, op := range c.Operations {
		if op.Method == strings.ToUpper(method) && op.Path == template {
			return op, true
		}
	}
	return Operation{}, false
}

// matchTemplate matches a concrete path against a template such as /a/{b}/c and returns the
// number of literal segments (higher is more specific).
func matchTemplate(template, path string) (int, bool) {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	score := 0
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return 0, false
			}
			continue
		}
		if t != ps[i] {
			return 0, false
		}
		score++
	}
	return score, true
}
