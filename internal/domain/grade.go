package domain

// GradeStore keeps verification grade history and report clusters.
type GradeStore interface{}
