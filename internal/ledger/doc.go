// Package ledger is Truce's tamper-evident log: every write to the store
// appends a leaf to an append-only Merkle tree in the manner of Certificate
// Transparency (RFC 9162), and co-chairs sign checkpoints of its root, so
// that either side can later prove that no record was edited, inserted or
// removed behind its back.
//
// The package does no database I/O of its own. A Log keeps its hashes in a
// Storage, which the store packages implement on SQLite and PostgreSQL and
// MemStorage implements in memory. A Verifier needs no Log at all: it takes
// the rows read from a database and a trusted checkpoint, recomputes every
// leaf, and reports precisely what changed.
//
// The formats are described in docs/ledger.md.
package ledger
