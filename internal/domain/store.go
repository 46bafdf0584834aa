package domain

import (
	"context"
	"time"
)

// Submission is one message handed to the store by intake, with the window
// within which the same sender sending the same content is a repeat.
type Submission struct {
	Message      *Message
	RepeatWindow time.Duration
}

// Receipt is the store's answer to a submission: the message as stored, and
// whether it was a repeat of one already stored (then Message is the original).
type Receipt struct {
	Message *Message
	Repeat  bool
}

// MessageStore keeps messages and their triage history.
type MessageStore interface {
	// SubmitMessages stores a batch of messages in one transaction, so that
	// intake can commit many concurrent submissions with one disk sync. Either
	// every receipt is durable when it returns nil, or none is.
	SubmitMessages(ctx context.Context, subs []Submission) ([]Receipt, error)
	Message(ctx context.Context, id int64) (*Message, error)
	MessageByTracking(ctx context.Context, tracking string) (*Message, error)
	Messages(ctx context.Context, f MessageFilter) ([]*Message, error)
	// TransitionMessage moves a message to a new state and records the event.
	TransitionMessage(ctx context.Context, t Transition) (*Message, error)
	MessageEvents(ctx context.Context, messageID int64) ([]*MessageEvent, error)
	// CountMessages counts messages per state.
	CountMessages(ctx context.Context) (map[MessageState]int, error)
}

// IncidentStore keeps incidents and their sources.
type IncidentStore interface {
	// CreateIncident stores a new incident, or with Origin set and an
	// incident of that origin already stored, updates it (re-import).
	CreateIncident(ctx context.Context, in *Incident) error
	Incident(ctx context.Context, id int64) (*Incident, error)
	Incidents(ctx context.Context, f IncidentFilter) ([]*Incident, error)
	// UpdateIncident replaces an incident's fields if Version is current.
	UpdateIncident(ctx context.Context, in *Incident) error
	AddSource(ctx context.Context, incidentID int64, s *Source) error
	CountIncidents(ctx context.Context, f IncidentFilter) (int, error)
}

// RegistryStore keeps agreements, parties and their statuses.
type RegistryStore interface {
	CreateAgreement(ctx context.Context, a *Agreement) error
	Agreement(ctx context.Context, id int64) (*Agreement, error)
	AgreementBySlug(ctx context.Context, slug string) (*Agreement, error)
	Agreements(ctx context.Context) ([]*Agreement, error)
	CreateParty(ctx context.Context, p *Party) error
	Party(ctx context.Context, id int64) (*Party, error)
	PartyBySlug(ctx context.Context, slug string) (*Party, error)
	Parties(ctx context.Context) ([]*Party, error)
	AddPartyStatus(ctx context.Context, s *PartyStatus) error
	PartyStatuses(ctx context.Context, agreementID int64) ([]*PartyStatus, error)
}

// GeoStore keeps the gazetteer, administrative regions, control areas and
// published daily series.
type GeoStore interface {
	PutPlaces(ctx context.Context, places []*Place) error
	Places(ctx context.Context) ([]*Place, error)
	PutRegions(ctx context.Context, regions []*Region) error
	Regions(ctx context.Context, level int) ([]*Region, error)
	CreateArea(ctx context.Context, a *Area) error
	Areas(ctx context.Context) ([]*Area, error)
	PutDailyCounts(ctx context.Context, counts []DailyCount) error
	DailyCounts(ctx context.Context, series string, from, to string) ([]DailyCount, error)
}

// Store is everything Truce keeps. SQLite and PostgreSQL implement it, and one
// contract test suite holds both to the same behaviour.
type Store interface {
	MessageStore
	IncidentStore
	RegistryStore
	GeoStore
	VerdictStore
	GradeStore
	BulletinStore
	StatementStore
	ReconciliationStore
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	Close() error
}
