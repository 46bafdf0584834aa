package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// loopback is the test's reverse proxy: every request comes from it.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// post sends a public submission from the client at addr (through the
// proxy, which names it in X-Forwarded-For) and returns the answer.
func postFrom(t *testing.T, base, addr, path, contentType, body, bearer string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// TestPublicRateLimit sends public submissions over HTTP past the limit:
// the client over it gets 429 with Retry-After and nothing is stored, on
// the JSON API, the HTML form and the gateways alike; another client behind
// the same proxy is unaffected; the desk's own callers are not throttled;
// and a client that is not a trusted proxy cannot step round the limit by
// naming other addresses in X-Forwarded-For.
func TestPublicRateLimit(t *testing.T) {
	for _, proxied := range []bool{true, false} {
		t.Run(fmt.Sprintf("behind a proxy %v", proxied), func(t *testing.T) {
			db := storetest.OpenSQLite(t)
			ts := newServerWith(t, db, db, 256, func(s *web.Server) {
				s.PublicLimit = auth.NewLimiter(time.Hour, 2, time.Now)
				if proxied {
					s.Auth.TrustedProxies = loopback
				}
			})
			js, form, sms := "application/json", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded"
			const a, b = "198.51.100.7", "203.0.113.9"
			tests := []struct {
				name, from, path, ct, body, bearer string
				status                             int
			}{
				{"first", a, "/api/v1/messages", js, `{"body":"one"}`, "", 201},
				{"second", a, "/report", form, url.Values{"body": {"two"}}.Encode(), "", 201},
				{"third: over the limit", a, "/api/v1/messages", js, `{"body":"three"}`, "", 429},
				{"the form too", a, "/report", form, url.Values{"body": {"four"}}.Encode(), "", 429},
				{"the SMS gateway too", a, "/api/v1/gateways/sms", sms, url.Values{"From": {"+963000000001"}, "Body": {"five"}}.Encode(), "", 429},
				{"the desk is not throttled", a, "/api/v1/messages", js, `{"body":"from the desk"}`, token, 201},
			}
			if proxied {
				tests = append(tests, struct {
					name, from, path, ct, body, bearer string
					status                             int
				}{"another client behind the proxy", b, "/api/v1/messages", js, `{"body":"six"}`, "", 201})
			} else {
				tests = append(tests, struct {
					name, from, path, ct, body, bearer string
					status                             int
				}{"a forged X-Forwarded-For", b, "/api/v1/messages", js, `{"body":"six"}`, "", 429})
			}
			for _, tt := range tests {
				resp, data := postFrom(t, ts.URL, tt.from, tt.path, tt.ct, tt.body, tt.bearer)
				if resp.StatusCode != tt.status {
					t.Errorf("%s: %d %.200s, want %d", tt.name, resp.StatusCode, data, tt.status)
					continue
				}
				if tt.status != 429 {
					continue
				}
				if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 3601 {
					t.Errorf("%s: Retry-After %q, want whole seconds up to the refill", tt.name, resp.Header.Get("Retry-After"))
				}
				if strings.HasPrefix(tt.path, "/api/") {
					var e apiError
					if json.Unmarshal(data, &e); e.Error.Code != auth.ETOOMANY {
						t.Errorf("%s: error %+v, want code %s", tt.name, e.Error, auth.ETOOMANY)
					}
				}
			}
			ms, err := db.Messages(context.Background(), domain.MessageFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Body)
			}
			for _, refused := range []string{"three", "four", "five"} {
				for _, b := range got {
					if b == refused {
						t.Errorf("the refused submission %q was stored", refused)
					}
				}
			}
		})
	}
}

// TestRepeatKeyBehindProxy checks that repeat detection tells anonymous
// senders apart by their own address, not the proxy's: two people sending
// the same words get a tracking number each (one must never be handed the
// other's), while the same person sending again gets a repeat.
func TestRepeatKeyBehindProxy(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServerWith(t, db, db, 256, func(s *web.Server) { s.Auth.TrustedProxies = loopback })
	send := func(from string) (tracking string, repeat bool) {
		resp, data := postFrom(t, ts.URL, from, "/api/v1/messages", "application/json", `{"body":"Shelling in Douma now"}`, "")
		var rc struct {
			Tracking string
			Repeat   bool
		}
		if err := json.Unmarshal(data, &rc); err != nil || resp.StatusCode >= 300 {
			t.Fatalf("from %s: %d %s", from, resp.StatusCode, data)
		}
		return rc.Tracking, rc.Repeat
	}
	first, _ := send("198.51.100.7")
	second, repeat := send("203.0.113.9")
	if second == first || repeat {
		t.Errorf("a second sender behind the proxy got %s (repeat %v), the first sender's is %s", second, repeat, first)
	}
	again, repeat := send("198.51.100.7")
	if again != first || !repeat {
		t.Errorf("the first sender again got %s (repeat %v), want a repeat of %s", again, repeat, first)
	}
}
