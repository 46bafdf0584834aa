package store

import "strings"

// valuesList writes the VALUES rows of a many-row statement: rows groups of
// width placeholders, numbered from 1. One statement for a few hundred rows
// costs the engine one parse and the driver one round trip, where a prepared
// statement run per row pays both per row.
func valuesList(d dialect, q *strings.Builder, rows, width int) {
	n := 0
	for r := range rows {
		if r > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for c := range width {
			if c > 0 {
				q.WriteString(", ")
			}
			n++
			q.WriteString(d.ph(n))
		}
		q.WriteByte(')')
	}
}

// rowsPerStatement is how many rows of width columns go in one statement:
// a few hundred amortise the statement, and the total stays far below
// either engine's limit on parameters (SQLite 32,766; PostgreSQL 65,535).
func rowsPerStatement(width int) int {
	return max(1, 8000/width)
}
