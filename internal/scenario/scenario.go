// Package scenario holds the demo scenario that `truce demo` loads into a
// fresh store: the Syrian cessation of hostilities of February 2016, its
// parties and their statuses, OCHA's administrative boundaries, a GeoNames
// gazetteer, the Violations Documentation Center's daily deaths, Airwars
// incidents and a handful of illustrative desk messages.
//
// Everything is embedded, so the demo needs neither network nor files, and is
// returned as domain values with zero IDs; the caller stores them and links
// them by slug. The public data keeps its publishers' terms, listed in
// data/ATTRIBUTION.md. Run `go generate` to refresh the data files from the
// team's copy of the sources.
package scenario

//go:generate go run gen_data.go -src /work/shared/data -dst data

import (
	"embed"
	"fmt"
	"time"
	_ "time/tzdata" // the agreement's days are Damascus days, even on hosts without zoneinfo

	"github.com/trucedesk/truce/internal/domain"
)

//go:embed data/*.geojson data/*.csv data/*.txt data/*.json
var files embed.FS

// Attribution lists the sources of the embedded data and their terms. The
// GeoNames and OCHA licences require attribution wherever the data is shown,
// so the demo should display it.
//
//go:embed data/ATTRIBUTION.md
var Attribution string

// Scenario is the demo's data set, ready to be stored.
type Scenario struct {
	Agreement *domain.Agreement
	// Parties have zero IDs and no ParentID; Parents gives the parent
	// relations by slug, to be resolved once the parties have IDs.
	Parties []*domain.Party
	Parents map[string]string // child slug → parent slug
	// Statuses are the parties' status rows under Agreement; AgreementID
	// and PartyID are zero and PartySlug names the party.
	Statuses []StatusSpec
	Regions  []*domain.Region // 14 governorates (level 1), then 62 districts (level 2)
	Places   []*domain.Place  // GeoNames cities1000 for Syria, plus Hmeimim Air Base
	// Counts is the VDC series (SeriesVDC) for each governorate and for the
	// whole country (Region ""), one figure per day of 2016.
	Counts []domain.DailyCount
	// Airwars is the raw Airwars incident CSV, for the formats package to
	// import; its incidents date from June 2017 on, after this agreement.
	Airwars  []byte
	Messages []MessageSpec // illustrative desk messages, oldest first
}

// StatusSpec is a party status row whose party is named by slug, because
// the party has no ID until it is stored.
type StatusSpec struct {
	PartySlug string
	Status    domain.PartyStatus
}

// MessageSpec is a desk message as received, before intake stores it. The
// sender's party is named by slug for the same reason as in StatusSpec.
type MessageSpec struct {
	Channel    domain.Channel
	Sender     domain.Sender
	PartySlug  string // the liaison's party, if any
	ReceivedAt time.Time
	Language   string // BCP 47
	Subject    string
	Body       string
	// Note says how the message came about and how a monitor would be
	// expected to handle it; it is for the demo's guide, not the desk.
	Note string
}

// TimeZone is the agreement's time zone.
const TimeZone = "Asia/Damascus"

// Load parses the embedded data and builds the scenario. Each call returns
// fresh values, so callers may change them.
func Load() (*Scenario, error) {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	s := &Scenario{
		Agreement: agreement(loc),
		Parties:   parties(),
		Parents:   parents(),
		Statuses:  statuses(loc),
		Messages:  messages(loc),
	}
	if s.Regions, err = regions(); err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	if s.Places, err = places(s.Regions); err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	if s.Counts, err = counts(); err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	if s.Airwars, err = files.ReadFile("data/airwars_syria_incidents_flat.csv"); err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	return s, nil
}

// damascus returns a wall-clock time in Damascus.
func damascus(loc *time.Location, year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, loc)
}

// Resolve returns the status row for the stored agreement and party.
func (s StatusSpec) Resolve(agreementID, partyID int64) *domain.PartyStatus {
	st := s.Status
	st.AgreementID, st.PartyID = agreementID, partyID
	return &st
}

// Message returns the message as intake would receive it, with the sender's
// party ID (zero when PartySlug is empty) and its content hash.
func (m MessageSpec) Message(partyID int64) *domain.Message {
	msg := &domain.Message{
		Channel:    m.Channel,
		Sender:     m.Sender,
		ReceivedAt: m.ReceivedAt,
		Language:   m.Language,
		Subject:    m.Subject,
		Body:       m.Body,
	}
	msg.Sender.PartyID = partyID
	msg.ComputeContentHash()
	return msg
}
