package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// The audit trail's desk page: who changed what, when, from where, and the
// fields before and after, newest first, filtered and paged, with the
// export of the same selection a click away.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{{"GET /desk/audit", auth.ActReadAudit, s.handleAuditPage}}
	})
}

// auditPageSize is how many events the page shows at a time.
const auditPageSize = 50

// auditRow is one event as the desk shows it.
type auditRow struct {
	*auth.AuditEvent
	Link    string // the record's desk page, empty if it has none
	Changes []fieldChange
	More    int // changed fields not shown; the export has them all
}

// fieldChange is one field of a record before and after a change, flattened
// to a dotted path and shortened for reading. Old is empty for a field the
// change set, New for one it removed.
type fieldChange struct {
	Field, Old, New string
}

type auditData struct {
	Rows  []auditRow
	Query map[string]string // the filters as typed, to fill the form
	// The links are built from url.Values, whose encoding is safe in an
	// href as it stands.
	CSV, JSONL template.URL // the export of the same selection
	Older      template.URL // the next page, empty on the last
	Newest     template.URL // the first page, empty on it
}

func (s *Server) handleAuditPage(w http.ResponseWriter, r *http.Request) {
	p := s.newDeskPage(r, "Audit trail", "audit")
	q := r.URL.Query()
	d := auditData{Query: map[string]string{}}
	for _, k := range []string{"actor", "action", "kind", "record", "since", "until"} {
		d.Query[k] = strings.TrimSpace(q.Get(k))
	}
	f := auth.AuditFilter{Actor: d.Query["actor"], Action: d.Query["action"], Kind: d.Query["kind"],
		RecordID: d.Query["record"], Newest: true, Limit: auditPageSize + 1}
	err := firstError(queryTime(d.Query["since"], "since", &f.Since), queryTime(d.Query["until"], "until", &f.Until),
		queryID(q.Get("before"), "before", &f.BeforeID))
	// The form offers days, and a reader who asks for events until the
	// 28th means the 28th too.
	if err == nil && len(d.Query["until"]) == len(time.DateOnly) {
		f.Until = f.Until.AddDate(0, 0, 1)
	}
	if err == nil && !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		err = domain.FieldErrorf("until", "must be after since")
	}
	p.Data = &d
	if err != nil {
		p.Error = domain.ErrorMessage(err)
		s.renderDesk(w, http.StatusBadRequest, "desk_audit.html", p)
		return
	}
	events, err := s.Auth.Store.AuditEvents(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	export := url.Values{}
	for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "kind": f.Kind, "record": f.RecordID} {
		if v != "" {
			export.Set(k, v)
		}
	}
	for k, t := range map[string]time.Time{"since": f.Since, "until": f.Until} {
		if !t.IsZero() {
			export.Set(k, t.UTC().Format(time.RFC3339))
		}
	}
	export.Set("format", auth.FormatCSV)
	d.CSV = template.URL("/api/v1/audit?" + export.Encode())
	export.Set("format", auth.FormatJSONL)
	d.JSONL = template.URL("/api/v1/audit?" + export.Encode())
	page := url.Values{}
	for k, v := range d.Query {
		if v != "" {
			page.Set(k, v)
		}
	}
	if f.BeforeID != 0 {
		d.Newest = template.URL("/desk/audit?" + page.Encode())
	}
	if len(events) > auditPageSize {
		events = events[:auditPageSize]
		page.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
		d.Older = template.URL("/desk/audit?" + page.Encode())
	}
	d.Rows = auditRows(events)
	s.renderDesk(w, http.StatusOK, "desk_audit.html", p)
}

// auditRows prepares events for a desk page.
func auditRows(events []*auth.AuditEvent) []auditRow {
	rows := make([]auditRow, 0, len(events))
	for _, e := range events {
		row := auditRow{AuditEvent: e, Link: recordLink(e.Kind, e.RecordID)}
		row.Changes = auditChanges(e.Old, e.New)
		if n := len(row.Changes); n > maxChangesPerRow {
			row.Changes, row.More = row.Changes[:maxChangesPerRow], n-maxChangesPerRow
		}
		rows = append(rows, row)
	}
	return rows
}

// maxChangesPerRow bounds the fields a row lists: a created incident has
// dozens, and the export keeps them all.
const maxChangesPerRow = 12

var (
	isDay  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	isSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// recordLink returns the desk page of a record, if it has one.
func recordLink(kind, id string) string {
	switch {
	case id == "":
		return ""
	case kind == "incident" || kind == "reconciliation":
		if _, err := atoi64("id", id); err == nil {
			return "/desk/" + kind + "s/" + id
		}
	case kind == "party" && isSlug.MatchString(id):
		if _, err := strconv.ParseInt(id, 10, 64); err != nil { // a slug, not an ID
			return "/desk/parties/" + id
		}
	case kind == "bulletin" && isDay.MatchString(id):
		return "/desk/bulletins/" + id
	}
	return ""
}

// auditChanges compares an event's record before and after, field by
// field. A field only one side has is left out when it is empty or zero
// there: a created record lists the fields that were set, not the dozens
// left blank.
func auditChanges(old, new json.RawMessage) []fieldChange {
	before, after := flattenJSON(old), flattenJSON(new)
	keys := make([]string, 0, len(before)+len(after))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []fieldChange
	for _, k := range keys {
		o, hadOld := before[k]
		n, hasNew := after[k]
		if o == n || (!hadOld && isZeroValue(n)) || (!hasNew && isZeroValue(o)) {
			continue
		}
		out = append(out, fieldChange{Field: k, Old: shorten(o), New: shorten(n)})
	}
	return out
}

// flattenJSON turns a JSON value into dotted paths and readable values:
// {"sender":{"name":"x"}} → sender.name: x. Lists of plain values read as
// "a, b"; other lists stay compact JSON. A value that is not an object is
// the field "value". Invalid or absent JSON is no fields at all.
func flattenJSON(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	if len(raw) == 0 {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return out
	}
	if _, ok := v.(map[string]any); !ok {
		out["value"] = plainValue(v)
		return out
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok && (len(m) > 0 || prefix == "") {
			for k, x := range m {
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, x)
			}
			return
		}
		out[prefix] = plainValue(v)
	}
	walk("", v)
	return out
}

func plainValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				b, _ := json.Marshal(x)
				return string(b)
			}
			parts = append(parts, plainValue(e))
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func isZeroValue(s string) bool {
	switch s {
	case "", "0", "false", "{}", "0001-01-01T00:00:00Z":
		return true
	}
	return false
}

// maxValueRunes bounds a value as the page shows it.
const maxValueRunes = 160

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxValueRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxValueRunes]) + fmt.Sprintf("… (%d characters)", len(r))
}

// recordTrail returns the latest audit events of one record, oldest first,
// for the record's own page, and whether who may read the trail at all.
func (s *Server) recordTrail(r *http.Request, kind string, id int64) ([]auditRow, bool, error) {
	if s.Auth == nil || !auth.DefaultPolicy.Permits(auth.FromContext(r.Context()), auth.ActReadAudit) {
		return nil, false, nil
	}
	// The latest events, told in order; the audit page has the rest.
	events, err := s.Auth.Store.AuditEvents(r.Context(), auth.AuditFilter{Kind: kind, RecordID: strconv.FormatInt(id, 10),
		Newest: true, Limit: recordAuditLimit})
	if err != nil {
		return nil, false, err
	}
	slices.Reverse(events)
	return auditRows(events), true, nil
}
