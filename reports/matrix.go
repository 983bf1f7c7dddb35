package reports

import (
	"sort"
)

// Cell states of the operation × status matrix, used as CSS classes in the HTML report.
const (
	cellConformant   = "ok"     // documented, exercised, no violation
	cellViolating    = "bad"    // exercised with a violation
	cellUnexercised  = "idle"   // documented, not exercised
	cellUndocumented = "undoc"  // seen but not documented
	cellAbsent       = "absent" // neither documented nor seen
)

type matrix struct {
	Codes []string
	Rows  []matrixRow
}

type matrixRow struct {
	Op    Operation
	Cells []matrixCell
}

type matrixCell struct {
	Code  string
	State string
	S     Status
}

// Label is the short text of the cell, the same in Markdown and HTML.
func (c matrixCell) Label() string {
	switch c.State {
	case cellConformant:
		return "ok (" + itoa(c.S.Exchanges) + ")"
	case cellViolating:
		return "FAIL (" + itoa(c.S.Exchanges) + ", " + plural(c.S.Violations, "violation") + ")"
	case cellUnexercised:
		return "not run"
	case cellUndocumented:
		if c.S.Violations > 0 {
			return "UNDOCUMENTED (" + itoa(c.S.Exchanges) + ", " + plural(c.S.Violations, "violation") + ")"
		}
		return "UNDOCUMENTED (" + itoa(c.S.Exchanges) + ")"
	default:
		return ""
	}
}

// Short is the one- or two-word state of the cell, shown under the exchange count in HTML.
func (c matrixCell) Short() string {
	switch c.State {
	case cellConformant:
		return "ok"
	case cellViolating:
		return plural(c.S.Violations, "violation")
	case cellUnexercised:
		return "not run"
	case cellUndocumented:
		return "undoc."
	default:
		return ""
	}
}

// Title is the long description of the cell (HTML title attribute).
func (c matrixCell) Title() string {
	switch c.State {
	case cellConformant:
		return c.Code + ": documented; " + plural(c.S.Exchanges, "exchange") + ", all conformant"
	case cellViolating:
		return c.Code + ": " + plural(c.S.Exchanges, "exchange") + ", " + plural(c.S.Violations, "violation")
	case cellUnexercised:
		return c.Code + ": documented, not exercised"
	case cellUndocumented:
		return c.Code + ": returned " + plural(c.S.Exchanges, "time") + " but not documented for this operation"
	default:
		return c.Code + ": not documented for this operation"
	}
}

func buildMatrix(ops []Operation) matrix {
	seen := map[string]bool{}
	var m matrix
	for _, op := range ops {
		for _, s := range op.Statuses {
			if !seen[s.Code] {
				seen[s.Code] = true
				m.Codes = append(m.Codes, s.Code)
			}
		}
	}
	sort.SliceStable(m.Codes, func(a, b int) bool { return statusLess(m.Codes[a], m.Codes[b]) })
	for _, op := range ops {
		row := matrixRow{Op: op}
		for _, code := range m.Codes {
			cell := matrixCell{Code: code, State: cellAbsent}
			for _, s := range op.Statuses {
				if s.Code != code {
					continue
				}
				cell.S = s
				switch {
				case !s.Documented && s.Exchanges > 0:
					cell.State = cellUndocumented
				case !s.Documented:
					cell.State = cellAbsent
				case s.Violations > 0:
					cell.State = cellViolating
				case s.Exchanges > 0:
					cell.State = cellConformant
				default:
					cell.State = cellUnexercised
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}
