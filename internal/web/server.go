// Package web serves Truce over HTTP: the JSON API under /api/v1 and the
// server-rendered pages, from one route table in which every route declares
// who may use it.
package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/assess"
	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
)

// Access is the action a route requires of its caller, checked against the
// policy of internal/auth. Every route declares one; Undeclared refuses to
// start the server.
type Access = auth.Action

// Shorthands for the two most common declarations.
const (
	Undeclared Access = ""
	Public            = auth.ActAnyone       // anyone: health checks, pages, lookups by tracking number
	Desk              = auth.ActReadMessages // the desk: monitors and co-chairs
)

// Route is one entry of the route table.
type Route struct {
	Pattern string // a Go 1.22 ServeMux pattern: "GET /api/v1/messages/{tracking}"
	Access  Access
	Handler http.HandlerFunc
}

// Server holds what the handlers need.
type Server struct {
	Store  domain.Store
	Desk   *intake.Desk
	Logger *slog.Logger
	// Auth establishes who is calling and enforces the policy.
	Auth *auth.Authenticator
	// Tokens are operator tokens from the configuration, token → name;
	// they act as co-chairs, for automation and first setup, beside the
	// users and hashed API tokens Auth keeps.
	Tokens map[string]string
	// PublicLimit bounds anonymous submissions per client address; nil
	// means no limit.
	PublicLimit *auth.Limiter
	Now         func() time.Time
	// MapLimit is the most incidents one answer of the dashboard's map
	// carries; 100,000 if zero. A wider window is counted in SQL and drawn
	// from its newest days.
	MapLimit int
	// Log serves the tamper-evident log; Checkpoint signs one on demand.
	Log        LogStore
	Checkpoint func(ctx context.Context) ([]byte, error)
	// Assess judges incidents against the agreements' terms; Handler
	// creates it if nil.
	Assess *assess.Service
	// Inbox carries live inbox updates to connected desks; nil disables them.
	Inbox *Hub
	// Metrics are served at /metrics; Handler creates them if nil, and
	// callers may register more collectors (store pools, intake) on them.
	Metrics *Metrics
}

// Routes returns the route table.
func (s *Server) Routes() []Route {
	routes := append([]Route{
		{"GET /healthz", Public, s.handleHealth},
		{"GET /readyz", Public, s.handleReady},
		{"GET /metrics", Desk, func(w http.ResponseWriter, r *http.Request) { s.handleMetrics().ServeHTTP(w, r) }},

		{"POST /api/v1/messages", auth.ActSubmitMessage, s.limitPublic(s.handleMessageCreate)},
		{"GET /api/v1/messages/{tracking}", Public, s.handleMessageStatus},

		{"POST /api/v1/session", Public, s.handleLogin},
		{"DELETE /api/v1/session", Public, s.handleLogout},
		{"GET /api/v1/session", Public, s.handleWhoAmI},

		{"GET /api/v1/inbox", auth.ActReadOwnPartyMessages, s.handleInbox},
		{"GET /api/v1/inbox/{id}", auth.ActReadOwnPartyMessages, s.handleInboxMessage},
		{"POST /api/v1/inbox/{id}/transitions", auth.ActTriage, s.handleTransition},

		{"POST /api/v1/incidents", auth.ActCreateIncident, s.handleIncidentCreate},
		{"GET /api/v1/incidents", auth.ActReadPublishedData, s.handleIncidentList},
		{"GET /api/v1/incidents/{id}", auth.ActReadPublishedData, s.handleIncidentView},

		{"GET /api/v1/agreements", auth.ActReadPublished, s.handleAgreements},
		{"GET /api/v1/agreements/{slug}", auth.ActReadPublished, s.handleAgreement},
		{"GET /api/v1/parties", auth.ActReadPublished, s.handleParties},
		{"GET /api/v1/parties/{slug}", auth.ActReadPublished, s.handleParty},

		{"GET /api/v1/audit", auth.ActReadAudit, s.handleAudit},

		{"GET /{$}", Public, s.handleHome},
		{"GET /report", Public, s.handleReportForm},
		{"POST /report", auth.ActSubmitMessage, s.limitPublic(s.handleReportSubmit)},
		{"GET /track", Public, s.handleTrack},
		{"GET /static/", Public, staticHandler()},
	}, s.uiRoutes()...)
	for _, more := range routeSets {
		routes = append(routes, more(s)...)
	}
	return routes
}

// routeSets add routes from other files; each registers itself in init so
// a new part of the API is one new file.
var routeSets []func(*Server) []Route

// Handler builds the HTTP handler, or fails if a route declares no access.
func (s *Server) Handler() (http.Handler, error) {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics()
	}
	if s.Auth == nil {
		return nil, fmt.Errorf("web: no authenticator")
	}
	if s.Assess == nil {
		s.Assess = &assess.Service{Store: s.Store, Now: s.Now}
	}
	s.Auth.Error = s.error
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		h, err := s.Auth.Guard(rt.Pattern, rt.Access, rt.Handler)
		if err != nil {
			return nil, err
		}
		mux.Handle(rt.Pattern, s.auditWrites(h))
	}
	mux.HandleFunc("/", s.handleNotFound)
	authenticated := s.operatorTokens(s.Auth.CSRF(mux), s.Auth.Authenticate(s.Auth.CSRF(mux)))
	return s.recoverer(s.logRequests(securityHeaders(s.refuseNUL(authenticated)))), nil
}

// deskCookie holds an operator token for the desk pages.
const deskCookie = "truce_desk"

// Actor returns the name of the person or system making the request, which
// is recorded as the actor of the changes it makes.
func Actor(ctx context.Context) string { return auth.Actor(ctx) }

// operatorTokens lets the configuration's operator tokens in as co-chairs
// (also from the desk cookie the desk pages set with one), and sends every
// other request through the authenticator.
func (s *Server) operatorTokens(operator, others http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok && r.Header.Get("Authorization") == "" {
			if c, err := r.Cookie(deskCookie); err == nil {
				token, ok = c.Value, true
			}
		}
		if ok {
			for t, name := range s.Tokens {
				if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
					p := &auth.Principal{Name: name, Role: auth.RoleCoChair, Via: "config",
						Address: auth.ClientAddress(r, s.Auth.TrustedProxies)}
					operator.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
					return
				}
			}
		}
		others.ServeHTTP(w, r)
	})
}

// limitPublic applies the public rate limit to anonymous callers only: the
// desk's own users and gateways with tokens are not throttled.
func (s *Server) limitPublic(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := auth.FromContext(r.Context())
		if s.PublicLimit != nil && p.Anonymous() && p.Via != "config" {
			if ok, wait := s.PublicLimit.Allow(auth.LimitKey(p.Address)); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
				s.error(w, r, &auth.LimitError{RetryAfter: wait})
				return
			}
		}
		next(w, r)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.Metrics.observe(r, rec.status, time.Since(start))
		level := slog.LevelDebug
		if rec.status >= 500 {
			level = slog.LevelWarn
		}
		s.Logger.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "took", time.Since(start), "remote", r.RemoteAddr)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic serving request", "path", r.URL.Path, "panic", v)
				s.error(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.error(w, r, domain.Errorf(domain.ENOTFOUND, "no such page: %s", r.URL.Path))
}
