// Package stats turns events and published daily counts into the figures a
// ceasefire desk must be able to defend: per-day series in the agreement's
// local time, tests of whether a rate changed between two windows, the days
// on which it changed, and verdicts on claims such as "our air strikes have
// significantly decreased over the past two days".
//
// It is pure: callers hand it slices of events or daily values, so the same
// code serves the store, the HTTP API, the bulletin and the tests, and every
// figure can be recomputed from the records behind it. docs/statistics.md
// explains the choice of tests and thresholds.
package stats
