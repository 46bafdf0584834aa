// Package compliance answers "was that a violation?" for an incident under
// an agreement's terms, the parties' status timelines and the map of who
// held the ground. The engine is pure and deterministic: the same terms,
// statuses, areas and incident give the same verdict in any order, with a
// trace of the rules applied and the records used, so a verdict can be
// checked and argued about. docs/compliance.md states the rules.
package compliance

import (
	"slices"
	"time"
)

// Outcome is what a view concludes.
type Outcome string

// The outcomes.
const (
	Violation    Outcome = "violation"
	NotViolation Outcome = "not_violation"
	Undetermined Outcome = "undetermined"
)

// Reason says why an act is not a violation, or what is missing to decide.
// A violation has no reason.
type Reason string

// Reasons for not_violation.
const (
	ReasonTargetExcluded      Reason = "target_excluded"
	ReasonBeforeStart         Reason = "before_start"
	ReasonAfterEnd            Reason = "after_end"
	ReasonInGrace             Reason = "in_grace"
	ReasonActNotProhibited    Reason = "act_not_prohibited"
	ReasonOutsideScope        Reason = "outside_scope"
	ReasonPerpetratorNotParty Reason = "perpetrator_not_party"
)

// Reasons for undetermined: what is missing.
const (
	ReasonPerpetratorUnknown   Reason = "perpetrator_unknown"
	ReasonTimeTooImprecise     Reason = "time_too_imprecise"
	ReasonLocationTooImprecise Reason = "location_too_imprecise"
	ReasonNoStatus             Reason = "no_status"
	// ReasonTargetUnknown: no target named and no control area at the point.
	ReasonTargetUnknown Reason = "target_unknown"
	// ReasonControlDisputed: the point lies in areas held by an excluded
	// and a non-excluded party at once (an overlap, or on the line).
	ReasonControlDisputed Reason = "control_disputed"
)

// Rule names a step of the evaluation, in the order it runs.
type Rule string

// The rules, in order.
const (
	RuleAct         Rule = "act"
	RuleTime        Rule = "time"
	RuleScope       Rule = "scope"
	RulePerpetrator Rule = "perpetrator"
	RuleTarget      Rule = "target"
	RuleArea        Rule = "area"
)

// FactKind says what a fact refers to.
type FactKind string

// The kinds of fact.
const (
	FactClause FactKind = "clause" // a term of the agreement
	FactStatus FactKind = "status" // a domain.PartyStatus row
	FactParty  FactKind = "party"  // a party, when no status row applies
	FactArea   FactKind = "area"   // a control area version
	FactWhen   FactKind = "when"   // the incident's time window
)

// Fact is one record a rule relied on: a clause of the terms (Clause names
// the field, Value its value), a status row (ID), a party without a row
// (PartyID), an area version (ID and Version) or the time window.
type Fact struct {
	Kind    FactKind `json:"kind"`
	ID      int64    `json:"id,omitempty"`
	Version int      `json:"version,omitempty"`
	PartyID int64    `json:"party_id,omitempty"`
	Clause  string   `json:"clause,omitempty"`
	Value   string   `json:"value,omitempty"`
}

// Step is one rule applied: whether it let the evaluation continue (Pass),
// and if not the outcome and reason it decided, with the facts it used.
type Step struct {
	Rule    Rule    `json:"rule"`
	Pass    bool    `json:"pass"`
	Outcome Outcome `json:"outcome,omitempty"`
	Reason  Reason  `json:"reason,omitempty"`
	Facts   []Fact  `json:"facts,omitempty"`
}

// View is one party's reading of the incident. The first view of a verdict
// is the agreement's own (Designator is its exclusion authority); each
// further view adds one designator's list to the authority's, and appears
// only when it changes the outcome.
type View struct {
	Label      string  `json:"label"`      // "the co-chairs'", "Turkey's"
	Designator string  `json:"designator"` // whose designations apply beyond the authority's
	Outcome    Outcome `json:"outcome"`
	Reason     Reason  `json:"reason,omitempty"`
	Why        string  `json:"why"` // a clause for the sentence: "target YPG designated by Turkey"
	Trace      []Step  `json:"trace"`

	why text // Why in parts, until Explain joins them
}

// Verdict is the engine's answer for one incident.
type Verdict struct {
	IncidentID       int64 `json:"incident_id"`
	IncidentVersion  int   `json:"incident_version"`
	AgreementID      int64 `json:"agreement_id"`
	AgreementVersion int   `json:"agreement_version"`
	// From and To are the window the incident's time precision allows, in
	// the agreement's time zone.
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Views    []View    `json:"views"`
	Sentence string    `json:"sentence"`

	scratch *scratch // buffers JudgeInto reuses
}

// Base returns the agreement's own view.
func (v *Verdict) Base() View { return v.Views[0] }

// sameOutcomes reports whether two verdicts say the same thing in every
// view, ignoring traces: a changed record ID behind an unchanged outcome is
// not news to the people reading the verdicts.
func sameOutcomes(a, b *Verdict) bool {
	return slices.EqualFunc(a.Views, b.Views, func(x, y View) bool {
		return x.Designator == y.Designator && x.Outcome == y.Outcome && x.Reason == y.Reason
	})
}
