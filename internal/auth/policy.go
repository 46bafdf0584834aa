package auth

import (
	"github.com/trucedesk/truce/internal/domain"
)

// Action is something a principal may be allowed to do. Every route in the
// web package's table declares one; a route without one refuses to start
// (see Guard).
type Action string

// The actions.
const (
	// ActAnyone needs no permission at all: health checks, static assets,
	// the login form. It is an explicit declaration, unlike the empty
	// Action, which Guard refuses.
	ActAnyone Action = "anyone"

	ActReadPublished        Action = "read_published"          // published bulletins, agreements, parties
	ActReadPublishedData    Action = "read_published_data"     // published incidents: lists, exports, series (see IncidentFilter)
	ActReadIncidents        Action = "read_incidents"          // every incident, published or not, through the same routes
	ActSubmitMessage        Action = "submit_message"          // send a message to the desk
	ActReadOwnPartyMessages Action = "read_own_party_messages" // the inbox, narrowed to one's party
	ActReadOwnPartyRecords  Action = "read_own_party_records"  // reconciliations, narrowed to those one's party signed
	ActReadMessages         Action = "read_messages"           // the whole inbox
	ActTriage               Action = "triage"                  // move messages through triage
	ActCreateIncident       Action = "create_incident"         // create, edit and grade incidents
	ActCommit               Action = "commit"                  // record a party's commitment to the agreement
	ActSetTerms             Action = "set_terms"               // agreement terms and party statuses
	ActPublishBulletin      Action = "publish_bulletin"
	ActReadAudit            Action = "read_audit"
	ActAdminUsers           Action = "admin_users" // accounts, roles and tokens of others
)

// Actions lists every action but ActAnyone.
var Actions = []Action{
	ActReadPublished, ActReadPublishedData, ActReadIncidents, ActSubmitMessage, ActReadOwnPartyMessages,
	ActReadOwnPartyRecords, ActReadMessages, ActTriage, ActCreateIncident, ActCommit, ActSetTerms, ActPublishBulletin, ActReadAudit, ActAdminUsers,
}

// Known reports whether a is a declared action.
func (a Action) Known() bool {
	if a == ActAnyone {
		return true
	}
	for _, x := range Actions {
		if a == x {
			return true
		}
	}
	return false
}

// Condition qualifies a grant by the party a resource belongs to.
type Condition int

// The conditions.
const (
	// Always grants the action on any resource.
	Always Condition = iota + 1
	// OwnParty grants it only on resources of the principal's own party:
	// a liaison reads and speaks for its party and no other.
	OwnParty
	// NoParty grants it only on resources of no party: the public may
	// report, but not in a party's name.
	NoParty
)

// Resource is what an action is applied to, as far as the policy needs to
// know: its kind, for messages, and the party it belongs to (a message's
// sender party, the party a commitment is for), 0 for none.
type Resource struct {
	Kind    string
	PartyID int64
}

// Policy is the table of who may do what. It is data, so that DESIGN.md's
// Roles table, docs/security.md and the tests can be checked against it
// line by line.
type Policy struct {
	grants map[Role]map[Action]Condition
}

// NewPolicy builds a policy from a grant table.
func NewPolicy(grants map[Role]map[Action]Condition) *Policy {
	return &Policy{grants: grants}
}

// DefaultPolicy is Truce's policy; docs/security.md prints it as a table.
var DefaultPolicy = NewPolicy(map[Role]map[Action]Condition{
	RoleCoChair: {
		ActReadPublished: Always, ActReadPublishedData: Always, ActReadIncidents: Always,
		ActSubmitMessage: Always, ActReadOwnPartyMessages: Always, ActReadOwnPartyRecords: Always,
		ActReadMessages: Always, ActTriage: Always,
		ActCreateIncident: Always, ActCommit: Always, ActSetTerms: Always, ActPublishBulletin: Always,
		ActReadAudit: Always, ActAdminUsers: Always,
	},
	RoleMonitor: {
		// A monitor logs hotline calls, so it may submit in a party's name.
		ActReadPublished: Always, ActReadPublishedData: Always, ActReadIncidents: Always,
		ActSubmitMessage: Always, ActReadOwnPartyMessages: Always, ActReadOwnPartyRecords: Always,
		ActReadMessages: Always, ActTriage: Always,
		ActCreateIncident: Always, ActReadAudit: Always,
	},
	// Liaisons and observers see published data (DESIGN.md's roles): the
	// incidents of the days published bulletins cover, and no others.
	RoleLiaison: {
		ActReadPublished: Always, ActReadPublishedData: Always, ActSubmitMessage: OwnParty,
		ActReadOwnPartyMessages: OwnParty, ActReadOwnPartyRecords: OwnParty, ActCommit: OwnParty,
	},
	RoleObserver: {
		ActReadPublished: Always, ActReadPublishedData: Always, ActSubmitMessage: NoParty,
	},
	RolePublic: {
		ActReadPublished: Always, ActSubmitMessage: NoParty,
	},
})

// Allow reports whether p may do act to res: the role must grant it, the
// grant's condition must hold for res, and a token's scopes must admit it.
func (pol *Policy) Allow(p *Principal, act Action, res Resource) bool {
	if act == ActAnyone {
		return true
	}
	cond, ok := pol.grant(p, act)
	if !ok {
		return false
	}
	switch cond {
	case Always:
		return true
	case OwnParty:
		return p.PartyID != 0 && res.PartyID == p.PartyID
	case NoParty:
		return res.PartyID == 0
	}
	return false
}

// Permits reports whether p may do act to at least some resource. Routes
// check this before the handler has loaded anything; the handler then
// narrows with Allow, CanReadMessage or MessageFilter.
func (pol *Policy) Permits(p *Principal, act Action) bool {
	if act == ActAnyone {
		return true
	}
	cond, ok := pol.grant(p, act)
	return ok && (cond != OwnParty || p.PartyID != 0)
}

func (pol *Policy) grant(p *Principal, act Action) (Condition, bool) {
	if p == nil {
		p = Anonymous
	}
	if !p.admits(act) {
		return 0, false
	}
	cond, ok := pol.grants[p.Role][act]
	return cond, ok
}

// CanReadMessage reports whether p may read m. A liaison may read only
// messages sent in its own party's name. Handlers should answer a refusal
// as "not found", so that a liaison cannot even learn that another party's
// message exists.
func (pol *Policy) CanReadMessage(p *Principal, m *domain.Message) bool {
	res := Resource{Kind: "message", PartyID: m.Sender.PartyID}
	return pol.Allow(p, ActReadMessages, res) || pol.Allow(p, ActReadOwnPartyMessages, res)
}

// MessageFilter narrows an inbox query to what p may see: unchanged for
// those who read every message, restricted to the principal's party for a
// liaison, and refused for everyone else. A liaison asking for another
// party's messages is refused rather than silently given its own.
func (pol *Policy) MessageFilter(p *Principal, f domain.MessageFilter) (domain.MessageFilter, error) {
	if pol.Allow(p, ActReadMessages, Resource{Kind: "message", PartyID: f.PartyID}) {
		return f, nil
	}
	if pol.Permits(p, ActReadOwnPartyMessages) {
		if f.PartyID != 0 && f.PartyID != p.PartyID {
			return f, domain.Errorf(domain.EFORBIDDEN, "you may read only your own party's messages")
		}
		f.PartyID = p.PartyID
		return f, nil
	}
	return f, denied(p, ActReadOwnPartyMessages)
}

// IncidentFilter narrows an incident query to what p may see: unchanged
// for those who read every incident, restricted to published incidents
// (PublishedOnly, which the store applies in its query, so pages and counts
// stay right) for those who read published data, and refused for everyone
// else.
func (pol *Policy) IncidentFilter(p *Principal, f domain.IncidentFilter) (domain.IncidentFilter, error) {
	if pol.Permits(p, ActReadIncidents) {
		return f, nil
	}
	if pol.Permits(p, ActReadPublishedData) {
		f.PublishedOnly = true
		return f, nil
	}
	return f, denied(p, ActReadPublishedData)
}

// denied returns the error for a refused action: EUNAUTHORIZED when
// logging in might help, EFORBIDDEN when it would not.
func denied(p *Principal, act Action) error {
	if p == nil || p.Anonymous() {
		return domain.Errorf(domain.EUNAUTHORIZED, "please log in or send an API token (this needs %s)", act)
	}
	return domain.Errorf(domain.EFORBIDDEN, "a %s may not %s", p.Role, act)
}
