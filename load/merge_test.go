package load_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/checkoutkit/checkoutkit/load"
)

var _ = Describe("Sharded runs", func() {
	It("merge into one report whose counts add up and whose percentiles come from every sample", func() {
		f := newFakeCheckout()
		srv := startFake(f)
		const shards = 3
		dir := GinkgoT().TempDir()
		slo, err := load.ParseSLO("create:p99<10s")
		Expect(err).NotTo(HaveOccurred())
		var paths []string
		// One histogram fed from the shards' raw results files: the reference the merge must equal.
		all := hdrhistogram.New(1, int64(10*time.Minute/time.Microsecond), 3)
		perOp := map[string]int64{}
		for i := 0; i < shards; i++ {
			out := filepath.Join(dir, fmt.Sprint(i))
			r, err := load.New(srv.URL, load.WithShard(i, shards), load.WithRunID("merge1"), load.WithOutDir(out), load.WithSLOs(slo),
				load.WithSchedule(load.Schedule{StartRate: 300, Stages: []load.Stage{{Rate: 300}}, MaxHits: 100}))
			Expect(err).NotTo(HaveOccurred())
			l, err := r.Run(context.Background())
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Shard).To(Equal(fmt.Sprintf("%d/%d", i+1, shards)))
			Expect(opNamed(l, "create").Requests).To(BeEquivalentTo(load.SplitCount(100, i, shards)))
			p := filepath.Join(out, "load.json")
			fh, err := os.Create(p)
			Expect(err).NotTo(HaveOccurred())
			Expect(load.WriteJSON(fh, l)).To(Succeed())
			Expect(fh.Close()).To(Succeed())
			paths = append(paths, p)

			rf, err := os.Open(filepath.Join(out, load.ResultsFile))
			Expect(err).NotTo(HaveOccurred())
			dec := vegeta.NewDecoder(rf)
			for {
				var res vegeta.Result
				if err := dec.Decode(&res); err != nil {
					Expect(errors.Is(err, io.EOF)).To(BeTrue())
					break
				}
				if res.Attack == "create" {
					us := res.Latency.Microseconds()
					if us < 1 {
						us = 1
					}
					Expect(all.RecordValue(us)).To(Succeed())
				}
				perOp[res.Attack]++
			}
			Expect(rf.Close()).To(Succeed())
		}
		By("shards using disjoint reference namespaces")
		s := f.snapshot()
		Expect(s.creates).To(Equal(100))
		Expect(s.reusedRef).To(BeZero())

		m, err := load.MergeFiles([]string{dir})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Shard).To(Equal("merged/3"))
		c := opNamed(m, "create")
		Expect(c.Requests).To(BeEquivalentTo(100))
		Expect(c.Requests).To(Equal(perOp["create"]))
		Expect(opNamed(m, "get").Requests).To(Equal(perOp["get"]))
		Expect(m.Overall.Requests).To(BeEquivalentTo(300))
		Expect(m.Hygiene.Created).To(Equal(100))
		Expect(c.StatusCodes).To(HaveKeyWithValue("200", 100))
		Expect(c.Latency.P50MS).To(Equal(float64(all.ValueAtQuantile(50)) / 1000))
		Expect(c.Latency.P99MS).To(Equal(float64(all.ValueAtQuantile(99)) / 1000))
		Expect(c.Latency.P999MS).To(Equal(float64(all.ValueAtQuantile(99.9)) / 1000))
		Expect(c.Latency.MaxMS).To(Equal(float64(all.Max()) / 1000))
		Expect(c.Latency.MinMS).To(Equal(float64(all.Min()) / 1000))
		Expect(m.SLOs).To(HaveLen(1))
		Expect(m.SLOs[0].Pass).To(BeTrue())
	})
})
