package contract

import "testing"

func TestPointerEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"a/b", "a~1b"},
		{"m~n", "m~0n"},
		{"~1", "~01"}, // a literal "~1" must not read back as "/"
		{"/~", "~1~0"},
		{"~/", "~0~1"},
		{"//", "~1~1"},
		{"ünïcode key", "ünïcode key"},
	}
	for _, c := range cases {
		if got := PointerEscape(c.in); got != c.want {
			t.Errorf("PointerEscape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPointer(t *testing.T) {
	cases := []struct {
		segs []string
		want string
	}{
		{nil, ""},
		{[]string{""}, "/"},
		{[]string{"body"}, "/body"},
		{[]string{"body", "transaction", "amount", "value"}, "/body/transaction/amount/value"},
		{[]string{"body", "items", "0"}, "/body/items/0"},
		{[]string{"header", "a/b"}, "/header/a~1b"},
		{[]string{"body", "m~n", "x/~y"}, "/body/m~0n/x~1~0y"},
	}
	for _, c := range cases {
		if got := Pointer(c.segs...); got != c.want {
			t.Errorf("Pointer(%q) = %q, want %q", c.segs, got, c.want)
		}
	}
}

func TestPointerUnescapeInvertsEscape(t *testing.T) {
	for _, s := range []string{"", "a", "a/b", "~", "~1", "~01", "a~/b/~0"} {
		if got := PointerUnescape(PointerEscape(s)); got != s {
			t.Errorf("PointerUnescape(PointerEscape(%q)) = %q", s, got)
		}
	}
	if got := PointerUnescape("~01"); got != "~1" {
		t.Errorf(`PointerUnescape("~01") = %q, want "~1"`, got)
	}
}
