// Package domain holds Truce's vocabulary: messages, incidents, parties,
// agreements, places and the interfaces the stores implement. It does no I/O,
// so every other package can depend on it and tests can build values freely.
package domain
