package auth_test

import (
	"fmt"
	"testing"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// The parties of the policy tests: a liaison belongs to partyOwn.
const (
	partyOwn   = 7
	partyOther = 9
)

// principal returns a session principal of the given role; a liaison is
// bound to partyOwn.
func principal(r auth.Role) *auth.Principal {
	p := &auth.Principal{UserID: 1, Name: string(r), Role: r, Via: "session"}
	switch r {
	case auth.RoleLiaison:
		p.PartyID = partyOwn
	case auth.RolePublic:
		return auth.Anonymous
	}
	return p
}

// TestPolicyTable is the access policy written out in full: for every role
// and every action, whether it is allowed on a resource of no party, of the
// principal's own party (a liaison's; for the others, just "party 7"), and
// of another party. It is the table docs/security.md prints; change both.
func TestPolicyTable(t *testing.T) {
	const Y, N = true, false
	table := []struct {
		role             auth.Role
		action           auth.Action
		none, own, other bool
	}{
		{auth.RoleCoChair, auth.ActReadPublished, Y, Y, Y},
		{auth.RoleCoChair, auth.ActReadPublishedData, Y, Y, Y},
		{auth.RoleCoChair, auth.ActReadIncidents, Y, Y, Y},
		{auth.RoleCoChair, auth.ActSubmitMessage, Y, Y, Y},
		{auth.RoleCoChair, auth.ActReadOwnPartyMessages, Y, Y, Y},
		{auth.RoleCoChair, auth.ActReadOwnPartyRecords, Y, Y, Y},
		{auth.RoleCoChair, auth.ActReadMessages, Y, Y, Y},
		{auth.RoleCoChair, auth.ActTriage, Y, Y, Y},
		{auth.RoleCoChair, auth.ActCreateIncident, Y, Y, Y},
		{auth.RoleCoChair, auth.ActCommit, Y, Y, Y},
		{auth.RoleCoChair, auth.ActSetTerms, Y, Y, Y},
		{auth.RoleCoChair, auth.ActPublishBulletin, Y, Y, Y},
		{auth.RoleCoChair, auth.ActReadAudit, Y, Y, Y},
		{auth.RoleCoChair, auth.ActAdminUsers, Y, Y, Y},

		{auth.RoleMonitor, auth.ActReadPublished, Y, Y, Y},
		{auth.RoleMonitor, auth.ActReadPublishedData, Y, Y, Y},
		{auth.RoleMonitor, auth.ActReadIncidents, Y, Y, Y},
		{auth.RoleMonitor, auth.ActSubmitMessage, Y, Y, Y}, // logs hotline calls for any party
		{auth.RoleMonitor, auth.ActReadOwnPartyMessages, Y, Y, Y},
		{auth.RoleMonitor, auth.ActReadOwnPartyRecords, Y, Y, Y},
		{auth.RoleMonitor, auth.ActReadMessages, Y, Y, Y},
		{auth.RoleMonitor, auth.ActTriage, Y, Y, Y},
		{auth.RoleMonitor, auth.ActCreateIncident, Y, Y, Y},
		{auth.RoleMonitor, auth.ActCommit, N, N, N},
		{auth.RoleMonitor, auth.ActSetTerms, N, N, N},
		{auth.RoleMonitor, auth.ActPublishBulletin, N, N, N},
		{auth.RoleMonitor, auth.ActReadAudit, Y, Y, Y},
		{auth.RoleMonitor, auth.ActAdminUsers, N, N, N},

		{auth.RoleLiaison, auth.ActReadPublished, Y, Y, Y},
		{auth.RoleLiaison, auth.ActReadPublishedData, Y, Y, Y},
		{auth.RoleLiaison, auth.ActReadIncidents, N, N, N},
		{auth.RoleLiaison, auth.ActSubmitMessage, N, Y, N}, // only in its own party's name
		{auth.RoleLiaison, auth.ActReadOwnPartyMessages, N, Y, N},
		{auth.RoleLiaison, auth.ActReadOwnPartyRecords, N, Y, N},
		{auth.RoleLiaison, auth.ActReadMessages, N, N, N},
		{auth.RoleLiaison, auth.ActTriage, N, N, N},
		{auth.RoleLiaison, auth.ActCreateIncident, N, N, N},
		{auth.RoleLiaison, auth.ActCommit, N, Y, N},
		{auth.RoleLiaison, auth.ActSetTerms, N, N, N},
		{auth.RoleLiaison, auth.ActPublishBulletin, N, N, N},
		{auth.RoleLiaison, auth.ActReadAudit, N, N, N},
		{auth.RoleLiaison, auth.ActAdminUsers, N, N, N},

		{auth.RoleObserver, auth.ActReadPublished, Y, Y, Y},
		{auth.RoleObserver, auth.ActReadPublishedData, Y, Y, Y}, // published incidents only (IncidentFilter)
		{auth.RoleObserver, auth.ActReadIncidents, N, N, N},
		{auth.RoleObserver, auth.ActSubmitMessage, Y, N, N}, // never in a party's name
		{auth.RoleObserver, auth.ActReadOwnPartyMessages, N, N, N},
		{auth.RoleObserver, auth.ActReadOwnPartyRecords, N, N, N},
		{auth.RoleObserver, auth.ActReadMessages, N, N, N},
		{auth.RoleObserver, auth.ActTriage, N, N, N},
		{auth.RoleObserver, auth.ActCreateIncident, N, N, N},
		{auth.RoleObserver, auth.ActCommit, N, N, N},
		{auth.RoleObserver, auth.ActSetTerms, N, N, N},
		{auth.RoleObserver, auth.ActPublishBulletin, N, N, N},
		{auth.RoleObserver, auth.ActReadAudit, N, N, N},
		{auth.RoleObserver, auth.ActAdminUsers, N, N, N},

		{auth.RolePublic, auth.ActReadPublished, Y, Y, Y},
		{auth.RolePublic, auth.ActReadPublishedData, N, N, N}, // bulletins, not the incidents behind them
		{auth.RolePublic, auth.ActReadIncidents, N, N, N},
		{auth.RolePublic, auth.ActSubmitMessage, Y, N, N},
		{auth.RolePublic, auth.ActReadOwnPartyMessages, N, N, N},
		{auth.RolePublic, auth.ActReadOwnPartyRecords, N, N, N},
		{auth.RolePublic, auth.ActReadMessages, N, N, N},
		{auth.RolePublic, auth.ActTriage, N, N, N},
		{auth.RolePublic, auth.ActCreateIncident, N, N, N},
		{auth.RolePublic, auth.ActCommit, N, N, N},
		{auth.RolePublic, auth.ActSetTerms, N, N, N},
		{auth.RolePublic, auth.ActPublishBulletin, N, N, N},
		{auth.RolePublic, auth.ActReadAudit, N, N, N},
		{auth.RolePublic, auth.ActAdminUsers, N, N, N},
	}

	covered := map[string]bool{}
	for _, row := range table {
		covered[string(row.role)+"/"+string(row.action)] = true
		p := principal(row.role)
		for _, c := range []struct {
			party int64
			want  bool
		}{{0, row.none}, {partyOwn, row.own}, {partyOther, row.other}} {
			res := auth.Resource{Kind: "message", PartyID: c.party}
			if got := auth.DefaultPolicy.Allow(p, row.action, res); got != c.want {
				t.Errorf("Allow(%s, %s, party %d) = %v, want %v", row.role, row.action, c.party, got, c.want)
			}
		}
		// Permits, the route-level check, is "allowed on some resource".
		if got, want := auth.DefaultPolicy.Permits(p, row.action), row.none || row.own || row.other; got != want {
			t.Errorf("Permits(%s, %s) = %v, want %v", row.role, row.action, got, want)
		}
	}
	for _, r := range auth.Roles {
		for _, a := range auth.Actions {
			if !covered[string(r)+"/"+string(a)] {
				t.Errorf("the table has no row for %s × %s", r, a)
			}
		}
	}
}

// TestLiaisonWithoutParty checks that a liaison principal somehow lacking a
// party gets nothing party-bound: "own party" must not match "no party".
func TestLiaisonWithoutParty(t *testing.T) {
	p := &auth.Principal{UserID: 1, Name: "x", Role: auth.RoleLiaison}
	for _, a := range []auth.Action{auth.ActReadOwnPartyMessages, auth.ActSubmitMessage, auth.ActCommit} {
		if auth.DefaultPolicy.Allow(p, a, auth.Resource{}) || auth.DefaultPolicy.Permits(p, a) {
			t.Errorf("a liaison without a party may %s", a)
		}
	}
}

func TestTokenScopes(t *testing.T) {
	monitor := func(scopes ...auth.Scope) *auth.Principal {
		p := principal(auth.RoleMonitor)
		p.Via, p.Scopes = "token", scopes
		return p
	}
	liaison := func(scopes ...auth.Scope) *auth.Principal {
		p := principal(auth.RoleLiaison)
		p.Via, p.Scopes = "token", scopes
		return p
	}
	tests := []struct {
		name string
		p    *auth.Principal
		act  auth.Action
		want bool
	}{
		{"intake submits", monitor(auth.ScopeIntake), auth.ActSubmitMessage, true},
		{"intake cannot read", monitor(auth.ScopeIntake), auth.ActReadMessages, false},
		{"intake cannot read published", monitor(auth.ScopeIntake), auth.ActReadPublished, false},
		{"read reads", monitor(auth.ScopeRead), auth.ActReadMessages, true},
		{"read reads audit", monitor(auth.ScopeRead), auth.ActReadAudit, true},
		{"read reads every incident", monitor(auth.ScopeRead), auth.ActReadIncidents, true},
		{"intake cannot read incidents", monitor(auth.ScopeIntake), auth.ActReadPublishedData, false},
		{"read scope on a liaison reads published data", liaison(auth.ScopeRead), auth.ActReadPublishedData, true},
		{"read scope on a liaison is not every incident", liaison(auth.ScopeRead), auth.ActReadIncidents, false},
		{"read cannot triage", monitor(auth.ScopeRead), auth.ActTriage, false},
		{"read cannot submit", monitor(auth.ScopeRead), auth.ActSubmitMessage, false},
		{"triage triages", monitor(auth.ScopeTriage), auth.ActTriage, true},
		{"triage creates incidents", monitor(auth.ScopeTriage), auth.ActCreateIncident, true},
		{"triage cannot read", monitor(auth.ScopeTriage), auth.ActReadMessages, false},
		{"two scopes", monitor(auth.ScopeRead, auth.ScopeTriage), auth.ActTriage, true},
		{"admin is everything the role allows", monitor(auth.ScopeAdmin), auth.ActTriage, true},
		{"admin is no more than the role", monitor(auth.ScopeAdmin), auth.ActAdminUsers, false},
		{"admin scope on a liaison", liaison(auth.ScopeAdmin), auth.ActReadMessages, false},
		{"read scope on a liaison", liaison(auth.ScopeRead), auth.ActReadOwnPartyMessages, true},
		{"no scopes at all", monitor(), auth.ActReadPublished, false},
		{"anyone needs no scope", monitor(), auth.ActAnyone, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.DefaultPolicy.Permits(tt.p, tt.act); got != tt.want {
				t.Errorf("Permits(%s with scopes %v, %s) = %v, want %v", tt.p.Role, tt.p.Scopes, tt.act, got, tt.want)
			}
		})
	}
}

func TestCanReadMessage(t *testing.T) {
	msg := func(party int64) *domain.Message {
		m := &domain.Message{Sender: domain.Sender{Kind: domain.SenderPublic}}
		if party != 0 {
			m.Sender = domain.Sender{Kind: domain.SenderLiaison, PartyID: party}
		}
		return m
	}
	tests := []struct {
		role               auth.Role
		public, own, other bool
	}{
		{auth.RoleCoChair, true, true, true},
		{auth.RoleMonitor, true, true, true},
		{auth.RoleLiaison, false, true, false},
		{auth.RoleObserver, false, false, false},
		{auth.RolePublic, false, false, false},
	}
	for _, tt := range tests {
		p := principal(tt.role)
		for _, c := range []struct {
			party int64
			want  bool
		}{{0, tt.public}, {partyOwn, tt.own}, {partyOther, tt.other}} {
			if got := auth.DefaultPolicy.CanReadMessage(p, msg(c.party)); got != c.want {
				t.Errorf("CanReadMessage(%s, message of party %d) = %v, want %v", tt.role, c.party, got, c.want)
			}
		}
	}
}

func TestMessageFilter(t *testing.T) {
	tests := []struct {
		name    string
		role    auth.Role
		in      domain.MessageFilter
		want    domain.MessageFilter
		errCode string
	}{
		{"monitor unrestricted", auth.RoleMonitor, domain.MessageFilter{Limit: 5}, domain.MessageFilter{Limit: 5}, ""},
		{"monitor picks a party", auth.RoleMonitor, domain.MessageFilter{PartyID: partyOther}, domain.MessageFilter{PartyID: partyOther}, ""},
		{"co-chair unrestricted", auth.RoleCoChair, domain.MessageFilter{}, domain.MessageFilter{}, ""},
		{"liaison narrowed to own party", auth.RoleLiaison, domain.MessageFilter{Limit: 5}, domain.MessageFilter{PartyID: partyOwn, Limit: 5}, ""},
		{"liaison asks for own party", auth.RoleLiaison, domain.MessageFilter{PartyID: partyOwn}, domain.MessageFilter{PartyID: partyOwn}, ""},
		{"liaison asks for another party", auth.RoleLiaison, domain.MessageFilter{PartyID: partyOther}, domain.MessageFilter{}, domain.EFORBIDDEN},
		{"observer refused", auth.RoleObserver, domain.MessageFilter{}, domain.MessageFilter{}, domain.EFORBIDDEN},
		{"public told to log in", auth.RolePublic, domain.MessageFilter{}, domain.MessageFilter{}, domain.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.DefaultPolicy.MessageFilter(principal(tt.role), tt.in)
			if code := domain.ErrorCode(err); code != tt.errCode {
				t.Fatalf("error code = %q (%v), want %q", code, err, tt.errCode)
			}
			if err == nil && fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("filter = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestIncidentFilter checks the narrowing of incident queries: the desk
// sees every incident, liaisons and observers only published ones (also
// through a read token), the public none, and a token without a read scope
// is refused rather than narrowed.
func TestIncidentFilter(t *testing.T) {
	token := func(r auth.Role, scopes ...auth.Scope) *auth.Principal {
		p := principal(r)
		p.Via, p.Scopes = "token", scopes
		return p
	}
	in := domain.IncidentFilter{Admin1: "Idlib", Limit: 5}
	published := in
	published.PublishedOnly = true
	tests := []struct {
		name    string
		p       *auth.Principal
		want    domain.IncidentFilter
		errCode string
	}{
		{"co-chair sees all", principal(auth.RoleCoChair), in, ""},
		{"monitor sees all", principal(auth.RoleMonitor), in, ""},
		{"monitor's read token sees all", token(auth.RoleMonitor, auth.ScopeRead), in, ""},
		{"liaison sees published", principal(auth.RoleLiaison), published, ""},
		{"observer sees published", principal(auth.RoleObserver), published, ""},
		{"observer's read token sees published", token(auth.RoleObserver, auth.ScopeRead), published, ""},
		{"observer's intake token refused", token(auth.RoleObserver, auth.ScopeIntake), in, domain.EFORBIDDEN},
		{"monitor's triage token refused", token(auth.RoleMonitor, auth.ScopeTriage), in, domain.EFORBIDDEN},
		{"public told to log in", auth.Anonymous, in, domain.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.DefaultPolicy.IncidentFilter(tt.p, in)
			if code := domain.ErrorCode(err); code != tt.errCode {
				t.Fatalf("error code = %q (%v), want %q", code, err, tt.errCode)
			}
			if err == nil && fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("filter = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFromContextDefaultsToAnonymous(t *testing.T) {
	p := auth.FromContext(t.Context())
	if !p.Anonymous() || p.Role != auth.RolePublic {
		t.Errorf("FromContext(empty) = %+v, want the anonymous public", p)
	}
	if auth.CSRFToken(t.Context()) != "" {
		t.Error("CSRFToken without a session is not empty")
	}
}
