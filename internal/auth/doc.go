// Package auth decides who is asking and what they may do: users and roles,
// argon2id passwords, browser sessions with CSRF protection, scoped API
// tokens, rate limits, one table-driven access policy, and the audit trail.
//
// The parties to a ceasefire are adversaries who share one desk, so the
// rules here are written down as data (the policy table) and tested role by
// role: a party liaison sees its own party's messages and the published
// record, never another party's reports; the public may report but not read
// what is not published. Secrets (session IDs, API tokens) are random,
// shown once and stored only as SHA-256 digests, so a copy of the database
// does not let anyone act as a user.
//
// The package does no SQL: it declares the Store it needs, and
// internal/store implements it on SQLite and PostgreSQL.
package auth
