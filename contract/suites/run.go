package suites

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/contract/negative"
	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// SuiteName is the Ginkgo suite description, and the JUnit suite name.
const SuiteName = "checkoutkit Checkout v3 contract"

var (
	runMu  sync.Mutex
	ranRun bool
	// st is the state of the one run in this process. The spec tree reads it when RunSpecs builds it; it is set
	// before RunSpecs and never replaced while specs run.
	st *runState
)

// failT is the smallest GinkgoTestingT: RunSpecs only ever calls Fail.
type failT struct{ failed bool }

func (t *failT) Fail() { t.failed = true }

// Run certifies cfg.Target (or the embedded mock) with the contract suites and returns the
// compliance report. It writes the report files into cfg.Out when set. A returned error means
// the run could not start or its reports could not be written (a setup error, exit code 2);
// failed specs and violations are findings inside the report, not errors.
//
// Run calls ginkgo.RunSpecs, which Ginkgo allows once per process: a second call returns
// ErrAlreadyRan. The context bounds setup; Config.Timeout bounds the specs.
func Run(ctx context.Context, cfg Config) (*reports.Compliance, error) {
	return run(ctx, cfg, &failT{})
}

// run is Run with the GinkgoTestingT to report to: suite_test.go passes its *testing.T.
func run(ctx context.Context, cfg Config, t ginkgo.GinkgoTestingT) (*reports.Compliance, error) {
	runMu.Lock()
	defer runMu.Unlock()
	if ranRun {
		return nil, ErrAlreadyRan
	}
	s, err := setup(ctx, cfg)
	if err != nil {
		return nil, err // RunSpecs did not run, so a corrected Run may still follow
	}
	defer s.close()
	// Everything the tree is built from is made here, before RunSpecs: an error is a setup
	// error (exit 2), not a panic inside Ginkgo's tree construction.
	if s.inputs, err = prepareInputs(s.env, s.doc); err != nil {
		return nil, fmt.Errorf("prepare the specs: %w", err) // RunSpecs did not run either
	}
	ranRun = true
	st = s

	gomega.RegisterFailHandler(ginkgo.Fail)
	sc, rc := ginkgo.GinkgoConfiguration()
	if cfg.LabelFilter != "" {
		sc.LabelFilter = cfg.LabelFilter
	}
	sc.FocusStrings = append(sc.FocusStrings, cfg.FocusStrings...)
	sc.SkipStrings = append(sc.SkipStrings, cfg.SkipStrings...)
	sc.Timeout = s.cfg.Timeout
	if cfg.Verbose {
		rc.Verbose = true
	} else if !rc.Verbose && !rc.VeryVerbose {
		rc.Succinct = true
	}
	rc.NoColor = rc.NoColor || cfg.NoColor
	s.started = time.Now()
	ginkgo.RunSpecs(t, SuiteName, sc, rc)
	s.finished = time.Now()

	s.mu.Lock()
	rep, haveReport := s.report, s.haveReport
	s.mu.Unlock()
	comp := BuildCompliance(s.complianceInput(rep, haveReport))
	if cfg.Out != "" {
		if err := writeCompliance(cfg.Out, comp); err != nil {
			return comp, err
		}
		if s.reportErr != nil {
			return comp, s.reportErr
		}
	}
	return comp, nil
}

// runState is everything the specs of one run share.
type runState struct {
	cfg      Config
	env      *Env
	rec      *contract.Recorder
	mockSrv  *mock.Server
	mockHTTP *http.Server
	recv     *receiver
	tr       *http.Transport
	doc      *negative.Document
	inputs   *specInputs // bodies and cases of the tree, made before RunSpecs
	kind     string
	started  time.Time
	finished time.Time

	mu         sync.Mutex
	current    string // full text of the spec running now (specs run one at a time)
	invalid    bool   // the request in flight is invalid on purpose
	tagged     []RecordedExchange
	refused    []SpecViolation
	callbacks  []SpecViolation
	casesRun   map[string]bool // negative constraint IDs whose case was sent
	seq        int
	report     types.Report
	haveReport bool
	reportErr  error
}

func setup(ctx context.Context, cfg Config) (*runState, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.SpecTimeout <= 0 {
		cfg.SpecTimeout = DefaultSpecTimeout
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.Tool.Name == "" {
		cfg.Tool = reports.Tool{Name: "checkoutkit", Version: nonEmpty(cfg.Tool.Version, "devel")}
	}
	if cfg.SystemInfo == (client.SystemInfo{}) {
		cfg.SystemInfo = client.SystemInfo{Name: "checkoutkit", Version: cfg.Tool.Version, PluginName: "checkoutkit-contract", PluginVersion: cfg.Tool.Version}
	}
	if cfg.RunPrefix == "" {
		cfg.RunPrefix = "ckk" + strconv.FormatInt(time.Now().Unix(), 36)
	}
	if err := checkPrefix(cfg.RunPrefix); err != nil {
		return nil, err
	}
	if cfg.Validator == nil {
		c, err := contract.Default()
		if err != nil {
			return nil, fmt.Errorf("load the bundled contract: %w", err)
		}
		if cfg.Validator, err = contract.NewValidator(c); err != nil {
			return nil, err
		}
	}
	doc, err := negative.Load(cfg.Validator.Contract())
	if err != nil {
		return nil, err
	}
	s := &runState{cfg: cfg, doc: doc, casesRun: map[string]bool{}}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()

	base := strings.TrimRight(cfg.Target, "/")
	control := false
	if base == "" {
		s.kind = reports.TargetEmbeddedMock
		s.cfg.Live = false
		s.mockSrv = mock.New(append([]mock.Option{mock.WithValidator(cfg.Validator)}, cfg.MockOptions...)...)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("start the embedded mock: %w", err)
		}
		s.mockHTTP = &http.Server{Handler: s.mockSrv, ReadHeaderTimeout: 10 * time.Second}
		go s.mockHTTP.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed on close
		base = "http://" + ln.Addr().String()
		if cfg.Credentials == (client.Credentials{}) {
			m := mock.DefaultMerchant
			s.cfg.Credentials = client.Credentials{ClientID: m.ClientID, ClientSecret: m.ClientSecret, SubscriptionKey: m.SubscriptionKey, MerchantSerialNumber: m.MSN}
		}
		control = true
	} else {
		s.kind = reports.TargetURL
		u, err := url.Parse(base)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("target %q: want an http or https base URL", cfg.Target)
		}
		// Production is a separate switch of the policy: listing its host would not allow it.
		policy := client.TargetPolicy{
			AllowHosts:      append([]string{"apitest.vipps.no"}, cfg.AllowHosts...),
			AllowProduction: cfg.AllowProduction,
		}
		if err := policy.Check(base); err != nil {
			return nil, err
		}
		c := cfg.Credentials
		if c.ClientID == "" || c.ClientSecret == "" || c.SubscriptionKey == "" || c.MerchantSerialNumber == "" {
			return nil, ErrNoCredentials
		}
		control = !cfg.Live
	}

	s.recv, err = startReceiver()
	if err != nil {
		return nil, err
	}
	cbBase := strings.TrimRight(cfg.CallbackBaseURL, "/")
	if cbBase == "" {
		cbBase = s.recv.url
	}

	s.tr = http.DefaultTransport.(*http.Transport).Clone()
	s.rec = contract.NewRecorder(cfg.Validator, s.tr, contract.WithObserver(s.observe), contract.WithMaxExchanges(0))
	chain := &retry429{next: &gate{s: s, next: s.rec}, max: DefaultRetries429, cap: s.cfg.MaxRetryAfter}
	httpc := &http.Client{Transport: chain, Timeout: s.cfg.SpecTimeout}
	newClient := func(creds client.Credentials) *client.Client {
		return client.New(base, creds, client.WithHTTPClient(httpc), client.WithSystemInfo(s.cfg.SystemInfo), client.WithUserAgent("checkoutkit-contract/"+cfg.Tool.Version))
	}
	token := cfg.CallbackToken
	if token == "" {
		if token, err = randomToken(); err != nil {
			return nil, err
		}
	}
	s.env = &Env{
		Contract:     cfg.Validator.Contract(),
		Validator:    cfg.Validator,
		Recorder:     s.rec,
		Client:       newClient(s.cfg.Credentials),
		NewClient:    newClient,
		Credentials:  s.cfg.Credentials,
		BaseURL:      base,
		Live:         s.cfg.Live,
		RunPrefix:    cfg.RunPrefix,
		CallbackBase: cbBase,
		Token:        token,
		state:        s,
	}
	if control {
		s.env.Control = &Control{base: base, msn: s.cfg.Credentials.MerchantSerialNumber, hc: &http.Client{Transport: s.tr, Timeout: 10 * time.Second}}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

func (s *runState) close() {
	if s.mockHTTP != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.mockHTTP.Shutdown(ctx)
		cancel()
	}
	if s.mockSrv != nil {
		s.mockSrv.Close()
	}
	if s.recv != nil {
		s.recv.close()
	}
	if s.tr != nil {
		s.tr.CloseIdleConnections()
	}
}

// observe is the Recorder's observer: it tags each exchange with the spec that made it. Why a
// shared field and not the request: specs run one at a time and each makes its requests in
// sequence, so the request in flight is always the one the gate last marked.
func (s *runState) observe(ex contract.Exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tagged = append(s.tagged, RecordedExchange{Exchange: ex, Spec: s.current, Invalid: s.invalid})
}

func (s *runState) setCurrent(name string) {
	s.mu.Lock()
	s.current = name
	s.mu.Unlock()
}

func (s *runState) lastExchange() (RecordedExchange, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tagged) == 0 {
		return RecordedExchange{}, false
	}
	return s.tagged[len(s.tagged)-1], true
}

func (s *runState) markCase(id string) {
	s.mu.Lock()
	s.casesRun[id] = true
	s.mu.Unlock()
}

func (s *runState) addCallbackViolations(vs []contract.Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vs {
		s.callbacks = append(s.callbacks, SpecViolation{v, s.current})
	}
}

// saveReport keeps the Ginkgo report and writes the JUnit and Ginkgo JSON files.
func (s *runState) saveReport(r types.Report) {
	s.mu.Lock()
	s.report, s.haveReport = r, true
	s.mu.Unlock()
	if s.cfg.Out == "" {
		return
	}
	var errs []error
	if err := os.MkdirAll(s.cfg.Out, 0o755); err != nil {
		errs = append(errs, err)
	}
	if err := reporters.GenerateJUnitReport(r, filepath.Join(s.cfg.Out, FileJUnit)); err != nil {
		errs = append(errs, fmt.Errorf("write %s: %w", FileJUnit, err))
	}
	if err := reporters.GenerateJSONReport(r, filepath.Join(s.cfg.Out, FileGinkgoJSON)); err != nil {
		errs = append(errs, fmt.Errorf("write %s: %w", FileGinkgoJSON, err))
	}
	s.mu.Lock()
	s.reportErr = errors.Join(errs...)
	s.mu.Unlock()
}

func checkPrefix(p string) error {
	if len(p) > 24 {
		return fmt.Errorf("run prefix %q: at most 24 characters", p)
	}
	for _, r := range p {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("run prefix %q: only letters, digits and '-'", p)
		}
	}
	return nil
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a callback token: %w", err)
	}
	return "ckk-cb-" + hex.EncodeToString(b), nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func writeCompliance(dir string, c *reports.Compliance) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	writers := []struct {
		name string
		fn   func(f *os.File) error
	}{
		{FileComplianceJSON, func(f *os.File) error { return reports.WriteComplianceJSON(f, c) }},
		{FileComplianceMD, func(f *os.File) error { return reports.WriteComplianceMarkdown(f, c) }},
		{FileComplianceHTML, func(f *os.File) error { return reports.WriteComplianceHTML(f, c) }},
	}
	for _, w := range writers {
		f, err := os.Create(filepath.Join(dir, w.name))
		if err != nil {
			return fmt.Errorf("write %s: %w", w.name, err)
		}
		werr := w.fn(f)
		cerr := f.Close()
		if err := errors.Join(werr, cerr); err != nil {
			return fmt.Errorf("write %s: %w", w.name, err)
		}
	}
	return nil
}
