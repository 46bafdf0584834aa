package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// Session is a browser login. Its secret lives only in the user's cookie;
// the store has its SHA-256, so a leaked database or backup cannot be
// replayed as cookies.
type Session struct {
	Hash       string    `json:"-"`
	UserID     int64     `json:"user_id"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"` // absolute: a session never outlives it
	LastSeenAt time.Time `json:"last_seen_at"`
	Address    string    `json:"address"` // the client address at login
	UserAgent  string    `json:"user_agent,omitempty"`
}

// Session lifetimes. A desk shift is the natural unit: a session lasts at
// most twelve hours, and ends after thirty minutes without a request, so a
// laptop left open in a field office is not an open desk for long.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultSessionIdle = 30 * time.Minute
	// touchEvery limits writes: last-seen moves at most once a minute.
	touchEvery = time.Minute
)

// Live reports whether s is usable at now, given the idle timeout.
func (s *Session) Live(now time.Time, idle time.Duration) bool {
	if !now.Before(s.ExpiresAt) {
		return false
	}
	return idle <= 0 || now.Before(s.LastSeenAt.Add(idle))
}

// Cookie names. With Secure set the name carries the __Host- prefix, which
// browsers honour only for a cookie that is Secure, has Path=/ and no
// Domain: a sibling subdomain cannot plant or overwrite it.
const (
	cookieSecure   = "__Host-truce_session"
	cookieInsecure = "truce_session"
)

// CookieName returns the session cookie's name.
func (a *Authenticator) CookieName() string {
	if a.InsecureCookies {
		return cookieInsecure
	}
	return cookieSecure
}

// SetSessionCookie hands the session secret to the browser.
//
// The cookie is HttpOnly (scripts cannot read it, so an injected script
// cannot carry it away), Secure unless InsecureCookies is set for local
// development over plain HTTP, and SameSite=Lax. Lax rather than Strict: a
// monitor who follows a link to a message from an e-mail or chat arrives
// logged in, while the browser still withholds the cookie from cross-site
// POSTs, iframes and fetches. That is safe because no GET changes anything,
// and every POST also needs the CSRF token and passes Go's cross-origin
// check (see CSRF).
func (a *Authenticator) SetSessionCookie(w http.ResponseWriter, secret string, s *Session) {
	http.SetCookie(w, &http.Cookie{
		Name:     a.CookieName(),
		Value:    secret,
		Path:     "/",
		Expires:  s.ExpiresAt,
		MaxAge:   int(s.ExpiresAt.Sub(a.now()) / time.Second),
		Secure:   !a.InsecureCookies,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie tells the browser to forget the session cookie.
func (a *Authenticator) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     a.CookieName(),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		Secure:   !a.InsecureCookies,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// csrfToken derives the synchronizer token of a session from its secret.
// Deriving rather than storing it means no extra column and no extra
// write, and it is tied to the session: a new login gets a new token. Only
// someone holding the secret (the browser, which never exposes the HttpOnly
// cookie to scripts) can compute it, and the store's SHA-256 of the secret
// does not help, because the token is an HMAC keyed by the secret itself.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("truce csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF reports whether got is the session's token, in constant time.
func validCSRF(secret, got string) bool {
	return secret != "" && got != "" && hmac.Equal([]byte(csrfToken(secret)), []byte(got))
}
