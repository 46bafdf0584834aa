package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAuditChanges checks the old → new a desk reader sees for the JSON the
// audit trail stores: changed fields only, nested fields by dotted path,
// lists and numbers as text, and a created record without its empty fields.
func TestAuditChanges(t *testing.T) {
	long := strings.Repeat("ب", maxValueRunes+5)
	tests := []struct {
		name     string
		old, new string
		want     []fieldChange
	}{
		{"a transition", `{"state":"received","reason":"","version":1}`, `{"state":"triaged","reason":"","version":2}`,
			[]fieldChange{{"state", "received", "triaged"}, {"version", "1", "2"}}},
		{"a created record leaves out empty fields", ``, `{"id":7,"summary":"","fatalities":{"best":3,"low":0},"perpetrators":[4,9],"grade":"","point":null}`,
			[]fieldChange{{"fatalities.best", "", "3"}, {"id", "", "7"}, {"perpetrators", "", "4, 9"}}},
		{"a field set to empty is shown", `{"note":"x","n":1.50}`, `{"note":"","n":1.5}`,
			[]fieldChange{{"n", "1.50", "1.5"}, {"note", "x", ""}}},
		{"a removed field", `{"a":"1","b":"2"}`, `{"a":"1"}`, []fieldChange{{"b", "2", ""}}},
		{"a zero field only one side has", `{"state":"received"}`, `{"state":"triaged","incident_id":0}`, []fieldChange{{"state", "received", "triaged"}}},
		{"lists of objects stay JSON", ``, `{"sources":[{"kind":"message","id":3}]}`,
			[]fieldChange{{"sources", "", `[{"id":3,"kind":"message"}]`}}},
		{"not an object", `"open"`, `"closed"`, []fieldChange{{"value", "open", "closed"}}},
		{"nothing changed", `{"a":1}`, `{"a":1}`, nil},
		{"neither side", ``, ``, nil},
		{"invalid JSON is no fields", `{`, `{"a":"1"}`, []fieldChange{{"a", "", "1"}}},
		{"long values are shortened", ``, `{"body":"` + long + `"}`,
			[]fieldChange{{"body", "", strings.Repeat("ب", maxValueRunes) + "… (165 characters)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := auditChanges(json.RawMessage(tt.old), json.RawMessage(tt.new))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("auditChanges(%s, %s) (-want +got):\n%s", tt.old, tt.new, diff)
			}
		})
	}
}

// TestRecordLink checks which records the audit page links to their pages,
// and that what an adversary put in a record ID never becomes a link.
func TestRecordLink(t *testing.T) {
	for _, tt := range []struct{ kind, id, want string }{
		{"incident", "12", "/desk/incidents/12"},
		{"incident", "12/../../x", ""},
		{"incident", "", ""},
		{"party", "free-idlib-army", "/desk/parties/free-idlib-army"},
		{"party", "14", ""},
		{"party", "javascript:alert(1)", ""},
		{"bulletin", "2016-02-28", "/desk/bulletins/2016-02-28"},
		{"bulletin", "2016-02-28.pdf", ""},
		{"message", "5", ""},
		{"user", "1", ""},
	} {
		if got := recordLink(tt.kind, tt.id); got != tt.want {
			t.Errorf("recordLink(%q, %q) = %q, want %q", tt.kind, tt.id, got, tt.want)
		}
	}
}

// TestRecordOf checks the record a write is filed under when its handler
// does not say, for the API's paths and the desk's forms alike.
func TestRecordOf(t *testing.T) {
	for _, tt := range []struct{ path, kind, id string }{
		{"/api/v1/parties", "party", ""},
		{"/api/v1/incidents/5/grade", "incident", "5"},
		{"/desk/incidents/5/grade", "incident", "5"},
		{"/desk/bulletins/2016-02-28/publish", "bulletin", "2016-02-28"},
		{"/api/v1/agreements/cessation-2016/statuses", "agreement", "cessation-2016"},
		{"/report", "report", ""},
	} {
		if kind, id := recordOf(tt.path); kind != tt.kind || id != tt.id {
			t.Errorf("recordOf(%q) = %q %q, want %q %q", tt.path, kind, id, tt.kind, tt.id)
		}
	}
}
