package domain

// StatementStore keeps articles, statements and claims.
type StatementStore interface{}
