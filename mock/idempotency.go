package mock

import (
	"container/list"
	"sync"
	"time"
)

// idemKey scopes an Idempotency-Key: the same key on another MSN, method or path is another key.
type idemKey struct {
	msn, method, path, key string
}

type idemEntry struct {
	k        idemKey
	sum      [32]byte
	created  time.Time
	inFlight bool
	res      result
	elem     *list.Element
}

type idemState int

const (
	idemNew idemState = iota
	idemReplay
	idemConflict
	idemInFlight
)

// idemStore keeps Idempotency-Key outcomes. Entries are kept in insertion order in a list: every
// entry has the same TTL, so the oldest entry is also the first to expire, and both TTL expiry and
// capacity eviction only ever remove from the front. That keeps every operation O(1) and the
// memory bounded by the capacity, whatever a load run does.
type idemStore struct {
	mu    sync.Mutex
	ttl   time.Duration
	cap   int
	m     map[idemKey]*idemEntry
	order *list.List
}

func newIdemStore(ttl time.Duration, capacity int) *idemStore {
	if capacity <= 0 {
		capacity = DefaultIdempotencyCapacity
	}
	if ttl <= 0 {
		ttl = DefaultIdempotencyTTL
	}
	return &idemStore{ttl: ttl, cap: capacity, m: map[idemKey]*idemEntry{}, order: list.New()}
}

// begin looks the key up. For a new key it reserves an in-flight entry, which the caller must
// settle with finish.
func (st *idemStore) begin(k idemKey, sum [32]byte, now time.Time) (result, idemState) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expire(now)
	if e, ok := st.m[k]; ok {
		switch {
		case e.sum != sum:
			return result{}, idemConflict
		case e.inFlight:
			return result{}, idemInFlight
		default:
			return e.res, idemReplay
		}
	}
	for len(st.m) >= st.cap {
		st.remove(st.order.Front().Value.(*idemEntry))
	}
	e := &idemEntry{k: k, sum: sum, created: now, inFlight: true}
	e.elem = st.order.PushBack(e)
	st.m[k] = e
	return result{}, idemNew
}

// finish stores res for the key, or forgets the key when res is a 5xx (a server failure must not
// pin the outcome: the client should be able to retry with the same key).
func (st *idemStore) finish(k idemKey, res result, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.m[k]
	if !ok || !e.inFlight {
		return // evicted while in flight: the outcome is simply not stored
	}
	if res.status >= 500 {
		st.remove(e)
		return
	}
	e.inFlight = false
	e.res = result{status: res.status, body: append([]byte(nil), res.body...), retryAfter: res.retryAfter}
}

func (st *idemStore) expire(now time.Time) {
	for f := st.order.Front(); f != nil; f = st.order.Front() {
		e := f.Value.(*idemEntry)
		if now.Sub(e.created) < st.ttl {
			return
		}
		st.remove(e)
	}
}

func (st *idemStore) remove(e *idemEntry) {
	st.order.Remove(e.elem)
	delete(st.m, e.k)
}

// len reports how many keys are held.
func (st *idemStore) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.m)
}
