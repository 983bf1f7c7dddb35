package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
	"github.com/checkoutkit/checkoutkit/contract"
)

// Server is the stateful Checkout v3 mock. It is an http.Handler; serve it with
// httptest.NewServer(mock.New()) or any http.Server, and Close it when done so pending callbacks
// and auto-mode timers finish.
type Server struct {
	o      options
	v      *contract.Validator
	mux    *http.ServeMux
	log    *slog.Logger
	store  *store
	idem   *idemStore
	faults atomic.Pointer[faulter] // swapped whole by SetFaults and PUT /_mock/faults
	hosts  *hostPolicy
	client *http.Client
	breaks map[Breakage]bool
	keys   []merchantKeys
	vcache *verdictCache

	panics atomic.Int64

	// bg tracks callback deliveries and auto-mode walks. closeMu guards closed, so no goroutine
	// is added to bg after Close started waiting (WaitGroup.Add racing Wait is a misuse).
	bg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	// autoCtx ends auto-mode walks. Shutdown cancels it before waiting, so Close does not sit
	// out the walks' timers; payment callbacks already queued still finish on ctx.
	autoCtx    context.Context
	autoCancel context.CancelFunc
}

// New builds a mock. It panics only if the bundled contract cannot be loaded, which the
// contract package's own tests rule out.
func New(opts ...Option) *Server {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.validator == nil {
		c, err := contract.Default()
		if err != nil {
			panic(fmt.Sprintf("mock: bundled contract: %v", err))
		}
		v, err := contract.NewValidator(c)
		if err != nil {
			panic(fmt.Sprintf("mock: bundled contract validator: %v", err))
		}
		o.validator = v
	}
	if len(o.merchants) == 0 {
		o.merchants = []Merchant{DefaultMerchant}
	}
	if o.clock == nil {
		o.clock = SystemClock{}
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.maxBody <= 0 {
		o.maxBody = DefaultMaxBody
	}
	if o.callbackRetries < 0 {
		o.callbackRetries = 0
	}
	s := &Server{
		o:      o,
		v:      o.validator,
		log:    o.logger,
		store:  newStore(o.maxSessions),
		idem:   newIdemStore(o.idemTTL, o.idemCap),
		hosts:  newHostPolicy(o.callbackHosts),
		breaks: map[Breakage]bool{},
		vcache: newVerdictCache(o.verdictCache),
	}
	for _, m := range o.merchants {
		s.keys = append(s.keys, merchantKeys{[]byte(m.ClientID), []byte(m.ClientSecret), []byte(m.SubscriptionKey), []byte(m.MSN)})
	}
	for _, b := range o.breakage {
		s.breaks[b] = true
	}
	s.client = o.callbackClient
	if s.client == nil {
		s.client = s.hosts.client(DefaultCallbackTimeout)
	}
	s.faults.Store(newFaulter(o.faults))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.autoCtx, s.autoCancel = context.WithCancel(context.Background())
	s.routes()
	return s
}

// Validator returns the validator the mock checks requests with.
func (s *Server) Validator() *contract.Validator { return s.v }

// Panics reports how many handler panics the recover middleware caught. It is always 0 unless
// the mock has a bug; the fuzz tests assert that.
func (s *Server) Panics() int64 { return s.panics.Load() }

// Close stops auto mode at once (a session in the middle of its walk stays where it is) and
// waits for every pending payment callback delivery, retries included.
func (s *Server) Close() { _ = s.Shutdown(context.Background()) }

// Shutdown is Close with a deadline: auto-mode walks end at once; when ctx ends, pending
// callback retries are abandoned and in-flight callbacks are cancelled; it then waits for the
// goroutines to return and reports ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeMu.Lock()
	s.closed = true
	s.closeMu.Unlock()
	// End the walks before waiting: they only wait on timers, and a walk's approve after this
	// point could not queue its callback anyway (goBackground refuses once closed).
	s.autoCancel()
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel()
		<-done
		return ctx.Err()
	}
}

// goBackground runs f on a tracked goroutine unless the server is closing.
func (s *Server) goBackground(f func()) bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return false
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		f()
	}()
	return true
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST "+checkout.BasePath+"/session", s.api(OpCreate, s.create))
	m.HandleFunc("GET "+checkout.BasePath+"/session/{reference}", s.api(OpGet, s.get))
	m.HandleFunc("PATCH "+checkout.BasePath+"/session/{reference}", s.api(OpUpdate, s.update))
	m.HandleFunc("POST "+checkout.BasePath+"/session/{reference}/expire", s.api(OpExpire, s.expire))
	m.HandleFunc("POST /_mock/sessions/{reference}/{action}", s.control)
	if s.o.faultControl {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			m.HandleFunc(method+" "+FaultControlPath, s.faultControl)
		}
	}
	m.HandleFunc("GET /_mock/frontend/", s.frontend)
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("/", s.notFound)
	s.mux = m
}

// ServeHTTP serves the mock.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &statusWriter{ResponseWriter: w}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			// Last resort only: a panic is a mock bug. Answer a contract-valid 500 rather than
			// drop the connection, and count it so tests can prove no input gets here.
			s.panics.Add(1)
			s.log.Error("mock: handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rw.wrote {
				writeJSON(rw, http.StatusInternalServerError, nil, problemBody(http.StatusInternalServerError, checkout.ErrInternal, "An unexpected error occurred.", nil))
			}
		}
	}()
	// ServeMux would redirect a path that is not clean (//x, /a/../b) with a 301 the contract
	// does not declare; answer 404 instead.
	if p := r.URL.Path; p == "" || (p != "/" && path.Clean(p) != p) {
		s.writeProblem(rw, http.StatusNotFound, checkout.ErrNotFound, "Not found.", nil)
		s.logRequest(r, rw.status, start, "", "")
		return
	}
	s.mux.ServeHTTP(rw, r)
	if !rw.logged {
		s.logRequest(r, rw.status, start, "", "")
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	logged bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) logRequest(r *http.Request, status int, start time.Time, msn, ref string) {
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelError
	}
	if !s.log.Enabled(r.Context(), lvl) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	}
	if msn != "" {
		attrs = append(attrs, slog.String("msn", msn))
	}
	if ref != "" {
		attrs = append(attrs, slog.String("reference", ref))
	}
	s.log.LogAttrs(r.Context(), lvl, "request", attrs...)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nil, []byte(`{"status":"ok"}`))
}

func (s *Server) frontend(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("checkoutkit mock: there is no Checkout frontend here.\n" +
		"Drive a session with POST /_mock/sessions/{reference}/{initiate|approve|reject|address}.\n"))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, checkout.BasePath+"/") && s.v.Contract().PathKnown(r.URL.Path) {
		w.Header().Set("Allow", s.allowed(r.URL.Path))
		s.writeProblem(w, http.StatusMethodNotAllowed, checkout.ErrMethodNotAllowed, "Method not allowed.", nil)
		return
	}
	s.writeProblem(w, http.StatusNotFound, checkout.ErrNotFound, "Not found.", nil)
}

func (s *Server) allowed(p string) string {
	var ms []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch} {
		if _, ok := s.v.Contract().FindOperation(m, p); ok {
			ms = append(ms, m)
		}
	}
	return strings.Join(ms, ", ")
}

// result is a finished answer, kept as bytes so idempotency can store and replay it.
type result struct {
	status     int
	body       []byte
	retryAfter string
}

func problemBody(status int, code, title string, errs map[string][]string) []byte {
	if errs == nil {
		errs = map[string][]string{}
	}
	p := checkout.ProblemDetails{Title: &title, Status: &status, ErrorCode: code, Errors: errs}
	if status == http.StatusBadRequest {
		t := "https://developer.vippsmobilepay.com/docs/knowledge-base/errors"
		p.Type = &t
	}
	b, err := json.Marshal(p)
	if err != nil { // cannot happen: plain strings and a map of string slices
		return []byte(`{"errorCode":"` + code + `","errors":{}}`)
	}
	return b
}

func problem(status int, code, title string, errs map[string][]string) result {
	return result{status: status, body: problemBody(status, code, title, errs)}
}

func validationProblem(errs map[string][]string) result {
	return problem(http.StatusBadRequest, checkout.ErrValidation, "One or more validation errors occurred.", errs)
}

func notFoundSession() result {
	return problem(http.StatusNotFound, checkout.ErrSessionNotFound, "Session expired or not known.", nil)
}

func (s *Server) writeProblem(w http.ResponseWriter, status int, code, title string, errs map[string][]string) {
	writeJSON(w, status, nil, problemBody(status, code, title, errs))
}

func writeJSON(w http.ResponseWriter, status int, extra map[string]string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	for k, v := range extra {
		h.Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// baseURL is the public base of pollingUrl and checkoutFrontendUrl. Go's server accepts Host
// headers such as "%zz" or "[::1" that would make those fields invalid URIs, so a Host that is
// not a sane host[:port] is replaced by the listener's address, else "localhost".
func (s *Server) baseURL(r *http.Request) string {
	if s.o.publicBaseURL != "" {
		return strings.TrimRight(s.o.publicBaseURL, "/")
	}
	if saneHost(r.Host) {
		return "http://" + r.Host
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && a != nil && saneHost(a.String()) {
		return "http://" + a.String()
	}
	return "http://localhost"
}

// saneHost reports whether h is a plain host[:port] (a name, an IPv4 address or a bracketed
// IPv6 address) that parses back unchanged as the host of an http URL.
func saneHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-_:[]", c)
		if !ok {
			return false
		}
	}
	u, err := url.Parse("http://" + h)
	if err != nil || u.Host != h || u.Hostname() == "" || u.Path != "" || u.User != nil {
		return false
	}
	if strings.Contains(h, "[") {
		ip := net.ParseIP(u.Hostname())
		return ip != nil && strings.HasPrefix(h, "[") && ip.To4() == nil
	}
	// Unbracketed, at most one colon (the port): "::1:80" is not a host[:port].
	return strings.Count(h, ":") <= 1
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("mock: marshal %T: %v", v, err)) // our own types always marshal
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
