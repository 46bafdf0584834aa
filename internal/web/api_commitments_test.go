package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestCommitments records commitments through the liaison's route on both
// engines: a liaison commits its own party and no other, a co-chair any
// party, other roles none; a recorded commitment is a status row like the
// co-chairs' own, so the verdict of an incident its party is alleged to
// have committed is judged again, and the audit trail names who and from
// where.
func TestCommitments(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fx := newAuthzFixture(t, e.Open)
			ctx := context.Background()
			role := func(want auth.Role) authzRole {
				for _, r := range fx.roles {
					if r.role == want {
						return r
					}
				}
				t.Fatalf("no %s", want)
				return authzRole{}
			}
			coChair := role(auth.RoleCoChair)
			// Shelling by the liaison's party after the start: no status yet,
			// so undetermined.
			status, data := fx.call(t, coChair, "POST", "/api/v1/incidents", fmt.Sprintf(`{"sub_event_type":%q,
				"occurred_at":"2016-02-28T09:00:00Z","location":"Kafr Nabl","admin1":"Idleb","point":{"lat":35.61,"lon":36.56},
				"perpetrators":[%d],"targets":[%d]}`, domain.SubShelling, fx.own.ID, fx.other.ID))
			var in domain.Incident
			if err := json.Unmarshal(data, &in); err != nil || status != 201 {
				t.Fatalf("create incident: %d %s", status, data)
			}
			before := verdictOf(t, fx, in.ID)

			path := "/api/v1/agreements/" + fx.agreement.Slug + "/commitments"
			tests := []struct {
				name   string
				as     auth.Role
				path   string
				body   string
				status int
				field  string
			}{
				{"a liaison commits its own party", auth.RoleLiaison, path,
					`{"through":"Russia","valid_from":"2016-02-26T10:00:00Z","source":"letter to the Hmeimim centre"}`, 201, ""},
				{"naming its own party", auth.RoleLiaison, path, `{"party":"own","valid_from":"2016-02-26T11:00:00Z"}`, 201, ""},
				{"not another party by slug", auth.RoleLiaison, path, `{"party":"other","valid_from":"2016-02-26T10:00:00Z"}`, 403, ""},
				{"nor by ID", auth.RoleLiaison, path, fmt.Sprintf(`{"party_id":%d,"valid_from":"2016-02-26T10:00:00Z"}`, fx.other.ID), 403, ""},
				{"slug and ID disagree", auth.RoleLiaison, path, fmt.Sprintf(`{"party":"own","party_id":%d,"valid_from":"2016-02-26T10:00:00Z"}`, fx.other.ID), 400, "party_id"},
				{"no instant", auth.RoleLiaison, path, `{"through":"Russia"}`, 400, "valid_from"},
				{"an unknown party", auth.RoleLiaison, path, `{"party":"nobody","valid_from":"2016-02-26T10:00:00Z"}`, 400, "party"},
				{"an unknown field", auth.RoleLiaison, path, `{"kind":"excluded","valid_from":"2016-02-26T10:00:00Z"}`, 400, "kind"},
				{"an unknown agreement", auth.RoleLiaison, "/api/v1/agreements/none/commitments", `{"valid_from":"2016-02-26T10:00:00Z"}`, 404, ""},
				{"a co-chair commits another party", auth.RoleCoChair, path, `{"party":"other","through":"United States","valid_from":"2016-02-26T10:00:00Z"}`, 201, ""},
				{"a co-chair must name the party", auth.RoleCoChair, path, `{"valid_from":"2016-02-26T10:00:00Z"}`, 400, "party"},
				{"a monitor may not", auth.RoleMonitor, path, `{"party":"own","valid_from":"2016-02-26T10:00:00Z"}`, 403, ""},
				{"an observer may not", auth.RoleObserver, path, `{"party":"own","valid_from":"2016-02-26T10:00:00Z"}`, 403, ""},
				{"the public may not", auth.RolePublic, path, `{"party":"own","valid_from":"2016-02-26T10:00:00Z"}`, 401, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status, data := fx.call(t, role(tt.as), "POST", tt.path, tt.body)
					var e apiError
					json.Unmarshal(data, &e)
					if status != tt.status || e.Error.Field != tt.field {
						t.Errorf("%d field %q %s, want %d field %q", status, e.Error.Field, data, tt.status, tt.field)
					}
				})
			}

			// Two rows for the liaison's party, one for the other, both
			// committed, recorded by who sent them.
			sts, err := fx.db.PartyStatuses(ctx, fx.agreement.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range sts {
				got = append(got, fmt.Sprintf("%d %s %s %s", st.PartyID, st.Kind, st.Designator, st.RecordedBy))
			}
			want := []string{
				fmt.Sprintf("%d committed Russia liaison-user", fx.own.ID),
				fmt.Sprintf("%d committed United States co-chair-user", fx.other.ID),
				fmt.Sprintf("%d committed  liaison-user", fx.own.ID),
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("status rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}

			// The verdict followed: the party is now bound by the agreement.
			after := verdictOf(t, fx, in.ID)
			if before.Outcome == after.Outcome || after.Outcome != "violation" {
				t.Errorf("verdict %s before the commitment, %s after; want it judged again, a violation", before.Outcome, after.Outcome)
			}
			changes, err := fx.db.VerdictChanges(ctx, in.ID)
			if err != nil || len(changes) == 0 || changes[len(changes)-1].Cause.Kind != domain.CauseStatus {
				t.Errorf("verdict changes %+v (%v): want the last caused by a status row", changes, err)
			}

			events, err := fx.db.AuditEvents(ctx, auth.AuditFilter{Action: "party.commit"})
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 3 || events[0].Actor != "liaison-user" || events[0].Kind != "party" || events[0].RecordID != "own" ||
				events[0].Address == "" || !strings.Contains(string(events[0].New), `"designator":"Russia"`) {
				t.Errorf("audit of the commitments: %d events, first %+v", len(events), events)
			}
		})
	}
}

func verdictOf(t *testing.T, fx *authzFixture, incident int64) *domain.Verdict {
	t.Helper()
	vs, err := fx.db.IncidentVerdicts(context.Background(), incident)
	if err != nil || len(vs) != 1 {
		t.Fatalf("verdicts of incident %d: %d (%v), want 1", incident, len(vs), err)
	}
	return vs[0]
}
