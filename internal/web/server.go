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
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
)

// Access is what a route requires of its caller.
type Access int

// The access levels. Every route must declare one; Undeclared refuses to start.
const (
	Undeclared Access = iota
	Public            // anyone, including the public report form
	Desk              // a monitor or co-chair with a desk token
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
	// Tokens maps a desk token to the name of the person or system holding
	// it; that name is recorded as the actor of every change made with it.
	Tokens map[string]string
	Now    func() time.Time
	// Log serves the tamper-evident log; Checkpoint signs one on demand.
	Log        LogStore
	Checkpoint func(ctx context.Context) ([]byte, error)
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

		{"POST /api/v1/messages", Public, s.handleMessageCreate},
		{"GET /api/v1/messages/{tracking}", Public, s.handleMessageStatus},

		{"GET /api/v1/inbox", Desk, s.handleInbox},
		{"GET /api/v1/inbox/{id}", Desk, s.handleInboxMessage},
		{"POST /api/v1/inbox/{id}/transitions", Desk, s.handleTransition},

		{"POST /api/v1/incidents", Desk, s.handleIncidentCreate},
		{"GET /api/v1/incidents", Desk, s.handleIncidentList},
		{"GET /api/v1/incidents/{id}", Desk, s.handleIncidentView},

		{"GET /api/v1/agreements", Public, s.handleAgreements},
		{"GET /api/v1/agreements/{slug}", Public, s.handleAgreement},
		{"GET /api/v1/parties", Public, s.handleParties},
		{"GET /api/v1/parties/{slug}", Public, s.handleParty},

		{"GET /{$}", Public, s.handleHome},
		{"GET /report", Public, s.handleReportForm},
		{"POST /report", Public, s.handleReportSubmit},
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
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		var h http.Handler
		switch rt.Access {
		case Public:
			h = rt.Handler
		case Desk:
			h = s.requireDesk(rt.Handler)
		default:
			return nil, fmt.Errorf("route %q declares no access policy", rt.Pattern)
		}
		mux.Handle(rt.Pattern, h)
	}
	mux.HandleFunc("/", s.handleNotFound)
	return s.recoverer(s.logRequests(securityHeaders(mux))), nil
}

// deskCookie holds a desk token for the desk pages.
const deskCookie = "truce_desk"

type actorKey struct{}

// Actor returns the name of the desk user making the request.
func Actor(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

func (s *Server) requireDesk(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			// The desk pages carry the token in a cookie until users and
			// sessions arrive; SameSite=Strict keeps other sites from using it.
			if c, err := r.Cookie(deskCookie); err == nil {
				token, ok = c.Value, true
			}
		}
		if ok {
			for t, name := range s.Tokens {
				if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
					next(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, name)))
					return
				}
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="truce"`)
		s.error(w, r, domain.Errorf(domain.EUNAUTHORIZED, "a desk token is required (Authorization: Bearer …)"))
	})
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
