package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// PartyKind classifies an actor.
type PartyKind string

// The kinds of party.
const (
	KindState      PartyKind = "state"       // a state's forces
	KindArmedGroup PartyKind = "armed_group" // a non-state armed group
	KindCoalition  PartyKind = "coalition"   // an alliance of groups or states
	KindMilitia    PartyKind = "militia"     // a pro-government or local militia
	KindCivilians  PartyKind = "civilians"   // as a target: ACLED's "Civilians"
	KindOther      PartyKind = "other"
)

// Valid reports whether k is a known kind.
func (k PartyKind) Valid() bool {
	switch k {
	case KindState, KindArmedGroup, KindCoalition, KindMilitia, KindCivilians, KindOther:
		return true
	}
	return false
}

// Alias is another name of a party, in some script.
type Alias struct {
	Name string `json:"name"`
	Lang string `json:"lang,omitempty"` // "ar", "en", "ru", "tr"…
}

// Party is an armed actor or state.
type Party struct {
	ID       int64     `json:"id"`
	Slug     string    `json:"slug"` // stable short key: "isil", "ypg", "ru-af"
	Name     string    `json:"name"`
	Kind     PartyKind `json:"kind"`
	Aliases  []Alias   `json:"aliases,omitempty"`
	ParentID int64     `json:"parent_id,omitempty"` // a brigade's coalition
	Sponsor  string    `json:"sponsor,omitempty"`   // the state that backs it
	Version  int       `json:"version"`
}

// Validate checks the party's own rules.
func (p *Party) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return FieldErrorf("name", "is required")
	}
	if p.Slug == "" || len(p.Slug) > 64 || strings.Trim(p.Slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return FieldErrorf("slug", "must be 1–64 characters of a–z, 0–9 and -")
	}
	if !p.Kind.Valid() {
		return FieldErrorf("kind", "unknown kind %q", p.Kind)
	}
	for _, a := range p.Aliases {
		if strings.TrimSpace(a.Name) == "" || !utf8.ValidString(a.Name) {
			return FieldErrorf("aliases", "an alias must be non-empty UTF-8")
		}
	}
	if p.ParentID != 0 && p.ParentID == p.ID {
		return FieldErrorf("parent_id", "a party cannot be its own parent")
	}
	return nil
}

// Names returns the name and every alias.
func (p *Party) Names() []string {
	names := []string{p.Name}
	for _, a := range p.Aliases {
		names = append(names, a.Name)
	}
	return names
}

// StatusKind is a party's standing under an agreement.
type StatusKind string

// The status kinds. Committed and withdrawn come from the party itself (through
// a guarantor); excluded and designated are someone else's judgment, kept per
// designator because designators disagree (Turkey designated the YPG, the US
// did not).
const (
	StatusCommitted    StatusKind = "committed"
	StatusWithdrawn    StatusKind = "withdrawn"
	StatusExcluded     StatusKind = "excluded"     // by the agreement's exclusion authority
	StatusDesignated   StatusKind = "designated"   // by another designator: a disputed view
	StatusUndesignated StatusKind = "undesignated" // a designator lifts its designation
)

// Valid reports whether k is a known status kind.
func (k StatusKind) Valid() bool {
	switch k {
	case StatusCommitted, StatusWithdrawn, StatusExcluded, StatusDesignated, StatusUndesignated:
		return true
	}
	return false
}

// PartyStatus is one row of a party's status timeline under an agreement; it
// holds from ValidFrom until a later row of the same party and designator.
type PartyStatus struct {
	ID          int64      `json:"id"`
	AgreementID int64      `json:"agreement_id"`
	PartyID     int64      `json:"party_id"`
	Kind        StatusKind `json:"kind"`
	// Designator names who holds this view: the exclusion authority ("UN
	// Security Council"), a state ("Turkey"), or for commitments the
	// guarantor the party committed through ("United States", "Russia").
	Designator string    `json:"designator,omitempty"`
	ValidFrom  time.Time `json:"valid_from"`
	Source     string    `json:"source,omitempty"` // the document or report
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// Validate checks the row's own rules.
func (s *PartyStatus) Validate() error {
	if s.AgreementID == 0 {
		return FieldErrorf("agreement_id", "is required")
	}
	if s.PartyID == 0 {
		return FieldErrorf("party_id", "is required")
	}
	if !s.Kind.Valid() {
		return FieldErrorf("kind", "unknown status %q", s.Kind)
	}
	if s.ValidFrom.IsZero() {
		return FieldErrorf("valid_from", "is required")
	}
	if s.Kind != StatusCommitted && s.Kind != StatusWithdrawn && s.Designator == "" {
		return FieldErrorf("designator", "an exclusion or designation must say who made it")
	}
	// The engines differ on a NUL (SQLite keeps it, PostgreSQL fails), so
	// neither sees one.
	for _, f := range []struct{ name, v string }{{"designator", s.Designator}, {"source", s.Source}, {"note", s.Note}} {
		if err := checkText(f.name, f.v, false, MaxBodyBytes); err != nil {
			return err
		}
	}
	return nil
}
