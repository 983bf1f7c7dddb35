package load

import (
	"bufio"
	"fmt"
	"os"
)

// maxOpenInMemory is how many open sessions the run keeps in memory (about 100 bytes each);
// past it, newly created references are appended to a spill file. A create-only run of 1 M
// requests therefore holds at most this many references, not a million.
const maxOpenInMemory = 50000

// openSet tracks the sessions a run created and has not closed. The first cap references live
// in a map; later ones are streamed to a spill file, and spilled references closed during the
// run (expired, or found gone) are streamed to a second file. The caller serialises access
// (run.mu). The closed-spill file is read into memory only by each, at clean-up time, and
// holds only spilled references that were closed, which a create-only run has none of.
type openSet struct {
	mem map[string]struct{}
	cap int
	dir string

	spill       *os.File
	spillW      *bufio.Writer
	spilled     int
	closedF     *os.File
	closedW     *bufio.Writer
	closedSpill int
	err         error
}

func newOpenSet(capacity int, dir string) *openSet {
	return &openSet{mem: map[string]struct{}{}, cap: capacity, dir: dir}
}

// add records a created session.
func (s *openSet) add(ref string) {
	if _, ok := s.mem[ref]; ok {
		return
	}
	if len(s.mem) < s.cap || s.err != nil {
		// On a spill-file error, memory is the fallback: correct counts over flat memory.
		s.mem[ref] = struct{}{}
		return
	}
	if s.spill == nil {
		if s.spill, s.err = os.CreateTemp(s.dir, "checkoutkit-open-*.txt"); s.err != nil {
			s.err = fmt.Errorf("open-session spill file: %w", s.err)
			s.mem[ref] = struct{}{}
			return
		}
		s.spillW = bufio.NewWriterSize(s.spill, 64<<10)
	}
	if _, err := s.spillW.WriteString(ref + "\n"); err != nil {
		s.err = fmt.Errorf("open-session spill file: %w", err)
		s.mem[ref] = struct{}{}
		return
	}
	s.spilled++
}

// remove records that ref is closed; it reports whether ref was open. A reference not in
// memory is taken to be a spilled one while spilled sessions remain open: the runner only
// closes references it created, each once.
func (s *openSet) remove(ref string) bool {
	if _, ok := s.mem[ref]; ok {
		delete(s.mem, ref)
		return true
	}
	if s.spilled-s.closedSpill <= 0 {
		return false
	}
	if s.closedF == nil {
		var err error
		if s.closedF, err = os.CreateTemp(s.dir, "checkoutkit-closed-*.txt"); err != nil {
			s.err = fmt.Errorf("closed-session spill file: %w", err)
			return false
		}
		s.closedW = bufio.NewWriterSize(s.closedF, 64<<10)
	}
	if _, err := s.closedW.WriteString(ref + "\n"); err != nil {
		s.err = fmt.Errorf("closed-session spill file: %w", err)
	}
	s.closedSpill++
	return true
}

// len is how many sessions are open.
func (s *openSet) len() int { return len(s.mem) + s.spilled - s.closedSpill }

// snapshot returns the in-memory references and a function that streams the spilled ones
// still open (as they were when snapshot was called) to fn until fn returns false.
func (s *openSet) snapshot() (mem []string, spilled func(fn func(ref string) bool) error) {
	mem = make([]string, 0, len(s.mem))
	for ref := range s.mem {
		mem = append(mem, ref)
	}
	if s.spill == nil {
		return mem, func(func(string) bool) error { return nil }
	}
	var closed map[string]struct{}
	var err error
	if err = s.spillW.Flush(); err == nil && s.closedW != nil {
		if err = s.closedW.Flush(); err == nil {
			closed, err = readSet(s.closedF.Name())
		}
	}
	name, n := s.spill.Name(), s.spilled
	return mem, func(fn func(string) bool) error {
		if err != nil {
			return err
		}
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open-session spill file: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for i := 0; i < n && sc.Scan(); i++ {
			if _, done := closed[sc.Text()]; done {
				continue
			}
			if !fn(sc.Text()) {
				return nil
			}
		}
		return sc.Err()
	}
}

func readSet(name string) (map[string]struct{}, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("closed-session spill file: %w", err)
	}
	defer f.Close()
	out := map[string]struct{}{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out[sc.Text()] = struct{}{}
	}
	return out, sc.Err()
}

// close removes the spill files.
func (s *openSet) close() {
	for _, f := range []*os.File{s.spill, s.closedF} {
		if f != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}
}
