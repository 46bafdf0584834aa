package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
)

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"POST /api/v1/articles", auth.ActCreateIncident, s.handleArticleCreate},
			{"GET /api/v1/articles", Desk, s.handleArticleList},
			{"GET /api/v1/articles/{id}", Desk, s.handleArticleView},
			{"GET /api/v1/statements", Desk, s.handleStatementList},
			{"GET /api/v1/claims", Desk, s.handleClaimList},
			{"POST /api/v1/claims/{id}/recheck", auth.ActCreateIncident, s.handleClaimRecheck},
			{"GET /api/v1/incidents/{id}/statements", Desk, s.handleIncidentStatements},
		}
	})
}

// The news routes are Desk only: the articles are public, but the checks of
// their claims count the desk's own records.

func (s *Server) newsDesk() *newsdesk.Desk {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	return &newsdesk.Desk{Store: s.Store, Now: now}
}

// articleRequest is the JSON body of POST /api/v1/articles.
type articleRequest struct {
	Title  string `json:"title"`
	Text   string `json:"text"`
	HTML   string `json:"html"`
	Date   string `json:"date"`
	Source string `json:"source"`
	URL    string `json:"url"`
}

// handleArticleCreate reads an article as JSON, or as a text/plain or
// text/html body with date, source, title and url in the query, and stores
// it with its statements and checked claims. The same text again answers
// 200 with the stored article instead of 201.
func (s *Server) handleArticleCreate(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); batchTypes[mt] {
		s.handleArticleBatch(w, r)
		return
	}
	a, err := s.readArticle(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	res, err := s.newsDesk().Ingest(r.Context(), a, Actor(r.Context()))
	if err != nil {
		s.error(w, r, err)
		return
	}
	status := http.StatusCreated
	art := res.Article
	if res.Created {
		s.audit(r, "article.ingest", "article", art.ID, nil, articleAudit(art))
	} else {
		audited(r) // the same text again: nothing changed
	}
	if !res.Created {
		status = http.StatusOK
		if art, err = s.Store.Article(r.Context(), art.ID); err != nil {
			s.error(w, r, err)
			return
		}
	}
	w.Header().Set("Location", "/api/v1/articles/"+strconv.FormatInt(art.ID, 10))
	writeJSON(w, status, map[string]any{"article": art, "created": res.Created})
}

// batchTypes are the media types of a JSONL batch of articles.
var batchTypes = map[string]bool{"application/x-ndjson": true, "application/jsonl": true, "application/x-jsonlines": true}

// maxBatchBytes caps a batch request: a few pages' worth of lines, each
// line itself capped at news.MaxInputBytes.
const maxBatchBytes = 4 * news.MaxInputBytes

// batchLine is the report on one line of a batch.
type batchLine struct {
	Line       int        `json:"line"`
	Status     string     `json:"status"` // created, same or failed
	ArticleID  int64      `json:"article_id,omitempty"`
	Statements int        `json:"statements,omitempty"`
	Claims     int        `json:"claims,omitempty"`
	Warnings   []string   `json:"warnings,omitempty"` // why a stored article is best-effort
	Error      *lineError `json:"error,omitempty"`
}

// lineError is why a line failed, in the shape of an API error.
type lineError struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// handleArticleBatch ingests a JSONL batch (one {title, text or html, date,
// source, url} a line) and answers 200 with a report on every line: a bad
// line is reported with its reason and the others are stored. Only a batch
// that cannot be read at all (too large, empty) is refused whole, and then
// nothing is stored.
func (s *Server) handleArticleBatch(w http.ResponseWriter, r *http.Request) {
	// Read it whole first: a batch over the cap is refused before any
	// line is parsed.
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBatchBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.error(w, r, domain.Errorf(domain.ETOOLARGE, "the batch is larger than %d bytes", maxBatchBytes))
		return
	} else if err != nil {
		s.error(w, r, domain.Errorf(domain.EINVALID, "could not read the request body"))
		return
	}
	items, err := news.ParseBatch(bytes.NewReader(raw))
	switch {
	case err != nil:
		s.error(w, r, err)
		return
	case len(items) == 0:
		s.error(w, r, domain.Errorf(domain.EINVALID, "the batch holds no articles"))
		return
	}
	batch := s.newsDesk().Batch(Actor(r.Context()))
	report := struct {
		Items   []batchLine `json:"items"`
		Created int         `json:"created"`
		Same    int         `json:"same"`
		Failed  int         `json:"failed"`
	}{Items: make([]batchLine, 0, len(items))}
	for _, it := range items {
		if err := r.Context().Err(); err != nil {
			return // the client is gone
		}
		line := batchLine{Line: it.Line}
		err := it.Err
		var res *newsdesk.Result
		if err == nil {
			res, err = batch.Ingest(r.Context(), it.Article)
		}
		switch {
		case err != nil:
			report.Failed++
			line.Status = "failed"
			line.Error = &lineError{domain.ErrorCode(err), domain.ErrorField(err), domain.ErrorMessage(err)}
			if line.Error.Code == domain.EINTERNAL || line.Error.Code == domain.EUNAVAILABLE {
				s.Logger.Error("batch line failed", "line", it.Line, "err", err)
			}
		case !res.Created:
			report.Same++
			line.Status, line.ArticleID = "same", res.Article.ID
		default:
			report.Created++
			a := res.Article
			line.Status, line.ArticleID, line.Statements, line.Claims, line.Warnings = "created", a.ID, len(a.Statements), len(a.Claims), a.Warnings
		}
		report.Items = append(report.Items, line)
	}
	s.auditBatch(r, raw, report.Items, report.Created, report.Same, report.Failed)
	writeJSON(w, http.StatusOK, report)
}

// articleAudit is an ingested article as the audit trail keeps it: where
// it came from and what was read from it, not its text.
func articleAudit(a *domain.Article) map[string]any {
	return map[string]any{"title": a.Title, "source": a.Source, "url": a.URL, "date": a.Date,
		"content_hash": a.ContentHash, "statements": len(a.Statements), "claims": len(a.Claims)}
}

// auditBatch records a batch of articles as one import: its hash, counts
// and the articles it created. A batch that created none changed nothing.
func (s *Server) auditBatch(r *http.Request, raw []byte, lines []batchLine, created, same, failed int) {
	if created == 0 {
		audited(r)
		return
	}
	var ids []int64
	for _, l := range lines {
		if l.Status == "created" {
			ids = append(ids, l.ArticleID)
		}
	}
	sum := sha256.Sum256(raw)
	s.auditImport(r, "article.batch", hex.EncodeToString(sum[:]), map[string]any{"bytes": len(raw), "created": created,
		"same": same, "failed": failed, "article_ids": ids})
}

func (s *Server) readArticle(w http.ResponseWriter, r *http.Request) (*news.Article, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	switch mt {
	case "application/json":
		var req articleRequest
		if err := decodeJSON(w, r, news.MaxInputBytes, &req); err != nil {
			return nil, err
		}
		meta := news.Meta{Title: req.Title, Source: req.Source, URL: req.URL}
		if req.Date != "" {
			if meta.Date, err = news.ParseDate(req.Date); err != nil {
				return nil, err
			}
		}
		switch {
		case req.Text != "" && req.HTML != "":
			return nil, domain.FieldErrorf("html", "give text or html, not both")
		case req.HTML != "":
			return news.ParseHTML([]byte(req.HTML), meta)
		case req.Text == "":
			return nil, domain.FieldErrorf("text", "is required")
		}
		return news.ParseText([]byte(req.Text), meta)
	case "text/plain", "text/html":
		q := r.URL.Query()
		meta := news.Meta{Title: q.Get("title"), Source: q.Get("source"), URL: q.Get("url")}
		if d := q.Get("date"); d != "" {
			if meta.Date, err = news.ParseDate(d); err != nil {
				return nil, err
			}
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, news.MaxInputBytes))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, domain.Errorf(domain.ETOOLARGE, "the request body is larger than %d bytes", news.MaxInputBytes)
		} else if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "could not read the request body")
		}
		for _, v := range []string{meta.Title, meta.Source, meta.URL} {
			if !utf8.ValidString(v) {
				return nil, domain.Errorf(domain.EINVALID, "the query is not valid UTF-8")
			}
		}
		if mt == "text/html" {
			return news.ParseHTML(body, meta)
		}
		return news.ParseText(body, meta)
	}
	return nil, &domain.Error{Code: codeUnsupportedMedia,
		Message: "the article must be application/json, text/plain or text/html, or a batch application/x-ndjson"}
}

func (s *Server) handleArticleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := domain.ArticleFilter{Source: q.Get("source")}
	if err := firstError(
		queryTime(q.Get("since"), "since", &f.Since), queryTime(q.Get("until"), "until", &f.Until),
		queryID(q.Get("after"), "after", &f.AfterID), queryInt(q.Get("limit"), "limit", &f.Limit),
	); err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = pageSize(f.Limit)
	as, err := s.Store.Articles(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writePage(w, "articles", as, f.Limit, func(a *domain.Article) int64 { return a.ID })
}

func (s *Server) handleArticleView(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.Store.Article(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// handleStatementList lists statements; party is a party's slug.
func (s *Server) handleStatementList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f domain.StatementFilter
	var err error
	f.PartyID, err = s.partyParam(r.Context(), "party", q.Get("party"))
	if err := firstError(err,
		queryTime(q.Get("since"), "since", &f.Since), queryTime(q.Get("until"), "until", &f.Until),
		queryID(q.Get("article"), "article", &f.ArticleID),
		queryID(q.Get("after"), "after", &f.AfterID), queryInt(q.Get("limit"), "limit", &f.Limit),
	); err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = pageSize(f.Limit)
	sts, err := s.Store.Statements(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writePage(w, "statements", sts, f.Limit, func(st *domain.Statement) int64 { return st.ID })
}

// handleClaimList lists claims; verdict is supported, contradicted,
// not_testable or unchecked, party the slug of the claim's actor.
func (s *Server) handleClaimList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f domain.ClaimFilter
	switch v := q.Get("verdict"); v {
	case "unchecked":
		f.Unchecked = true
	default:
		f.Verdict = domain.ClaimVerdict(v)
		if !f.Verdict.Valid() {
			s.error(w, r, domain.FieldErrorf("verdict", "%q is not supported, contradicted, not_testable or unchecked", v))
			return
		}
	}
	switch m := domain.Metric(q.Get("metric")); m {
	case "", domain.MetricStrikes, domain.MetricShelling, domain.MetricAttacks, domain.MetricViolations,
		domain.MetricFatalities, domain.MetricMessages:
		f.Metric = m
	default:
		s.error(w, r, domain.FieldErrorf("metric", "unknown metric %q", m))
		return
	}
	var err error
	f.ActorPartyID, err = s.partyParam(r.Context(), "party", q.Get("party"))
	if err := firstError(err,
		queryID(q.Get("article"), "article", &f.ArticleID),
		queryID(q.Get("after"), "after", &f.AfterID), queryInt(q.Get("limit"), "limit", &f.Limit),
	); err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = pageSize(f.Limit)
	cs, err := s.Store.StoredClaims(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writePage(w, "claims", cs, f.Limit, func(c *domain.StoredClaim) int64 { return c.ID })
}

// handleClaimRecheck checks a claim again against the records as they are
// now, and stores the result.
func (s *Server) handleClaimRecheck(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	before, err := s.Store.StoredClaim(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	c, err := s.newsDesk().Recheck(r.Context(), id, Actor(r.Context()))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.audit(r, "claim.recheck", "claim", id, map[string]any{"check": before.Check}, map[string]any{"check": c.Check})
	writeJSON(w, http.StatusOK, c)
}

// handleIncidentStatements lists the statements beside an incident (the
// rules are newsdesk.ForIncident's), each with why it is there.
func (s *Server) handleIncidentStatements(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	list, err := s.newsDesk().ForIncident(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident_id": id, "statements": nonNil(list)})
}

// pageSize bounds a page: 100 by default, at most 1000.
func pageSize(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
