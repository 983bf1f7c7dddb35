package mock

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

// call is one API request on its way through the pipeline.
type call struct {
	op   string
	r    *http.Request
	msn  string
	ref  string
	body []byte
}

type handler func(c *call) result

// api wraps an operation handler with the request pipeline, in this order: injected latency and
// faults, auth, body size, idempotency, content type, JSON shape, contract validation, then the
// handler (business rules and logic). The handler's result is written once, here.
func (s *Server) api(op string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c := &call{op: op, r: r, ref: r.PathValue("reference")}
		res := s.declaredOr400(r, s.pipeline(c, h))
		s.writeResult(w, c, res)
		if sw, ok := w.(*statusWriter); ok {
			sw.logged = true
		}
		s.logRequest(r, res.status, start, c.msn, c.ref)
	}
}

func (s *Server) pipeline(c *call, h handler) result {
	r := c.r
	// Load once: a concurrent SetFaults must not give this request half of each configuration.
	if fa := s.faults.Load(); fa.active() {
		if d := fa.delay(c.op); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		if rule, ok := fa.injected(c.op); ok && s.injectable(r, rule.Status) {
			return injectedResult(rule)
		}
	}
	m, res, ok := s.authenticate(r)
	if !ok {
		return res
	}
	c.msn = m.MSN
	if r.Method != http.MethodGet {
		body, res, ok := s.readBody(r)
		if !ok {
			return s.declaredOr400(r, res)
		}
		c.body = body
	}
	key := r.Header.Get(checkout.HeaderIdempotencyKey)
	// GET ignores the key; an over-long key is left to validation (400) and never stored.
	if key == "" || r.Method == http.MethodGet || len(key) > 128 {
		return s.checked(c, h)
	}
	ik := idemKey{msn: c.msn, method: r.Method, path: r.URL.Path, key: key}
	sum := sha256.Sum256(c.body)
	stored, state, entry := s.idem.begin(ik, sum, s.o.clock.Now())
	switch state {
	case idemReplay:
		return stored
	case idemConflict:
		return problem(http.StatusConflict, checkout.ErrIdempotencyConflict,
			"The Idempotency-Key was used with a different request body.", nil)
	case idemInFlight:
		return problem(http.StatusConflict, checkout.ErrIdempotencyConflict,
			"A request with this Idempotency-Key is still in progress.", nil)
	}
	defer func() {
		// Should the operation panic, release the key (as a 5xx would) before the recover
		// middleware answers, so the key is not stuck "in flight" until it expires.
		if p := recover(); p != nil {
			s.idem.finish(entry, result{status: http.StatusInternalServerError})
			panic(p)
		}
	}()
	res = s.checked(c, h)
	s.idem.finish(entry, res)
	return res
}

func injectedResult(rule ErrorRule) result {
	switch rule.Status {
	case http.StatusTooManyRequests:
		secs := int((rule.RetryAfter + time.Second - 1) / time.Second)
		if secs <= 0 {
			secs = 1
		}
		res := problem(http.StatusTooManyRequests, checkout.ErrRateLimited, "Too many requests.", nil)
		res.retryAfter = itoa(secs)
		return res
	case http.StatusBadGateway:
		return problem(http.StatusBadGateway, checkout.ErrBadGateway, "An integration failed (injected by the mock).", nil)
	default:
		return problem(http.StatusInternalServerError, checkout.ErrInternal, "An unexpected error occurred (injected by the mock).", nil)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// authenticate finds the merchant whose keys and MSN match. Every comparison runs for every
// merchant (no early exit) so the time taken says little about which part was wrong.
func (s *Server) authenticate(r *http.Request) (Merchant, result, bool) {
	id := []byte(r.Header.Get(checkout.HeaderClientID))
	secret := []byte(r.Header.Get(checkout.HeaderClientSecret))
	sub := []byte(r.Header.Get(checkout.HeaderSubscriptionKey))
	msn := []byte(r.Header.Get(checkout.HeaderMSN))
	var found Merchant
	match, credsOK := 0, 0
	for i, m := range s.keys {
		c := subtle.ConstantTimeCompare(id, m.id) & subtle.ConstantTimeCompare(secret, m.secret) &
			boolInt(len(id) > 0 && len(secret) > 0)
		all := c & subtle.ConstantTimeCompare(sub, m.sub) & subtle.ConstantTimeCompare(msn, m.msn) &
			boolInt(len(sub) > 0 && len(msn) > 0)
		credsOK |= c
		if all == 1 && match == 0 {
			found, match = s.o.merchants[i], 1
		}
	}
	switch {
	case match == 1:
		return found, result{}, true
	case credsOK == 1:
		return Merchant{}, problem(http.StatusForbidden, checkout.ErrForbidden,
			"The subscription key is invalid or does not cover this Merchant-Serial-Number.", nil), false
	default:
		return Merchant{}, problem(http.StatusUnauthorized, checkout.ErrUnauthorized,
			"Invalid client_id or client_secret.", nil), false
	}
}

// merchantKeys are a Merchant's keys as bytes, converted once rather than per request.
type merchantKeys struct{ id, secret, sub, msn []byte }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readBody reads the whole body once, up to the limit.
func (s *Server) readBody(r *http.Request) ([]byte, result, bool) {
	if r.ContentLength > s.o.maxBody {
		return nil, tooLarge(s.o.maxBody), false
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, result{}, true
	}
	unreadable := validationProblem(map[string][]string{"Body": {"The request body could not be read."}})
	if r.ContentLength >= 0 {
		// The length is known and within the limit (checked above), and net/http stops the
		// body there: one exact allocation, where a growing buffer would copy it again.
		buf := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return nil, unreadable, false
		}
		return buf, result{}, true
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, s.o.maxBody+1))
	if int64(len(buf)) > s.o.maxBody {
		return nil, tooLarge(s.o.maxBody), false
	}
	if err != nil {
		return nil, unreadable, false
	}
	return buf, result{}, true
}

func tooLarge(limit int64) result {
	return problem(http.StatusRequestEntityTooLarge, checkout.ErrTooLarge,
		"The request body is larger than the limit of "+itoa(int(limit))+" bytes.", nil)
}

// declaredOr400 keeps a 4xx answer when the contract declares its status for the operation
// (exactly, as a 4XX range or as default) and answers 400 Validation-00001 otherwise, so every
// answer stays a documented one, also under a --spec document that declares fewer statuses than
// ours (expire declares no 413 or 415 even in ours). The fallback 400 keeps the title as its
// message, keyed "Body" for 413 and 415 (the body was refused) and by the original error code
// for the others (401 Auth-00401, 403 Auth-00403, 404 Session-00100, 409 Session-00409 or
// Idempotency-00409), so a client still learns what happened. It runs once on every API
// answer (api); 5xx and 429 faults are handled where they are injected (injectable).
func (s *Server) declaredOr400(r *http.Request, res result) result {
	if res.status < 400 || res.status >= 500 || res.status == http.StatusBadRequest {
		return res
	}
	if op, known := s.v.Contract().FindOperation(r.Method, r.URL.Path); !known || declares(op, res.status) {
		return res
	}
	var p checkout.ProblemDetails
	msg := "The request was refused."
	_ = json.Unmarshal(res.body, &p)
	if p.Title != nil {
		msg = *p.Title
	}
	key := p.ErrorCode
	if res.status == http.StatusRequestEntityTooLarge || res.status == http.StatusUnsupportedMediaType || key == "" {
		key = "Body"
	}
	return validationProblem(map[string][]string{key: {msg}})
}

// declares reports whether op documents status: exactly, by its range ("4XX") or by default.
func declares(op contract.Operation, status int) bool {
	want, class := itoa(status), itoa(status/100)+"XX"
	for _, st := range op.Statuses {
		if st == want || strings.EqualFold(st, class) || st == "default" {
			return true
		}
	}
	return false
}

// injectable reports whether the contract declares status for the request's operation. A fault
// whose status the operation does not declare (a --spec document without 429 or 502, say) is
// not injected at all: the request is served normally, since no documented answer could stand
// for a gateway failure or a rate limit.
func (s *Server) injectable(r *http.Request, status int) bool {
	op, known := s.v.Contract().FindOperation(r.Method, r.URL.Path)
	return known && declares(op, status)
}

// checked runs content-type, JSON and contract checks, then the handler.
func (s *Server) checked(c *call, h handler) result {
	r := c.r
	hasBody := len(bytes.TrimSpace(c.body)) > 0
	needsBody := c.op == OpCreate || c.op == OpUpdate
	if hasBody || needsBody {
		if hasBody && !jsonMediaType(r.Header.Get("Content-Type")) {
			return s.declaredOr400(r, problem(http.StatusUnsupportedMediaType, checkout.ErrUnsupportedMedia,
				"The request body must be JSON (application/json, text/json or application/*+json).", nil))
		}
		if !hasBody {
			return validationProblem(map[string][]string{"Body": {"A non-empty request body is required."}})
		}
		if res, ok := jsonObject(c.body); !ok {
			return res
		}
	}
	target := r.URL.RequestURI()
	vs, err := s.validate(r.Method, target, r.Header, c.body)
	if err != nil {
		return validationProblem(map[string][]string{"Path": {"The request target could not be parsed."}})
	}
	if errs := s.violationErrors(c, vs); len(errs) > 0 {
		return validationProblem(errs)
	}
	return h(c)
}

// validate checks the request against the contract, through the verdict cache for bodyless
// requests.
func (s *Server) validate(method, target string, h http.Header, body []byte) ([]contract.Violation, error) {
	if s.vcache == nil || len(body) > 0 {
		return s.v.ValidateRequestParts(method, target, h, body)
	}
	key := verdictKey(method, target, h)
	if vs, ok := s.vcache.get(key); ok {
		return vs, nil
	}
	vs, err := s.v.ValidateRequestParts(method, target, h, body)
	if err == nil {
		s.vcache.put(key, vs)
	}
	return vs, err
}

func jsonMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if mt == "application/json" || mt == "text/json" {
		return true
	}
	return strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// jsonObject checks that body is one well-formed JSON object.
func jsonObject(body []byte) (result, bool) {
	b := bytes.TrimLeft(body, " \t\r\n")
	if !utf8.Valid(body) || !jsonValid(body) {
		return validationProblem(map[string][]string{"Body": {"The request body is not valid JSON."}}), false
	}
	if len(b) == 0 || b[0] != '{' {
		return validationProblem(map[string][]string{"Body": {"The request body must be a JSON object."}}), false
	}
	return result{}, true
}

// violationErrors turns contract violations into the errors map, applying the Vipps-System-*
// header policy: a missing header is dropped (with a warning) unless strict mode is on.
func (s *Server) violationErrors(c *call, vs []contract.Violation) map[string][]string {
	if len(vs) == 0 {
		return nil
	}
	errs := map[string][]string{}
	var lenientMissing []string
	for _, v := range vs {
		if v.Direction != contract.DirRequest && v.Direction != "" {
			continue
		}
		if name, ok := strings.CutPrefix(v.Location, "/header/"); ok && isRequired(v) && strings.HasPrefix(strings.ToLower(name), "vipps-system-") && !s.o.strictHeaders {
			lenientMissing = append(lenientMissing, name)
			continue
		}
		if v.Location == "/content-type" {
			// Our own media-type check (above) already accepted the body as JSON; the contract
			// lists only application/json, while Checkout also takes text/json and +json.
			continue
		}
		for _, k := range fieldKeys(v) {
			errs[k] = appendUnique(errs[k], v.Message)
		}
	}
	if len(lenientMissing) > 0 {
		sort.Strings(lenientMissing)
		s.log.Warn("request without Vipps-System-* headers (accepted: lenient mode)",
			"method", c.r.Method, "path", c.r.URL.Path, "msn", c.msn, "missing", strings.Join(lenientMissing, ","))
	}
	return errs
}

func isRequired(v contract.Violation) bool {
	return v.Keyword == "required" || strings.HasSuffix(v.Keyword, "/required") || strings.Contains(v.Message, "is missing")
}

func appendUnique(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

var missingRe = regexp.MustCompile(`'([^']+)'`)

// fieldKeys maps a violation's location to the PascalCase dotted keys of the errors map, the
// ASP.NET model-state style Checkout uses: /body/transaction/amount/value becomes
// Transaction.Amount.Value, /body/logistics/fixedOptions/0/id becomes Logistics.FixedOptions[0].Id.
// A missing-property failure is keyed by the missing properties themselves.
func fieldKeys(v contract.Violation) []string {
	loc := v.Location
	switch {
	case strings.HasPrefix(loc, "/header/"):
		return []string{contract.PointerUnescape(strings.TrimPrefix(loc, "/header/"))}
	case strings.HasPrefix(loc, "/path/"):
		return []string{pascalPath(strings.TrimPrefix(loc, "/path"))}
	case loc == "/body" || strings.HasPrefix(loc, "/body/"):
		base := strings.TrimPrefix(loc, "/body")
		if strings.HasSuffix(v.Keyword, "/required") && strings.HasPrefix(v.Message, "missing propert") {
			var keys []string
			for _, m := range missingRe.FindAllStringSubmatch(v.Message, -1) {
				keys = append(keys, pascalPath(base+"/"+m[1]))
			}
			if len(keys) > 0 {
				return keys
			}
		}
		if base == "" {
			return []string{"Body"}
		}
		return []string{pascalPath(base)}
	case loc == "/path":
		return []string{"Path"}
	}
	return []string{"Request"}
}

func pascalPath(ptr string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = contract.PointerUnescape(seg)
		if seg == "" {
			continue
		}
		if isIndex(seg) {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		r, n := utf8.DecodeRuneInString(seg)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(seg[n:])
	}
	if b.Len() == 0 {
		return "Body"
	}
	return b.String()
}

func isIndex(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// writeResult writes a result, bending it first when a breakage mode asks for that.
func (s *Server) writeResult(w http.ResponseWriter, c *call, res result) {
	status, body := res.status, res.body
	if len(s.breaks) > 0 && status < 300 {
		status, body = s.breakResponse(c.op, status, body)
	}
	var extra map[string]string
	if res.retryAfter != "" {
		extra = map[string]string{checkout.HeaderRetryAfter: res.retryAfter}
	}
	writeJSON(w, status, extra, body)
}

func jsonValid(b []byte) bool { return json.Valid(b) }
