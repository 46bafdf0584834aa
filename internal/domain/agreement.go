package domain

import (
	"strings"
	"time"
)

// Agreement is a ceasefire and its terms.
type Agreement struct {
	ID       int64  `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"` // IANA name; days in bulletins are local days
	// Start is the instant the ceasefire takes effect; End is zero while it
	// holds with no end date.
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
	// CommitBy is the deadline for parties to commit.
	CommitBy time.Time `json:"commit_by,omitzero"`
	// ProhibitedActs lists the ACLED sub-event types the terms forbid.
	ProhibitedActs []string `json:"prohibited_acts"`
	// Scope lists the admin1 regions (governorates) it covers; empty means
	// the whole country.
	Country string   `json:"country"`
	Scope   []string `json:"scope,omitempty"`
	// ExclusionAuthority is whose designations put a party outside the
	// agreement, e.g. "UN Security Council".
	ExclusionAuthority string `json:"exclusion_authority"`
	// Grace is how long after Start acts are recorded but not yet counted
	// as violations, if the terms give one.
	Grace   time.Duration `json:"grace,omitempty"`
	Text    string        `json:"text,omitempty"`   // the terms as published
	Source  string        `json:"source,omitempty"` // where they were published
	Version int           `json:"version"`
}

// Validate checks the agreement's own rules.
func (a *Agreement) Validate() error {
	if strings.TrimSpace(a.Name) == "" {
		return FieldErrorf("name", "is required")
	}
	if a.Slug == "" || strings.Trim(a.Slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return FieldErrorf("slug", "must be a–z, 0–9 and -")
	}
	if _, err := time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "" {
		return FieldErrorf("time_zone", "%q is not an IANA time zone", a.TimeZone)
	}
	if a.Start.IsZero() {
		return FieldErrorf("start", "is required")
	}
	if !a.End.IsZero() && !a.End.After(a.Start) {
		return FieldErrorf("end", "must come after the start")
	}
	for _, act := range a.ProhibitedActs {
		if _, ok := EventTypeOf(act); !ok {
			return FieldErrorf("prohibited_acts", "%q is not an ACLED sub-event type", act)
		}
	}
	if a.Grace < 0 {
		return FieldErrorf("grace", "cannot be negative")
	}
	return nil
}

// Location returns the agreement's time zone; Validate guarantees it loads.
func (a *Agreement) Location() *time.Location {
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
