// Package newsdesk makes news part of the desk's record: it reads articles
// (plain text, HTML, JSONL batches), finds their statements and claims with
// internal/news, resolves speakers and actors to the registry's parties,
// checks each claim against the desk's own records with internal/stats, and
// stores the article, its statements (with the byte offsets of their
// sentences) and its claims (with their checks) in one transaction.
//
// The same text read twice is one article: the store keeps the SHA-256 of
// the cleaned text unique.
package newsdesk
