// Package reports owns checkoutkit's report models and their renderings.
//
// Two models live here, each a plain JSON-stable value that runners fill and writers render:
//
//   - [Compliance] (schema "checkoutkit.compliance/v1"): the outcome of a contract-suite run —
//     target, contract identity, an operation × status matrix, violations, specs and coverage.
//     Rendered by [WriteComplianceJSON], [WriteComplianceMarkdown], [WriteComplianceHTML] and
//     [WriteComplianceJUnit]; read back by [ReadComplianceJSON].
//   - [Load] (schema "checkoutkit.load/v1"): the outcome of a load run — per-operation rates,
//     status codes, error classes, exact (HDR) and estimated (t-digest) latency, timelines, SLO
//     verdicts, idempotency, contract, hygiene and resource findings. Rendered by
//     [WriteLoadText], [WriteLoadJSON], [WriteLoadMarkdown] and [WriteLoadHTML]; read back by
//     [ReadLoadJSON].
//
// [WriteComplianceFiles] and [WriteLoadFiles] write every rendering into an output folder, and
// [ReadReport] reads a saved JSON report of either kind, which is all `checkoutkit report`
// needs to re-render one.
//
// The package imports no runner, server, contract or load-testing package: plain data in, bytes
// out. The JSON field names are documented in SCHEMA.md and only change with the schema version.
// Finalize on either model derives the computed fields (counts, conformance, coverage, verdict)
// and redacts credentials from the target URL (and, for Load, from Config), so builders only
// append data. Every writer escapes what it renders (HTML through html/template, Markdown by backslash
// escaping), because violation messages and spec names may echo what a target sent back.
// The HTML pages are single self-contained files: inline CSS, inline SVG charts, no scripts and no
// external assets, so a person can open them from disk or a CI artifact.
package reports
