package domain

// VerdictStore keeps verdicts and the record of their changes (compliance).
type VerdictStore interface{}
