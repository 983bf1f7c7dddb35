package load

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// Operation names used in scenarios, reports and SLOs.
const (
	OpCreate = "create"
	OpGet    = "get"
	OpExpire = "expire"
	// OpReplay is an idempotency replay of a create (same key, same body).
	OpReplay = "replay"
)

//go:embed scenarios/*.json
var scenarioFS embed.FS

// Scenario is what a run does, read from JSON (see load/scenarios/*.json):
//
//	{"name": "lifecycle", "description": "...", "flow": ["create", "get", "expire"],
//	 "body": { ...an InitiateSessionRequest; its "reference" is replaced per session... }}
//
// Exactly one of Flow and Mix is set.
type Scenario struct {
	// Name identifies the scenario in reports.
	Name string `json:"name"`
	// Description says what it models, for --help and reports.
	Description string `json:"description,omitempty"`
	// Flow chains operations on one session, in order: "create", then optionally "get", then
	// optionally "expire". A flow without "create" ("get" or "expire" alone) works on Seed
	// sessions created before the measured run.
	Flow []string `json:"flow,omitempty"`
	// Mix picks each request's operation at random by weight (e.g. {"create": 1, "get": 4,
	// "expire": 1}); get and expire use sessions the run created.
	Mix map[string]float64 `json:"mix,omitempty"`
	// Body is the create request body; its top-level "reference" is set per session.
	Body json.RawMessage `json:"body"`
	// Seed is how many sessions a flow without "create" prepares first. Default 200 for get;
	// for expire, the number of requests the run will send (each session expires once).
	Seed int `json:"seed,omitempty"`
}

// Scenarios lists the embedded scenario names.
func Scenarios() []string {
	entries, _ := fs.ReadDir(scenarioFS, "scenarios")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// LoadScenario returns the embedded scenario name (e.g. "lifecycle").
func LoadScenario(name string) (Scenario, error) {
	raw, err := scenarioFS.ReadFile(path.Join("scenarios", name+".json"))
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario %q: not embedded (have %s)", name, strings.Join(Scenarios(), ", "))
	}
	return ParseScenario(raw)
}

// LoadScenarioFile reads a user's scenario file.
func LoadScenarioFile(file string) (Scenario, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return Scenario{}, fmt.Errorf("read scenario: %w", err)
	}
	s, err := ParseScenario(raw)
	if err != nil {
		return s, fmt.Errorf("scenario %s: %w", file, err)
	}
	return s, nil
}

// ParseScenario decodes and checks a scenario.
func ParseScenario(raw []byte) (Scenario, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("decode scenario: %w", err)
	}
	return s, s.Validate()
}

// Validate checks the scenario's shape.
func (s Scenario) Validate() error {
	if s.Name == "" {
		return fmt.Errorf("scenario has no name")
	}
	if (len(s.Flow) == 0) == (len(s.Mix) == 0) {
		return fmt.Errorf("scenario %q: set exactly one of flow and mix", s.Name)
	}
	if len(s.Flow) > 0 {
		order := map[string]int{OpCreate: 0, OpGet: 1, OpExpire: 2}
		last := -1
		for _, op := range s.Flow {
			i, ok := order[op]
			if !ok {
				return fmt.Errorf("scenario %q: unknown operation %q in flow (want create, get, expire)", s.Name, op)
			}
			if i <= last {
				return fmt.Errorf("scenario %q: flow must follow create, get, expire order without repeats", s.Name)
			}
			last = i
		}
	}
	var total float64
	for op, w := range s.Mix {
		if op != OpCreate && op != OpGet && op != OpExpire {
			return fmt.Errorf("scenario %q: unknown operation %q in mix", s.Name, op)
		}
		if bad(w) {
			return fmt.Errorf("scenario %q: weight of %q is not a finite non-negative number", s.Name, op)
		}
		total += w
	}
	if len(s.Mix) > 0 && (total == 0 || s.Mix[OpCreate] == 0) {
		return fmt.Errorf("scenario %q: a mix needs a create weight above 0 (get and expire use created sessions)", s.Name)
	}
	if s.Seed < 0 {
		return fmt.Errorf("scenario %q: negative seed", s.Name)
	}
	var body map[string]any
	if err := json.Unmarshal(s.Body, &body); err != nil {
		return fmt.Errorf("scenario %q: body must be a JSON object: %w", s.Name, err)
	}
	if body == nil {
		// "body": null (or no body) decodes without error into a nil map.
		return fmt.Errorf("scenario %q: body must be a JSON object, not null", s.Name)
	}
	return nil
}

// ops lists the operations the scenario measures, in report order.
func (s Scenario) ops() []string {
	if len(s.Flow) > 0 {
		return append([]string(nil), s.Flow...)
	}
	var out []string
	for _, op := range []string{OpCreate, OpGet, OpExpire} {
		if s.Mix[op] > 0 {
			out = append(out, op)
		}
	}
	return out
}

func (s Scenario) has(op string) bool {
	for _, o := range s.ops() {
		if o == op {
			return true
		}
	}
	return false
}

// bodyTemplate splits the create body around its reference so a body per session costs one
// append, not a JSON encode.
type bodyTemplate struct{ prefix, suffix []byte }

const refPlaceholder = "CHECKOUTKIT-REFERENCE-PLACEHOLDER"

func newBodyTemplate(raw json.RawMessage) (bodyTemplate, error) {
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return bodyTemplate{}, fmt.Errorf("scenario body: %w", err)
	}
	if body == nil {
		return bodyTemplate{}, fmt.Errorf("scenario body: must be a JSON object, not null")
	}
	body["reference"] = refPlaceholder
	b, err := json.Marshal(body)
	if err != nil {
		return bodyTemplate{}, fmt.Errorf("scenario body: %w", err)
	}
	i := bytes.Index(b, []byte(refPlaceholder))
	if i < 0 || bytes.Count(b, []byte(refPlaceholder)) != 1 {
		return bodyTemplate{}, fmt.Errorf("scenario body: cannot place the reference")
	}
	return bodyTemplate{prefix: b[:i], suffix: b[i+len(refPlaceholder):]}, nil
}

// with returns a fresh body carrying ref (ref holds only [-a-zA-Z0-9], so no escaping).
func (t bodyTemplate) with(ref string) []byte {
	out := make([]byte, 0, len(t.prefix)+len(ref)+len(t.suffix))
	out = append(out, t.prefix...)
	out = append(out, ref...)
	return append(out, t.suffix...)
}
