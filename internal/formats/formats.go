// Package formats reads and writes the conflict-event formats monitors already
// use (ACLED CSV, UCDP GED CSV, the Airwars incident table, the VDC daily
// casualty series) and writes incidents as ACLED CSV, UCDP GED CSV and
// GeoJSON, so a desk can start from the field's existing data and hand its own
// back in forms other tools read.
//
// Readers stream: they hold one row at a time, whatever the file size. A bad
// row does not stop an import: it is counted in the Report with its line,
// column and reason, and the good rows still come through.
package formats

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/trucedesk/truce/internal/domain"
)

// The origins imported incidents carry, so a re-import updates instead of
// duplicating.
const (
	OriginACLED   = "acled"
	OriginUCDP    = "ucdp"
	OriginAirwars = "airwars"
)

// PartyResolver maps an actor name as a dataset spells it to a registry
// party. The registry owns aliases; this package only asks.
type PartyResolver interface {
	Resolve(name string) (partyID int64, ok bool)
}

// NameFunc gives the name writers print for a party ID. Writers take a
// function rather than the registry so exports need no store.
type NameFunc func(partyID int64) (name string, ok bool)

// Progress is called as input is consumed, with the bytes read so far and the
// total given in Options.Size (0 when unknown), so a command can draw a
// progress bar; the library draws nothing itself.
type Progress func(read, total int64)

// Options configure a reader. The zero value reads comma-separated UTF-8 and
// resolves no parties.
type Options struct {
	// Resolver maps actor names to party IDs; names it does not know are
	// listed in Report.Unmapped. Nil resolves nothing.
	Resolver PartyResolver
	// Progress, if set, is told how many bytes have been read.
	Progress Progress
	// Size is the input's length in bytes, passed on to Progress.
	Size int64
	// Comma is the field separator. Zero means ',' and refuses a file whose
	// header is separated by ';' or tabs, saying so, because a wrongly split
	// file would otherwise fail on every row with a confusing message.
	Comma rune
	// StrictUTF8 refuses input that is not UTF-8. Without it, input whose
	// first 64 KiB are not UTF-8 is decoded as Windows-1252 (what Excel on
	// Windows writes) and the Report carries a warning.
	StrictUTF8 bool
}

// Record is one accepted row: the incident it maps to and the actor names as
// the dataset spells them, kept because the registry may not know them yet.
type Record struct {
	Line     int // the line the row starts on, 1 being the header
	Incident domain.Incident
	// Perpetrators and Targets are the raw actor names; Incident.Perpetrators
	// and Incident.Targets hold those the resolver knew.
	Perpetrators []string
	Targets      []string
	// LocationAR is the place name in Arabic script where the dataset gives
	// one (Airwars), for the gazetteer.
	LocationAR string
}

// RowError says why a row was rejected.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Reason)
}

// UnmappedActor is an actor name the resolver did not know, for a monitor to
// add as an alias or a new party.
type UnmappedActor struct {
	Name      string `json:"name"`
	Count     int    `json:"count"`
	FirstLine int    `json:"first_line"`
}

// MaxRowErrors caps the row errors a Report keeps, so that importing a huge
// file of the wrong kind stays in constant memory; Rejected still counts all.
const MaxRowErrors = 10000

// Report sums up an import.
type Report struct {
	Format   string          `json:"format"`
	Rows     int             `json:"rows"` // data rows read, header excluded
	Accepted int             `json:"accepted"`
	Rejected int             `json:"rejected"`
	Errors   []RowError      `json:"errors,omitempty"`
	Warnings []string        `json:"warnings,omitempty"`
	Unmapped []UnmappedActor `json:"unmapped,omitempty"` // most frequent first
}

func (r *Report) reject(e *RowError) {
	r.Rejected++
	if len(r.Errors) < MaxRowErrors {
		r.Errors = append(r.Errors, *e)
	}
}

// WriteCSV writes the rejected rows as CSV with the header line,column,reason,
// for a monitor to fix the source file.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"line", "column", "reason"}); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	for _, e := range r.Errors {
		if err := cw.Write([]string{strconv.Itoa(e.Line), e.Column, e.Reason}); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// actorTally collects unmapped actor names as rows go by.
type actorTally map[string]*UnmappedActor

func (t actorTally) add(name string, line int) {
	if a, ok := t[name]; ok {
		a.Count++
		return
	}
	t[name] = &UnmappedActor{Name: name, Count: 1, FirstLine: line}
}

func (t actorTally) sorted() []UnmappedActor {
	out := make([]UnmappedActor, 0, len(t))
	for _, a := range t {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}
