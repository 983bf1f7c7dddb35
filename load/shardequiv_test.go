package load_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/checkoutkit/checkoutkit/load"
	"github.com/checkoutkit/checkoutkit/reports"
)

// The same total run once unsharded and once as two shards merged must give the same figures.
// Replays are off: with them on, a racing replay may land before or after its original, so
// per-shard timing can change which replays count as in-flight rejections.
var _ = Describe("A run split into shards and merged", func() {
	const total = 240
	const shards = 2

	run := func(url, dir, id string, shard, n int, opts ...load.Option) *reports.Load {
		GinkgoHelper()
		out := filepath.Join(dir, fmt.Sprint(shard))
		all := append([]load.Option{load.WithRunID(id), load.WithShard(shard, n), load.WithOutDir(out),
			load.WithSchedule(load.Schedule{StartRate: 600, Stages: []load.Stage{{Rate: 600}}, MaxHits: total})}, opts...)
		r, err := load.New(url, all...)
		Expect(err).NotTo(HaveOccurred())
		l, err := r.Run(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Idempotency.Replays).To(BeZero())
		fh, err := os.Create(filepath.Join(out, "load.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(load.WriteJSON(fh, l)).To(Succeed())
		Expect(fh.Close()).To(Succeed())
		return l
	}

	DescribeTable("equals the unsharded run's counts",
		func(sc string, opts ...load.Option) {
			opts = append(opts, load.WithScenario(scenario(sc)))
			single := newFakeCheckout()
			srv1 := startFake(single)
			one := run(srv1.URL, GinkgoT().TempDir(), "eq1", 0, 1, opts...)

			split := newFakeCheckout()
			srv2 := startFake(split)
			dir := GinkgoT().TempDir()
			for i := 0; i < shards; i++ {
				run(srv2.URL, dir, "eq2", i, shards, opts...)
			}
			merged, err := load.MergeFiles([]string{dir})
			Expect(err).NotTo(HaveOccurred())

			By("the target seeing the same traffic")
			a, b := single.snapshot(), split.snapshot()
			Expect(b.creates).To(Equal(a.creates))
			Expect(b.gets).To(Equal(a.gets))
			Expect(b.expires).To(Equal(a.expires))
			Expect(b.sessions).To(HaveLen(len(a.sessions)))
			Expect(b.expired).To(HaveLen(len(a.expired)))
			Expect(b.reusedRef).To(BeZero())
			Expect(b.unknown).To(Equal(a.unknown))

			By("the merged report counting the same requests per operation")
			Expect(merged.Operations).To(HaveLen(len(one.Operations)))
			for _, op := range one.Operations {
				m := opNamed(merged, op.Name)
				Expect(m.Requests).To(Equal(op.Requests), op.Name)
				Expect(m.StatusCodes).To(Equal(op.StatusCodes), op.Name)
			}
			Expect(merged.Overall.Requests).To(Equal(one.Overall.Requests))

			By("the merged hygiene equal to the single run's")
			Expect(merged.Hygiene.Created).To(Equal(one.Hygiene.Created))
			Expect(merged.Hygiene.Expired).To(Equal(one.Hygiene.Expired))
			Expect(merged.Hygiene.Leaked).To(Equal(one.Hygiene.Leaked))
			Expect(merged.Hygiene.Starvation).To(Equal(one.Hygiene.Starvation))
			Expect(one.Hygiene.Created).To(Equal(total))
			Expect(one.Hygiene.Expired + one.Hygiene.Leaked).To(Equal(total))
		},
		Entry("lifecycle: every session created, fetched and expired", "lifecycle"),
		// With the clean-up off every created session is a leak, so leaked is non-zero and must
		// still add up across the shards.
		Entry("create with no clean-up: every session leaked", "create", load.WithCleanup(false)),
	)
})
