package auth

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

// AuditEvent is one line of the audit trail: who did what to which record,
// when, from where, and the record before and after.
type AuditEvent struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	ActorID int64     `json:"actor_id,omitempty"` // 0 for the public and the command line
	Actor   string    `json:"actor"`
	Role    Role      `json:"role"`
	Address string    `json:"address,omitempty"`
	// Action is what happened, as verb-like dotted words:
	// "user.create", "message.transition", "session.login_failed".
	Action   string          `json:"action"`
	Kind     string          `json:"kind,omitempty"`      // record kind: "message", "incident", "user", "token"
	RecordID string          `json:"record_id,omitempty"` // the record's ID or tracking number
	Old      json.RawMessage `json:"old,omitempty"`
	New      json.RawMessage `json:"new,omitempty"`
}

// Bounds on audit text fields, which carry names and addresses, not bodies.
const maxAuditText = 500

// Validate checks an event before it is stored.
func (e *AuditEvent) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"actor", e.Actor}, {"role", string(e.Role)}, {"address", e.Address}, {"action", e.Action},
		{"kind", e.Kind}, {"record_id", e.RecordID},
	} {
		if !validUTF8NoNUL(f.v) || len(f.v) > maxAuditText {
			return domain.FieldErrorf(f.name, "must be UTF-8 of at most %d bytes", maxAuditText)
		}
	}
	switch {
	case e.Actor == "":
		return domain.FieldErrorf("actor", "is required")
	case e.Action == "":
		return domain.FieldErrorf("action", "is required")
	case e.At.IsZero():
		return domain.FieldErrorf("at", "is required")
	case len(e.Old) > 0 && !json.Valid(e.Old):
		return domain.FieldErrorf("old", "is not JSON")
	case len(e.New) > 0 && !json.Valid(e.New):
		return domain.FieldErrorf("new", "is not JSON")
	}
	return nil
}

// validUTF8NoNUL rejects NUL, which PostgreSQL cannot store in text.
func validUTF8NoNUL(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// AuditFilter selects audit events. Results come oldest first; page with
// AfterID set to the last ID seen. Newest turns the order round, for a
// reader who wants the latest first; page it with BeforeID.
type AuditFilter struct {
	ActorID  int64
	Actor    string
	Action   string
	Kind     string
	RecordID string
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	AfterID  int64
	BeforeID int64
	Newest   bool
	Limit    int // default 100, at most 1000
}

// Recorder appends to the audit trail on behalf of the request's principal.
// Handlers call it after a change commits.
type Recorder struct {
	Store AuditStore
	Now   func() time.Time
}

// Record appends an event for the principal in ctx. old and new are
// marshalled to JSON (nil stays absent); id is the record's ID of any kind.
func (r *Recorder) Record(ctx context.Context, action, kind string, id any, old, new any) error {
	p := FromContext(ctx)
	e := &AuditEvent{
		At: r.Now().UTC(), ActorID: p.UserID, Actor: p.Name, Role: p.Role, Address: p.Address,
		Action: action, Kind: kind,
	}
	if id != nil {
		e.RecordID = fmt.Sprint(id)
	}
	var err error
	if e.Old, err = marshalOrNil(old); err != nil {
		return fmt.Errorf("audit %s: old: %w", action, err)
	}
	if e.New, err = marshalOrNil(new); err != nil {
		return fmt.Errorf("audit %s: new: %w", action, err)
	}
	return r.Store.AppendAudit(ctx, e)
}

func marshalOrNil(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(v)
}

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// ExportAudit writes every event matching f to w as CSV (with a header
// row) or JSON lines, fetching them a page at a time so an export of years
// of history does not sit in memory.
func ExportAudit(ctx context.Context, s AuditStore, f AuditFilter, format string, w io.Writer) error {
	var write func(*AuditEvent) error
	var flush func() error
	switch format {
	case FormatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(e *AuditEvent) error { return enc.Encode(e) }
		flush = func() error { return nil }
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(auditCSVHeader); err != nil {
			return err
		}
		write = func(e *AuditEvent) error { return cw.Write(auditCSVRecord(e)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	default:
		return domain.FieldErrorf("format", "unknown export format %q: want csv or jsonl", format)
	}
	limit := f.Limit // 0: everything
	f.Limit = 1000
	n := 0
	for {
		page, err := s.AuditEvents(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range page {
			if limit > 0 && n == limit {
				return flush()
			}
			if err := write(e); err != nil {
				return err
			}
			n++
		}
		if len(page) < f.Limit {
			return flush()
		}
		f.AfterID = page[len(page)-1].ID
	}
}

var auditCSVHeader = []string{"id", "at", "actor_id", "actor", "role", "address", "action", "kind", "record_id", "old", "new"}

func auditCSVRecord(e *AuditEvent) []string {
	return []string{
		strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
		csvText(e.Actor), csvText(string(e.Role)), csvText(e.Address), csvText(e.Action), csvText(e.Kind),
		csvText(e.RecordID), string(e.Old), string(e.New),
	}
}

// csvText defuses spreadsheet formulas: a cell starting with = + - @ or a
// tab or carriage return is run as a formula by Excel and LibreOffice, and
// actor names come from adversaries. A leading apostrophe makes it text
// (OWASP's advice). The JSON lines export is verbatim.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
