package mock

import (
	"container/list"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"

	"github.com/checkoutkit/checkoutkit/checkout"
)

type skey struct{ msn, ref string }

// session is one Checkout session. It is only read or written with the store's lock held.
type session struct {
	msn, ref, id, token string
	req                 checkout.InitiateSessionRequest
	state               checkout.SessionState
	pay                 checkout.PaymentState // "" until initiated
	created, expiresAt  time.Time
	endedAt             time.Time // when it reached a terminal state; zero while live
	address             *checkout.Address
	shipping            *checkout.LogisticsOption
	agreementID         string
	pendingCallback     *callbackJob // set by a transition, sent after unlock
	rendered            []byte       // cached SessionResponse JSON; nil after any change
	elem                *list.Element
}

// store holds sessions per (MSN, reference): one merchant never sees another's sessions. The
// list keeps them in creation order, so the cap evicts the oldest first in O(1).
type store struct {
	mu        sync.Mutex
	m         map[skey]*session
	order     *list.List
	max       int
	lastSweep time.Time
}

func newStore(max int) *store {
	if max <= 0 {
		max = DefaultMaxSessions
	}
	return &store{m: map[skey]*session{}, order: list.New(), max: max}
}

// put adds a session, evicting the oldest ones beyond the cap. The lock must be held.
func (st *store) put(sess *session) {
	sess.elem = st.order.PushBack(sess)
	st.m[skey{sess.msn, sess.ref}] = sess
	for len(st.m) > st.max {
		st.remove(st.order.Front().Value.(*session))
	}
}

// remove deletes a session. The lock must be held.
func (st *store) remove(sess *session) {
	st.order.Remove(sess.elem)
	delete(st.m, skey{sess.msn, sess.ref})
}

// callbackJob is a payment callback to send once the lock is released.
type callbackJob struct {
	url, token, ref, msn string
	body                 []byte
}

// advance applies the transitions time causes, then purges a session whose retention is over.
// It reports whether the session is gone and the callback the transition calls for.
func (s *Server) advance(sess *session, now time.Time) (gone bool, job *callbackJob) {
	switch {
	case sess.state == checkout.StateSessionCreated && !now.Before(sess.expiresAt):
		sess.state, sess.endedAt, sess.rendered = checkout.StateSessionExpired, sess.expiresAt, nil
		if s.o.expiredCallbacks {
			job = s.callbackFor(sess)
		}
	case sess.state == checkout.StatePaymentInitiated && !now.Before(sess.expiresAt):
		// Choice: the payment window ends with the session; the payment is TERMINATED and the
		// merchant gets the callback, as for a rejected payment.
		sess.state, sess.pay, sess.endedAt = checkout.StatePaymentTerminated, checkout.PaymentTerminated, sess.expiresAt
		sess.rendered = nil
		job = s.callbackFor(sess)
	}
	if !sess.endedAt.IsZero() && !now.Before(sess.endedAt.Add(s.o.retention)) {
		s.store.remove(sess)
		return true, job
	}
	return false, job
}

// withSession runs f on the session under the lock, after time-driven transitions. f is not
// called when the session is unknown or purged. Callbacks are dispatched after the lock is
// released. Every f may change the session, so the cached rendering is dropped after it; reads
// go through readSession.
func (s *Server) withSession(msn, ref string, f func(*session) result) result {
	return s.onSession(msn, ref, true, f)
}

// readSession answers the session's SessionResponse, rendered once per change.
func (s *Server) readSession(msn, ref string) result {
	return s.onSession(msn, ref, false, func(sess *session) result {
		if sess.rendered == nil {
			sess.rendered = marshal(s.render(sess))
		}
		// The cached slice is never written again (a change replaces it), so sharing it is safe.
		return result{status: 200, body: sess.rendered}
	})
}

func (s *Server) onSession(msn, ref string, mutates bool, f func(*session) result) result {
	now := s.o.clock.Now()
	var jobs []*callbackJob
	res := func() result {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		sess, ok := s.store.m[skey{msn, ref}]
		if !ok {
			return notFoundSession()
		}
		gone, job := s.advance(sess, now)
		if job != nil {
			jobs = append(jobs, job)
		}
		if gone {
			return notFoundSession()
		}
		res := f(sess)
		if mutates {
			sess.rendered = nil
		}
		if sess.pendingCallback != nil {
			jobs = append(jobs, sess.pendingCallback)
			sess.pendingCallback = nil
		}
		return res
	}()
	for _, j := range jobs {
		s.sendCallback(j)
	}
	return res
}

// sweep advances every session at most once per minute of clock time, so sessions nobody reads
// again are still purged and memory stays bounded by what TTL + retention allow.
func (s *Server) sweep(now time.Time) []*callbackJob {
	if now.Sub(s.store.lastSweep) < time.Minute {
		return nil
	}
	s.store.lastSweep = now
	var jobs []*callbackJob
	for _, sess := range s.store.m {
		if _, job := s.advance(sess, now); job != nil {
			jobs = append(jobs, job)
		}
	}
	return jobs
}

// SessionCount reports how many sessions the mock holds (all merchants), for tests and metrics.
func (s *Server) SessionCount() int {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return len(s.store.m)
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenClaims is the payload of the mock's session token, a JWT-shaped opaque string.
type tokenClaims struct {
	SessionID string `json:"sessionId"`
	Reference string `json:"reference"`
	MSN       string `json:"msn"`
	IAT       int64  `json:"iat"`
	EXP       int64  `json:"exp"`
	ISS       string `json:"iss"`
}

var tokenHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// newToken returns a JWT-looking token (header.payload.signature). It is not signed with any
// key; nothing verifies it.
func newToken(sessionID, ref, msn string, iat, exp time.Time) string {
	h := tokenHeader
	// A struct, not a map: it is marshalled on every create, and a map costs a sort and
	// reflection per key.
	p, _ := json.Marshal(tokenClaims{sessionID, ref, msn, iat.Unix(), exp.Unix(), "checkoutkit-mock"})
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + "." + randomID(32)
}

// IdempotencyKeys reports how many Idempotency-Key outcomes the mock holds.
func (s *Server) IdempotencyKeys() int { return s.idem.len() }
