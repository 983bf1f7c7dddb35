// Package load runs open-model load tests against the Checkout v3 API (the embedded mock or a
// sandbox) on top of vegeta v12 used as a library, and turns what it measured into a
// reports.Load.
//
// It owns:
//   - scenarios (lifecycle create→get→expire chains, single operations, weighted mixes) and
//     their JSON files, embedded from load/scenarios or read with [LoadScenarioFile];
//   - pacing ([Schedule]: constant or ramped stages, divided across shards) and the
//     coordinated-omission correction (latency is measured from the intended send time);
//   - idempotency replays under load (racing and delayed) and their correctness checks;
//   - sampled contract validation off the hot path;
//   - run hygiene (run-scoped references, a ledger, clean-up of leaked sessions, abort on
//     authentication storms, honouring 429 Retry-After);
//   - SLO parsing and evaluation ([ParseSLO]);
//   - per-operation exact HDR histograms beside vegeta's t-digest Metrics, a per-second
//     timeline, the vegeta results file, and [MergeFiles] for sharded runs.
//
// The package never exits, parses flags or reads the environment: cmd/checkoutkit does that.
package load
