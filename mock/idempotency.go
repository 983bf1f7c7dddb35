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

// begin looks the key up. For a new key it reserves an in-flight entry and returns it; the
// caller must settle exactly that entry with finish.
//
// Capacity: when the store is full, the oldest completed entry is evicted. An in-flight entry is
// never evicted (evicting it would let the same key start again while the first request runs).
// When every entry is in flight the store exceeds its cap by the number of requests running at
// that moment (bounded by the server's concurrency) and finish trims it back.
func (st *idemStore) begin(k idemKey, sum [32]byte, now time.Time) (result, idemState, *idemEntry) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expire(now)
	if e, ok := st.m[k]; ok {
		switch {
		case e.sum != sum:
			return result{}, idemConflict, nil
		case e.inFlight:
			return result{}, idemInFlight, nil
		default:
			return e.res, idemReplay, nil
		}
	}
	st.trim(st.cap - 1)
	e := &idemEntry{k: k, sum: sum, created: now, inFlight: true}
	e.elem = st.order.PushBack(e)
	st.m[k] = e
	return result{}, idemNew, e
}

// trim evicts the oldest completed entries until at most n are held or only in-flight entries
// are left.
func (st *idemStore) trim(n int) {
	for f := st.order.Front(); f != nil && len(st.m) > n; {
		next := f.Next()
		if e := f.Value.(*idemEntry); !e.inFlight {
			st.remove(e)
		}
		f = next
	}
}

// finish stores res in e, or forgets the key when res is a 5xx (a server failure must not pin
// the outcome: the client should be able to retry with the same key). e is the entry begin
// returned: comparing the pointer, not the key, means a request whose entry is gone (expired)
// never writes into a later request's entry for the same key.
func (st *idemStore) finish(e *idemEntry, res result) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if e == nil || st.m[e.k] != e || !e.inFlight {
		return // expired while in flight: the outcome is simply not stored
	}
	if res.status >= 500 {
		st.remove(e)
		return
	}
	e.inFlight = false
	e.res = result{status: res.status, body: append([]byte(nil), res.body...), retryAfter: res.retryAfter}
	st.trim(st.cap) // the cap may have been exceeded while every entry was in flight
}

// expire drops entries older than the TTL, oldest first. An in-flight entry that old (a request
// running for the whole TTL) is dropped too; its finish then stores nothing.
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
