package load

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseScenario: a user-supplied scenario file never panics the parser; an accepted one
// yields a body template that sets the reference, and survives a JSON round trip unchanged.
func FuzzParseScenario(f *testing.F) {
	for _, name := range Scenarios() {
		b, err := scenarioFS.ReadFile("scenarios/" + name + ".json")
		if err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{`{}`, `null`, `{"name":"x","flow":["create"],"body":null}`,
		`{"name":"x","mix":{"create":1e308,"get":1e308},"body":{}}`, `{"name":"x","flow":["create"],"body":{"reference":1}}`,
		`{"name":"x","flow":["get"],"seed":-1,"body":{}}`, `[1,2]`, `{"name":"x","flow":["create"],"body":{}} trailing`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseScenario(raw)
		if err != nil {
			return
		}
		tmpl, err := newBodyTemplate(s.Body)
		if err != nil {
			t.Fatalf("accepted scenario has an unusable body %s: %v", s.Body, err)
		}
		var body map[string]any
		if err := json.Unmarshal(tmpl.with("ck-fuzz-0-1"), &body); err != nil || body["reference"] != "ck-fuzz-0-1" {
			t.Fatalf("body template did not set the reference: %v %v", body, err)
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal accepted scenario: %v", err)
		}
		s2, err := ParseScenario(again)
		if err != nil {
			t.Fatalf("round trip refused: %v\n%s", err, again)
		}
		if s.Name != s2.Name || s.Description != s2.Description || s.Seed != s2.Seed ||
			!reflect.DeepEqual(s.Flow, s2.Flow) || !reflect.DeepEqual(s.Mix, s2.Mix) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", s, s2)
		}
	})
}

// FuzzParseStages: any --stages text never panics; accepted stages print back as
// "duration:rate" and parse to the same values.
func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"30s:100", "10s:0,1m:500/s, 30s:500", "", ",", "x:1", "1s:y", "1s:NaN", "-1s:5",
		"1s:-3", "1s:Inf", "1h:1e308", "9999999h:1", "1s:0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		st, err := ParseStages(spec)
		if err != nil {
			return
		}
		if len(st) == 0 {
			t.Fatal("accepted with no stages")
		}
		parts := make([]string, len(st))
		for i, s := range st {
			if s.Duration < 0 || math.IsNaN(s.Rate) || math.IsInf(s.Rate, 0) || s.Rate < 0 {
				t.Fatalf("accepted a stage no schedule can run: %+v from %q", s, spec)
			}
			parts[i] = s.Duration.String() + ":" + strconv.FormatFloat(s.Rate, 'g', -1, 64)
		}
		back, err := ParseStages(strings.Join(parts, ","))
		if err != nil || !reflect.DeepEqual(back, st) {
			t.Fatalf("round trip of %q: %v %v, want %v", spec, back, err, st)
		}
	})
}
