package contract

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// Direction says which half of an exchange a Violation is about.
type Direction string

// The two halves of an exchange, and callbacks the mock sends.
const (
	DirRequest  Direction = "request"
	DirResponse Direction = "response"
	DirCallback Direction = "callback"
)

// Violation is one way an exchange does not conform to the contract. It is data, not an error.
type Violation struct {
	// Operation is the operation key ("POST /checkout/v3/session"), or "METHOD path" when the
	// path is not in the contract.
	Operation string `json:"operation"`
	// Direction is request, response or callback.
	Direction Direction `json:"direction"`
	// Status is the response status the violation was found in (0 for requests).
	Status int `json:"status,omitempty"`
	// Location is a JSON pointer into the exchange: /body/transaction/amount/value,
	// /header/client_id, /path/reference, /status, /path or /content-type.
	Location string `json:"location"`
	// Keyword is the failing schema keyword location (e.g. /properties/value/minimum), if any.
	Keyword string `json:"keyword,omitempty"`
	// Message says what is wrong, in one line.
	Message string `json:"message"`
	// Reason gives the validator's detail.
	Reason string `json:"reason,omitempty"`
	// SpecLine is the 1-based line of the violated contract element; 0 when unknown.
	SpecLine int `json:"specLine,omitempty"`
	// SpecCol is the 1-based column of the violated contract element; 0 when unknown.
	SpecCol int `json:"specCol,omitempty"`
	// HowToFix is the validator's advice, when it has some.
	HowToFix string `json:"howToFix,omitempty"`
	// Type is libopenapi-validator's class of the finding (e.g. "parameter", "request",
	// "response", "path"); empty when none was given.
	Type string `json:"type,omitempty"`
	// SubType refines Type (e.g. "header" under "parameter"); empty when the library gives none.
	SubType string `json:"subType,omitempty"`
}

// String renders the violation on one line, for test failures and logs.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", v.Operation, v.Direction)
	if v.Status != 0 {
		fmt.Fprintf(&b, " %d", v.Status)
	}
	fmt.Fprintf(&b, " %s: %s", v.Location, v.Message)
	if v.Reason != "" && v.Reason != v.Message {
		fmt.Fprintf(&b, " (%s)", v.Reason)
	}
	if v.SpecLine > 0 {
		fmt.Fprintf(&b, " [spec %d:%d]", v.SpecLine, v.SpecCol)
	}
	if v.HowToFix != "" {
		fmt.Fprintf(&b, " fix: %s", v.HowToFix)
	}
	return b.String()
}

// Validator checks requests and responses against one Contract. Build one per contract and
// share it: it is safe for concurrent use, and building it compiles every schema.
type Validator struct {
	c      *Contract
	lib    validator.Validator
	schema schema_validation.SchemaValidator
	opts   options
	mu     sync.Mutex // guards cbs, the callback schemas found lazily (never taken on the request path)
	cbs    map[string]*base.Schema
	fast   *fastPath // nil when turned off
}

type options struct {
	formats      bool
	statusStrict bool
	maxBody      int64
	fast         bool
	crossCheck   func(method, target string, vs []Violation)
}

// Option configures a Validator.
type Option func(*options)

// WithoutFormatAssertions stops checking formats (uri, date-time, ...). Default: formats are
// asserted, unlike libopenapi-validator's own default.
func WithoutFormatAssertions() Option { return func(o *options) { o.formats = false } }

// WithoutStatusValidation accepts undeclared response statuses. Default: an undeclared status is
// a violation at /status.
func WithoutStatusValidation() Option { return func(o *options) { o.statusStrict = false } }

// WithMaxBody caps how many body bytes are read for validation. Default: 1 MiB.
func WithMaxBody(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithoutFastPath sends every request through libopenapi-validator. Default: requests that a
// compiled check of the contract proves valid skip the library (see fastpath.go); everything
// else, and every request of an operation the check cannot compile, goes to the library, so the
// violations reported are the same either way. Turn it off to measure the library alone.
func WithoutFastPath() Option { return func(o *options) { o.fast = false } }

// WithCrossCheck also runs libopenapi-validator on the requests the fast path accepts, and calls
// report with the library's violations whenever it finds some (the fast path was wrong); those
// violations are then returned, as without the fast path. For tests: it costs what the fast
// path saves. Default: off.
func WithCrossCheck(report func(method, target string, vs []Violation)) Option {
	return func(o *options) { o.crossCheck = report }
}

// NewValidator builds the validator for c.
func NewValidator(c *Contract, opts ...Option) (*Validator, error) {
	o := options{formats: true, statusStrict: true, maxBody: 1 << 20, fast: true}
	for _, opt := range opts {
		opt(&o)
	}
	cfg := []config.Option{
		config.WithRegexCache(&sync.Map{}),
		config.WithoutSecurityValidation(),
	}
	if o.formats {
		cfg = append(cfg, config.WithFormatAssertions())
	}
	if !o.statusStrict {
		cfg = append(cfg, config.WithoutResponseStatusValidation())
	}
	lib, errs := validator.NewValidator(c.doc, cfg...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build validator for %s: %w", c.Name, joinErrs(errs))
	}
	sv := schema_validation.NewSchemaValidator(cfg...)
	v := &Validator{c: c, lib: lib, schema: sv, opts: o, cbs: map[string]*base.Schema{}}
	if o.fast {
		v.fast = newFastPath(c, cfg)
	}
	return v, nil
}

// Contract returns the contract this validator checks against.
func (v *Validator) Contract() *Contract { return v.c }

func joinErrs(errs []error) error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

// ValidateRequest validates r (path, headers, body). The body is read and restored, so r can
// still be sent or served afterwards.
func (v *Validator) ValidateRequest(r *http.Request) ([]Violation, error) {
	body, err := readAndRestore(&r.Body, v.opts.maxBody)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return v.ValidateRequestParts(r.Method, r.URL.RequestURI(), r.Header, body)
}

// ValidateRequestParts validates a request given as parts; target is the request URI (path and
// query) or a full URL.
func (v *Validator) ValidateRequestParts(method, target string, header http.Header, body []byte) ([]Violation, error) {
	if v.fast != nil && v.fast.accepts(method, target, header, body) {
		if v.opts.crossCheck == nil {
			return nil, nil
		}
		vs, err := v.libValidateRequest(method, target, header, body)
		if err == nil && len(vs) > 0 {
			v.opts.crossCheck(method, target, vs)
		}
		return vs, err
	}
	return v.libValidateRequest(method, target, header, body)
}

func (v *Validator) libValidateRequest(method, target string, header http.Header, body []byte) ([]Violation, error) {
	req, err := buildRequest(method, target, header, body)
	if err != nil {
		return nil, err
	}
	op, known := v.c.FindOperation(method, req.URL.Path)
	name := opName(op, known, method, req.URL.Path)
	if !known {
		return []Violation{v.unknownPath(name, DirRequest, 0, method, req.URL.Path)}, nil
	}
	_, errs := v.lib.ValidateHttpRequestSync(req)
	return v.convert(errs, name, DirRequest, 0), nil
}

// ValidateResponse validates resp as the answer to req. Both bodies are read and restored.
func (v *Validator) ValidateResponse(req *http.Request, resp *http.Response) ([]Violation, error) {
	body, err := readAndRestore(&resp.Body, v.opts.maxBody)
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	return v.ValidateResponseParts(req.Method, req.URL.RequestURI(), resp.StatusCode, resp.Header, body)
}

// ValidateResponseParts validates a response given as parts, answering method on target.
func (v *Validator) ValidateResponseParts(method, target string, status int, header http.Header, body []byte) ([]Violation, error) {
	req, err := buildRequest(method, target, nil, nil)
	if err != nil {
		return nil, err
	}
	op, known := v.c.FindOperation(method, req.URL.Path)
	name := opName(op, known, method, req.URL.Path)
	if !known {
		return []Violation{v.unknownPath(name, DirResponse, status, method, req.URL.Path)}, nil
	}
	if header == nil {
		header = http.Header{}
	}
	resp := &http.Response{
		StatusCode:    status,
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
	_, errs := v.lib.ValidateHttpResponse(req, resp)
	return v.convert(errs, name, DirResponse, status), nil
}

// Callback kinds that ValidateCallback understands. They are found in the contract by the
// request-body expression of the create operation's callbacks, not by name.
const (
	// CallbackPayment is the payment completed callback to merchantInfo.callbackUrl.
	CallbackPayment = "callbackUrl"
	// CallbackLogistics is the dynamic logistics callback to logistics.dynamicOptionsCallback.
	CallbackLogistics = "dynamicOptionsCallback"
)

// ValidateCallback validates the body of a callback the merchant receives. kind is
// CallbackPayment or CallbackLogistics.
func (v *Validator) ValidateCallback(kind string, body []byte) ([]Violation, error) {
	schema, name, err := v.callbackSchema(kind)
	if err != nil {
		return nil, err
	}
	_, errs := v.schema.ValidateSchemaBytes(schema, body)
	return v.convert(errs, name, DirCallback, 0), nil
}

func (v *Validator) callbackSchema(kind string) (*base.Schema, string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.cbs[kind]; ok {
		return s, "callback " + kind, nil
	}
	for p := v.c.model.Paths.PathItems.First(); p != nil; p = p.Next() {
		for o := p.Value().GetOperations().First(); o != nil; o = o.Next() {
			op := o.Value()
			if op.Callbacks == nil {
				continue
			}
			for cb := op.Callbacks.First(); cb != nil; cb = cb.Next() {
				for e := cb.Value().Expression.First(); e != nil; e = e.Next() {
					if !strings.Contains(e.Key(), kind) || e.Value().Post == nil || e.Value().Post.RequestBody == nil {
						continue
					}
					for mt := e.Value().Post.RequestBody.Content.First(); mt != nil; mt = mt.Next() {
						if mt.Value().Schema == nil {
							continue
						}
						s := mt.Value().Schema.Schema()
						v.cbs[kind] = s
						return s, "callback " + kind, nil
					}
				}
			}
		}
	}
	return nil, "", fmt.Errorf("contract %s declares no callback whose URL expression names %q", v.c.Name, kind)
}

func (v *Validator) unknownPath(name string, dir Direction, status int, method, path string) Violation {
	msg := fmt.Sprintf("%s %s is not an operation of the contract", method, path)
	if v.c.PathKnown(path) {
		msg = fmt.Sprintf("method %s is not declared for %s", method, path)
	}
	return Violation{
		Operation: name, Direction: dir, Status: status, Location: "/path",
		Message: msg, Type: helpers.PathValidation, SubType: helpers.ValidationMissing,
		HowToFix: "send requests only to the operations the contract declares, under the server base path",
	}
}

func opName(op Operation, known bool, method, path string) string {
	if known {
		return op.Key()
	}
	return method + " " + path
}

func buildRequest(method, target string, header http.Header, body []byte) (*http.Request, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("parse request target %q: %w", target, err)
	}
	if !u.IsAbs() {
		u = &url.URL{Scheme: "http", Host: "checkoutkit.invalid", Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	// Why canonicalise: a caller may hold raw keys (h["client_id"] = ..., which is how
	// client_id goes on the wire in its documented spelling), and Header.Get, which the
	// validator uses, only finds canonical keys, so the header would be reported missing.
	// Sorted, so that two spellings of one name (Content-Type and content-type) merge in a fixed
	// order and the same request always gets the same verdict.
	for _, k := range slices.Sorted(maps.Keys(header)) {
		ck := http.CanonicalHeaderKey(k)
		req.Header[ck] = append(req.Header[ck], header[k]...)
	}
	return req, nil
}

func readAndRestore(rc *io.ReadCloser, limit int64) ([]byte, error) {
	if *rc == nil || *rc == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(*rc, limit+1))
	(*rc).Close()
	*rc = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("body exceeds the validator's limit of %d bytes", limit)
	}
	return b, nil
}

// convert maps libopenapi-validator errors to Violations, one per schema failure, dropping the
// noise a oneOf produces from branches that the discriminator or a null branch rules out.
func (v *Validator) convert(errs []*liberrors.ValidationError, name string, dir Direction, status int) []Violation {
	var out []Violation
	for _, e := range errs {
		if e == nil {
			continue
		}
		base := Violation{
			Operation: name, Direction: dir, Status: status,
			Message: e.Message, Reason: e.Reason, SpecLine: e.SpecLine, SpecCol: e.SpecCol,
			HowToFix: e.HowToFix, Type: e.ValidationType, SubType: e.ValidationSubType,
		}
		base.Location = errLocation(e, dir)
		if e.ValidationType == helpers.ParameterValidation && strings.Contains(e.Message, "is missing") {
			base.Keyword = "required"
		}
		failures := relevantFailures(e.SchemaValidationErrors)
		if len(failures) == 0 {
			out = append(out, base)
			continue
		}
		for _, f := range failures {
			vi := base
			prefix := "/body"
			if e.ValidationType == helpers.ParameterValidation {
				prefix = base.Location
			}
			vi.Location = prefix + Pointer(f.InstancePath...)
			// A missing parameter keeps Keyword "required" (the shared API promises it); the
			// schema failure's keyword location would otherwise be a long spec pointer.
			if base.Keyword != "required" {
				vi.Keyword = f.KeywordLocation
			}
			vi.Message, vi.Reason = f.Reason, ""
			if f.Line > 0 {
				vi.SpecLine, vi.SpecCol = f.Line, f.Column
			}
			out = append(out, vi)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Location < out[j].Location })
	return out
}

func errLocation(e *liberrors.ValidationError, dir Direction) string {
	switch e.ValidationType {
	case helpers.ParameterValidation:
		in := e.ValidationSubType
		name := e.ParameterName
		if name == "" {
			return "/" + in
		}
		return "/" + in + "/" + PointerEscape(name)
	case helpers.PathValidation:
		return "/path"
	case helpers.ResponseBodyValidation:
		if e.ValidationSubType == helpers.ResponseBodyResponseCode {
			return "/status"
		}
		if strings.Contains(strings.ToLower(e.Message), "content") && strings.Contains(strings.ToLower(e.Message), "type") {
			return "/content-type"
		}
	case helpers.RequestBodyValidation:
		if e.ValidationSubType == helpers.RequestBodyContentType {
			return "/content-type"
		}
	}
	if dir == DirCallback {
		return "/body"
	}
	return "/body"
}

// relevantFailures removes the noise a oneOf produces. A branch whose discriminator-like const
// failed (the instance names another branch) is dropped with everything under it, unless no
// branch of that oneOf survives: then the value itself is wrong and only the const failures are
// kept. A {type: null} branch is dropped when the instance is not null. Failures that repeat the
// same place and reason (the same schema reached through two branches) are reported once.
func relevantFailures(fs []*liberrors.SchemaValidationFailure) []*liberrors.SchemaValidationFailure {
	if len(fs) <= 1 {
		return fs
	}
	constFailed := map[string]bool{}    // branch prefix -> its const failed
	branchesOf := map[string][]string{} // oneOf prefix -> branch prefixes seen
	for _, f := range fs {
		for _, b := range oneOfBranches(f.KeywordLocation) {
			parent := b[:strings.LastIndex(b, "/oneOf/")]
			if !containsStr(branchesOf[parent], b) {
				branchesOf[parent] = append(branchesOf[parent], b)
			}
		}
		if b, ok := discriminatorBranch(f.KeywordLocation); ok {
			constFailed[b] = true
		}
	}
	allWrong := map[string]bool{} // oneOf prefix -> no branch survives
	for parent, bs := range branchesOf {
		n := 0
		for _, b := range bs {
			if constFailed[b] {
				n++
			}
		}
		allWrong[parent] = n > 0 && n == len(bs)
	}
	seen := map[string]bool{}
	var kept []*liberrors.SchemaValidationFailure
	for _, f := range fs {
		if dropFailure(f, constFailed, allWrong) {
			continue
		}
		key := strings.Join(f.InstancePath, "/") + "\x00" + f.Reason
		if seen[key] {
			continue
		}
		seen[key] = true
		kept = append(kept, f)
	}
	if len(kept) == 0 {
		return fs
	}
	return kept
}

func dropFailure(f *liberrors.SchemaValidationFailure, constFailed, allWrong map[string]bool) bool {
	kl := f.KeywordLocation
	if strings.HasSuffix(kl, "/type") && strings.HasSuffix(f.Reason, "want null") {
		return true
	}
	for _, b := range oneOfBranches(kl) {
		if !constFailed[b] {
			continue
		}
		parent := b[:strings.LastIndex(b, "/oneOf/")]
		if !allWrong[parent] {
			return true
		}
		if db, ok := discriminatorBranch(kl); !ok || db != b {
			return true
		}
	}
	return false
}

// oneOfBranches returns every ".../oneOf/N" prefix of a keyword location, outermost first.
func oneOfBranches(kl string) []string {
	var out []string
	for i := 0; ; {
		j := strings.Index(kl[i:], "/oneOf/")
		if j < 0 {
			return out
		}
		start := i + j + len("/oneOf/")
		end := strings.IndexByte(kl[start:], '/')
		if end < 0 {
			return append(out, kl)
		}
		out = append(out, kl[:start+end])
		i = start + end
	}
}

var constRe = regexp.MustCompile(`^(.*/oneOf/[0-9]+)(?:/\$ref)?/properties/[^/]+/const$`)

// discriminatorBranch reports the oneOf branch whose property const failed at kl.
func discriminatorBranch(kl string) (string, bool) {
	m := constRe.FindStringSubmatch(kl)
	if m == nil {
		return "", false
	}
	return m[1], true
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Pointer joins segs into an RFC 6901 JSON pointer, escaping each segment with
// [PointerEscape]: Pointer("body", "a/b") is "/body/a~1b". With no segments it returns "",
// the pointer to the whole document.
func Pointer(segs ...string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(PointerEscape(s))
	}
	return b.String()
}

// pointerEscaper escapes "~" before "/": strings.Replacer scans once and never rescans its own
// output, so "/" becomes "~1" and not "~01".
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointerUnescaper decodes "~1" before "~0" in one pass, so "~01" becomes "~1" and not "/".
var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// PointerUnescape decodes one JSON pointer reference token (RFC 6901): the inverse of
// [PointerEscape].
func PointerUnescape(s string) string { return pointerUnescaper.Replace(s) }

// PointerEscape escapes one JSON pointer reference token as RFC 6901 requires: "~" becomes
// "~0" and "/" becomes "~1"; every other character is kept as is.
func PointerEscape(s string) string {
	return pointerEscaper.Replace(s)
}
