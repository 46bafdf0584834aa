package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// The desk's reconciliation pages: the list with the API's filters, a
// record with its signatories, terms, sources, timeline and audit trail,
// and the forms that record one and move it along its timeline. The forms
// go through the API handlers' own helpers (readReconciliation's agreement
// lookup, createReconciliation, changeReconciliationState, the filter), so
// the desk and the API accept and refuse the same things.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"GET /desk/reconciliations", auth.ActReadOwnPartyRecords, s.handleReconciliationsPage},
			{"GET /desk/reconciliations/new", auth.ActCreateIncident, s.handleReconciliationNew},
			{"POST /desk/reconciliations", auth.ActCreateIncident, s.handleReconciliationForm},
			{"GET /desk/reconciliations/{id}", auth.ActReadOwnPartyRecords, s.handleReconciliationPage},
			{"POST /desk/reconciliations/{id}/status", auth.ActCreateIncident, s.handleReconciliationStatusForm},
		}
	})
}

// fieldLabels names the fields the API's errors name as the desk's forms
// label them, so a refusal says which box is at fault.
var fieldLabels = map[string]string{
	"agreement": "Agreement", "agreement_id": "Agreement", "settlement": "Settlement", "admin1": "Governorate",
	"admin2": "District", "geoname_id": "Gazetteer entry", "point": "Coordinates", "signed_at": "Signed on",
	"time_precision": "Date known to", "signatories": "Signatories", "terms": "Terms", "sources": "Sources",
	"summary": "Summary", "state": "Status", "at": "Reported on", "note": "Note", "version": "Version",
	"party": "Party", "since": "Signed from", "until": "Signed before", "as_of": "As of", "after": "Page",
	"limit": "Per page", "valid_from": "Valid from", "through": "Through", "designator": "Through", "source": "Source",
	"message": "Message", "message_id": "Message", "message_version": "Message",
}

// setFormError shows err on p: the label of the field it names, the field
// as the API names it, and the message. ErrorField, the field's first
// part, marks the box or group at fault.
func setFormError(p *deskPage, err error) {
	field := domain.ErrorField(err)
	group, _, _ := strings.Cut(field, ".")
	p.ErrorField = group
	p.Error = domain.ErrorMessage(err)
	if label, ok := fieldLabels[group]; ok {
		p.Error = label + " (" + field + "): " + p.Error
	} else if field != "" {
		p.Error = field + ": " + p.Error
	}
}

// refusal reports whether err is the caller's to fix on the form (shown
// beside it) rather than a page of its own (not found, forbidden, a fault).
func refusal(err error) bool {
	code := domain.ErrorCode(err)
	return code == domain.EINVALID || code == domain.ECONFLICT
}

// formInstant reads a day (YYYY-MM-DD) and an optional time (HH:MM) in loc.
// Without a time it is noon, or now if noon has not come yet: a day is
// known more often than the hour, and the store refuses the future. An
// empty day is the zero time, which the record's validation names.
func formInstant(field, day, clock string, loc *time.Location, now time.Time) (time.Time, error) {
	day, clock = strings.TrimSpace(day), strings.TrimSpace(clock)
	if day == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return time.Time{}, domain.FieldErrorf(field, "%q is not a day written YYYY-MM-DD", day)
	}
	if clock == "" {
		t := d.Add(12 * time.Hour)
		if t.After(now) && !now.Before(d) {
			t = now.Truncate(time.Minute)
		}
		return t, nil
	}
	c, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, domain.FieldErrorf(field, "%q is not a time written HH:MM", clock)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, loc), nil
}

// reconciliationChoices are what the forms offer.
type reconciliationChoices struct {
	Agreements   []*domain.Agreement
	Parties      []*domain.Party
	Governorates []string
	States       []domain.ReconciliationState
	Roles        []domain.SignatoryRole
	TermKinds    []domain.TermKind
}

func (s *Server) reconciliationChoices(r *http.Request) (reconciliationChoices, error) {
	c := reconciliationChoices{Governorates: governorates,
		States: []domain.ReconciliationState{domain.ReconciliationSigned, domain.ReconciliationInForce,
			domain.ReconciliationBroken, domain.ReconciliationWithdrawn},
		Roles: []domain.SignatoryRole{domain.SignatoryArmedGroup, domain.SignatoryCommunity, domain.SignatoryGovernment,
			domain.SignatoryGuarantor},
		TermKinds: []domain.TermKind{domain.TermHeavyWeapons, domain.TermHumanitarianAccess, domain.TermEvacuation,
			domain.TermStatusSettlement, domain.TermDetainees, domain.TermOther}}
	var err error
	if c.Agreements, err = s.Store.Agreements(r.Context()); err != nil {
		return c, err
	}
	if c.Parties, err = s.Store.Parties(r.Context()); err != nil {
		return c, err
	}
	slices.SortFunc(c.Parties, func(a, b *domain.Party) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

// signatoryView is a signatory with its party, when it is a registered one,
// and the party's page when the reader may open it (a liaison may not).
type signatoryView struct {
	domain.Signatory
	Party *domain.Party
	Page  string
}

// reconciliationRow is a reconciliation as the list and the record show it.
type reconciliationRow struct {
	*domain.Reconciliation
	Signatories []signatoryView
	Local       time.Time // signed, in the agreement's zone
}

func reconciliationRowOf(r *http.Request, rc *domain.Reconciliation, parties map[int64]*domain.Party, loc *time.Location) reconciliationRow {
	row := reconciliationRow{Reconciliation: rc, Local: rc.SignedAt.In(loc)}
	desk := auth.DefaultPolicy.Permits(auth.FromContext(r.Context()), Desk)
	for _, sg := range rc.Signatories {
		v := signatoryView{Signatory: sg, Party: parties[sg.PartyID]}
		if v.Party != nil && desk {
			v.Page = "/desk/parties/" + v.Party.Slug
		}
		row.Signatories = append(row.Signatories, v)
	}
	return row
}

func partyMap(ps []*domain.Party) map[int64]*domain.Party {
	m := make(map[int64]*domain.Party, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m
}

// zoneOf returns the zone of the agreement with id, UTC if there is none.
func zoneOf(as []*domain.Agreement, id int64) *time.Location {
	for _, a := range as {
		if a.ID == id {
			return a.Location()
		}
	}
	return time.UTC
}

type reconciliationsData struct {
	reconciliationChoices
	Rows      []reconciliationRow
	Total     int
	Query     map[string]string
	ReadsAll  bool // a liaison reads only its party's, and is not offered the party filter
	CanRecord bool
	// Built from url.Values, whose encoding is safe in an href as it stands.
	Next, First template.URL
}

// reconciliationListKeys are the list's filters, as the API names them.
var reconciliationListKeys = []string{"agreement", "admin1", "party", "state", "since", "until", "as_of", "limit"}

func (s *Server) handleReconciliationsPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.reconciliationChoices(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	who := auth.FromContext(r.Context())
	d := &reconciliationsData{reconciliationChoices: c, Query: map[string]string{}, ReadsAll: readsAll(r),
		CanRecord: auth.DefaultPolicy.Permits(who, auth.ActCreateIncident)}
	q := r.URL.Query()
	for _, k := range reconciliationListKeys {
		d.Query[k] = q.Get(k)
	}
	p := s.newDeskPage(r, "Reconciliations", "reconciliations")
	p.Data = d
	// The API's own filter: the same names, the same checks, and a
	// liaison narrowed to its party.
	f, err := s.reconciliationFilter(r)
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			s.error(w, r, err)
			return
		}
		setFormError(p, err)
		s.renderDesk(w, http.StatusBadRequest, "desk_reconciliations.html", p)
		return
	}
	// One more than the page, so the last page offers no next one.
	f.Limit++
	list, err := s.Store.Reconciliations(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	more := len(list) == f.Limit
	f.Limit--
	list = list[:min(len(list), f.Limit)]
	if d.Total, err = s.Store.CountReconciliations(r.Context(), f); err != nil {
		s.error(w, r, err)
		return
	}
	parties := partyMap(c.Parties)
	for _, rc := range list {
		d.Rows = append(d.Rows, reconciliationRowOf(r, rc, parties, zoneOf(c.Agreements, rc.AgreementID)))
	}
	page := url.Values{}
	for k, v := range d.Query {
		if v != "" {
			page.Set(k, v)
		}
	}
	if f.AfterID != 0 {
		d.First = template.URL("/desk/reconciliations?" + page.Encode())
	}
	if more {
		page.Set("after", strconv.FormatInt(list[len(list)-1].ID, 10))
		d.Next = template.URL("/desk/reconciliations?" + page.Encode())
	}
	s.renderDesk(w, http.StatusOK, "desk_reconciliations.html", p)
}

// The form's rows: enough for a typical agreement (a town's notables, its
// armed group, the government and a guarantor); blank rows are ignored.
const (
	formSignatories = 4
	formTerms       = 3
	formSources     = 3
)

type formSignatory struct{ Party, Name, Role string }
type formTerm struct{ Kind, Text string }
type formSource struct{ Message, URL, Publisher, Note string }

type reconciliationFormData struct {
	reconciliationChoices
	Signatories []formSignatory
	Terms       []formTerm
	Sources     []formSource
	// Message is the message the form was opened from, shown for
	// reference and prefilled as the first source.
	Message *domain.Message
	// CanLink: the form offers to link Message to the new record, which
	// takes a monitor's triage right and a message that may be linked.
	CanLink bool
}

// offerLink fills d.CanLink for the message the form was opened from, and
// keeps in the form the message's version, which the link must match.
func offerLink(r *http.Request, p *deskPage, d *reconciliationFormData) {
	d.CanLink = d.Message != nil && d.Message.State.Linkable() &&
		auth.DefaultPolicy.Permits(auth.FromContext(r.Context()), auth.ActTriage)
	if d.Message != nil && p.Form["message_version"] == "" {
		p.Form["message_version"] = strconv.Itoa(d.Message.Version)
	}
	if !d.CanLink {
		p.Form["link_message"] = ""
	}
}

// padded returns rows with at least n entries.
func padded[T any](rows []T, n int) []T {
	for len(rows) < n {
		var zero T
		rows = append(rows, zero)
	}
	return rows
}

// handleReconciliationNew shows the form; ?message= opens it from a message
// of the inbox, as its first source, dated the day it was received.
func (s *Server) handleReconciliationNew(w http.ResponseWriter, r *http.Request) {
	c, err := s.reconciliationChoices(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newDeskPage(r, "Record a reconciliation", "reconciliations")
	d := &reconciliationFormData{reconciliationChoices: c}
	if v := r.URL.Query().Get("message"); v != "" {
		id, err := atoi64("message", v)
		if err != nil {
			s.error(w, r, err)
			return
		}
		m, err := s.Store.Message(r.Context(), id)
		if err != nil {
			s.error(w, r, err)
			return
		}
		d.Message = m
		d.Sources = []formSource{{Message: strconv.FormatInt(m.ID, 10)}}
		p.Form["signed_on"] = m.ReceivedAt.In(deskZone(c.Agreements)).Format(time.DateOnly)
		p.Form["message"] = v
		// Linking is what a monitor nearly always wants: the message is
		// handled once it is recorded.
		p.Form["link_message"] = "on"
		offerLink(r, p, d)
	}
	if len(c.Agreements) > 0 {
		p.Form["agreement"] = c.Agreements[0].Slug
	}
	d.Signatories = padded([]formSignatory{{Role: string(domain.SignatoryCommunity)}, {Role: string(domain.SignatoryArmedGroup)},
		{Role: string(domain.SignatoryGovernment)}, {Role: string(domain.SignatoryGuarantor)}}, formSignatories)
	d.Terms, d.Sources = padded(d.Terms, formTerms), padded(d.Sources, formSources)
	p.Data = d
	s.renderDesk(w, http.StatusOK, "desk_reconciliation_new.html", p)
}

// reconciliationFormKeys are the form's single fields, kept on a refusal.
var reconciliationFormKeys = []string{"agreement", "settlement", "admin1", "admin2", "signed_on", "signed_time",
	"time_precision", "lat", "lon", "geoname_id", "summary", "message", "message_version", "link_message"}

// handleReconciliationForm records a reconciliation from the form. A
// refusal shows the form again, with the field at fault named and what was
// typed kept; nothing is stored.
func (s *Server) handleReconciliationForm(w http.ResponseWriter, r *http.Request) {
	if err := parseDeskForm(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	c, err := s.reconciliationChoices(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := &reconciliationFormData{reconciliationChoices: c}
	rc, err := s.reconciliationFromForm(r, d)
	var link *domain.Transition
	if err == nil {
		link, err = s.messageLink(r)
	}
	if err == nil && link != nil {
		err = s.createReconciliationFromMessage(r, rc, *link)
	} else if err == nil {
		err = s.createReconciliation(r, rc)
	}
	if err != nil {
		if !refusal(err) {
			s.error(w, r, err)
			return
		}
		p := s.newDeskPage(r, "Record a reconciliation", "reconciliations")
		for _, k := range reconciliationFormKeys {
			p.Form[k] = r.PostFormValue(k)
		}
		if id, e := atoi64("message", p.Form["message"]); e == nil {
			d.Message, _ = s.Store.Message(r.Context(), id)
		}
		if d.Message != nil && domain.ErrorCode(err) == domain.ECONFLICT {
			// The message moved since the form was opened: the page
			// shows where it stands now, and sending the form again
			// links it from there.
			p.Form["message_version"] = strconv.Itoa(d.Message.Version)
		}
		offerLink(r, p, d)
		d.Signatories, d.Terms, d.Sources = padded(d.Signatories, formSignatories), padded(d.Terms, formTerms), padded(d.Sources, formSources)
		setFormError(p, err)
		p.Data = d
		s.renderDesk(w, statuses[domain.ErrorCode(err)], "desk_reconciliation_new.html", p)
		return
	}
	http.Redirect(w, r, "/desk/reconciliations/"+strconv.FormatInt(rc.ID, 10), http.StatusSeeOther)
}

// messageLink reads whether the form asks to link the message it was
// opened from to the new record, and at which of its versions; nil if it
// does not.
func (s *Server) messageLink(r *http.Request) (*domain.Transition, error) {
	f := r.PostForm
	if f.Get("link_message") == "" || f.Get("message") == "" {
		return nil, nil
	}
	if !auth.DefaultPolicy.Permits(auth.FromContext(r.Context()), auth.ActTriage) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "you may not move messages through triage")
	}
	id, err := atoi64("message", f.Get("message"))
	if err != nil {
		return nil, err
	}
	version, err := strconv.Atoi(f.Get("message_version"))
	if err != nil || version <= 0 {
		return nil, domain.FieldErrorf("message_version", "%q is not the version of the message", f.Get("message_version"))
	}
	return &domain.Transition{MessageID: id, Version: version, Actor: Actor(r.Context()), At: s.Now().UTC()}, nil
}

// createReconciliationFromMessage records rc and links the message to it
// in one transaction, and audits each change under its own record: the
// reconciliation's creation, then each move of the message, as the
// inbox's transitions are audited.
func (s *Server) createReconciliationFromMessage(r *http.Request, rc *domain.Reconciliation, link domain.Transition) error {
	if rc.ID != 0 || rc.Version != 0 {
		return domain.FieldErrorf("id", "a new reconciliation has no id or version")
	}
	rc.CreatedBy = Actor(r.Context())
	m, moves, err := s.Store.CreateReconciliationFromMessage(r.Context(), rc, link)
	if err != nil {
		return err
	}
	s.audit(r, "reconciliation.create", "reconciliation", rc.ID, nil, rc)
	version := m.Version - len(moves)
	for _, e := range moves {
		after := map[string]any{"state": e.To, "version": version + 1}
		if e.ReconciliationID != 0 {
			after["reconciliation_id"] = e.ReconciliationID
		}
		s.audit(r, "message.transition", "message", m.ID, map[string]any{"state": e.From, "version": version}, after)
		version++
	}
	return nil
}

// reconciliationFromForm reads the form into a reconciliation, keeping its
// rows in d to show again. It checks only what the form itself encodes
// (numbers, days); the record's rules are the store's and the type's.
func (s *Server) reconciliationFromForm(r *http.Request, d *reconciliationFormData) (*domain.Reconciliation, error) {
	f := r.PostForm
	at := func(key string, i int) string {
		if v := f[key]; i < len(v) {
			return v[i]
		}
		return ""
	}
	rows := func(keys ...string) int {
		n := 0
		for _, k := range keys {
			n = max(n, len(f[k]))
		}
		return n
	}
	// The rows first, so that a refusal shows them all again.
	for i := range rows("signatory_party", "signatory_name", "signatory_role") {
		d.Signatories = append(d.Signatories, formSignatory{at("signatory_party", i), at("signatory_name", i), at("signatory_role", i)})
	}
	for i := range rows("term_kind", "term_text") {
		d.Terms = append(d.Terms, formTerm{at("term_kind", i), at("term_text", i)})
	}
	for i := range rows("source_message", "source_url", "source_publisher", "source_note") {
		d.Sources = append(d.Sources, formSource{at("source_message", i), at("source_url", i), at("source_publisher", i), at("source_note", i)})
	}

	rc := &domain.Reconciliation{Settlement: strings.TrimSpace(f.Get("settlement")), Admin1: strings.TrimSpace(f.Get("admin1")),
		Admin2: strings.TrimSpace(f.Get("admin2")), Summary: f.Get("summary")}
	if err := s.reconciliationAgreement(r.Context(), rc, f.Get("agreement")); err != nil {
		return nil, err
	}
	var err error
	if rc.SignedAt, err = formInstant("signed_at", f.Get("signed_on"), f.Get("signed_time"),
		zoneOf(d.Agreements, rc.AgreementID), s.Now()); err != nil {
		return nil, err
	}
	if v := f.Get("time_precision"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, domain.FieldErrorf("time_precision", "%q is not 1 (day), 2 (week) or 3 (month)", v)
		}
		rc.TimePrecision = domain.TimePrecision(n)
	}
	if err := queryID(strings.TrimSpace(f.Get("geoname_id")), "geoname_id", &rc.GeonameID); err != nil {
		return nil, err
	}
	lat, lon := strings.TrimSpace(f.Get("lat")), strings.TrimSpace(f.Get("lon"))
	if lat != "" || lon != "" {
		var pt domain.Point
		var e1, e2 error
		pt.Lat, e1 = strconv.ParseFloat(lat, 64)
		pt.Lon, e2 = strconv.ParseFloat(lon, 64)
		switch {
		case e1 != nil:
			return nil, domain.FieldErrorf("point.lat", "%q is not decimal degrees; give both latitude and longitude, or neither", lat)
		case e2 != nil:
			return nil, domain.FieldErrorf("point.lon", "%q is not decimal degrees; give both latitude and longitude, or neither", lon)
		}
		rc.Point = &pt
	}
	for _, sg := range d.Signatories {
		if sg.Party == "" && strings.TrimSpace(sg.Name) == "" {
			continue
		}
		x := domain.Signatory{Name: strings.TrimSpace(sg.Name), Role: domain.SignatoryRole(sg.Role)}
		if err := queryID(sg.Party, "signatories.party_id", &x.PartyID); err != nil {
			return nil, err
		}
		rc.Signatories = append(rc.Signatories, x)
	}
	for _, t := range d.Terms {
		if t.Kind == "" && strings.TrimSpace(t.Text) == "" {
			continue
		}
		rc.Terms = append(rc.Terms, domain.Term{Kind: domain.TermKind(t.Kind), Text: strings.TrimSpace(t.Text)})
	}
	for _, src := range d.Sources {
		if src.Message == "" && strings.TrimSpace(src.URL+src.Publisher+src.Note) == "" {
			continue
		}
		l := domain.RecordLink{URL: strings.TrimSpace(src.URL), Publisher: strings.TrimSpace(src.Publisher), Note: strings.TrimSpace(src.Note)}
		if err := queryID(strings.TrimSpace(src.Message), "sources.message_id", &l.MessageID); err != nil {
			return nil, err
		}
		rc.Sources = append(rc.Sources, l)
	}
	return rc, nil
}

// reconciliationSource is a source with the message behind it, when the
// reader may read that message.
type reconciliationSource struct {
	domain.RecordLink
	Message *domain.Message
}

type reconciliationData struct {
	reconciliationRow
	Agreement *domain.Agreement
	Loc       *time.Location
	Sources   []reconciliationSource
	// Messages are those linked to it that the reader may read.
	Messages  []*domain.Message
	Moves     []domain.ReconciliationState // the states it may move to
	CanChange bool
	Audit     []auditRow
	ShowAudit bool
}

// linkedMessagesLimit bounds the messages a record's page lists; the inbox
// API lists them all (GET /api/v1/inbox?reconciliation=ID).
const linkedMessagesLimit = 100

func (s *Server) handleReconciliationPage(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderReconciliation(w, r, id, http.StatusOK, s.newDeskPage(r, "", "reconciliations"))
}

// renderReconciliation shows the record, with p's error and form values
// when a status change from the page was refused.
func (s *Server) renderReconciliation(w http.ResponseWriter, r *http.Request, id int64, status int, p *deskPage) {
	ctx := r.Context()
	rc, err := s.readableReconciliation(r, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.Store.Agreement(ctx, rc.AgreementID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ps, err := s.Store.Parties(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	who := auth.FromContext(ctx)
	d := reconciliationData{reconciliationRow: reconciliationRowOf(r, rc, partyMap(ps), a.Location()), Agreement: a, Loc: a.Location(),
		CanChange: auth.DefaultPolicy.Permits(who, auth.ActCreateIncident)}
	for _, st := range []domain.ReconciliationState{domain.ReconciliationInForce, domain.ReconciliationBroken, domain.ReconciliationWithdrawn} {
		if rc.State.CanMove(st) {
			d.Moves = append(d.Moves, st)
		}
	}
	for _, l := range rc.Sources {
		src := reconciliationSource{RecordLink: l}
		if l.MessageID != 0 {
			m, err := s.Store.Message(ctx, l.MessageID)
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				s.error(w, r, err)
				return
			}
			// A liaison reads the agreements its party signed, not every
			// message they rest on.
			if m != nil && auth.DefaultPolicy.CanReadMessage(who, m) {
				src.Message = m
			}
		}
		d.Sources = append(d.Sources, src)
	}
	linked, err := s.Store.Messages(ctx, domain.MessageFilter{ReconciliationID: rc.ID, Limit: linkedMessagesLimit})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, m := range linked {
		if auth.DefaultPolicy.CanReadMessage(who, m) {
			d.Messages = append(d.Messages, m)
		}
	}
	if d.Audit, d.ShowAudit, err = s.recordTrail(r, "reconciliation", rc.ID); err != nil {
		s.error(w, r, err)
		return
	}
	p.Title, p.Data = rc.Settlement+" reconciliation", d
	s.renderDesk(w, status, "desk_reconciliation.html", p)
}

// handleReconciliationStatusForm moves a reconciliation from its page. A
// refusal (a stale page, a move the states do not allow, a date before the
// timeline's last) shows the page again with the reason beside the form.
func (s *Server) handleReconciliationStatusForm(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := parseDeskForm(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	rc, err := s.Store.Reconciliation(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.Store.Agreement(r.Context(), rc.AgreementID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := r.PostForm
	req := reconciliationStatusRequest{State: domain.ReconciliationState(f.Get("state")), Note: strings.TrimSpace(f.Get("note"))}
	req.At, err = formInstant("at", f.Get("on"), f.Get("time"), a.Location(), s.Now())
	if err == nil {
		// A version that is not a number is no version: the store names it.
		req.Version, _ = strconv.Atoi(f.Get("version"))
		_, err = s.changeReconciliationState(r, id, req)
	}
	if err != nil {
		if !refusal(err) {
			s.error(w, r, err)
			return
		}
		p := s.newDeskPage(r, "", "reconciliations")
		for _, k := range []string{"state", "on", "time", "note"} {
			p.Form[k] = f.Get(k)
		}
		setFormError(p, err)
		s.renderReconciliation(w, r, id, statuses[domain.ErrorCode(err)], p)
		return
	}
	http.Redirect(w, r, "/desk/reconciliations/"+strconv.FormatInt(id, 10)+"#timeline-h", http.StatusSeeOther)
}

// The words the desk shows for a reconciliation's states, its signatories'
// roles and its terms, as the bulletin words them.
var (
	stateLabels = map[domain.ReconciliationState]string{
		domain.ReconciliationSigned: "signed", domain.ReconciliationInForce: "in force",
		domain.ReconciliationBroken: "broken", domain.ReconciliationWithdrawn: "withdrawn",
	}
	roleLabels = map[domain.SignatoryRole]string{
		domain.SignatoryArmedGroup: "armed group", domain.SignatoryCommunity: "representatives",
		domain.SignatoryGovernment: "government", domain.SignatoryGuarantor: "guarantor",
	}
	termLabels = map[domain.TermKind]string{
		domain.TermHeavyWeapons: "heavy weapons handed over", domain.TermHumanitarianAccess: "humanitarian access",
		domain.TermEvacuation: "evacuation", domain.TermStatusSettlement: "status settled",
		domain.TermDetainees: "detainees released", domain.TermOther: "other",
	}
)

// label is v's word, or v itself if it has none.
func label[K ~string](words map[K]string, v K) string {
	if w, ok := words[v]; ok {
		return w
	}
	return string(v)
}
