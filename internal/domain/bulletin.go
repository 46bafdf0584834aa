package domain

import (
	"context"
	"time"
)

// Bulletin is one published version of the daily bulletin of an agreement.
// Published bulletins are never changed: a correction is a new version of
// the same day, so what was quoted from version 1 can always be shown again.
type Bulletin struct {
	ID          int64  `json:"id"`
	AgreementID int64  `json:"agreement_id"`
	Day         string `json:"day"` // YYYY-MM-DD, a local day of the agreement
	Version     int    `json:"version"`
	Title       string `json:"title"`
	// Report is the JSON of the figures the bulletin shows; the renderings
	// are made from it, and ContentHash (hex SHA-256 of Report) pins them.
	Report      []byte `json:"-"`
	HTML        []byte `json:"-"`
	Markdown    []byte `json:"-"`
	PDF         []byte `json:"-"`
	ContentHash string `json:"content_hash"`
	// Note says what a correction changed; empty for a first version.
	Note        string    `json:"note,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
}

// Validate checks what a bulletin must carry before it is published.
func (b *Bulletin) Validate() error {
	if b.AgreementID == 0 {
		return FieldErrorf("agreement_id", "is required")
	}
	if _, err := time.Parse(time.DateOnly, b.Day); err != nil {
		return FieldErrorf("day", "%q is not a YYYY-MM-DD date", b.Day)
	}
	if len(b.Report) == 0 || len(b.HTML) == 0 || len(b.Markdown) == 0 || len(b.PDF) == 0 {
		return FieldErrorf("report", "a bulletin is published with its figures and all three renderings")
	}
	if b.PublishedBy == "" {
		return FieldErrorf("published_by", "is required")
	}
	return nil
}

// IncidentCount is one group of an aggregate over incidents: how many fell in
// a time slot (its first instant, UTC) for one key and sub-event type, and
// their best-estimate fatalities. Slots are short (an hour) so callers can
// fold them into local days across daylight-saving changes.
type IncidentCount struct {
	Slot       time.Time
	Key        string // party slug, governorate or "" (see IncidentCounts)
	Type       string // ACLED sub-event type
	Count      int64
	Fatalities int64
}

// IncidentEvent is the few fields of an incident that series are cut from,
// streamed without building whole incidents.
type IncidentEvent struct {
	ID           int64
	OccurredAt   time.Time
	Type         string
	Admin1       string
	Fatalities   int64
	Perpetrators []string // party slugs
	Targets      []string
}

// BulletinStore keeps published bulletins and their versions, and serves the
// aggregates that bulletins and the analysis API are built from.
type BulletinStore interface {
	// PublishBulletin stores b as the next version of its day and sets ID,
	// Version, ContentHash and PublishedAt. Earlier versions stay as they were.
	PublishBulletin(ctx context.Context, b *Bulletin) error
	// Bulletin returns one version of a day's bulletin with its contents;
	// version 0 means the latest.
	Bulletin(ctx context.Context, agreementID int64, day string, version int) (*Bulletin, error)
	// Bulletins lists every published version, newest day first, without
	// their contents.
	Bulletins(ctx context.Context, agreementID int64) ([]*Bulletin, error)

	// IncidentCounts groups the incidents f selects (its page fields are
	// ignored) by slot of the given length, sub-event type and by: "" for
	// no key, "admin1", or "perpetrator"/"target" for the party's slug (an
	// incident with two perpetrators counts for each; one with none has key
	// ""). The grouping is done by the database.
	IncidentCounts(ctx context.Context, f IncidentFilter, by string, slot time.Duration) ([]IncidentCount, error)
	// IncidentEvents streams the projection of the incidents f selects, in
	// time order, to fn; it stops at fn's first error and returns it. The
	// event and its slices are reused after fn returns, so fn copies what it keeps.
	IncidentEvents(ctx context.Context, f IncidentFilter, fn func(*IncidentEvent) error) error
}
