package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
)

// mockOptions are the flags of "checkoutkit mock".
type mockOptions struct {
	listen           string
	allowNonLoopback bool
	faultControl     bool
	faultControlSet  bool // --fault-control was given (either value)
	spec             string
	libraryOnly      bool
	merchantsFile    string
	strictHeaders    bool
	sessionTTL       time.Duration
	retention        time.Duration
	idemTTL          time.Duration
	idemCap          int
	maxBody          int64
	maxSessions      int
	callbackHosts    multiFlag
	auto             time.Duration
	latency          multiFlag
	faults           multiFlag
	seed             uint64
	logFormat        string
	publicURL        string
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runMock implements "checkoutkit mock": it serves the stateful mock until ctx ends, then shuts
// down gracefully (the HTTP server first, then pending callbacks).
func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o mockOptions
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve on (loopback unless --allow-non-loopback)")
	fs.BoolVar(&o.allowNonLoopback, "allow-non-loopback", false, "allow a --listen address that is not loopback; this also turns the unauthenticated /_mock/faults control off unless --fault-control is given")
	fs.BoolVar(&o.faultControl, "fault-control", true, "serve GET/PUT/DELETE /_mock/faults, which lets anyone who can reach the mock make it fail (needs no keys); default on, but off with --allow-non-loopback unless this flag is given explicitly")
	fs.StringVar(&o.spec, "spec", "", "OpenAPI document to validate against instead of the bundled Checkout v3 contract")
	fs.BoolVar(&o.libraryOnly, "library-validation", false, "validate every request with libopenapi-validator alone, without the compiled fast path (slower; the answers are the same)")
	fs.StringVar(&o.merchantsFile, "merchants", "", `JSON file with a list of merchants [{"clientId","clientSecret","subscriptionKey","merchantSerialNumber"}] (default: the reference page's example keys)`)
	fs.BoolVar(&o.strictHeaders, "strict-headers", false, "require the Vipps-System-* headers (default: accept their absence with a warning)")
	fs.DurationVar(&o.sessionTTL, "session-ttl", mock.DefaultSessionTTL, "how long a session stays unpaid before it expires")
	fs.DurationVar(&o.retention, "retention", mock.DefaultRetention, "how long an ended session stays readable before 404")
	fs.DurationVar(&o.idemTTL, "idempotency-ttl", mock.DefaultIdempotencyTTL, "how long Idempotency-Key outcomes are kept")
	fs.IntVar(&o.idemCap, "idempotency-cap", mock.DefaultIdempotencyCapacity, "most Idempotency-Key outcomes kept (oldest evicted first)")
	fs.Int64Var(&o.maxBody, "max-body", mock.DefaultMaxBody, "largest request body in bytes (larger answers 413)")
	fs.IntVar(&o.maxSessions, "max-sessions", mock.DefaultMaxSessions, "most sessions held at once; the oldest is evicted beyond it")
	fs.Var(&o.callbackHosts, "callback-allow-host", "also allow callbacks to this host name, IP or CIDR (repeatable; loopback is always allowed)")
	fs.DurationVar(&o.auto, "auto", 0, "walk every new session through initiate and approve, this far apart (e.g. 2s; 0 = off)")
	fs.Var(&o.latency, "latency", "add latency: op=DIST with op create|get|update|expire|* and DIST 20ms, uniform:10ms..50ms or exp:30ms (repeatable)")
	fs.Var(&o.faults, "fault", "inject errors: op=STATUS:RATE[:retry=DUR] with STATUS 500|502|429, RATE in [0,1] and a Retry-After for 429, e.g. create=500:0.05 or get=429:0.1:retry=2s (repeatable)")
	fs.Uint64Var(&o.seed, "seed", 0, "seed for latency and fault injection (0 = random)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&o.publicURL, "public-url", "", "base URL for pollingUrl (default: http:// + the request's Host)")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	fs.Visit(func(f *flag.Flag) { o.faultControlSet = o.faultControlSet || f.Name == "fault-control" })
	opts, err := o.build(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "checkoutkit mock: %v\n", err)
		printFlagUsage(fs, stderr)
		return exitUsage
	}
	if err := checkListen(o.listen, o.allowNonLoopback); err != nil {
		return usageError(stderr, "mock", err)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usageError(stderr, "mock", fmt.Errorf("listen: %w", err))
	}
	m := mock.New(opts.options...)
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	base := "http://" + ln.Addr().String()
	printBanner(stdout, base, opts.merchants, o)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		m.Close()
		return usageError(stderr, "mock", fmt.Errorf("serve: %w", err))
	}
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "checkoutkit mock: shutdown: %v\n", err)
	}
	if err := m.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "checkoutkit mock: pending callbacks abandoned: %v\n", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "checkoutkit mock: serve: %v\n", err)
	}
	return exitOK
}

type builtMock struct {
	options   []mock.Option
	merchants []mock.Merchant
}

// build turns the flags into mock options; every error is a usage error.
func (o mockOptions) build(stderr io.Writer) (builtMock, error) {
	var b builtMock
	c, err := contract.LoadFile(o.spec)
	if err != nil {
		return b, err
	}
	var vopts []contract.Option
	if o.libraryOnly {
		vopts = append(vopts, contract.WithoutFastPath())
	}
	v, err := contract.NewValidator(c, vopts...)
	if err != nil {
		return b, err
	}
	b.merchants = []mock.Merchant{mock.DefaultMerchant}
	if o.merchantsFile != "" {
		if b.merchants, err = readMerchants(o.merchantsFile); err != nil {
			return b, err
		}
	}
	if o.sessionTTL <= 0 || o.retention < 0 || o.idemTTL <= 0 || o.idemCap <= 0 || o.maxBody <= 0 || o.maxSessions <= 0 || o.auto < 0 {
		return b, errors.New("--session-ttl, --idempotency-ttl, --idempotency-cap, --max-body and --max-sessions must be positive; --retention and --auto not negative")
	}
	faults := mock.Faults{Latency: map[string]mock.Latency{}, Seed: o.seed}
	for _, s := range o.latency {
		op, l, err := mock.ParseLatency(s)
		if err != nil {
			return b, fmt.Errorf("--latency: %w", err)
		}
		faults.Latency[op] = l
	}
	for _, s := range o.faults {
		r, err := mock.ParseErrorRule(s)
		if err != nil {
			return b, fmt.Errorf("--fault: %w", err)
		}
		faults.Errors = append(faults.Errors, r)
	}
	var h slog.Handler
	switch o.logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, nil)
	case "json":
		h = slog.NewJSONHandler(stderr, nil)
	default:
		return b, fmt.Errorf("--log-format must be text or json, not %q", o.logFormat)
	}
	b.options = []mock.Option{
		mock.WithValidator(v), mock.WithMerchants(b.merchants...), mock.WithStrictSystemHeaders(o.strictHeaders),
		mock.WithSessionTTL(o.sessionTTL), mock.WithRetention(o.retention),
		mock.WithIdempotencyTTL(o.idemTTL), mock.WithIdempotencyCapacity(o.idemCap), mock.WithMaxBody(o.maxBody), mock.WithMaxSessions(o.maxSessions),
		mock.WithCallbackHosts(o.callbackHosts...), mock.WithFaults(faults), mock.WithLogger(slog.New(h)),
		mock.WithAutoMode(o.auto), mock.WithPublicBaseURL(o.publicURL), mock.WithFaultControl(o.faultControlOn()),
	}
	return b, nil
}

// faultControlOn decides whether /_mock/faults is served: as --fault-control says when given,
// otherwise on for a loopback-only mock and off once --allow-non-loopback exposes it, since the
// control needs no keys and would let anyone on the network make the mock fail.
func (o mockOptions) faultControlOn() bool {
	if o.faultControlSet {
		return o.faultControl
	}
	return !o.allowNonLoopback
}

func readMerchants(path string) ([]mock.Merchant, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--merchants: %w", err)
	}
	var ms []mock.Merchant
	if err := json.Unmarshal(raw, &ms); err != nil {
		return nil, fmt.Errorf("--merchants %s: %w", path, err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("--merchants %s: the list is empty", path)
	}
	for i, m := range ms {
		if m.ClientID == "" || m.ClientSecret == "" || m.SubscriptionKey == "" || m.MSN == "" {
			return nil, fmt.Errorf("--merchants %s: entry %d needs clientId, clientSecret, subscriptionKey and merchantSerialNumber", path, i)
		}
	}
	return ms, nil
}

// checkListen refuses a non-loopback listen address unless allowed: the mock has test keys
// anyone can read in the documentation.
func checkListen(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if !allow && !client.IsLoopbackHost(host) {
		return fmt.Errorf("--listen %q is not a loopback address; add --allow-non-loopback to serve the mock's public test keys beyond this machine", addr)
	}
	return nil
}

// hint shows the first 4 characters of a secret and nothing more; a short secret shows none.
func hint(s string) string {
	if len(s) < 12 {
		return "…"
	}
	return s[:4] + "…"
}

func printBanner(w io.Writer, base string, ms []mock.Merchant, o mockOptions) {
	fmt.Fprintf(w, "checkoutkit mock serving the Checkout v3 API at %s%s\n", base, "/checkout/v3")
	fmt.Fprintf(w, "  health:   %s/healthz\n", base)
	fmt.Fprintf(w, "  customer: POST %s/_mock/sessions/{reference}/{initiate|approve|reject|address}\n", base)
	if o.merchantsFile == "" {
		fmt.Fprintln(w, "  test merchant (the example keys from the Checkout API reference page):")
	} else {
		fmt.Fprintf(w, "  merchants from %s:\n", o.merchantsFile)
	}
	for _, m := range ms {
		fmt.Fprintf(w, "    client_id=%s  Merchant-Serial-Number=%s  client_secret=%s  Ocp-Apim-Subscription-Key=%s\n",
			m.ClientID, m.MSN, hint(m.ClientSecret), hint(m.SubscriptionKey))
	}
	if o.faultControlOn() {
		fmt.Fprintf(w, "  faults:   GET|PUT|DELETE %s/_mock/faults (no keys needed)\n", base)
	} else {
		fmt.Fprintln(w, "  faults:   /_mock/faults control off (--fault-control to serve it)")
	}
	if o.auto > 0 {
		fmt.Fprintf(w, "  auto mode: sessions are initiated and approved %s apart\n", o.auto)
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
