package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestIncidentPageGrades grades an incident from its page: a refused change
// says why beside the form and keeps what was typed; an accepted one joins
// the history with its note; a stale form is refused as a conflict.
func TestIncidentPageGrades(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 28, 9, 0, 0, 0, time.UTC),
		Location: "Anadan", Admin1: "Aleppo", CreatedBy: "test"}
	if err := db.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	ts := newServer(t, db)
	page := fmt.Sprintf("/desk/incidents/%d", in.ID)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, method, path, body string
		status                   int
		contains                 []string
	}{
		{"the page offers the grade form", "GET", page, "", 200,
			[]string{`id="grade-ok"`, "No grade change recorded.", "Not judged against any agreement yet.", "Audit trail"}},
		{"no note: refused beside the form, choice kept", "POST", page + "/grade", "version=1&grade=weak&note=", 400,
			[]string{`id="grade-error"`, "say why the grade changes", `<option value="weak" selected>`}},
		{"graded with a note", "POST", page + "/grade", "version=1&grade=fair&note=two+independent+sources", 200,
			[]string{`id="grade-history"`, "ungraded → fair — <span dir=\"auto\">two independent sources</span>"}},
		{"a stale form is a conflict", "POST", page + "/grade", "version=1&grade=weak&note=only+one+source", 409,
			[]string{"changed since you read it", `value="only one source"`}},
		{"an unknown grade", "POST", page + "/grade", "version=2&grade=probable&note=x", 400, []string{`id="grade-error"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, ts.URL+tt.path, form, []byte(tt.body), true)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d:\n%.1500s", resp.StatusCode, tt.status, body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(string(body), want) {
					t.Errorf("the page lacks %q", want)
				}
			}
		})
	}
	got, err := db.Incident(ctx, in.ID)
	if err != nil || got.Grade != domain.GradeFair || got.Version != 2 {
		t.Errorf("after the page's changes: grade %q version %d (%v), want fair 2", got.Grade, got.Version, err)
	}
}
