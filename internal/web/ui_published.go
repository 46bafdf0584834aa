package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// The published record in the desk: what liaisons and observers may read
// (the published bulletins, the incidents of the days they cover, the
// exports of those), and a liaison's own party's messages. The incidents
// come through the API's own filter (visibleIncidentFilter, so
// Policy.IncidentFilter) and the messages through Policy.MessageFilter:
// the page and the API cannot disagree about what a role sees.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"GET " + publishedPath, auth.ActReadPublishedData, s.handlePublishedPage},
			{"GET /desk/messages", auth.ActReadOwnPartyMessages, s.handleOwnMessagesPage},
		}
	})
}

// publishedPath is the published record's page, where liaisons and
// observers land after logging in.
const publishedPath = "/desk/published"

const (
	// publishedPageSize is the incidents one page lists.
	publishedPageSize = 50
	// publishedBulletinDays is how many published days the page lists
	// unless asked for all (bulletins=all).
	publishedBulletinDays = 14
	// ownMessagesPageSize is the messages one page lists.
	ownMessagesPageSize = 50
)

// publishedKeys are the page's filters: since and until are local days
// (until excluded), the others the incident list's.
var publishedKeys = []string{"since", "until", "admin1", "type", "party", "grade"}

// publishedBulletins are one agreement's published days, newest first.
type publishedBulletins struct {
	Agreement *domain.Agreement
	Days      []recordDay
	More      int // published days not listed
}

// recordDay is a day's versions, newest first, and the page's address
// listing that day's incidents.
type recordDay struct {
	bulletinDay
	Incidents template.URL
}

// publishedRow is an incident as the list shows it.
type publishedRow struct {
	*domain.Incident
	Local                 time.Time // when it happened, in the page's zone
	Perpetrators, Targets []*domain.Party
}

type publishedData struct {
	incidentChoices
	Bulletins    []publishedBulletins
	AllBulletins bool
	Rows         []publishedRow
	Total        int
	Query        map[string]string
	Zone         string // the zone local days are counted in
	// The exports of the filtered incidents and the pages, built from
	// url.Values, whose encoding is safe in an href as it stands.
	ACLED, UCDP, GeoJSON template.URL
	Next, First          template.URL
	AllDays              template.URL // the page with every published day
}

// incidentChoices are what the incident filters offer.
type incidentChoices struct {
	Parties      []*domain.Party
	Types        []string
	Governorates []string
}

func (s *Server) incidentChoices(ctx context.Context) (incidentChoices, error) {
	var c incidentChoices
	ps, err := s.Store.Parties(ctx)
	if err != nil {
		return c, err
	}
	slices.SortFunc(ps, func(a, b *domain.Party) int { return strings.Compare(a.Name, b.Name) })
	c.Parties = ps
	for _, subs := range domain.EventTypes {
		c.Types = append(c.Types, subs...)
	}
	slices.Sort(c.Types)
	c.Governorates = governorates
	if regions, err := s.Store.Regions(ctx, 1); err == nil && len(regions) > 0 {
		c.Governorates = nil
		for _, rg := range regions {
			c.Governorates = append(c.Governorates, rg.Name)
		}
		slices.Sort(c.Governorates)
	}
	return c, nil
}

// handlePublishedPage lists the published bulletins and, filtered and
// paged, the published incidents with links to their pages and exports.
func (s *Server) handlePublishedPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	c, err := s.incidentChoices(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	loc := deskZone(as)
	q := r.URL.Query()
	d := &publishedData{incidentChoices: c, Query: map[string]string{}, Zone: loc.String(), AllBulletins: q.Get("bulletins") == "all"}
	for _, k := range publishedKeys {
		d.Query[k] = q.Get(k)
	}
	page := url.Values{}
	for k, v := range d.Query {
		if v != "" {
			page.Set(k, v)
		}
	}
	if d.Bulletins, err = s.publishedBulletins(ctx, as, loc, d.AllBulletins); err != nil {
		s.error(w, r, err)
		return
	}
	if !d.AllBulletins && slices.ContainsFunc(d.Bulletins, func(b publishedBulletins) bool { return b.More > 0 }) {
		all := url.Values{"bulletins": {"all"}}
		for k, v := range page {
			all[k] = v
		}
		d.AllDays = template.URL(publishedPath + "?" + all.Encode() + "#bulletins-h")
	}
	p := s.newDeskPage(r, "Published record", "published")
	p.Data = d

	f, err := publishedFilter(r, loc)
	var list []*domain.Incident
	if err == nil {
		// One more than the page, so the last page offers no next one.
		f.Limit++
		list, err = s.Store.Incidents(ctx, f)
		f.Limit--
	}
	if err == nil {
		d.Total, err = s.Store.CountIncidents(ctx, f)
	}
	if err != nil {
		// A bad filter, or a window holding too many separate published
		// periods, is the reader's to fix on the form.
		if domain.ErrorCode(err) != domain.EINVALID {
			s.error(w, r, err)
			return
		}
		setFormError(p, err)
		s.renderDesk(w, http.StatusBadRequest, "desk_published.html", p)
		return
	}
	more := len(list) > f.Limit
	list = list[:min(len(list), f.Limit)]
	parties := partyMap(c.Parties)
	for _, in := range list {
		row := publishedRow{Incident: in, Local: in.OccurredAt.In(loc)}
		for _, id := range in.Perpetrators {
			row.Perpetrators = append(row.Perpetrators, parties[id])
		}
		for _, id := range in.Targets {
			row.Targets = append(row.Targets, parties[id])
		}
		d.Rows = append(d.Rows, row)
	}
	exports := exportQuery(f)
	d.ACLED = template.URL("/api/v1/exports/incidents.csv?format=acled&" + exports.Encode())
	d.UCDP = template.URL("/api/v1/exports/incidents.csv?format=ucdp&" + exports.Encode())
	d.GeoJSON = template.URL("/api/v1/exports/incidents.geojson?" + exports.Encode())
	if d.AllBulletins {
		page.Set("bulletins", "all")
	}
	if f.AfterID != 0 {
		d.First = template.URL(publishedPath + "?" + page.Encode() + "#incidents-h")
	}
	if more {
		page.Set("after", strconv.FormatInt(list[len(list)-1].ID, 10))
		d.Next = template.URL(publishedPath + "?" + page.Encode() + "#incidents-h")
	}
	s.renderDesk(w, http.StatusOK, "desk_published.html", p)
}

// publishedFilter reads the page's filters into the API's incident filter,
// narrowed as the API narrows it (published only, and whatever
// Policy.IncidentFilter adds for the caller): since and until are local
// days in loc, until excluded, or RFC 3339 instants.
func publishedFilter(r *http.Request, loc *time.Location) (domain.IncidentFilter, error) {
	q := r.URL.Query()
	r2 := r.Clone(r.Context())
	shared := r2.URL.Query()
	shared.Del("since")
	shared.Del("until")
	shared.Del("limit")
	shared.Del("bbox")
	shared.Set("published", "true")
	r2.URL.RawQuery = shared.Encode()
	f, err := visibleIncidentFilter(r2)
	if err != nil {
		return f, err
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		if day, err := stats.ParseDay(v); err == nil {
			*p.dst = day.In(loc)
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, domain.FieldErrorf(p.name, "%q is not a day written YYYY-MM-DD", v)
		}
		*p.dst = t
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, domain.FieldErrorf("until", "must come after since")
	}
	f.Limit = publishedPageSize
	return f, nil
}

// exportQuery writes f as the export API's query: the same incidents, in
// every format, whatever page of them is on screen.
func exportQuery(f domain.IncidentFilter) url.Values {
	v := url.Values{}
	if f.PublishedOnly {
		v.Set("published", "true")
	}
	if !f.Since.IsZero() {
		v.Set("since", f.Since.UTC().Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		v.Set("until", f.Until.UTC().Format(time.RFC3339))
	}
	if f.PartyID != 0 {
		v.Set("party", strconv.FormatInt(f.PartyID, 10))
	}
	for k, x := range map[string]string{"type": f.SubEventType, "grade": string(f.Grade), "admin1": f.Admin1} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// publishedBulletins lists each agreement's published days, newest first,
// the newest publishedBulletinDays of them unless all.
func (s *Server) publishedBulletins(ctx context.Context, as []*domain.Agreement, loc *time.Location, all bool) ([]publishedBulletins, error) {
	var out []publishedBulletins
	for _, a := range as {
		list, err := s.Store.Bulletins(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		pb := publishedBulletins{Agreement: a}
		seen := ""
		for _, b := range list { // the newest day and version first
			if b.Day != seen {
				seen = b.Day
				if !all && len(pb.Days) == publishedBulletinDays {
					pb.More++
					continue
				}
				pb.Days = append(pb.Days, recordDay{bulletinDay: bulletinDay{Day: b.Day}, Incidents: dayLink(b.Day, a, loc)})
			}
			if last := &pb.Days[len(pb.Days)-1]; last.Day == b.Day {
				last.Versions = append(last.Versions, b)
			}
		}
		if len(list) > 0 {
			out = append(out, pb)
		}
	}
	return out, nil
}

// dayLink is the page listing the published incidents of an agreement's
// local day: by day when the page counts days in the agreement's zone, by
// the day's instants otherwise.
func dayLink(day string, a *domain.Agreement, loc *time.Location) template.URL {
	d, err := stats.ParseDay(day)
	if err != nil {
		return ""
	}
	v := url.Values{"since": {d.String()}, "until": {(d + 1).String()}}
	if al := a.Location(); al.String() != loc.String() {
		v = url.Values{"since": {d.In(al).UTC().Format(time.RFC3339)}, "until": {(d + 1).In(al).UTC().Format(time.RFC3339)}}
	}
	return template.URL(publishedPath + "?" + v.Encode() + "#incidents-h")
}

type ownMessagesData struct {
	Party    *domain.Party // the liaison's; nil for those who read every message
	Messages []*domain.Message
	Next     template.URL
	First    template.URL
}

// handleOwnMessagesPage lists, newest first and read-only, the messages the
// caller may read through the API's inbox: a liaison's own party's.
func (s *Server) handleOwnMessagesPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	who := auth.FromContext(ctx)
	var f domain.MessageFilter
	if err := queryID(r.URL.Query().Get("after"), "after", &f.AfterID); err != nil {
		s.error(w, r, err)
		return
	}
	f, err := auth.DefaultPolicy.MessageFilter(who, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = ownMessagesPageSize + 1
	ms, err := s.Store.Messages(ctx, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := &ownMessagesData{Messages: ms[:min(len(ms), ownMessagesPageSize)]}
	if f.PartyID != 0 {
		if d.Party, err = s.Store.Party(ctx, f.PartyID); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if f.AfterID != 0 {
		d.First = "/desk/messages"
	}
	if len(ms) > ownMessagesPageSize {
		d.Next = template.URL("/desk/messages?after=" + strconv.FormatInt(d.Messages[len(d.Messages)-1].ID, 10))
	}
	title := "Messages"
	if d.Party != nil {
		title = d.Party.Name + "'s messages"
	}
	p := s.newDeskPage(r, title, "messages")
	p.Data = d
	s.renderDesk(w, http.StatusOK, "desk_messages.html", p)
}
