package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// linkFixture is an agreement with two reconciliations and an incident a
// message may be linked to.
type linkFixture struct {
	rc1, rc2 *domain.Reconciliation
	incident *domain.Incident
}

func newLinkFixture(t *testing.T, s domain.Store) linkFixture {
	t.Helper()
	a := seedAgreement(t, s)
	party := parties(t, s, "local-brigade")[0]
	return linkFixture{
		rc1:      createReconciliation(t, s, NewReconciliation(a.ID, party, "Testville", "Rif Dimashq", t0)),
		rc2:      createReconciliation(t, s, NewReconciliation(a.ID, party, "Testburg", "Homs", t0)),
		incident: newIncident(t, s),
	}
}

// linkedTo lists the IDs of the messages linked to a reconciliation.
func linkedTo(t *testing.T, s domain.Store, rc int64) []int64 {
	t.Helper()
	ms, err := s.Messages(ctx, domain.MessageFilter{ReconciliationID: rc})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

// testMessageReconciliationLinks takes a message through links to a
// reconciliation, an incident and another reconciliation by
// TransitionMessage: a link names exactly one record, which must exist, and
// a refused move changes nothing.
func testMessageReconciliationLinks(t *testing.T, s domain.Store) {
	fx := newLinkFixture(t, s)
	m := submit(t, s, 0, NewMessage("The notables of Testville signed", t0))[0].Message
	steps := []struct {
		name               string
		to                 domain.MessageState
		incident, rc       int64
		code, field        string
		wantReconciliation int64 // the message's link after the step
		linked1, linked2   int   // messages listed as linked to each
	}{
		{name: "a received message is triaged first", to: domain.StateLinked, rc: fx.rc1.ID, code: domain.ECONFLICT},
		{name: "a triage names no reconciliation", to: domain.StateTriaged, rc: fx.rc1.ID, code: domain.EINVALID, field: "reconciliation_id"},
		{name: "a negative ID", to: domain.StateTriaged, rc: -1, code: domain.EINVALID, field: "reconciliation_id"},
		{name: "triaged", to: domain.StateTriaged},
		{name: "both records", to: domain.StateLinked, incident: fx.incident.ID, rc: fx.rc1.ID, code: domain.EINVALID, field: "reconciliation_id"},
		{name: "neither record", to: domain.StateLinked, code: domain.EINVALID, field: "incident_id"},
		{name: "an unknown reconciliation", to: domain.StateLinked, rc: 424242, code: domain.EINVALID, field: "reconciliation_id"},
		{name: "linked to the first", to: domain.StateLinked, rc: fx.rc1.ID, wantReconciliation: fx.rc1.ID, linked1: 1},
		{name: "and to an incident, keeping it", to: domain.StateLinked, incident: fx.incident.ID, wantReconciliation: fx.rc1.ID, linked1: 1},
		{name: "moved to the second", to: domain.StateLinked, rc: fx.rc2.ID, wantReconciliation: fx.rc2.ID, linked2: 1},
		{name: "closed, keeping it", to: domain.StateClosed, wantReconciliation: fx.rc2.ID, linked2: 1},
	}
	version := m.Version
	type event struct {
		To               domain.MessageState
		IncidentID, RCID int64
	}
	var want []event
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := s.TransitionMessage(ctx, domain.Transition{MessageID: m.ID, Version: version, To: st.to,
				IncidentID: st.incident, ReconciliationID: st.rc, Actor: "monitor-1", At: t0.Add(time.Duration(i) * time.Minute)})
			if st.code != "" {
				if domain.ErrorCode(err) != st.code || domain.ErrorField(err) != st.field {
					t.Fatalf("error %v, want %s naming %q", err, st.code, st.field)
				}
				if got, _ := s.Message(ctx, m.ID); got.Version != version {
					t.Errorf("a refused move changed the message to version %d", got.Version)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			version = got.Version
			want = append(want, event{st.to, st.incident, st.rc})
			stored, _ := s.Message(ctx, m.ID)
			if got.ReconciliationID != st.wantReconciliation || stored.ReconciliationID != st.wantReconciliation {
				t.Errorf("linked to reconciliation %d (stored %d), want %d", got.ReconciliationID, stored.ReconciliationID, st.wantReconciliation)
			}
			if n1, n2 := len(linkedTo(t, s, fx.rc1.ID)), len(linkedTo(t, s, fx.rc2.ID)); n1 != st.linked1 || n2 != st.linked2 {
				t.Errorf("messages linked to the reconciliations: %d and %d, want %d and %d", n1, n2, st.linked1, st.linked2)
			}
		})
	}
	events, err := s.MessageEvents(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []event
	for _, e := range events {
		got = append(got, event{e.To, e.IncidentID, e.ReconciliationID})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

// testReconciliationFromMessage records reconciliations from messages in
// every state the desk may meet: a received message is triaged then linked,
// a triaged or linked one linked, and whatever is refused (a stale or
// unknown message, one closed, a bad record, a bad note on the last move)
// leaves neither the reconciliation nor a move behind.
func testReconciliationFromMessage(t *testing.T, s domain.Store) {
	fx := newLinkFixture(t, s)
	move := func(m *domain.Message, tr domain.Transition) *domain.Message {
		t.Helper()
		tr.MessageID, tr.Version, tr.Actor = m.ID, m.Version, "monitor-2"
		got, err := s.TransitionMessage(ctx, tr)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	tests := []struct {
		name    string
		prepare func(*domain.Message) *domain.Message // brings the message to its state
		record  func(*domain.Reconciliation)          // spoils the record
		link    func(*domain.Transition)              // spoils the link
		code    string
		field   string
		moves   []domain.MessageState // the moves recorded
	}{
		{name: "received: triaged, then linked", moves: []domain.MessageState{domain.StateTriaged, domain.StateLinked}},
		{name: "triaged: linked", prepare: func(m *domain.Message) *domain.Message {
			return move(m, domain.Transition{To: domain.StateTriaged})
		}, moves: []domain.MessageState{domain.StateLinked}},
		{name: "linked to an incident: linked again", prepare: func(m *domain.Message) *domain.Message {
			m = move(m, domain.Transition{To: domain.StateTriaged})
			return move(m, domain.Transition{To: domain.StateLinked, IncidentID: fx.incident.ID})
		}, moves: []domain.MessageState{domain.StateLinked}},
		{name: "linked to another reconciliation: moved", prepare: func(m *domain.Message) *domain.Message {
			m = move(m, domain.Transition{To: domain.StateTriaged})
			return move(m, domain.Transition{To: domain.StateLinked, ReconciliationID: fx.rc1.ID})
		}, moves: []domain.MessageState{domain.StateLinked}},
		{name: "closed", prepare: func(m *domain.Message) *domain.Message {
			return move(move(m, domain.Transition{To: domain.StateTriaged}), domain.Transition{To: domain.StateClosed})
		}, code: domain.ECONFLICT},
		{name: "rejected", prepare: func(m *domain.Message) *domain.Message {
			return move(m, domain.Transition{To: domain.StateRejected, Reason: domain.RejectSpam})
		}, code: domain.ECONFLICT},
		{name: "a stale version", link: func(tr *domain.Transition) { tr.Version++ }, code: domain.ECONFLICT},
		{name: "a stale version of a triaged message", prepare: func(m *domain.Message) *domain.Message {
			return move(m, domain.Transition{To: domain.StateTriaged})
		}, link: func(tr *domain.Transition) { tr.Version-- }, code: domain.ECONFLICT},
		{name: "an unknown message", link: func(tr *domain.Transition) { tr.MessageID = 999999 }, code: domain.EINVALID, field: "message_id"},
		{name: "no version", link: func(tr *domain.Transition) { tr.Version = 0 }, code: domain.EINVALID, field: "version"},
		{name: "another record named", link: func(tr *domain.Transition) { tr.IncidentID = fx.incident.ID }, code: domain.EINVALID, field: "reconciliation_id"},
		{name: "no actor", link: func(tr *domain.Transition) { tr.Actor = "" }, code: domain.EINVALID, field: "actor"},
		// The triage passes and the link fails: the triage goes too.
		{name: "a bad note on the link", link: func(tr *domain.Transition) { tr.Note = strings.Repeat("x", domain.MaxBodyBytes+1) },
			code: domain.EINVALID, field: "note"},
		{name: "a bad record", record: func(rc *domain.Reconciliation) { rc.Settlement = "" }, code: domain.EINVALID, field: "settlement"},
		{name: "an unknown source", record: func(rc *domain.Reconciliation) { rc.Sources[0].MessageID = 999999 },
			code: domain.EINVALID, field: "sources.message_id"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := submit(t, s, 0, NewMessage("وقّع وجهاء البلدة اتفاق مصالحة "+tt.name, t0.Add(time.Duration(i)*time.Hour)))[0].Message
			if tt.prepare != nil {
				m = tt.prepare(m)
			}
			before, _ := s.MessageEvents(ctx, m.ID)
			count, _ := s.CountReconciliations(ctx, domain.ReconciliationFilter{})
			rc := NewReconciliation(fx.rc1.AgreementID, fx.rc1.Signatories[0].PartyID, "Town "+tt.name, "Hama", t0)
			rc.Sources = []domain.RecordLink{{MessageID: m.ID}}
			if tt.record != nil {
				tt.record(rc)
			}
			link := domain.Transition{MessageID: m.ID, Version: m.Version, Actor: "monitor-1", At: t0.Add(time.Hour)}
			if tt.link != nil {
				tt.link(&link)
			}
			got, moves, err := s.CreateReconciliationFromMessage(ctx, rc, link)
			after, _ := s.MessageEvents(ctx, m.ID)
			stored, _ := s.Message(ctx, m.ID)
			if tt.code != "" {
				if domain.ErrorCode(err) != tt.code || domain.ErrorField(err) != tt.field {
					t.Fatalf("error %v, want %s naming %q", err, tt.code, tt.field)
				}
				if n, _ := s.CountReconciliations(ctx, domain.ReconciliationFilter{}); n != count {
					t.Errorf("a refusal stored a reconciliation: %d, was %d", n, count)
				}
				if len(after) != len(before) || stored.Version != m.Version || stored.State != m.State || stored.ReconciliationID != m.ReconciliationID {
					t.Errorf("a refusal moved the message: %s v%d with %d events, was %s v%d with %d",
						stored.State, stored.Version, len(after), m.State, m.Version, len(before))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rc.ID == 0 || got.State != domain.StateLinked || got.ReconciliationID != rc.ID || got.Version != m.Version+len(tt.moves) {
				t.Errorf("got %s v%d linked to %d, want linked v%d to %d", got.State, got.Version, got.ReconciliationID, m.Version+len(tt.moves), rc.ID)
			}
			if diff := cmp.Diff(got, stored); diff != "" {
				t.Errorf("returned and stored message differ (-returned +stored):\n%s", diff)
			}
			var gotMoves []domain.MessageState
			for j, e := range moves {
				gotMoves = append(gotMoves, e.To)
				if *e != *after[len(before)+j] {
					t.Errorf("move %d returned %+v, history holds %+v", j, e, after[len(before)+j])
				}
				if wantRC := map[bool]int64{true: rc.ID}[e.To == domain.StateLinked]; e.ReconciliationID != wantRC || e.Actor != "monitor-1" {
					t.Errorf("move %d = %+v, want reconciliation %d by monitor-1", j, e, wantRC)
				}
			}
			if diff := cmp.Diff(tt.moves, gotMoves); diff != "" || len(after) != len(before)+len(tt.moves) {
				t.Errorf("moves (-want +got):\n%s; history grew from %d to %d", diff, len(before), len(after))
			}
			if ids := linkedTo(t, s, rc.ID); len(ids) != 1 || ids[0] != m.ID {
				t.Errorf("messages linked to the new reconciliation: %v, want [%d]", ids, m.ID)
			}
			if r, err := s.Reconciliation(ctx, rc.ID); err != nil || r.Version != 1 || r.Sources[0].MessageID != m.ID {
				t.Errorf("the stored reconciliation: %+v, %v", r, err)
			}
		})
	}
}
