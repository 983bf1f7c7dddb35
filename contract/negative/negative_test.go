package negative

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/checkoutkit/checkoutkit/contract"
)

func headers() http.Header {
	h := http.Header{}
	for k, v := range map[string]string{
		"client_id": "id", "client_secret": "secret", "Ocp-Apim-Subscription-Key": "key",
		"Merchant-Serial-Number": "123456", "Vipps-System-Name": "n", "Vipps-System-Version": "1",
		"Vipps-System-Plugin-Name": "p", "Vipps-System-Plugin-Version": "1", "Content-Type": "application/json",
	} {
		h.Set(k, v)
	}
	return h
}

func setup(t *testing.T) (*contract.Contract, *contract.Validator, *Document) {
	t.Helper()
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.NewValidator(c)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(c)
	if err != nil {
		t.Fatal(err)
	}
	return c, v, d
}

// TestGenerateEveryCaseIsInvalid proves the generator's promise case by case: the base body is
// valid, and every generated body is refused by the validator with a violation that names the
// broken keyword.
func TestGenerateEveryCaseIsInvalid(t *testing.T) {
	c, v, d := setup(t)
	tests := []struct {
		method, template, target, base string
		minCases                       int
		wantKeywords                   []string
	}{
		{"POST", "/checkout/v3/session", "/checkout/v3/session", "testdata/payment-full.json", 80,
			[]string{KeywordJSON, KeywordRequired, KeywordType, KeywordMinLength, KeywordMaxLength, KeywordPattern, KeywordEnum, KeywordConst, KeywordMinimum, KeywordMaximum, KeywordMinItems}},
		{"POST", "/checkout/v3/session", "/checkout/v3/session", "testdata/subscription.json", 25,
			[]string{KeywordJSON, KeywordRequired, KeywordType, KeywordEnum, KeywordConst, KeywordMinimum}},
		{"PATCH", "/checkout/v3/session/{reference}", "/checkout/v3/session/neg-base-payment-0001", "testdata/update.json", 20,
			[]string{KeywordJSON, KeywordRequired, KeywordType, KeywordMinLength, KeywordMaxLength, KeywordEnum, KeywordMinimum, KeywordMaximum}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.base, func(t *testing.T) {
			op, ok := c.Find(tt.method, tt.template)
			if !ok {
				t.Fatalf("operation %s %s not in the contract", tt.method, tt.template)
			}
			base, err := os.ReadFile(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			if vs, err := v.ValidateRequestParts(tt.method, tt.target, headers(), base); err != nil || len(vs) > 0 {
				t.Fatalf("base body must be valid: err=%v violations=%v", err, vs)
			}
			cases, err := d.Generate(op, base)
			if err != nil {
				t.Fatal(err)
			}
			if len(cases) < tt.minCases {
				t.Errorf("got %d cases, want at least %d", len(cases), tt.minCases)
			}
			seenKw := map[string]bool{}
			seenSchema := map[string]bool{}
			for _, cs := range cases {
				seenKw[cs.Keyword] = true
				if seenSchema[cs.Schema] {
					t.Errorf("constraint %s generated twice", cs.Schema)
				}
				seenSchema[cs.Schema] = true
				if cs.ExpectedStatus != http.StatusBadRequest || cs.Operation != op.Key() {
					t.Errorf("%s: status %d operation %q", cs.Name, cs.ExpectedStatus, cs.Operation)
				}
				vs, err := v.ValidateRequestParts(tt.method, tt.target, headers(), cs.Body)
				if err != nil {
					t.Errorf("%s: validate: %v", cs.Name, err)
					continue
				}
				if len(vs) == 0 {
					t.Errorf("%s (%s): body is valid, want a violation\n%s", cs.Name, cs.Schema, cs.Body)
					continue
				}
				if !namesKeyword(vs, cs) {
					t.Errorf("%s (%s): no violation names keyword %q at %s: %v", cs.Name, cs.Schema, cs.Keyword, cs.Location, vs)
				}
			}
			for _, kw := range tt.wantKeywords {
				if !seenKw[kw] {
					t.Errorf("no case for keyword %q", kw)
				}
			}
		})
	}
}

// namesKeyword reports whether a violation points at the case: the malformed JSON case just
// needs a body violation; a schema case needs its keyword in the violation's keyword location.
func namesKeyword(vs []contract.Violation, cs Case) bool {
	for _, v := range vs {
		if !strings.HasPrefix(v.Location, "/body") && v.Location != "/content-type" {
			continue
		}
		switch cs.Keyword {
		case KeywordJSON:
			return true
		case KeywordMinimum:
			if strings.HasSuffix(v.Keyword, "/minimum") || strings.HasSuffix(v.Keyword, "/exclusiveMinimum") {
				return true
			}
		case KeywordMaximum:
			if strings.HasSuffix(v.Keyword, "/maximum") || strings.HasSuffix(v.Keyword, "/exclusiveMaximum") {
				return true
			}
		case KeywordConst, KeywordEnum:
			// A broken discriminator leaves no oneOf branch standing; validators report the
			// oneOf, the const or the enum.
			if strings.HasSuffix(v.Keyword, "/"+cs.Keyword) || strings.HasSuffix(v.Keyword, "/const") || strings.HasSuffix(v.Keyword, "/oneOf") || strings.HasSuffix(v.Keyword, "/enum") {
				return true
			}
		case KeywordType:
			if strings.HasSuffix(v.Keyword, "/type") || strings.HasSuffix(v.Keyword, "/oneOf") || strings.HasSuffix(v.Keyword, "/const") {
				return true
			}
		default:
			if strings.HasSuffix(v.Keyword, "/"+cs.Keyword) || strings.HasSuffix(v.Keyword, "/oneOf") {
				return true
			}
			// An empty string in a uri field breaks the format before the length is looked at.
			if cs.Keyword == KeywordMinLength && strings.HasSuffix(v.Keyword, "/format") && v.Location == "/body"+cs.Location {
				return true
			}
		}
	}
	return false
}

// TestConstraintsCountAndCover checks that Constraints lists every constraint a generated case
// names (coverage can never exceed 100 %) and that an operation without a body has none.
func TestConstraintsCountAndCover(t *testing.T) {
	c, _, d := setup(t)
	create, _ := c.Find("POST", "/checkout/v3/session")
	all, err := d.Constraints(create)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 150 {
		t.Errorf("create has %d constraints, want over 150 (every schema keyword of the request body)", len(all))
	}
	ids := map[string]bool{}
	for _, k := range all {
		if ids[k.ID()] {
			t.Errorf("constraint %s listed twice", k.ID())
		}
		ids[k.ID()] = true
	}
	base, _ := os.ReadFile("testdata/payment-full.json")
	cases, err := d.Generate(create, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range cases {
		if !ids[cs.ID()] {
			t.Errorf("case %s names constraint %s that Constraints does not list", cs.Name, cs.ID())
		}
	}
	expire, ok := c.Find("POST", "/checkout/v3/session/{reference}/expire")
	if !ok {
		t.Fatal("expire operation missing")
	}
	if ks, err := d.Constraints(expire); err != nil || len(ks) != 0 {
		t.Errorf("expire: constraints %v err %v, want none", ks, err)
	}
	if _, err := d.Generate(expire, []byte(`{}`)); err == nil {
		t.Error("Generate on an operation without a body: want ErrNoRequestBody")
	}
}

func TestWithValue(t *testing.T) {
	body := []byte(`{"reference":"old-reference","transaction":{"paymentDescription":"x"}}`)
	tests := []struct {
		name string
		cs   Case
		want string
	}{
		{"replaces an untouched member", Case{Location: "/transaction/paymentDescription", Constraint: Constraint{Keyword: KeywordMinLength}, Body: body}, "new-reference"},
		{"keeps the member the case breaks", Case{Location: "/reference", Constraint: Constraint{Keyword: KeywordPattern}, Body: body}, "old-reference"},
		{"keeps a malformed document", Case{Constraint: Constraint{Keyword: KeywordJSON}, Body: []byte(`{"reference":"old-reference"`)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.cs.WithValue("/reference", "new-reference")
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				if tt.want != "" {
					t.Fatalf("unmarshal %s: %v", out, err)
				}
				return
			}
			if m["reference"] != tt.want {
				t.Errorf("reference = %v, want %s", m["reference"], tt.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 2, "ab"}, {"ab", 5, "ababa"}, {"", 3, "aaa"}, {"é", 2, "éé"},
	}
	for _, tt := range tests {
		if got := fit(tt.in, tt.n); got != tt.want {
			t.Errorf("fit(%q,%d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
