package web

import (
	"net/http"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/newsdesk"
)

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{{"GET /desk/incidents/{id}/statements", Desk, s.handleIncidentStatementsPage}}
	})
}

// statementsPageLimit bounds the articles the page names; the rest of the
// statements are still listed, by article ID.
const statementsPageLimit = 100

type incidentStatementsData struct {
	Incident   *domain.Incident
	Local      time.Time // when it happened, in the agreement's zone
	Statements []*newsdesk.IncidentStatement
	Articles   map[int64]*domain.Article // without statements: title, source, date
	Parties    map[int64]*domain.Party
}

// handleIncidentStatementsPage shows what was said and claimed about an
// incident (newsdesk.ForIncident's rules), each with why it is there and
// each claim with its check.
func (s *Server) handleIncidentStatementsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	in, err := s.Store.Incident(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	list, err := s.newsDesk().ForIncident(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ps, err := s.Store.Parties(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := incidentStatementsData{Incident: in, Local: in.OccurredAt.In(deskZone(as)), Statements: list,
		Articles: map[int64]*domain.Article{}, Parties: make(map[int64]*domain.Party, len(ps))}
	for _, p := range ps {
		d.Parties[p.ID] = p
	}
	for _, is := range list {
		aid := int64(0)
		if is.Statement != nil {
			aid = is.Statement.ArticleID
		} else if len(is.Claims) > 0 {
			aid = is.Claims[0].ArticleID
		}
		if aid == 0 || d.Articles[aid] != nil || len(d.Articles) >= statementsPageLimit {
			continue
		}
		a, err := s.Store.Article(ctx, aid)
		if err != nil {
			s.error(w, r, err)
			return
		}
		a.Text, a.Statements, a.Claims = "", nil, nil
		d.Articles[aid] = a
	}
	p := s.newDeskPage(r, "Statements and claims: "+in.String(), "incident")
	p.Data = d
	s.renderDesk(w, http.StatusOK, "desk_incident_statements.html", p)
}
