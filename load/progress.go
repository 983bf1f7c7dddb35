package load

import (
	"fmt"
	"time"
)

// startProgress writes progress until the returned stop function is called: on a terminal a
// status line redrawn in place, else (or when CI is set, the caller decides) a plain line per
// interval. The line shows done/total, the current rate, errors and the running p99 (exact,
// from the overall HDR histogram).
func (st *run) startProgress() (stop func()) {
	w := st.o.progress
	if w == nil {
		return func() {}
	}
	every := st.o.every
	if every <= 0 {
		every = 5 * time.Second
		if st.o.live {
			every = time.Second
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		var lastN uint64
		last := time.Now()
		for {
			select {
			case <-done:
				if st.o.live {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case now := <-t.C:
				n, errs, p99 := st.overall.snapshot()
				rate := float64(n-lastN) / now.Sub(last).Seconds()
				lastN, last = n, now
				total := "?"
				if st.expected > 0 {
					total = fmt.Sprint(st.expected)
				}
				line := fmt.Sprintf("%s  %d/%s requests  %.0f/s  errors %d  p99 %s  starved %d  slipped %d",
					time.Since(st.start).Truncate(time.Second), n, total, rate, errs, p99, st.starved.Load(), st.slipped.Load())
				if until := st.throttle.pausedUntil(); until.After(now) {
					line += "  throttled (429): paused"
				}
				if st.o.live {
					fmt.Fprint(w, "\r\033[K"+line)
				} else {
					fmt.Fprintln(w, line)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
