package suites

import (
	"errors"
	"time"

	"github.com/checkoutkit/checkoutkit/client"
	"github.com/checkoutkit/checkoutkit/contract"
	"github.com/checkoutkit/checkoutkit/mock"
	"github.com/checkoutkit/checkoutkit/reports"
)

// Defaults for Config fields left zero.
const (
	// DefaultTimeout bounds a whole run.
	DefaultTimeout = 5 * time.Minute
	// DefaultSpecTimeout bounds each spec.
	DefaultSpecTimeout = 60 * time.Second
	// DefaultMaxRetryAfter caps how long one 429 answer's Retry-After is honoured.
	DefaultMaxRetryAfter = 30 * time.Second
	// DefaultRetries429 is how many times a request answered 429 is retried.
	DefaultRetries429 = 3
)

// Output file names written into Config.Out.
const (
	FileJUnit          = "junit.xml"
	FileGinkgoJSON     = "ginkgo-report.json"
	FileComplianceJSON = "compliance.json"
	FileComplianceMD   = "compliance.md"
	FileComplianceHTML = "compliance.html"
)

// ErrAlreadyRan is returned by a second Run in one process: Ginkgo's RunSpecs runs once per
// process. Run each further suite in its own process.
var ErrAlreadyRan = errors.New("suites: the contract suite already ran in this process (Ginkgo allows RunSpecs once per process)")

// ErrNoCredentials is returned when a URL target is given without credentials.
var ErrNoCredentials = errors.New("suites: a URL target needs credentials (client id, client secret, subscription key and merchant serial number)")

// Config says what to certify and where to write the evidence.
type Config struct {
	// Target is the base URL of the endpoint (scheme://host[:port], no /checkout/v3). Default
	// "": start the embedded mock in-process on 127.0.0.1:0.
	Target string
	// Validator checks against the contract to certify. Default: the bundled contract.
	Validator *contract.Validator
	// Credentials are the merchant keys. Default for the embedded mock: mock.DefaultMerchant.
	// Required for a URL target.
	Credentials client.Credentials
	// SystemInfo fills the Vipps-System-* headers. Default: checkoutkit and Tool.Version.
	SystemInfo client.SystemInfo
	// Live marks the target as a real Checkout environment: specs labelled mock-only are
	// skipped and reported as skipped. Default false; the embedded mock is never live.
	Live bool
	// AllowProduction lets a run send traffic to the production host api.vipps.no. Default
	// false: production is refused.
	AllowProduction bool
	// AllowHosts lists further non-loopback hosts the run may contact besides the Vipps test
	// host (client.CheckTarget rules). Default none.
	AllowHosts []string
	// LabelFilter selects specs with Ginkgo's label-filter syntax. Default "": every spec (or,
	// under go test, whatever -ginkgo.label-filter says).
	LabelFilter string
	// FocusStrings and SkipStrings select specs by description (regular expressions).
	FocusStrings, SkipStrings []string
	// Out is the folder for the report files. Default "": write no files.
	Out string
	// RunPrefix starts every reference the run creates, so a live run's sessions can be found
	// and told apart. Default "ckk" plus the start time in base 36. Letters, digits and '-', at
	// most 24 characters.
	RunPrefix string
	// CallbackBaseURL is the base of merchantInfo.callbackUrl. Default: the run's own loopback
	// callback receiver (which only the embedded or a local mock can reach).
	CallbackBaseURL string
	// CallbackToken is the merchantInfo.callbackAuthorizationToken the run hands out and
	// expects back in the callbacks' Authorization header. It is a secret: never printed or
	// reported. Default: 16 random bytes, hex.
	CallbackToken string
	// MockOptions are passed to mock.New for the embedded mock (after WithValidator), e.g.
	// mock.WithBreakage to prove the suite fails. Ignored for a URL target.
	MockOptions []mock.Option
	// Tool names the program in the reports. Default {checkoutkit, devel}.
	Tool reports.Tool
	// Timeout bounds the whole run. Default DefaultTimeout.
	Timeout time.Duration
	// SpecTimeout bounds each spec. Default DefaultSpecTimeout.
	SpecTimeout time.Duration
	// MaxRetryAfter caps one Retry-After wait. Default DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// Verbose makes Ginkgo print every spec as it runs. Default: succinct dots and failures.
	Verbose bool
	// NoColor turns off Ginkgo's ANSI colours (set it when stdout is not a terminal or CI is set).
	NoColor bool
}
