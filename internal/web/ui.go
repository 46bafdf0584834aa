package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/compliance"
	"github.com/trucedesk/truce/internal/domain"
)

// uiRoutes returns the routes of the desk's web interface: the dashboard,
// inbox, incident and party pages, the browser login, and the map data the
// dashboard draws.
func (s *Server) uiRoutes() []Route {
	return []Route{
		{"GET /desk/login", Public, s.handleDeskLoginForm},
		{"POST /desk/login", Public, s.handleDeskLogin},
		{"POST /desk/logout", Public, s.handleDeskLogout},
		{"GET /desk", Desk, s.handleDashboard},
		{"GET /desk/inbox", Desk, s.handleInboxPage},
		// Liaisons and observers read a published incident's page too, as
		// the API serves it to them (renderIncident's read-only variant).
		{"GET /desk/incidents/{id}", auth.ActReadPublishedData, s.handleIncidentPage},
		{"POST /desk/incidents/{id}/grade", auth.ActCreateIncident, s.handleIncidentGrade},
		{"GET /desk/parties/{slug}", Desk, s.handlePartyPage},
		{"POST /desk/parties/{slug}/commitments", auth.ActCommit, s.handlePartyCommit},
		{"GET /api/v1/map/incidents", Desk, s.handleMapIncidents},
	}
}

// deskPage is what every desk template gets. The desk speaks English; what
// people wrote keeps its own language and direction in the markup.
type deskPage struct {
	Title string
	Nav   string // which entry of the navigation is current
	User  string
	// CSRF is the session's synchronizer token, which the desk's scripts
	// send with every change; empty for operator tokens, which need none.
	CSRF string
	// Home is the page the role lands on after logging in, which the brand
	// links to: the dashboard for the desk, the published record for
	// liaisons and observers.
	Home string
	// The navigation shows only the pages the role may open: CanDesk the
	// dashboard, inbox, bulletins and party pages (read_messages),
	// CanPublished the published record, CanOwnMessages a liaison's own
	// party's messages, CanAudit the audit trail, CanReconcile the
	// reconciliations.
	CanDesk, CanPublished, CanOwnMessages, CanAudit, CanReconcile bool

	Error string
	// ErrorField is the field the error names (its first part, as the API
	// names it), for the form to mark.
	ErrorField string
	Form       map[string]string
	Data       any
}

func (s *Server) newDeskPage(r *http.Request, title, nav string) *deskPage {
	p := auth.FromContext(r.Context())
	pol := auth.DefaultPolicy
	return &deskPage{Title: title, Nav: nav, User: p.Name, CSRF: auth.CSRFToken(r.Context()), Home: deskHome(p),
		CanDesk: pol.Permits(p, Desk), CanPublished: pol.Permits(p, auth.ActReadPublishedData),
		CanOwnMessages: pol.Permits(p, auth.ActReadOwnPartyMessages) && !pol.Permits(p, auth.ActReadMessages),
		CanAudit:       pol.Permits(p, auth.ActReadAudit), CanReconcile: pol.Permits(p, auth.ActReadOwnPartyRecords),
		Form: map[string]string{}}
}

// deskHome is where p lands after logging in: the dashboard for those who
// may open it, the published record for liaisons and observers, and the
// dashboard otherwise (whose guard sends the public to the login page).
func deskHome(p *auth.Principal) string {
	if !auth.DefaultPolicy.Permits(p, Desk) && auth.DefaultPolicy.Permits(p, auth.ActReadPublishedData) {
		return publishedPath
	}
	return "/desk"
}

func (s *Server) renderDesk(w http.ResponseWriter, status int, name string, p *deskPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Desk pages show what people reported and who reported it: no shared
	// cache may keep them.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		s.Logger.Error("render desk page", "template", name, "err", err)
	}
}

// redirectToLogin sends a browser that asked for a desk page without
// credentials to the login page, and reports whether it did. Only page
// requests from a browser (GET, Accept: text/html) are redirected: API
// clients and scripts keep their 401, which they can act on.
//
// Server.error calls it for 401s, so that the route table still declares
// the desk pages Desk and the policy stays the only gate.
func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/desk") || r.URL.Path == "/desk/login" ||
		!strings.Contains(r.Header.Get("Accept"), "text/html") {
		return false
	}
	http.Redirect(w, r, "/desk/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	return true
}

// redirectHome sends a logged-in browser that asked for the dashboard, which
// its role may not open, to the page it lands on (deskHome), and reports
// whether it did: a liaison's or an observer's bookmark of /desk still
// works. Other pages keep their 403, as scripts do.
func (s *Server) redirectHome(w http.ResponseWriter, r *http.Request) bool {
	p := auth.FromContext(r.Context())
	home := deskHome(p)
	if r.Method != http.MethodGet || r.URL.Path != "/desk" || p.Anonymous() || home == "/desk" ||
		!strings.Contains(r.Header.Get("Accept"), "text/html") {
		return false
	}
	http.Redirect(w, r, home, http.StatusSeeOther)
	return true
}

// safeNext returns where to go after logging in: a desk path of this site,
// never another site (an open redirect would make the login page a
// phishing tool).
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/desk") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/desk"
	}
	return u.RequestURI()
}

func (s *Server) handleDeskLoginForm(w http.ResponseWriter, r *http.Request) {
	p := s.newDeskPage(r, "Log in to the desk", "login")
	p.Form["next"] = safeNext(r.URL.Query().Get("next"))
	s.renderDesk(w, http.StatusOK, "desk_login.html", p)
}

// parseDeskForm reads a desk form's small body.
func parseDeskForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EINVALID, "the form could not be read")
	}
	if name, ok := nulValue(r.PostForm); ok {
		return domain.FieldErrorf(name, nulMessage)
	}
	return nil
}

// handleDeskLogin accepts either an operator token from the configuration,
// kept in the truce_desk cookie that the server reads on every request, or
// a user's name and password, which open a session.
func (s *Server) handleDeskLogin(w http.ResponseWriter, r *http.Request) {
	if err := parseDeskForm(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newDeskPage(r, "Log in to the desk", "login")
	next := safeNext(r.PostFormValue("next"))
	p.Form["next"], p.Form["name"] = next, r.PostFormValue("name")
	token, name, password := strings.TrimSpace(r.PostFormValue("token")), r.PostFormValue("name"), r.PostFormValue("password")
	switch {
	case token != "":
		if !s.operatorToken(token) {
			p.Error = "This desk token is not valid."
			s.renderDesk(w, http.StatusUnauthorized, "desk_login.html", p)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: deskCookie, Value: token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int((12 * time.Hour).Seconds())})
	case name != "" && password != "":
		u, err := s.Auth.StartSession(w, r, name, password)
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL || domain.ErrorCode(err) == domain.EUNAVAILABLE {
				s.error(w, r, err)
				return
			}
			p.Error = domain.ErrorMessage(err)
			s.renderDesk(w, http.StatusUnauthorized, "desk_login.html", p)
			return
		}
		// The default lands each role on a page it may open.
		if next == "/desk" {
			next = deskHome(&auth.Principal{Name: u.Name, Role: u.Role, PartyID: u.PartyID})
		}
	default:
		p.Error = "Enter a desk token, or a name and a password."
		s.renderDesk(w, http.StatusBadRequest, "desk_login.html", p)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// operatorToken reports whether token is one of the configuration's
// operator tokens, comparing in constant time.
func (s *Server) operatorToken(token string) bool {
	ok := false
	for t := range s.Tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			ok = true
		}
	}
	return ok
}

func (s *Server) handleDeskLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: deskCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: -1})
	if !auth.FromContext(r.Context()).Anonymous() {
		if err := s.Auth.EndSession(w, r); err != nil {
			s.Logger.Error("end session", "err", err)
		}
	}
	http.Redirect(w, r, "/desk/login", http.StatusSeeOther)
}

// dashboardData holds the choices of the dashboard's filter form; the
// current values come from the query string, so a view can be shared.
type dashboardData struct {
	Parties      []*domain.Party
	Types        []string
	Grades       []domain.Grade
	Governorates []string
	Query        map[string]string
}

// governorates are Syria's 14 admin1 regions as the basemap and the OCHA
// gazetteer spell them; incidents use the same names.
var governorates = []string{"Aleppo", "Al-Hasakeh", "Ar-Raqqa", "As-Sweida", "Damascus", "Dar'a", "Deir-ez-Zor",
	"Hama", "Homs", "Idleb", "Lattakia", "Quneitra", "Rural Damascus", "Tartous"}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	c, err := s.incidentChoices(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	q := map[string]string{}
	for _, k := range []string{"since", "until", "party", "type", "grade", "admin1", "color"} {
		q[k] = r.URL.Query().Get(k)
	}
	p := s.newDeskPage(r, "Dashboard", "dashboard")
	p.Data = dashboardData{Parties: c.Parties, Types: c.Types, Governorates: c.Governorates, Query: q,
		Grades: []domain.Grade{domain.GradeConfirmed, domain.GradeFair, domain.GradeWeak, domain.GradeContested, domain.GradeDiscounted}}
	s.renderDesk(w, http.StatusOK, "desk_dashboard.html", p)
}

// inboxData holds the choices the inbox's dialogs offer.
type inboxData struct {
	Types        []string
	Reasons      []domain.RejectReason
	Governorates []string
}

func (s *Server) handleInboxPage(w http.ResponseWriter, r *http.Request) {
	p := s.newDeskPage(r, "Inbox", "inbox")
	var types []string
	for _, subs := range domain.EventTypes {
		types = append(types, subs...)
	}
	slices.Sort(types)
	p.Data = inboxData{Types: types, Governorates: governorates, Reasons: []domain.RejectReason{domain.RejectSpam,
		domain.RejectDuplicate, domain.RejectOffTopic, domain.RejectUnverified, domain.RejectAbusive}}
	s.renderDesk(w, http.StatusOK, "desk_inbox.html", p)
}

// sourceView is one source of an incident, with the message behind it and
// that message's triage history when it is one.
type sourceView struct {
	Source  domain.Source
	Message *domain.Message
	Events  []*domain.MessageEvent
}

type incidentData struct {
	Incident     *domain.Incident
	Perpetrators []*domain.Party
	Targets      []*domain.Party
	Sources      []sourceView
	Local        time.Time // when it happened, in the agreement's zone
	Verdicts     []verdictView
	Parties      map[int64]*domain.Party // the parties the traces name by ID
	Grades       []*domain.GradeChange
	Audit        []auditRow
	ShowAudit    bool // the reader may read the audit trail
	CanGrade     bool
	GradeChoices []domain.Grade
	// ReadOnly is the page of a reader without read_incidents (a liaison,
	// an observer): the published incident as the API serves it, without
	// message sources, grade history, verdict traces or desk links.
	ReadOnly bool
}

// verdictView is an incident's verdict under one agreement, each view with
// the trace of rules and facts that decided it, and how it came to change.
type verdictView struct {
	Agreement *domain.Agreement
	Verdict   *domain.Verdict
	Views     []compliance.View
	Changes   []*domain.VerdictChange
}

// recordAuditLimit bounds the audit rows a record's page shows; the audit page
// and the API page through all of them.
const recordAuditLimit = 50

func (s *Server) handleIncidentPage(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newDeskPage(r, "", "incident")
	s.renderIncident(w, r, id, http.StatusOK, p)
}

// renderIncident shows the incident page, with p's error and form values
// when a change from the page was refused.
func (s *Server) renderIncident(w http.ResponseWriter, r *http.Request, id int64, status int, p *deskPage) {
	ctx := r.Context()
	who := auth.FromContext(ctx)
	readOnly := !auth.DefaultPolicy.Permits(who, auth.ActReadIncidents)
	in, err := s.Store.Incident(ctx, id)
	if err == nil && readOnly {
		// The API's single read: unpublished is not found, and the desk's
		// messages are left out of the sources.
		in, err = s.visibleIncident(r, in)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := incidentData{Incident: in, Local: in.OccurredAt.In(deskZone(as)), ReadOnly: readOnly,
		CanGrade:     auth.DefaultPolicy.Permits(who, auth.ActCreateIncident),
		GradeChoices: []domain.Grade{domain.GradeConfirmed, domain.GradeFair, domain.GradeWeak, domain.GradeContested, domain.GradeDiscounted}}
	for _, ids := range []struct {
		ids []int64
		dst *[]*domain.Party
	}{{in.Perpetrators, &d.Perpetrators}, {in.Targets, &d.Targets}} {
		for _, pid := range ids.ids {
			p, err := s.Store.Party(ctx, pid)
			if err != nil {
				s.error(w, r, err)
				return
			}
			*ids.dst = append(*ids.dst, p)
		}
	}
	for _, src := range in.Sources {
		v := sourceView{Source: src}
		if src.MessageID != 0 {
			if v.Message, err = s.Store.Message(ctx, src.MessageID); err != nil {
				s.error(w, r, err)
				return
			}
			if v.Events, err = s.Store.MessageEvents(ctx, src.MessageID); err != nil {
				s.error(w, r, err)
				return
			}
		}
		d.Sources = append(d.Sources, v)
	}
	if d.Verdicts, err = s.verdictViews(ctx, in.ID, as); err != nil {
		s.error(w, r, err)
		return
	}
	if readOnly {
		// The outcome is published (the bulletins count it); the desk's
		// reasoning, which names control areas and who recomputed it when,
		// is not, and neither are the grade's notes.
		for i := range d.Verdicts {
			d.Verdicts[i].Views, d.Verdicts[i].Changes = nil, nil
		}
		p.Title, p.Data = in.String(), d
		s.renderDesk(w, status, "desk_incident.html", p)
		return
	}
	if len(d.Verdicts) > 0 {
		ps, err := s.Store.Parties(ctx)
		if err != nil {
			s.error(w, r, err)
			return
		}
		d.Parties = make(map[int64]*domain.Party, len(ps))
		for _, p := range ps {
			d.Parties[p.ID] = p
		}
	}
	if d.Grades, err = s.Store.GradeHistory(ctx, in.ID); err != nil {
		s.error(w, r, err)
		return
	}
	if d.Audit, d.ShowAudit, err = s.recordTrail(r, "incident", in.ID); err != nil {
		s.error(w, r, err)
		return
	}
	p.Title, p.Data = in.String(), d
	s.renderDesk(w, status, "desk_incident.html", p)
}

// verdictViews reads the incident's verdicts with their views decoded,
// naming each agreement from as.
func (s *Server) verdictViews(ctx context.Context, id int64, as []*domain.Agreement) ([]verdictView, error) {
	vs, err := s.Store.IncidentVerdicts(ctx, id)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	changes, err := s.Store.VerdictChanges(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []verdictView
	for _, v := range vs {
		vv := verdictView{Verdict: v}
		if i := slices.IndexFunc(as, func(a *domain.Agreement) bool { return a.ID == v.AgreementID }); i >= 0 {
			vv.Agreement = as[i]
		}
		if err := json.Unmarshal(v.Views, &vv.Views); err != nil {
			return nil, fmt.Errorf("verdict of incident %d: %w", id, err)
		}
		for _, c := range changes {
			if c.AgreementID == v.AgreementID {
				vv.Changes = append(vv.Changes, c)
			}
		}
		out = append(out, vv)
	}
	return out, nil
}

// handleIncidentGrade grades the incident from its page's form. A refusal
// (no note, a stale version, the same grade) shows the page again with the
// reason beside the form and what was typed kept.
func (s *Server) handleIncidentGrade(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := parseDeskForm(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	g := domain.GradeChange{IncidentID: id, To: domain.Grade(r.PostFormValue("grade")), Note: r.PostFormValue("note"),
		Version: version, Actor: Actor(r.Context())}
	in, err := s.Store.GradeIncident(r.Context(), g)
	if err != nil {
		code := domain.ErrorCode(err)
		if code != domain.EINVALID && code != domain.ECONFLICT {
			s.error(w, r, err)
			return
		}
		p := s.newDeskPage(r, "", "incident")
		p.Error = domain.ErrorMessage(err)
		p.Form["grade"], p.Form["note"] = r.PostFormValue("grade"), r.PostFormValue("note")
		s.renderIncident(w, r, id, statuses[code], p)
		return
	}
	s.auditGrade(r, in, version)
	http.Redirect(w, r, "/desk/incidents/"+strconv.FormatInt(id, 10)+"#grades-h", http.StatusSeeOther)
}

// deskZone returns the time zone the desk counts days in: the agreement's
// when there is exactly one, UTC otherwise.
func deskZone(as []*domain.Agreement) *time.Location {
	if len(as) != 1 {
		return time.UTC
	}
	return as[0].Location()
}

// statusView is one row of a party's status timeline under an agreement.
type statusView struct {
	Agreement *domain.Agreement
	Status    *domain.PartyStatus
}

type partyData struct {
	Party    *domain.Party
	Parent   *domain.Party
	Statuses []statusView
	By       []*domain.IncidentEvent // the party is an alleged perpetrator, newest first
	Against  []*domain.IncidentEvent // the party is a target, newest first
	Total    int
	// CanCommit offers the form that records the party's commitment to
	// one of the Agreements.
	CanCommit  bool
	Agreements []*domain.Agreement
}

// appendLast appends e to list and keeps only the last n.
func appendLast(list []*domain.IncidentEvent, e *domain.IncidentEvent, n int) []*domain.IncidentEvent {
	list = append(list, e)
	if len(list) > 2*n {
		list = append(list[:0], list[len(list)-n:]...)
	}
	return list
}

// partyIncidentLimit bounds the incidents the party page lists; the
// dashboard, filtered by the party, shows them all.
const partyIncidentLimit = 500

func (s *Server) handlePartyPage(w http.ResponseWriter, r *http.Request) {
	s.renderParty(w, r, http.StatusOK, s.newDeskPage(r, "", "party"))
}

// renderParty shows the party page, with p's error and form values when
// the commitment form was refused.
func (s *Server) renderParty(w http.ResponseWriter, r *http.Request, status int, p *deskPage) {
	ctx := r.Context()
	party, err := s.Store.PartyBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := partyData{Party: party, CanCommit: canCommit(auth.FromContext(ctx), party)}
	if party.ParentID != 0 {
		d.Parent, _ = s.Store.Party(ctx, party.ParentID)
	}
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Agreements = as
	for _, a := range as {
		sts, err := s.Store.PartyStatuses(ctx, a.ID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		for _, st := range sts {
			if st.PartyID == party.ID {
				d.Statuses = append(d.Statuses, statusView{Agreement: a, Status: st})
			}
		}
	}
	sort.SliceStable(d.Statuses, func(i, j int) bool { return d.Statuses[i].Status.ValidFrom.Before(d.Statuses[j].Status.ValidFrom) })
	// The newest are the most useful, and the events stream in time order
	// with the parties' roles: keep the last ones of each list.
	err = s.Store.IncidentEvents(ctx, domain.IncidentFilter{PartyID: party.ID}, func(e *domain.IncidentEvent) error {
		d.Total++
		c := *e
		c.Perpetrators, c.Targets = nil, nil
		if slices.Contains(e.Perpetrators, party.Slug) {
			d.By = appendLast(d.By, &c, partyIncidentLimit)
		}
		if slices.Contains(e.Targets, party.Slug) {
			d.Against = appendLast(d.Against, &c, partyIncidentLimit)
		}
		return nil
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, l := range []*[]*domain.IncidentEvent{&d.By, &d.Against} {
		*l = (*l)[max(0, len(*l)-partyIncidentLimit):]
		slices.Reverse(*l)
	}
	p.Title, p.Data = party.Name, d
	s.renderDesk(w, status, "desk_party.html", p)
}

// handlePartyCommit records the party's commitment from its page, through
// the commitment route's own logic; a refusal shows the page again with the
// field at fault named and what was typed kept.
func (s *Server) handlePartyCommit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	party, err := s.Store.PartyBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Whose commitment it is decides before anything else is read.
	if who := auth.FromContext(ctx); !canCommit(who, party) {
		s.error(w, r, domain.Errorf(domain.EFORBIDDEN, "a %s may record only its own party's commitment, not %s's", who.Role, party.Slug))
		return
	}
	if err := parseDeskForm(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	f := r.PostForm
	a, err := s.Store.AgreementBySlug(ctx, f.Get("agreement"))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		err = domain.FieldErrorf("agreement", "no agreement has the slug %q", f.Get("agreement"))
	}
	req := commitRequest{Party: party.Slug, Through: strings.TrimSpace(f.Get("through")),
		Source: strings.TrimSpace(f.Get("source")), Note: strings.TrimSpace(f.Get("note"))}
	if err == nil {
		req.ValidFrom, err = formInstant("valid_from", f.Get("valid_on"), f.Get("valid_time"), a.Location(), s.Now())
	}
	if err == nil {
		_, _, err = s.commit(r, a, req)
	}
	if err != nil {
		if !refusal(err) {
			s.error(w, r, err)
			return
		}
		p := s.newDeskPage(r, "", "party")
		for _, k := range []string{"agreement", "through", "valid_on", "valid_time", "source", "note"} {
			p.Form[k] = f.Get(k)
		}
		setFormError(p, err)
		s.renderParty(w, r, statuses[domain.ErrorCode(err)], p)
		return
	}
	http.Redirect(w, r, "/desk/parties/"+party.Slug+"#status-h", http.StatusSeeOther)
}
