package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/bulletin"
	"github.com/trucedesk/truce/internal/domain"
)

// The desk's bulletin pages: the published bulletins with their
// renderings, and a day's draft with the records behind its figures, which
// a co-chair publishes from the page.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"GET /desk/bulletins", Desk, s.handleBulletinsPage},
			{"GET /desk/bulletins/{date}", Desk, s.handleBulletinPage},
			{"POST /desk/bulletins/{date}/publish", auth.ActPublishBulletin, s.handleBulletinPublishForm},
		}
	})
}

// bulletinDay is one day's published versions, newest first.
type bulletinDay struct {
	Day      string
	Versions []*domain.Bulletin
}

type bulletinsData struct {
	Agreement *domain.Agreement
	Days      []bulletinDay
	Today     string
}

func (s *Server) handleBulletinsPage(w http.ResponseWriter, r *http.Request) {
	// The draft form asks by query; the draft lives at its own address.
	if v := r.URL.Query().Get("day"); v != "" {
		day, err := dayParam("day", v, 0)
		if err != nil {
			s.error(w, r, err)
			return
		}
		http.Redirect(w, r, "/desk/bulletins/"+day.String(), http.StatusSeeOther)
		return
	}
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	list, err := s.Store.Bulletins(r.Context(), an.Agreement.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := bulletinsData{Agreement: an.Agreement, Today: an.Today().String()}
	// The store lists the newest day and version first.
	for _, b := range list {
		if n := len(d.Days); n == 0 || d.Days[n-1].Day != b.Day {
			d.Days = append(d.Days, bulletinDay{Day: b.Day})
		}
		last := &d.Days[len(d.Days)-1]
		last.Versions = append(last.Versions, b)
	}
	p := s.newDeskPage(r, "Bulletins", "bulletins")
	p.Data = d
	s.renderDesk(w, http.StatusOK, "desk_bulletins.html", p)
}

type bulletinData struct {
	Report     *bulletin.Report
	Loc        *time.Location     // the agreement's zone, in which the day is cut
	Published  []*domain.Bulletin // this day's versions, newest first
	Incidents  []*domain.Incident // the day's incidents, the records behind the figures
	Outcomes   map[int64]string   // incident → verdict outcome under the agreement
	More       bool               // more incidents than listed
	CanPublish bool
	// ChartSVG is the bulletin's own intensity chart, which it builds from
	// numbers and escapes itself.
	ChartSVG template.HTML
	// Settlements are the day's reconciliations and Reconciled the links of
	// the section's figures, all to the desk's pages rather than the API's.
	Settlements []settlementView
	Reconciled  struct{ New, InForce, Pending string }
}

// settlementView is a reconciliation of the day with its desk page.
type settlementView struct {
	bulletin.Settlement
	Page string
}

// deskLink turns the bulletin's API link to reconciliations into the desk
// page that reads the same filters (or record).
func deskLink(api string) string {
	if rest, ok := strings.CutPrefix(api, "/api/v1/reconciliations"); ok {
		return "/desk/reconciliations" + rest
	}
	return api
}

// bulletinIncidentLimit bounds the day's list; the figures count them all.
const bulletinIncidentLimit = 200

// handleBulletinPage shows the draft of a day: the bulletin's figures as it
// would publish them now, the incidents they count, and the versions
// already published.
func (s *Server) handleBulletinPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	day, err := dayParam("date", r.PathValue("date"), 0)
	if err != nil {
		s.error(w, r, err)
		return
	}
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep, err := bulletin.Build(ctx, an, day)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := bulletinData{Report: rep, Loc: an.Loc, Outcomes: map[int64]string{}, ChartSVG: template.HTML(bulletin.ChartSVG(rep)),
		CanPublish: auth.DefaultPolicy.Permits(auth.FromContext(ctx), auth.ActPublishBulletin)}
	rs := rep.Reconciliations
	for _, st := range rs.New {
		d.Settlements = append(d.Settlements, settlementView{Settlement: st, Page: deskLink(st.Link)})
	}
	d.Reconciled.New, d.Reconciled.InForce, d.Reconciled.Pending = deskLink(rs.Link), deskLink(rs.InForceLink), deskLink(rs.PendingLink)
	list, err := s.Store.Bulletins(ctx, an.Agreement.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, b := range list { // newest version first
		if b.Day == day.String() {
			d.Published = append(d.Published, b)
		}
	}
	ins, err := s.Store.Incidents(ctx, domain.IncidentFilter{Since: rep.From, Until: rep.Until, Limit: bulletinIncidentLimit + 1})
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.More = len(ins) > bulletinIncidentLimit
	d.Incidents = ins[:min(len(ins), bulletinIncidentLimit)]
	if err := s.dayOutcomes(r, an, d.Incidents, d.Outcomes); err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newDeskPage(r, rep.Title, "bulletins")
	p.Data = d
	s.renderDesk(w, http.StatusOK, "desk_bulletin.html", p)
}

func (s *Server) dayOutcomes(r *http.Request, an *analysis.Analyzer, ins []*domain.Incident, out map[int64]string) error {
	ids := make([]int64, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	vs, err := s.Store.VerdictsOf(r.Context(), an.Agreement.ID, ids)
	if err != nil {
		return err
	}
	for _, v := range vs {
		out[v.IncidentID] = v.Outcome
	}
	return nil
}

// handleBulletinPublishForm publishes the day's bulletin from the desk page
// and returns to it, where the new version is listed.
func (s *Server) handleBulletinPublishForm(w http.ResponseWriter, r *http.Request) {
	if err := parseDeskForm(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	b, err := s.publishBulletin(r, strings.TrimSpace(r.PostFormValue("note")))
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Back to the same agreement's page: with several agreements stored, a
	// page without one is ambiguous.
	q := url.Values{"published": {strconv.Itoa(b.Version)}, "agreement": {r.URL.Query().Get("agreement")}}
	if q.Get("agreement") == "" {
		q.Del("agreement")
	}
	http.Redirect(w, r, "/desk/bulletins/"+b.Day+"?"+q.Encode(), http.StatusSeeOther)
}
