package reports

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// checkHTML asserts that page is well-formed (a doctype, every non-void element closed in
// order) and self-contained (no scripts, no external stylesheet, frame or object, no src/href
// that leaves the file, no CSS url() or @import).
func checkHTML(t testing.TB, page []byte) {
	t.Helper()
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) {
		t.Error("page does not start with <!DOCTYPE html>")
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	var stack []string
	inStyle := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("tokenize: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.Data {
			case "script", "link", "iframe", "object", "embed", "frame", "base":
				t.Errorf("page has a <%s> element", tok.Data)
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch strings.ToLower(a.Key) {
				case "src", "href", "xlink:href", "action", "poster", "data", "srcset":
					if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "//") {
						t.Errorf("<%s %s=%q> points outside the file", tok.Data, a.Key, a.Val)
					}
				case "style":
					if strings.Contains(v, "url(") || strings.Contains(v, "@import") {
						t.Errorf("<%s style=%q> loads something", tok.Data, a.Val)
					}
				}
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("<%s> has an event handler %s", tok.Data, a.Key)
				}
			}
			if tt == html.StartTagToken && !voidElements[tok.Data] {
				stack = append(stack, tok.Data)
			}
			inStyle = tt == html.StartTagToken && tok.Data == "style"
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("unbalanced </%s>; open elements %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
			inStyle = false
		case html.TextToken:
			if inStyle && (strings.Contains(tok.Data, "url(") || strings.Contains(tok.Data, "@import")) {
				t.Error("the stylesheet loads something (url() or @import)")
			}
		}
	}
	if len(stack) != 0 {
		t.Errorf("elements never closed: %v", stack)
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if findElement(doc, "title") == nil || findElement(doc, "h1") == nil {
		t.Error("page has no <title> or no <h1>")
	}
}

func findElement(n *html.Node, name string) *html.Node {
	if n.Type == html.ElementNode && n.Data == name {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, name); f != nil {
			return f
		}
	}
	return nil
}

// TestCheckHTMLCatchesProblems keeps the checker honest: each broken page must be reported.
func TestCheckHTMLCatchesProblems(t *testing.T) {
	pages := map[string]string{
		"external script": `<!DOCTYPE html><html><head><title>x</title><script src="https://cdn.example/x.js"></script></head><body><h1>x</h1></body></html>`,
		"external image":  `<!DOCTYPE html><html><head><title>x</title></head><body><h1>x</h1><img src="http://example.com/a.png"></body></html>`,
		"unclosed div":    `<!DOCTYPE html><html><head><title>x</title></head><body><h1>x</h1><div></body></html>`,
		"css import":      `<!DOCTYPE html><html><head><title>x</title><style>@import "https://x/y.css";</style></head><body><h1>x</h1></body></html>`,
	}
	for name, page := range pages {
		t.Run(name, func(t *testing.T) {
			ft := &fakeT{}
			func() {
				defer func() { _ = recover() }()
				checkHTML(ft, []byte(page))
			}()
			if !ft.failed {
				t.Errorf("checkHTML accepted a page with %s", name)
			}
		})
	}
}

// fakeT records failures; Fatal stops the check by panicking, which the caller recovers.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Error(...any)          { f.failed = true }
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true; panic("fatal") }
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
