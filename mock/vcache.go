package mock

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/checkoutkit/checkoutkit/contract"
)

// verdictCache remembers the contract verdict of bodyless requests (GET, and expire without a
// body). Validation is a pure function of the method, the target and the headers, so an
// identical request, header for header, gets the identical verdict: the cache changes speed,
// never the outcome. Polling a session, the most common Checkout traffic, repeats the very same
// request. The key holds every header, not only the ones the contract declares, so nothing the
// validator might read is left out. When full, the cache is emptied at once: bounded memory,
// no bookkeeping on the hot path.
type verdictCache struct {
	mu  sync.RWMutex
	cap int
	m   map[string][]contract.Violation
}

func newVerdictCache(capacity int) *verdictCache {
	if capacity <= 0 {
		return nil
	}
	return &verdictCache{cap: capacity, m: make(map[string][]contract.Violation, min(capacity, 1024))}
}

func verdictKey(method, target string, h http.Header) string {
	names := make([]string, 0, len(h))
	n := len(method) + len(target) + 2
	for k, vs := range h {
		names = append(names, k)
		n += len(k) + 2
		for _, v := range vs {
			n += len(v) + 1
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.Grow(n)
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(target)
	for _, k := range names {
		b.WriteByte('\n')
		b.WriteString(k)
		b.WriteByte(':')
		for _, v := range h[k] {
			b.WriteString(v)
			b.WriteByte('\x00') // header values cannot contain NUL, so keys cannot collide
		}
	}
	return b.String()
}

func (c *verdictCache) get(key string) ([]contract.Violation, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	vs, ok := c.m[key]
	return vs, ok
}

func (c *verdictCache) put(key string, vs []contract.Violation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.cap {
		clear(c.m)
	}
	c.m[key] = vs
}
