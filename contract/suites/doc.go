// Package suites holds checkoutkit's Ginkgo contract suites for the Checkout v3 API and the
// runner that certifies a target with them: the embedded mock (started in-process on a loopback
// port) or any URL.
//
// The specs live in non-test files, so both `go test` (suite_test.go runs them against an
// in-process mock) and the checkoutkit binary (Run, through ginkgo.RunSpecs with a Fail()-only T)
// run the same tree. They follow the cluster-api e2e layout: one bootstrap (Run), reusable specs
// as functions taking an input struct they check up front (CreateSessionSpec, LifecycleSpec,
// PaymentFlowSpec, ErrorCaseSpec, IdempotencySpec, InvalidFixtureSpec, NegativeBodySpec, FaultSpec),
// labels from one list (AllLabels), DescribeTable over fixture files and over the generated
// negative cases, GinkgoHelper in helpers, DeferCleanup beside the setup it undoes, and
// ReportAfterSuite writing the JUnit and Ginkgo JSON reports.
//
// Live safety: a URL target must pass client.CheckTarget (api.vipps.no only with
// Config.AllowProduction); every reference starts with Config.RunPrefix; every session a spec
// creates is expired by DeferCleanup, registered before any assertion; 429 answers are retried
// after Retry-After; specs labelled mock-only (the ones that pay or reject through the mock's
// control API) are skipped, with the reason, when Config.Live is set.
//
// Injected backend errors: 429, 500 and 502 are documented for every operation but no valid
// request provokes them, so FaultSpec (labels faults and mock-only) sets each through the
// mock's fault control endpoint (PUT /_mock/faults, Control.SetFaults), sends one valid request,
// expects exactly that status with a conforming problem body (Retry-After on 429) and clears the
// fault by DeferCleanup. Its specs are Serial, since a fault fails every request to the
// operation. The transport retries 429 answers after Retry-After; a request whose context comes
// from WithoutRetry429 (Call.NoRetry429 in Env.Send) gets the first 429 handed over instead. A
// target without the endpoint (not a checkoutkit mock, or mock.WithFaultControl(false)) skips
// them with ErrNoFaultControl as the reason.
//
// Every request a positive spec sends is validated against the contract before it is sent (a
// request that does not conform is refused and fails the spec: a suite must not pass by sending
// nonsense), and every response is validated after; a violation fails the spec with its location
// and how to fix it. Negative specs send invalid requests on purpose and expect the documented
// 4xx, whose body must still conform.
//
// Run builds a reports.Compliance from the recorded exchanges and the Ginkgo report
// (BuildCompliance) and writes junit.xml, ginkgo-report.json and compliance.{json,md,html} into
// Config.Out.
//
// Ginkgo allows RunSpecs once per process, so Run can be called once per process: a second call
// returns ErrAlreadyRan. Tests that need several runs (one per broken-server mode, say) run each
// in a subprocess.
package suites
