package load

import (
	"sort"
	"strconv"
	"testing"
)

// TestOpenSetSpills: past its cap the set keeps references on disk, counts stay exact, and the
// clean-up stream yields exactly the still-open ones.
func TestOpenSetSpills(t *testing.T) {
	s := newOpenSet(10, t.TempDir())
	defer s.close()
	for i := 0; i < 100; i++ {
		s.add("r" + strconv.Itoa(i))
	}
	if len(s.mem) != 10 || s.spilled != 90 || s.len() != 100 {
		t.Fatalf("mem %d spilled %d len %d", len(s.mem), s.spilled, s.len())
	}
	// Close every third (in memory and spilled), one twice.
	closed := 0
	for i := 0; i < 100; i += 3 {
		if !s.remove("r" + strconv.Itoa(i)) {
			t.Fatalf("r%d not open", i)
		}
		closed++
	}
	if s.len() != 100-closed {
		t.Fatalf("len %d, want %d", s.len(), 100-closed)
	}
	mem, spilled := s.snapshot()
	got := append([]string(nil), mem...)
	if err := spilled(func(ref string) bool { got = append(got, ref); return true }); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 100; i++ {
		if i%3 != 0 {
			want = append(want, "r"+strconv.Itoa(i))
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strconv.Quote(join(got)) != strconv.Quote(join(want)) {
		t.Fatalf("stream %v\nwant %v", got, want)
	}
	for _, ref := range got {
		s.remove(ref)
	}
	if s.len() != 0 || s.remove("r1") {
		t.Fatalf("len %d after closing all; a second close still counted", s.len())
	}
}

func join(ss []string) string {
	out := ""
	for _, s := range ss {
		out += s + ","
	}
	return out
}
