package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrSchemaVersion is returned by the readers when a document carries a schema version this
// package does not read.
var ErrSchemaVersion = errors.New("unsupported report schema version")

// writeJSON writes v as indented JSON with a trailing newline. HTML escaping is off so messages
// keep their "<" and ">" readable; JSON consumers do not need it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func readJSON(r io.Reader, v any, version func() string, want string) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode report: %w", err)
	}
	if got := version(); got != want {
		return fmt.Errorf("report schema %q, want %q: %w", got, want, ErrSchemaVersion)
	}
	return nil
}

// fmtMS renders a latency in milliseconds with a unit that keeps three significant figures.
func fmtMS(ms float64) string {
	switch {
	case math.IsNaN(ms) || math.IsInf(ms, 0):
		return "n/a"
	case ms == 0:
		return "0 ms"
	case ms < 1:
		return strconv.FormatFloat(ms*1000, 'f', 0, 64) + " µs"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	default:
		return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
	}
}

// fmtDuration renders a run duration given in milliseconds.
func fmtDuration(ms float64) string {
	if ms < 1000 {
		return fmtMS(ms)
	}
	d := time.Duration(ms * float64(time.Millisecond)).Round(100 * time.Millisecond)
	return d.String()
}

// fmtRatio renders a 0..1 ratio as a percentage with two decimals, adding decimals when a ratio
// below 1 would otherwise print as "100.00%" (99.999% success is not 100%).
func fmtRatio(r float64) string {
	for prec := 2; prec < 8; prec++ {
		s := strconv.FormatFloat(r*100, 'f', prec, 64)
		if r >= 1 || !strings.HasPrefix(s, "100.") {
			return s + "%"
		}
	}
	return strconv.FormatFloat(r*100, 'f', -1, 64) + "%"
}

// fmtRate renders a per-second rate.
func fmtRate(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(r, 'f', 0, 64) + "/s"
	}
	return strconv.FormatFloat(r, 'f', 1, 64) + "/s"
}

// fmtBytes renders a byte count in binary units.
func fmtBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// fmtTime renders a timestamp in UTC, or "-" when zero.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// pct returns 100*a/b, 0 when b is 0.
func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// mdEscape makes s safe inside a GitHub-flavoured Markdown table cell or paragraph: it
// backslash-escapes the characters that start markup (so a message cannot inject HTML, links
// or formatting) and turns line breaks into spaces (a newline would end the table row).
func mdEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '#', '&', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders s as an inline code span, choosing a fence longer than any backtick run in s,
// and replacing "|" (which ends a table cell even inside code in GitHub's tables).
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", `\|`).Replace(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// specLoc renders a contract position as "line:col", or "" when unknown.
func specLoc(line, col int) string {
	switch {
	case line <= 0:
		return ""
	case col <= 0:
		return strconv.Itoa(line)
	default:
		return fmt.Sprintf("%d:%d", line, col)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
