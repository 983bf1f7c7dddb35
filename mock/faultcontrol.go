package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"time"
)

// FaultControlPath is the control endpoint that reads (GET), replaces (PUT) and clears (DELETE)
// the injected faults at runtime (WithFaultControl).
const FaultControlPath = "/_mock/faults"

// FaultsRequest is the JSON body of PUT /_mock/faults and the answer of GET, PUT and DELETE:
//
//	{"errors":[{"operation":"create","status":502,"rate":1,"retryAfter":"1s"}],
//	 "latency":{"get":"uniform:10ms..50ms"},"seed":42}
type FaultsRequest struct {
	// Errors are tried in order; the first rule that fires answers the request.
	Errors []ErrorRuleRequest `json:"errors"`
	// Latency maps an operation (create, get, update, expire or *) to a distribution in
	// ParseLatency's syntax: "20ms" (fixed), "uniform:10ms..50ms" or "exp:30ms".
	Latency map[string]string `json:"latency"`
	// Seed seeds the random source of the new faults. Default 0: a random seed.
	Seed uint64 `json:"seed,omitempty"`
}

// ErrorRuleRequest is one ErrorRule in FaultsRequest.
type ErrorRuleRequest struct {
	// Operation is create, get, update, expire or *.
	Operation string `json:"operation"`
	// Status is 429, 500 or 502.
	Status int `json:"status"`
	// Rate is the probability in [0, 1] that a request gets this error. Default (absent): 1.
	Rate *float64 `json:"rate,omitempty"`
	// RetryAfter is the Retry-After of a 429 as a Go duration ("2s"), rounded up to whole
	// seconds. Default (absent or "0s"): 1 s.
	RetryAfter string `json:"retryAfter,omitempty"`
}

// Faults converts the request into Faults, or returns the errors keyed by field path
// (Errors[0].Status, Latency.get), as the Checkout error body's errors map has them.
func (fr FaultsRequest) Faults() (Faults, map[string][]string) {
	errs := map[string][]string{}
	f := Faults{Seed: fr.Seed}
	for i, e := range fr.Errors {
		key := fmt.Sprintf("Errors[%d]", i)
		r := ErrorRule{Op: e.Operation, Status: e.Status, Rate: 1}
		if !validOp(e.Operation) {
			errs[key+".Operation"] = append(errs[key+".Operation"], fmt.Sprintf("Unknown operation %q: use create, get, update, expire or *.", e.Operation))
		}
		if e.Status != http.StatusTooManyRequests && e.Status != http.StatusInternalServerError && e.Status != http.StatusBadGateway {
			errs[key+".Status"] = append(errs[key+".Status"], fmt.Sprintf("Status %d cannot be injected: use 429, 500 or 502.", e.Status))
		}
		if e.Rate != nil {
			r.Rate = *e.Rate
			if math.IsNaN(r.Rate) || r.Rate < 0 || r.Rate > 1 {
				errs[key+".Rate"] = append(errs[key+".Rate"], "The rate must be in [0, 1].")
			}
		}
		if e.RetryAfter != "" {
			d, err := time.ParseDuration(e.RetryAfter)
			if err != nil || d < 0 {
				errs[key+".RetryAfter"] = append(errs[key+".RetryAfter"], fmt.Sprintf("Retry-After %q is not a non-negative duration such as \"2s\".", e.RetryAfter))
			}
			r.RetryAfter = d
		}
		f.Errors = append(f.Errors, r)
	}
	for op, dist := range fr.Latency {
		o, l, err := ParseLatency(op + "=" + dist)
		if err != nil || o != op {
			errs["Latency."+op] = append(errs["Latency."+op], fmt.Sprintf("Bad latency %q for %q: use an operation (create, get, update, expire, *) and \"20ms\", \"uniform:10ms..50ms\" or \"exp:30ms\".", dist, op))
			continue
		}
		if f.Latency == nil {
			f.Latency = map[string]Latency{}
		}
		f.Latency[op] = l
	}
	if len(errs) > 0 {
		return Faults{}, errs
	}
	return f, nil
}

// faultsRequest renders f in the wire form, so GET shows what PUT set.
func faultsRequest(f Faults) FaultsRequest {
	fr := FaultsRequest{Errors: []ErrorRuleRequest{}, Latency: map[string]string{}, Seed: f.Seed}
	for _, r := range f.Errors {
		rate := r.Rate
		e := ErrorRuleRequest{Operation: r.Op, Status: r.Status, Rate: &rate}
		if r.RetryAfter > 0 {
			e.RetryAfter = r.RetryAfter.String()
		}
		fr.Errors = append(fr.Errors, e)
	}
	for op, l := range f.Latency {
		switch l.Kind {
		case LatencyUniform:
			fr.Latency[op] = fmt.Sprintf("uniform:%s..%s", l.Min, l.Max)
		case LatencyExponential:
			fr.Latency[op] = "exp:" + l.Mean.String()
		default:
			fr.Latency[op] = l.Fixed.String()
		}
	}
	return fr
}

// SetFaults replaces the injected faults at once; requests already past the fault step are not
// affected. The zero Faults clears them. It fails, changing nothing, when a rule or latency is
// invalid (ErrBadFault).
func (s *Server) SetFaults(f Faults) error {
	if errs := checkFaults(f); len(errs) > 0 {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("%w: %s: %s", ErrBadFault, keys[0], errs[keys[0]][0])
	}
	// Why a pointer swap: the pipeline loads the faulter once per request, so a change never
	// tears a request between two configurations and needs no lock on the hot path.
	s.faults.Store(newFaulter(f))
	return nil
}

// Faults returns the faults in force now.
func (s *Server) Faults() Faults { return s.faults.Load().f }

// checkFaults validates Faults given in Go through the wire form's checks.
func checkFaults(f Faults) map[string][]string {
	// A negative or inverted latency renders as a string ParseLatency refuses, so the wire
	// form's checks cover Go values too.
	_, errs := faultsRequest(f).Faults()
	return errs
}

// faultControl serves GET, PUT and DELETE /_mock/faults.
func (s *Server) faultControl(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	res := func() result {
		switch r.Method {
		case http.MethodPut:
			body, res, ok := s.readBody(r)
			if !ok {
				return res
			}
			var fr FaultsRequest
			dec := json.NewDecoder(bytes.NewReader(body))
			// Unknown fields are refused: a misspelt "retry_after" must not silently do nothing.
			dec.DisallowUnknownFields()
			if err := dec.Decode(&fr); err != nil || dec.More() {
				return validationProblem(map[string][]string{"Body": {"The body must be one JSON object {\"errors\":[{\"operation\",\"status\",\"rate\",\"retryAfter\"}],\"latency\":{op: dist},\"seed\"}."}})
			}
			f, errs := fr.Faults()
			if len(errs) > 0 {
				return validationProblem(errs)
			}
			s.faults.Store(newFaulter(f))
			s.log.Info("mock: faults replaced", "errors", len(f.Errors), "latencies", len(f.Latency))
		case http.MethodDelete:
			s.faults.Store(newFaulter(Faults{}))
			s.log.Info("mock: faults cleared")
		}
		return ok(faultsRequest(s.Faults()))
	}()
	writeJSON(w, res.status, nil, res.body)
	if sw, ok := w.(*statusWriter); ok {
		sw.logged = true
	}
	s.logRequest(r, res.status, start, "", "")
}
