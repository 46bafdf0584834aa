package domain

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reconciliation is a local reconciliation agreement: a settlement, through
// its representatives or an armed group, agrees to join a ceasefire, often
// through a guarantor or mediator and sometimes on terms (heavy weapons
// handed over, humanitarian access, evacuation). In 2016 the Russian Centre
// for the Reconciliation of Opposing Sides at Hmeimim reported such
// agreements daily; some were later reported broken.
type Reconciliation struct {
	ID          int64 `json:"id"`
	AgreementID int64 `json:"agreement_id"` // the ceasefire the settlement joins
	// Settlement is the town or village as the source names it; GeonameID
	// ties it to the gazetteer (by the GeoNames ID, which survives a reload
	// of the gazetteer) and Point places it on the map.
	Settlement    string        `json:"settlement"`
	GeonameID     int64         `json:"geoname_id,omitempty"`
	Point         *Point        `json:"point,omitempty"`
	Admin1        string        `json:"admin1"`           // governorate
	Admin2        string        `json:"admin2,omitempty"` // district
	SignedAt      time.Time     `json:"signed_at"`
	TimePrecision TimePrecision `json:"time_precision"`
	Signatories   []Signatory   `json:"signatories"`
	Terms         []Term        `json:"terms,omitempty"`
	Sources       []RecordLink  `json:"sources,omitempty"`
	Summary       string        `json:"summary,omitempty"`
	// State is the newest status of the timeline, kept with the record so
	// lists filter on it; the timeline says when and why it changed.
	State     ReconciliationState    `json:"state"`
	Statuses  []ReconciliationStatus `json:"statuses"`
	CreatedAt time.Time              `json:"created_at"`
	CreatedBy string                 `json:"created_by"`
	UpdatedAt time.Time              `json:"updated_at"`
	Version   int                    `json:"version"`
}

// SignatoryRole is the part a signatory plays in a reconciliation.
type SignatoryRole string

// The roles of signatories.
const (
	SignatoryArmedGroup SignatoryRole = "armed_group" // the local armed group that lays down or holds fire
	SignatoryCommunity  SignatoryRole = "community"   // representatives: notables, elders, a local council
	SignatoryGovernment SignatoryRole = "government"  // the government side
	SignatoryGuarantor  SignatoryRole = "guarantor"   // a guarantor or mediator
)

// Valid reports whether r is a known role.
func (r SignatoryRole) Valid() bool {
	switch r {
	case SignatoryArmedGroup, SignatoryCommunity, SignatoryGovernment, SignatoryGuarantor:
		return true
	}
	return false
}

// Signatory is one party to a reconciliation: a registered party, or, for
// representatives the registry does not know (a town's elders), a name.
type Signatory struct {
	PartyID int64         `json:"party_id,omitempty"`
	Name    string        `json:"name,omitempty"`
	Role    SignatoryRole `json:"role"`
}

// TermKind tags a term, so terms can be counted across agreements; the
// text says what was agreed.
type TermKind string

// The kinds of term, from the 2016 reports.
const (
	TermHeavyWeapons       TermKind = "heavy_weapons"       // handover of heavy weapons
	TermHumanitarianAccess TermKind = "humanitarian_access" // aid convoys let in
	TermEvacuation         TermKind = "evacuation"          // fighters or civilians leave
	TermStatusSettlement   TermKind = "status_settlement"   // fighters' or deserters' status settled
	TermDetainees          TermKind = "detainees"           // release or exchange of detainees
	TermOther              TermKind = "other"
)

// Valid reports whether k is a known kind.
func (k TermKind) Valid() bool {
	switch k {
	case TermHeavyWeapons, TermHumanitarianAccess, TermEvacuation, TermStatusSettlement, TermDetainees, TermOther:
		return true
	}
	return false
}

// Term is one condition of a reconciliation.
type Term struct {
	Kind TermKind `json:"kind"`
	Text string   `json:"text,omitempty"`
}

// RecordLink is what a record rests on: a message the desk received, or a
// published report.
type RecordLink struct {
	MessageID int64  `json:"message_id,omitempty"`
	URL       string `json:"url,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	Note      string `json:"note,omitempty"`
}

// ReconciliationState is where a reconciliation stands.
type ReconciliationState string

// The states: an agreement is signed, then reported in force, and may be
// reported broken or withdrawn. Broken and withdrawn are final: a renewed
// agreement is a new record.
const (
	ReconciliationSigned    ReconciliationState = "signed"
	ReconciliationInForce   ReconciliationState = "in_force"
	ReconciliationBroken    ReconciliationState = "broken"
	ReconciliationWithdrawn ReconciliationState = "withdrawn"
)

// Valid reports whether s is a known state.
func (s ReconciliationState) Valid() bool {
	switch s {
	case ReconciliationSigned, ReconciliationInForce, ReconciliationBroken, ReconciliationWithdrawn:
		return true
	}
	return false
}

// reconciliationMoves lists the states each state may move to.
var reconciliationMoves = map[ReconciliationState][]ReconciliationState{
	ReconciliationSigned:  {ReconciliationInForce, ReconciliationBroken, ReconciliationWithdrawn},
	ReconciliationInForce: {ReconciliationBroken, ReconciliationWithdrawn},
}

// CanMove reports whether a reconciliation in state from may move to to.
func (s ReconciliationState) CanMove(to ReconciliationState) bool {
	for _, x := range reconciliationMoves[s] {
		if x == to {
			return true
		}
	}
	return false
}

// ReconciliationStatus is one row of a reconciliation's timeline: the state
// it entered, when (as reported), and why.
type ReconciliationStatus struct {
	ID         int64               `json:"id"`
	State      ReconciliationState `json:"state"`
	At         time.Time           `json:"at"`
	Note       string              `json:"note,omitempty"`
	RecordedAt time.Time           `json:"recorded_at"`
	RecordedBy string              `json:"recorded_by"`
}

// ReconciliationChange moves a reconciliation to a new state; Version must
// be the reconciliation's current version.
type ReconciliationChange struct {
	ID      int64               `json:"-"`
	Version int                 `json:"version"`
	State   ReconciliationState `json:"state"`
	At      time.Time           `json:"at"`
	Note    string              `json:"note,omitempty"`
	Actor   string              `json:"-"`
}

// Bounds on a reconciliation's parts.
const (
	maxReconciliationName  = 300 // a settlement, governorate, signatory or publisher
	maxReconciliationText  = 4000
	maxReconciliationParts = 50 // signatories, terms or sources
)

// Validate checks the reconciliation's own rules. The store fills State and
// Statuses; they are not the caller's to give.
func (rc *Reconciliation) Validate() error {
	if rc.AgreementID <= 0 {
		return FieldErrorf("agreement_id", "is required")
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"settlement", rc.Settlement, true}, {"admin1", rc.Admin1, true}, {"admin2", rc.Admin2, false},
	} {
		if err := checkLine(f.name, f.v, f.required, maxReconciliationName); err != nil {
			return err
		}
	}
	if rc.GeonameID < 0 {
		return FieldErrorf("geoname_id", "is not an ID")
	}
	if rc.Point != nil {
		if err := rc.Point.Validate(); err != nil {
			return FieldErrorf("point."+ErrorField(err), "%s", ErrorMessage(err))
		}
	}
	if rc.SignedAt.IsZero() {
		return FieldErrorf("signed_at", "is required")
	}
	if rc.TimePrecision == 0 {
		rc.TimePrecision = TimeDay
	}
	if rc.TimePrecision < TimeDay || rc.TimePrecision > TimeMonth {
		return FieldErrorf("time_precision", "must be 1 (day), 2 (week) or 3 (month)")
	}
	if len(rc.Signatories) == 0 {
		return FieldErrorf("signatories", "name at least one party to the agreement")
	}
	if len(rc.Signatories) > maxReconciliationParts || len(rc.Terms) > maxReconciliationParts || len(rc.Sources) > maxReconciliationParts {
		return FieldErrorf("signatories", "at most %d signatories, terms and sources each", maxReconciliationParts)
	}
	type key struct {
		party int64
		name  string
		role  SignatoryRole
	}
	seen := map[key]bool{}
	for _, s := range rc.Signatories {
		if !s.Role.Valid() {
			return FieldErrorf("signatories.role", "unknown role %q: want armed_group, community, government or guarantor", s.Role)
		}
		if s.PartyID < 0 {
			return FieldErrorf("signatories.party_id", "is not an ID")
		}
		if s.PartyID == 0 && strings.TrimSpace(s.Name) == "" {
			return FieldErrorf("signatories.party_id", "a signatory needs a party or a name")
		}
		if err := checkLine("signatories.name", s.Name, false, maxReconciliationName); err != nil {
			return err
		}
		k := key{s.PartyID, strings.TrimSpace(s.Name), s.Role}
		if seen[k] {
			return FieldErrorf("signatories", "the same signatory is named twice as %s", s.Role)
		}
		seen[k] = true
	}
	for _, t := range rc.Terms {
		if !t.Kind.Valid() {
			return FieldErrorf("terms.kind", "unknown kind %q: want heavy_weapons, humanitarian_access, evacuation, status_settlement, detainees or other", t.Kind)
		}
		if err := checkText("terms.text", t.Text, t.Kind == TermOther, maxReconciliationText); err != nil {
			return err
		}
	}
	for _, l := range rc.Sources {
		if err := l.validate("sources"); err != nil {
			return err
		}
	}
	if err := checkText("summary", rc.Summary, false, MaxBodyBytes); err != nil {
		return err
	}
	return nil
}

func (l RecordLink) validate(field string) error {
	if l.MessageID < 0 {
		return FieldErrorf(field+".message_id", "is not an ID")
	}
	if l.MessageID == 0 && l.URL == "" {
		return FieldErrorf(field+".url", "a source needs a message or a URL")
	}
	if l.URL != "" {
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l.URL) > 2000 {
			return FieldErrorf(field+".url", "%q is not an http(s) URL", l.URL)
		}
	}
	if err := checkLine(field+".publisher", l.Publisher, false, maxReconciliationName); err != nil {
		return err
	}
	return checkText(field+".note", l.Note, false, maxReconciliationText)
}

// Validate checks a status change's own rules; whether the move is allowed
// depends on the stored timeline, which the store checks.
func (c *ReconciliationChange) Validate() error {
	if c.ID <= 0 {
		return FieldErrorf("id", "is required")
	}
	if !c.State.Valid() || c.State == ReconciliationSigned {
		return FieldErrorf("state", "unknown state %q: want in_force, broken or withdrawn", c.State)
	}
	if c.At.IsZero() {
		return FieldErrorf("at", "is required")
	}
	if c.Version <= 0 {
		return FieldErrorf("version", "is required (the version you read)")
	}
	return checkText("note", c.Note, false, maxReconciliationText)
}

// checkLine checks a one-line name: UTF-8 without control characters, at
// most max bytes, and present if required.
func checkLine(field, v string, required bool, max int) error {
	if err := checkText(field, v, required, max); err != nil {
		return err
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return FieldErrorf(field, "holds a control character")
	}
	return nil
}

// checkText checks free text: UTF-8 without NUL (PostgreSQL cannot store
// it), at most max bytes, and present if required.
func checkText(field, v string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return FieldErrorf(field, "is required")
	case !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0:
		return FieldErrorf(field, "is not valid UTF-8 text")
	case len(v) > max:
		return FieldErrorf(field, "is longer than %d bytes", max)
	}
	return nil
}

// StateBefore returns the state the timeline gave just before instant t
// (at the end of a day that ends at t): the newest status dated before it,
// or "" if the reconciliation was not yet signed. Statuses are in timeline
// order.
func (rc *Reconciliation) StateBefore(t time.Time) ReconciliationState {
	var s ReconciliationState
	for _, st := range rc.Statuses {
		if !st.At.Before(t) {
			break
		}
		s = st.State
	}
	return s
}

// HasParty reports whether a registered party signed the reconciliation.
func (rc *Reconciliation) HasParty(id int64) bool {
	for _, s := range rc.Signatories {
		if s.PartyID == id && id != 0 {
			return true
		}
	}
	return false
}

// ReconciliationFilter selects reconciliations. Zero fields do not filter.
type ReconciliationFilter struct {
	AgreementID  int64
	Admin1       string
	PartyID      int64     // a signatory
	Since, Until time.Time // SignedAt in [Since, Until)
	State        ReconciliationState
	// AsOf makes State the state the timeline gave just before AsOf (a
	// bulletin's count at the end of its day, see StateBefore) rather than
	// the newest.
	AsOf    time.Time
	AfterID int64 // keyset pagination, ascending by ID
	Limit   int
}

// ReconciliationStore keeps reconciliation agreements and their timelines.
type ReconciliationStore interface {
	// CreateReconciliation stores a new reconciliation, signed at SignedAt.
	CreateReconciliation(ctx context.Context, rc *Reconciliation) error
	// CreateReconciliationFromMessage stores a new reconciliation and, in
	// the same transaction, links to it the message it was recorded from.
	// link names the message, the version the actor read, the actor and
	// the instant; the store names the reconciliation. A received message
	// is triaged first, as a monitor would by hand, and each move is in
	// its history. If anything fails, nothing is stored. It returns the
	// message as linked and the moves, in order.
	CreateReconciliationFromMessage(ctx context.Context, rc *Reconciliation, link Transition) (*Message, []*MessageEvent, error)
	Reconciliation(ctx context.Context, id int64) (*Reconciliation, error)
	Reconciliations(ctx context.Context, f ReconciliationFilter) ([]*Reconciliation, error)
	// CountReconciliations counts what a filter selects, ignoring its page.
	CountReconciliations(ctx context.Context, f ReconciliationFilter) (int, error)
	// UpdateReconciliation replaces the fields (not the timeline) if
	// Version is current.
	UpdateReconciliation(ctx context.Context, rc *Reconciliation) error
	// ChangeReconciliationState appends a status to the timeline if the
	// move is allowed and the version current, and returns the record.
	ChangeReconciliationState(ctx context.Context, c ReconciliationChange) (*Reconciliation, error)
}
