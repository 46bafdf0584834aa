package web

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/bulletin"
	"github.com/trucedesk/truce/internal/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"t": func(lang, key string) string { return translate(lang, key) },
	// rowsOf names a table of a bulletin's rows for a shared template.
	"rowsOf": func(title, column string, rows []bulletin.Row) any {
		return struct {
			Title, Column string
			Rows          []bulletin.Row
		}{title, column, rows}
	},
	// The reconciliation pages' words for states, roles and terms.
	"stateLabel": func(v domain.ReconciliationState) string { return label(stateLabels, v) },
	"roleLabel":  func(v domain.SignatoryRole) string { return label(roleLabels, v) },
	"termLabel":  func(v domain.TermKind) string { return label(termLabels, v) },
}).ParseFS(templateFS, "templates/*.html"))

func staticHandler() http.HandlerFunc {
	sub, _ := fs.Sub(staticFS, "static")
	h := http.StripPrefix("/static/", http.FileServerFS(sub))
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	}
}

// page is what every template gets.
type page struct {
	Lang, Dir string
	Title     string
	Path      string // the current path, for the language switch
	Data      any
	Errors    map[string]string // field → message, shown next to the field
	Form      map[string]string // what the user typed, kept on error
	Message   string
	Status    int
	// CSRF is the session's synchronizer token when someone is logged in:
	// a liaison's session may send the public form too, and in its party's
	// name (see Server.submit).
	CSRF string
}

func newPage(r *http.Request, title string) *page {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = r.FormValue("lang")
	}
	if lang != "ar" {
		lang = "en"
	}
	dir := "ltr"
	if lang == "ar" {
		dir = "rtl"
	}
	return &page{Lang: lang, Dir: dir, Title: translate(lang, title), Path: r.URL.Path,
		Errors: map[string]string{}, Form: map[string]string{}, CSRF: auth.CSRFToken(r.Context())}
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.CSRF != "" {
		w.Header().Set("Cache-Control", "no-store") // it carries a session's token
	}
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		s.Logger.Error("render page", "template", name, "err", err)
	}
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := newPage(r, "Error")
	p.Message, p.Status = msg, status
	s.render(w, r, status, "error.html", p)
}

// homeBulletins is how many published days the home page lists.
const homeBulletins = 7

// publishedDay is a day's latest published bulletin, for the public pages.
type publishedDay struct {
	Agreement string
	Day       string
	Version   int
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	p := newPage(r, "Ceasefire coordination desk")
	// The latest published bulletins: public under the policy, and what a
	// journalist or an NGO comes for. A store error leaves the list out
	// rather than the form.
	var days []publishedDay
	if as, err := s.Store.Agreements(r.Context()); err == nil {
		for _, a := range as {
			bs, err := s.Store.Bulletins(r.Context(), a.ID)
			if err != nil {
				s.Logger.Warn("home page bulletins", "err", err)
				break
			}
			for _, b := range bs { // newest day and version first
				if n := len(days); n == 0 || days[n-1].Day != b.Day || days[n-1].Agreement != a.Name {
					days = append(days, publishedDay{Agreement: a.Name, Day: b.Day, Version: b.Version})
				}
			}
		}
	}
	slices.SortFunc(days, func(a, b publishedDay) int { return strings.Compare(b.Day, a.Day) })
	p.Data = days[:min(len(days), homeBulletins)]
	s.render(w, r, http.StatusOK, "home.html", p)
}

func (s *Server) handleReportForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "report.html", newPage(r, "Report an incident"))
}

// handleReportSubmit takes the public form. It validates on the server and,
// on error, shows the form again with the message beside the field and
// everything the person typed kept.
func (s *Server) handleReportSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.error(w, r, domain.Errorf(domain.ETOOLARGE, "the report is too long"))
			return
		}
		s.error(w, r, domain.Errorf(domain.EINVALID, "the form could not be read"))
		return
	}
	p := newPage(r, "Report an incident")
	for _, k := range []string{"name", "contact", "body"} {
		p.Form[k] = r.PostFormValue(k)
		if !utf8.ValidString(p.Form[k]) {
			p.Errors[k] = translate(p.Lang, "err_utf8")
			p.Form[k] = ""
		}
	}
	if len(p.Errors) == 0 {
		// The same path as the API and the gateways: a logged-in liaison's
		// report is filed in its party's name and reaches its inbox.
		m := &domain.Message{Channel: domain.ChannelWeb, Language: p.Lang, Body: p.Form["body"],
			Sender: domain.Sender{Name: p.Form["name"], Contact: p.Form["contact"]}}
		rc, err := s.submit(r, m)
		if err == nil {
			p.Title = translate(p.Lang, "Report received")
			p.Data = rc.Message
			s.render(w, r, http.StatusCreated, "received.html", p)
			return
		}
		if domain.ErrorCode(err) != domain.EINVALID && domain.ErrorCode(err) != domain.ETOOLARGE {
			s.error(w, r, err)
			return
		}
		field := domain.ErrorField(err)
		switch field {
		case "sender.name":
			field = "name"
		case "sender.contact":
			field = "contact"
		case "body":
		default:
			field = "body"
		}
		p.Errors[field] = fieldMessage(p.Lang, field, err)
	}
	s.render(w, r, http.StatusBadRequest, "report.html", p)
}

func fieldMessage(lang, field string, err error) string {
	if lang == "ar" {
		switch {
		case field == "body" && domain.ErrorCode(err) == domain.ETOOLARGE:
			return translate(lang, "err_too_long")
		case field == "body":
			return translate(lang, "err_body_required")
		}
		return translate(lang, "err_invalid")
	}
	return domain.ErrorMessage(err)
}

func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) {
	p := newPage(r, "Follow a report")
	n := r.URL.Query().Get("n")
	p.Form["n"] = n
	status := http.StatusOK
	if n != "" {
		tracking, ok := domain.NormalizeTracking(n)
		if !ok {
			p.Errors["n"] = translate(p.Lang, "err_tracking")
			status = http.StatusBadRequest
		} else if m, err := s.Store.MessageByTracking(r.Context(), tracking); err == nil {
			p.Data = m
		} else if domain.ErrorCode(err) == domain.ENOTFOUND {
			p.Errors["n"] = translate(p.Lang, "err_tracking_unknown")
			status = http.StatusNotFound
		} else {
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, status, "track.html", p)
}
