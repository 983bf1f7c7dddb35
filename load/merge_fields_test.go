package load

import (
	"testing"
	"time"

	"github.com/checkoutkit/checkoutkit/reports"
)

// part builds a one-shard report with the typed counters Merge must add up; each operation
// gets n real samples so its HDR snapshot is genuine.
func part(t *testing.T, shard string, slipped map[string]int64, pauseMS float64, leftOpen, inFlight, inconclusive, checkErrs int, dropped int64) *reports.Load {
	t.Helper()
	l := reports.NewLoad(reports.Tool{}, reports.Target{URL: "http://127.0.0.1:1"}, "s", "run1")
	l.Shard = shard
	l.StartedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	l.DurationMS = 1000
	l.Config["observed.cleanup.alreadyGone"] = "1"
	hop := func(name string, n int, slip int64) reports.LoadOp {
		h := newHDR()
		for i := 0; i < n; i++ {
			recordUS(h, time.Duration(i+1)*time.Millisecond)
		}
		enc, err := EncodeHDR(h)
		if err != nil {
			t.Fatal(err)
		}
		return reports.LoadOp{Name: name, Requests: int64(n), StatusCodes: map[string]int{"201": n}, HDR: enc, Slipped: slip}
	}
	var total int64
	n := 0
	for _, op := range []string{OpCreate, OpGet} {
		l.Operations = append(l.Operations, hop(op, 4, slipped[op]))
		total += slipped[op]
		n += 4
	}
	l.Overall = hop("overall", n, total)
	l.ThrottlePauseMS = pauseMS
	l.Hygiene.LeftOpenBeforeCleanup = leftOpen
	l.Idempotency.RejectedInFlight = inFlight
	l.Idempotency.Inconclusive = inconclusive
	l.Contract.CheckErrors = checkErrs
	l.Contract.Dropped = dropped
	return l
}

func TestMergeSumsTypedCounters(t *testing.T) {
	type want struct {
		create, get, overall   int64
		pauseMS                float64
		leftOpen, inFlight     int
		inconclusive, checkErr int
		dropped                int64
	}
	cases := []struct {
		name  string
		parts func(t *testing.T) []*reports.Load
		want  want
	}{
		{
			name: "both shards report",
			parts: func(t *testing.T) []*reports.Load {
				return []*reports.Load{
					part(t, "1/2", map[string]int64{OpCreate: 2, OpGet: 1}, 1500, 3, 1, 2, 4, 7),
					part(t, "2/2", map[string]int64{OpCreate: 5}, 250.5, 2, 6, 0, 1, 10),
				}
			},
			want: want{create: 7, get: 1, overall: 8, pauseMS: 1750.5, leftOpen: 5, inFlight: 7, inconclusive: 2, checkErr: 5, dropped: 17},
		},
		{
			name: "one shard clean (fields absent)",
			parts: func(t *testing.T) []*reports.Load {
				return []*reports.Load{
					part(t, "1/2", nil, 0, 0, 0, 0, 0, 0),
					part(t, "2/2", map[string]int64{OpGet: 3}, 20, 9, 0, 1, 0, 2),
				}
			},
			want: want{get: 3, overall: 3, pauseMS: 20, leftOpen: 9, inconclusive: 1, dropped: 2},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Merge(tc.parts(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := want{pauseMS: m.ThrottlePauseMS, overall: m.Overall.Slipped,
				leftOpen: m.Hygiene.LeftOpenBeforeCleanup, inFlight: m.Idempotency.RejectedInFlight,
				inconclusive: m.Idempotency.Inconclusive, checkErr: m.Contract.CheckErrors, dropped: m.Contract.Dropped}
			for _, op := range m.Operations {
				switch op.Name {
				case OpCreate:
					got.create = op.Slipped
				case OpGet:
					got.get = op.Slipped
				}
			}
			if got != tc.want {
				t.Errorf("merged\n got %+v\nwant %+v", got, tc.want)
			}
			if _, ok := m.Config["observed.cleanup.alreadyGone"]; ok {
				t.Error("a shard's observed.* key leaked into the merged Config")
			}
		})
	}
}
