package suites

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// callback is one callback the receiver got.
type callback struct {
	Ref           string
	Authorization string // kept in memory only, compared, never printed
	Body          []byte
	At            time.Time
}

// receiver is the merchant side of the callbacks: a loopback HTTP server that records every
// POST /callbacks/{reference} and answers 200.
type receiver struct {
	url  string
	srv  *http.Server
	mu   sync.Mutex
	got  map[string][]callback
	wake chan struct{}
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the callback receiver: %w", err)
	}
	r := &receiver{url: "http://" + ln.Addr().String(), got: map[string][]callback{}, wake: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /callbacks/{ref}", r.handle)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed on close
	return r, nil
}

func (r *receiver) handle(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	cb := callback{Ref: req.PathValue("ref"), Authorization: req.Header.Get("Authorization"), Body: body, At: time.Now()}
	r.mu.Lock()
	r.got[cb.Ref] = append(r.got[cb.Ref], cb)
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// wait returns the first callback for ref, waiting until ctx ends.
func (r *receiver) wait(ctx context.Context, ref string) (callback, error) {
	for {
		r.mu.Lock()
		cbs, wake := r.got[ref], r.wake
		r.mu.Unlock()
		if len(cbs) > 0 {
			return cbs[0], nil
		}
		select {
		case <-ctx.Done():
			return callback{}, fmt.Errorf("no callback for %s: %w", ref, ctx.Err())
		case <-wake:
		}
	}
}

// count returns how many callbacks ref got.
func (r *receiver) count(ref string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got[ref])
}

func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}
