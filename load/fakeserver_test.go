package load_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// fakeCheckout is a tiny in-memory Checkout v3 stand-in for the runner's tests. It asserts what
// the runner promises on the wire: every create carries a new reference and a new
// Idempotency-Key (a replay reuses both, with the same body), gets and expires name created
// sessions. Knobs make it misbehave.
type fakeCheckout struct {
	mu        sync.Mutex
	sessions  map[string]string // reference -> token
	keys      map[string]stored // idempotency key -> first answer
	bodies    map[string]string // idempotency key -> body
	expired   map[string]bool
	creates   int
	replays   int
	gets      int
	expires   int
	unknown   int // get/expire of a reference never created
	reusedRef int // a new key with a reference already used
	keyBody   int // a key reused with another body
	order     int // expire before get in a lifecycle
	gotten    map[string]bool
	seq       int

	delay          time.Duration
	newTokenReplay bool // misbehave: answer a replay with a fresh token
	authStatus     int  // answer everything with this status (401/403)
	throttleFirst  int  // answer the first n creates with 429 Retry-After: 1
	throttled      int
	throttleExpire int  // answer the first n expires with 429 Retry-After: 1
	expireGone     bool // answer every expire 404, as for a session the target already dropped
	gone           int
}

type stored struct {
	status int
	body   string
}

func newFakeCheckout() *fakeCheckout {
	return &fakeCheckout{sessions: map[string]string{}, keys: map[string]stored{}, bodies: map[string]string{},
		expired: map[string]bool{}, gotten: map[string]bool{}}
}

func (f *fakeCheckout) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.authStatus != 0 {
		w.WriteHeader(f.authStatus)
		fmt.Fprint(w, `{"title":"nope","status":401}`)
		return
	}
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && path == "/checkout/v3/session":
		if f.throttled < f.throttleFirst {
			f.throttled++
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"title":"slow down","status":429}`)
			return
		}
		var v struct {
			Reference string `json:"reference"`
		}
		_ = json.Unmarshal(body, &v)
		key := r.Header.Get("Idempotency-Key")
		if prev, ok := f.keys[key]; ok {
			f.replays++
			if f.bodies[key] != string(body) {
				f.keyBody++
			}
			if f.newTokenReplay && prev.status == 200 {
				f.seq++
				fmt.Fprintf(w, `{"token":"tok-%s-%d","checkoutFrontendUrl":"x","pollingUrl":"y"}`, v.Reference, f.seq)
				return
			}
			w.WriteHeader(prev.status)
			fmt.Fprint(w, prev.body)
			return
		}
		f.creates++
		if _, used := f.sessions[v.Reference]; used {
			f.reusedRef++
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"title":"conflict","status":409}`)
			return
		}
		f.seq++
		tok := fmt.Sprintf("tok-%s-%d", v.Reference, f.seq)
		f.sessions[v.Reference] = tok
		out := fmt.Sprintf(`{"token":%q,"checkoutFrontendUrl":"x","pollingUrl":"y"}`, tok)
		f.keys[key], f.bodies[key] = stored{200, out}, string(body)
		fmt.Fprint(w, out)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/checkout/v3/session/"):
		f.gets++
		ref := strings.TrimPrefix(path, "/checkout/v3/session/")
		if _, ok := f.sessions[ref]; !ok {
			f.unknown++
			w.WriteHeader(http.StatusNotFound)
			return
		}
		f.gotten[ref] = true
		fmt.Fprintf(w, `{"reference":%q,"sessionState":"SessionCreated"}`, ref)
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/expire"):
		if f.throttleExpire > 0 {
			f.throttleExpire--
			f.throttled++
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"title":"slow down","status":429}`)
			return
		}
		f.expires++
		if f.expireGone {
			f.gone++
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"title":"not found","status":404}`)
			return
		}
		ref := strings.TrimSuffix(strings.TrimPrefix(path, "/checkout/v3/session/"), "/expire")
		if _, ok := f.sessions[ref]; !ok {
			f.unknown++
			w.WriteHeader(http.StatusNotFound)
			return
		}
		f.expired[ref] = true
		fmt.Fprintf(w, `{"reference":%q,"sessionState":"SessionExpired"}`, ref)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// snapshot copies the counters under the lock.
func (f *fakeCheckout) snapshot() fakeCheckout {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCheckout{creates: f.creates, replays: f.replays, gets: f.gets, expires: f.expires,
		unknown: f.unknown, gone: f.gone, throttled: f.throttled, reusedRef: f.reusedRef, keyBody: f.keyBody, order: f.order,
		sessions: copyMap(f.sessions), expired: copyBool(f.expired), gotten: copyBool(f.gotten)}
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func copyBool(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
