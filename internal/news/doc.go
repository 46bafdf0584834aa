// Package news turns press reports and official briefings into attributed
// statements and checkable claims. It is pure: it reads bytes and returns
// values, so the store, the HTTP API and the CLI can all run it the same way
// and tests can check it against real articles.
//
// The pipeline is Parse (plain text, HTML or a JSONL batch → Article), Clean
// (page chrome and boilerplate removed), Segment (sentences with byte
// offsets), then Analyze (statements, speakers, dates and claims).
package news
