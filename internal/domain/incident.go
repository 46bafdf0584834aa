package domain

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// ACLED's event taxonomy (codebook 2023): each event type and its sub-event
// types. Incidents use these exact strings so exports stay ACLED-compatible.
var EventTypes = map[string][]string{
	"Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
	"Explosions/Remote violence": {"Chemical weapon", "Air/drone strike", "Suicide bomb",
		"Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"},
	"Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
	"Riots":    {"Violent demonstration", "Mob violence"},
	"Strategic developments": {"Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
		"Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory", "Other"},
	"Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
}

// Sub-event types the compliance rules name often.
const (
	SubAirStrike = "Air/drone strike"
	SubShelling  = "Shelling/artillery/missile attack"
	SubClash     = "Armed clash"
)

// EventTypeOf returns the event type a sub-event type belongs to.
func EventTypeOf(subEvent string) (string, bool) {
	for t, subs := range EventTypes {
		for _, s := range subs {
			if s == subEvent {
				return t, true
			}
		}
	}
	return "", false
}

// TimePrecision follows ACLED: 1 the day is known, 2 the week, 3 the month.
type TimePrecision int

// The time precisions.
const (
	TimeDay   TimePrecision = 1
	TimeWeek  TimePrecision = 2
	TimeMonth TimePrecision = 3
)

// GeoPrecision follows ACLED: 1 the place itself, 2 a nearby or part of a
// region, 3 only the larger region (district or governorate).
type GeoPrecision int

// The geographic precisions.
const (
	GeoExact    GeoPrecision = 1
	GeoNear     GeoPrecision = 2
	GeoProvince GeoPrecision = 3
)

// Grade is a verification grade in the manner of Airwars.
type Grade string

// The grades, from best to worst established.
const (
	GradeUngraded   Grade = ""
	GradeConfirmed  Grade = "confirmed"  // the belligerent accepts responsibility
	GradeFair       Grade = "fair"       // two or more uncontested credible sources
	GradeWeak       Grade = "weak"       // a single source, or little detail
	GradeContested  Grade = "contested"  // competing claims of responsibility
	GradeDiscounted Grade = "discounted" // shown not to have happened as reported
)

// Valid reports whether g is a known grade (ungraded included).
func (g Grade) Valid() bool {
	switch g {
	case GradeUngraded, GradeConfirmed, GradeFair, GradeWeak, GradeContested, GradeDiscounted:
		return true
	}
	return false
}

// Point is a WGS84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Validate checks the ranges.
func (p Point) Validate() error {
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return FieldErrorf("lat", "latitude %v is outside -90..90", p.Lat)
	}
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return FieldErrorf("lon", "longitude %v is outside -180..180", p.Lon)
	}
	return nil
}

// Fatalities counts the dead as UCDP does: a best estimate with a low and a
// high bound, and how many of the best estimate were civilians.
type Fatalities struct {
	Best     int `json:"best"`
	Low      int `json:"low"`
	High     int `json:"high"`
	Civilian int `json:"civilian"`
}

// Validate checks low ≤ best ≤ high and that civilians are a share of best.
func (f Fatalities) Validate() error {
	switch {
	case f.Low < 0 || f.Best < 0 || f.High < 0 || f.Civilian < 0:
		return FieldErrorf("fatalities", "counts cannot be negative")
	case f.Low > f.Best || f.Best > f.High:
		return FieldErrorf("fatalities", "need low ≤ best ≤ high, got %d ≤ %d ≤ %d", f.Low, f.Best, f.High)
	case f.Civilian > f.High:
		return FieldErrorf("fatalities.civilian", "civilian deaths (%d) exceed the high estimate (%d)", f.Civilian, f.High)
	}
	return nil
}

// SourceKind says what backs an incident.
type SourceKind string

// The kinds of source.
const (
	SourceMessage SourceKind = "message" // a message received by the desk
	SourceMedia   SourceKind = "media"   // a published report, post or video
	SourceDataset SourceKind = "dataset" // a row of ACLED, UCDP GED, Airwars…
)

// Source links an incident to something that reports it.
type Source struct {
	ID        int64      `json:"id"`
	Kind      SourceKind `json:"kind"`
	MessageID int64      `json:"message_id,omitempty"`
	URL       string     `json:"url,omitempty"`
	Publisher string     `json:"publisher,omitempty"`
	Note      string     `json:"note,omitempty"`
	AddedAt   time.Time  `json:"added_at"`
	AddedBy   string     `json:"added_by"`
}

// Incident is an event the desk has recorded.
type Incident struct {
	ID            int64         `json:"id"`
	EventType     string        `json:"event_type"`
	SubEventType  string        `json:"sub_event_type"`
	OccurredAt    time.Time     `json:"occurred_at"`
	TimePrecision TimePrecision `json:"time_precision"`
	Location      string        `json:"location,omitempty"`
	Point         *Point        `json:"point,omitempty"`
	GeoPrecision  GeoPrecision  `json:"geo_precision"`
	Admin1        string        `json:"admin1,omitempty"`       // governorate
	Admin2        string        `json:"admin2,omitempty"`       // district
	Perpetrators  []int64       `json:"perpetrators,omitempty"` // party IDs, alleged
	Targets       []int64       `json:"targets,omitempty"`      // party IDs
	Fatalities    Fatalities    `json:"fatalities"`
	Injured       int           `json:"injured"`
	Grade         Grade         `json:"grade"`
	Summary       string        `json:"summary,omitempty"`
	// Origin and OriginID name the dataset row an imported incident came from
	// ("airwars", "CS123"), so a re-import updates instead of duplicating.
	Origin    string    `json:"origin,omitempty"`
	OriginID  string    `json:"origin_id,omitempty"`
	Sources   []Source  `json:"sources,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// Validate checks the incident's own rules.
func (in *Incident) Validate() error {
	t, ok := EventTypeOf(in.SubEventType)
	if !ok {
		return FieldErrorf("sub_event_type", "%q is not an ACLED sub-event type", in.SubEventType)
	}
	if in.EventType == "" {
		in.EventType = t
	} else if in.EventType != t {
		return FieldErrorf("event_type", "%q is a sub-event of %q, not of %q", in.SubEventType, t, in.EventType)
	}
	if in.OccurredAt.IsZero() {
		return FieldErrorf("occurred_at", "is required")
	}
	if in.TimePrecision == 0 {
		in.TimePrecision = TimeDay
	}
	if in.TimePrecision < TimeDay || in.TimePrecision > TimeMonth {
		return FieldErrorf("time_precision", "must be 1 (day), 2 (week) or 3 (month)")
	}
	if in.GeoPrecision == 0 {
		in.GeoPrecision = GeoExact
	}
	if in.GeoPrecision < GeoExact || in.GeoPrecision > GeoProvince {
		return FieldErrorf("geo_precision", "must be 1 (exact), 2 (near) or 3 (region)")
	}
	if in.Point != nil {
		if err := in.Point.Validate(); err != nil {
			return err
		}
	}
	if err := in.Fatalities.Validate(); err != nil {
		return err
	}
	if in.Injured < 0 {
		return FieldErrorf("injured", "cannot be negative")
	}
	if !in.Grade.Valid() {
		return FieldErrorf("grade", "unknown grade %q", in.Grade)
	}
	for _, f := range []struct{ name, v string }{
		{"location", in.Location}, {"admin1", in.Admin1}, {"admin2", in.Admin2}, {"summary", in.Summary},
	} {
		if !utf8.ValidString(f.v) {
			return FieldErrorf(f.name, "is not valid UTF-8")
		}
	}
	if len(in.Summary) > MaxBodyBytes {
		return FieldErrorf("summary", "is longer than 64 KiB")
	}
	if (in.Origin == "") != (in.OriginID == "") {
		return FieldErrorf("origin_id", "origin and origin_id go together")
	}
	return nil
}

// String describes the incident in a line, for logs and lists.
func (in *Incident) String() string {
	where := in.Location
	if where == "" {
		where = strings.TrimSpace(in.Admin2 + " " + in.Admin1)
	}
	return fmt.Sprintf("#%d %s, %s, %s", in.ID, in.SubEventType, where, in.OccurredAt.Format("2006-01-02"))
}

// IncidentFilter selects incidents. Zero fields do not filter.
type IncidentFilter struct {
	Since, Until time.Time // OccurredAt in [Since, Until)
	BBox         *BBox
	PartyID      int64 // as perpetrator or target
	SubEventType string
	Grade        Grade
	Admin1       string
	Origin       string
	// PublishedOnly keeps only published incidents: those whose local day,
	// in an agreement's time zone, a published bulletin of that agreement
	// covers. It is what observers see.
	PublishedOnly bool
	AfterID       int64 // keyset pagination, ascending by ID
	Limit         int
}

// BBox is a longitude/latitude box.
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// Contains reports whether p is inside the box, edges included.
func (b BBox) Contains(p Point) bool {
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}
