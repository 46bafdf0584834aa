package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRedirectToLogin(t *testing.T) {
	tests := []struct {
		name, method, path, accept string
		want                       string // the Location, or "" for no redirect
	}{
		{"browser asks for the dashboard", "GET", "/desk?admin1=Aleppo", "text/html,application/xhtml+xml", "/desk/login?next=%2Fdesk%3Fadmin1%3DAleppo"},
		{"browser asks for an incident", "GET", "/desk/incidents/7", "text/html", "/desk/login?next=%2Fdesk%2Fincidents%2F7"},
		{"script asks for JSON", "GET", "/desk", "application/json", ""},
		{"no Accept header", "GET", "/desk", "", ""},
		{"the API", "GET", "/api/v1/map/incidents", "text/html", ""},
		{"a form post", "POST", "/desk/logout", "text/html", ""},
		{"the login page itself", "GET", "/desk/login", "text/html", ""},
	}
	s := &Server{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			w := httptest.NewRecorder()
			got := s.redirectToLogin(w, r)
			if got != (tt.want != "") {
				t.Fatalf("redirectToLogin = %v, want %v", got, tt.want != "")
			}
			if got && (w.Code != http.StatusSeeOther || w.Header().Get("Location") != tt.want) {
				t.Errorf("got %d to %q, want 303 to %q", w.Code, w.Header().Get("Location"), tt.want)
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/desk/inbox", "/desk/inbox"},
		{"/desk?party=3&grade=fair", "/desk?party=3&grade=fair"},
		{"", "/desk"},
		{"https://evil.example/desk", "/desk"},
		{"//evil.example/desk", "/desk"},
		{"/\\evil.example", "/desk"},
		{"/api/v1/audit", "/desk"},
		{"javascript:alert(1)", "/desk"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}
