package mock

import (
	"encoding/json"
	"net/http"
)

// breakResponse bends a successful answer for the enabled Breakage modes. It only runs when a
// mode is on, so the normal path pays nothing for it.
func (s *Server) breakResponse(op string, status int, body []byte) (int, []byte) {
	if s.breaks[BreakUndocumentedStatus] {
		switch op {
		case OpCreate:
			status = http.StatusCreated
		case OpExpire:
			status = http.StatusTeapot
		}
	}
	if !s.breaks[BreakDropRequiredField] && !s.breaks[BreakWrongEnum] {
		return status, body
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return status, body
	}
	switch op {
	case OpCreate:
		if s.breaks[BreakDropRequiredField] {
			delete(m, "pollingUrl")
		}
	case OpGet, OpUpdate, OpExpire:
		if s.breaks[BreakWrongEnum] {
			m["sessionState"] = "SessionStarted"
		}
		if s.breaks[BreakDropRequiredField] {
			delete(m, "sessionState")
		}
	}
	return status, marshal(m)
}
