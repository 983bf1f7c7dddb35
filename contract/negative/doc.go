// Package negative generates invalid request bodies from a contract's request schemas, so that a
// suite can prove an endpoint rejects what the contract forbids.
//
// Generate walks the request schema of one operation alongside a valid base body and, for every
// constraint the body reaches, makes one copy that breaks exactly that constraint: each required
// property removed, each minLength, maxLength, pattern, enum, const, minimum, maximum, minItems
// and maxItems violated, each property given a value of the wrong type, plus one malformed JSON
// document. Every Case names its operation, the JSON pointer it breaks, the schema keyword and
// the schema location of the constraint, and the status the contract documents for it (400).
//
// Constraints lists every constraint of an operation's request schema whether or not a base body
// reaches it, so coverage can be reported as the constraints exercised over the constraints that
// exist. The package reads the document itself (the raw YAML or JSON of a contract.Contract) and
// resolves local $refs; it never hard-codes anything only the bundled document has.
package negative
