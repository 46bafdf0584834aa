package domain

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// ViewOutcome is what one view of a verdict concludes, without its trace:
// enough to tell whether a verdict changed and to list verdicts.
type ViewOutcome struct {
	Label      string `json:"label"`
	Designator string `json:"designator"`
	Outcome    string `json:"outcome"` // violation, not_violation, undetermined
	Reason     string `json:"reason,omitempty"`
}

// SameOutcomes reports whether two lists of views conclude the same thing
// view by view. Labels and traces are ignored: a new record behind an
// unchanged outcome is not news to the people reading verdicts.
func SameOutcomes(a, b []ViewOutcome) bool {
	return slices.EqualFunc(a, b, func(x, y ViewOutcome) bool {
		return x.Designator == y.Designator && x.Outcome == y.Outcome && x.Reason == y.Reason
	})
}

// Verdict is the stored compliance verdict on one incident under one
// agreement. The engine that computes it lives in internal/compliance; the
// store keeps its views as JSON so that it does not depend on the engine.
type Verdict struct {
	IncidentID       int64 `json:"incident_id"`
	IncidentVersion  int   `json:"incident_version"`
	AgreementID      int64 `json:"agreement_id"`
	AgreementVersion int   `json:"agreement_version"`
	// Outcome and Reason are the co-chairs' (the agreement's own) view.
	Outcome  string        `json:"outcome"`
	Reason   string        `json:"reason,omitempty"`
	Outcomes []ViewOutcome `json:"outcomes"`
	// Views holds every view with its reason and trace, as the engine
	// wrote them (a JSON array of compliance.View).
	Views    json.RawMessage `json:"views"`
	Sentence string          `json:"sentence"`
	// Fingerprint identifies the records the verdict used: the incident and
	// agreement versions and every status row and area in its traces. Two
	// verdicts with the same fingerprint were computed from the same inputs.
	Fingerprint string    `json:"fingerprint"`
	ComputedAt  time.Time `json:"computed_at"`
}

// Disputed reports whether the views disagree.
func (v *Verdict) Disputed() bool { return len(v.Outcomes) > 1 }

// CauseKind says what made a verdict be computed again.
type CauseKind string

// The causes of a verdict change.
const (
	CauseIncident  CauseKind = "incident"  // the incident was created or edited
	CauseAgreement CauseKind = "agreement" // the agreement was created
	CauseTerms     CauseKind = "terms"     // the terms were edited
	CauseStatus    CauseKind = "status"    // a party status row was added
	CauseArea      CauseKind = "area"      // a control area was added or imported
	CauseRecompute CauseKind = "recompute" // a full recomputation was asked for
)

// Cause is the change a batch of verdicts answers: its kind, the record it
// names (status row, area, agreement version or incident ID), a sentence
// for people, and who made it and when.
type Cause struct {
	Kind  CauseKind `json:"kind"`
	ID    int64     `json:"id,omitempty"`
	Text  string    `json:"text"` // "status row 12 added", "area 5 added", "terms edited (version 3)"
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`
}

// VerdictChange is one entry of the append-only log of verdict changes: an
// incident's outcomes before and after, per view, and what caused it. Old
// is empty the first time an incident is judged under an agreement.
type VerdictChange struct {
	ID          int64         `json:"id"`
	IncidentID  int64         `json:"incident_id"`
	AgreementID int64         `json:"agreement_id"`
	OldOutcome  string        `json:"old_outcome,omitempty"`
	NewOutcome  string        `json:"new_outcome"`
	Old         []ViewOutcome `json:"old"`
	New         []ViewOutcome `json:"new"`
	Cause       Cause         `json:"cause"`
}

// VerdictFilter selects stored verdicts: the incident filters, and the
// agreement, the co-chairs' outcome and reason, and whether views disagree.
// Pagination (AfterID, Limit) is by incident ID.
type VerdictFilter struct {
	IncidentFilter
	AgreementID int64
	Outcome     string
	Reason      string
	Disputed    bool
}

// AffectedFilter selects the incidents a change to the engine's inputs can
// alter: recorded in [Since, Until) (zero bounds are open), and, when
// PartyIDs or Boxes are given, naming one of the parties as perpetrator or
// target or with a point in one of the boxes. AfterID and Limit page by ID.
type AffectedFilter struct {
	Since, Until time.Time
	PartyIDs     []int64
	Boxes        []BBox
	AfterID      int64
	Limit        int
}

// VerdictStore keeps verdicts and the record of their changes (compliance),
// and the edits of the engine's inputs that the core registry lacks.
type VerdictStore interface {
	// PutVerdicts stores the current verdicts and, in the same transaction,
	// appends a change for each whose outcomes differ from the stored ones
	// (compared inside the transaction, so the log is exact). It returns
	// the changes appended.
	PutVerdicts(ctx context.Context, vs []*Verdict, cause Cause) ([]*VerdictChange, error)
	// Verdict returns the verdict on an incident under an agreement.
	Verdict(ctx context.Context, incidentID, agreementID int64) (*Verdict, error)
	// IncidentVerdicts returns an incident's verdicts under every agreement.
	IncidentVerdicts(ctx context.Context, incidentID int64) ([]*Verdict, error)
	// VerdictsOf returns the stored verdicts of the given incidents under
	// an agreement, in incident order; incidents never judged are absent.
	VerdictsOf(ctx context.Context, agreementID int64, incidentIDs []int64) ([]*Verdict, error)
	// Verdicts lists verdicts by incident ID.
	Verdicts(ctx context.Context, f VerdictFilter) ([]*Verdict, error)
	// CountVerdicts counts the verdicts a filter selects, ignoring its page.
	CountVerdicts(ctx context.Context, f VerdictFilter) (int, error)
	// VerdictChanges returns an incident's verdict changes, oldest first.
	VerdictChanges(ctx context.Context, incidentID int64) ([]*VerdictChange, error)
	// AffectedIncidents lists, by ID, the incidents an AffectedFilter selects.
	AffectedIncidents(ctx context.Context, f AffectedFilter) ([]*Incident, error)
	// UpdateTerms replaces an agreement's terms if a.Version is current,
	// refusing a stale edit with ECONFLICT; the slug and ID stay.
	UpdateTerms(ctx context.Context, a *Agreement) error
	// ImportAreas stores control areas in one transaction: all or none.
	ImportAreas(ctx context.Context, areas []*Area) error
}
