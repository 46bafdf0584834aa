package domain

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GradeStore keeps verification grade history, the imports of dataset rows
// and the clusters of reports that may describe one incident.
type GradeStore interface {
	// GradeIncident sets an incident's grade if the version it names is
	// current, and records who changed it, when, from what and why.
	GradeIncident(ctx context.Context, g GradeChange) (*Incident, error)
	// GradeHistory lists an incident's grade changes, oldest first.
	GradeHistory(ctx context.Context, incidentID int64) ([]*GradeChange, error)

	// ImportIncidents stores a batch of dataset incidents in one
	// transaction: new origin IDs are inserted, changed ones updated,
	// unchanged ones left alone, so a batch re-run after a crash neither
	// duplicates nor loses rows.
	ImportIncidents(ctx context.Context, batch []*Incident) (ImportCounts, error)
	// PutUnmappedActors records the actor names one import could not
	// resolve. Counts are kept per input (the same file imported twice
	// counts once).
	PutUnmappedActors(ctx context.Context, input string, actors []UnmappedActor) error
	// UnmappedActors lists unresolved actor names, most frequent first.
	UnmappedActors(ctx context.Context, origin string) ([]UnmappedActor, error)

	// SaveClusterProposals stores proposals; one whose members are already
	// proposed or decided is skipped. It returns the stored ones with IDs.
	SaveClusterProposals(ctx context.Context, ps []*ClusterProposal) ([]*ClusterProposal, error)
	ClusterProposal(ctx context.Context, id int64) (*ClusterProposal, error)
	ClusterProposals(ctx context.Context, state ClusterState, afterID int64, limit int) ([]*ClusterProposal, error)
	// DecideCluster accepts (merges) or splits a proposal. Accepting keeps
	// every incident: the others are marked merged into the survivor, whose
	// sources then include theirs. Splitting an accepted cluster undoes
	// the merge.
	DecideCluster(ctx context.Context, d ClusterDecision) (*ClusterProposal, error)
	// MergedInto returns, for the given incidents, the survivor each was
	// merged into; incidents not merged are absent.
	MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error)
	// SourcesOf returns the sources of several incidents at once, for
	// exports, which list incidents a page at a time.
	SourcesOf(ctx context.Context, incidentIDs []int64) (map[int64][]Source, error)
	// MergedSources lists the sources of an incident together with those
	// of the incidents and messages merged into it.
	MergedSources(ctx context.Context, incidentID int64) ([]MergedSource, error)
}

// GradeChange is one change of an incident's verification grade. Version is
// the incident version the monitor read; a stale one is a conflict.
type GradeChange struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	From       Grade     `json:"from"`
	To         Grade     `json:"to"`
	Note       string    `json:"note"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
	Version    int       `json:"version,omitempty"` // the incident version the change was based on
}

// Validate checks a requested grade change.
func (g *GradeChange) Validate() error {
	if !g.To.Valid() {
		return FieldErrorf("grade", "unknown grade %q (confirmed, fair, weak, contested, discounted, or empty for ungraded)", g.To)
	}
	if strings.TrimSpace(g.Note) == "" {
		return FieldErrorf("note", "is required: say why the grade changes")
	}
	if !utf8.ValidString(g.Note) || len(g.Note) > 4096 {
		return FieldErrorf("note", "must be UTF-8 of at most 4 KiB")
	}
	if g.Version <= 0 {
		return FieldErrorf("version", "is required: the incident version you read")
	}
	if g.Actor == "" {
		return FieldErrorf("actor", "is required")
	}
	return nil
}

// ImportCounts says what a batch import did.
type ImportCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add sums counts.
func (c *ImportCounts) Add(o ImportCounts) {
	c.Created += o.Created
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
}

// UnmappedActor is an actor name a dataset uses that no party or alias
// matches, for a monitor to add as an alias or a new party.
type UnmappedActor struct {
	Origin    string    `json:"origin"`
	Name      string    `json:"name"`
	Count     int       `json:"count"`
	Inputs    int       `json:"inputs,omitempty"` // how many imported files used it
	FirstLine int       `json:"first_line,omitempty"`
	LastSeen  time.Time `json:"last_seen"`
}

// ClusterState is where a proposal stands.
type ClusterState string

// The states of a cluster proposal.
const (
	ClusterProposed ClusterState = "proposed"
	ClusterAccepted ClusterState = "accepted" // merged into one incident
	ClusterSplit    ClusterState = "split"    // judged to be distinct events
)

// Valid reports whether s is a known state.
func (s ClusterState) Valid() bool {
	return s == ClusterProposed || s == ClusterAccepted || s == ClusterSplit
}

// MemberKind says what a cluster member is.
type MemberKind string

// The kinds of cluster member.
const (
	MemberIncident MemberKind = "incident"
	MemberMessage  MemberKind = "message"
)

// ClusterMember is one report in a proposal, with how it relates to the
// proposal's first member (the anchor).
type ClusterMember struct {
	Kind MemberKind `json:"kind"`
	ID   int64      `json:"id"`
	// Place is what the member was located by: a dataset point, or for a
	// message the gazetteer name found in its text.
	Place      string  `json:"place,omitempty"`
	DistanceKm float64 `json:"distance_km"`
	GapHours   float64 `json:"gap_hours"`
}

// ClusterProposal proposes that several reports describe one incident. The
// score is in [0, 1]; Reasons explain it in words a monitor can check.
type ClusterProposal struct {
	ID         int64           `json:"id"`
	State      ClusterState    `json:"state"`
	Score      float64         `json:"score"`
	Reasons    []string        `json:"reasons"`
	Members    []ClusterMember `json:"members"`
	SurvivorID int64           `json:"survivor_id,omitempty"` // once accepted
	CreatedAt  time.Time       `json:"created_at"`
	DecidedAt  time.Time       `json:"decided_at,omitzero"`
	DecidedBy  string          `json:"decided_by,omitempty"`
	Note       string          `json:"note,omitempty"`
	Version    int             `json:"version"`
}

// Key identifies a proposal by its members, so the same grouping is never
// proposed twice.
func (p *ClusterProposal) Key() string {
	keys := make([]string, len(p.Members))
	for i, m := range p.Members {
		keys[i] = string(m.Kind) + ":" + strconv.FormatInt(m.ID, 10)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

// Incidents returns the IDs of the incident members, in member order.
func (p *ClusterProposal) Incidents() []int64 {
	var ids []int64
	for _, m := range p.Members {
		if m.Kind == MemberIncident {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// ClusterDecision accepts or splits a proposal. SurvivorID, for an accept,
// picks the incident the others merge into (default: the oldest).
type ClusterDecision struct {
	ID         int64        `json:"-"`
	To         ClusterState `json:"to"`
	SurvivorID int64        `json:"survivor_id,omitempty"`
	Note       string       `json:"note"`
	Version    int          `json:"version"`
	Actor      string       `json:"-"`
}

// MergedSource is a source of an incident or of one merged into it.
type MergedSource struct {
	Source
	IncidentID int64 `json:"incident_id"` // the incident the source was recorded on
}
