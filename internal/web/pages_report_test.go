package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestReportFormParty sends the public HTML form on both engines as a
// liaison logged in through the browser, as a liaison with an API token,
// and as the public: the liaison's report is filed in its party's name and
// reaches its own inbox, the public's in no party's, as the JSON API and
// the gateways do; and a session's form needs its CSRF token.
func TestReportFormParty(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fx := newAuthzFixture(t, e.Open)
			ctx := context.Background()
			hash, err := auth.HashPassword("a liaison's long password", auth.DefaultParams)
			if err != nil {
				t.Fatal(err)
			}
			u := &auth.User{Name: "own-web", Role: auth.RoleLiaison, PartyID: fx.own.ID, PasswordHash: hash}
			if err := fx.db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			resp, err := browser.Post(fx.url+"/api/v1/session", "application/json",
				strings.NewReader(`{"name":"own-web","password":"a liaison's long password"}`))
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("log in: %v %v", resp.StatusCode, err)
			}
			resp.Body.Close()
			csrf := formToken(t, browser, fx.url+"/report")
			if csrf == "" {
				t.Fatal("the form a logged-in liaison gets carries no CSRF token")
			}

			post := func(client *http.Client, bearer string, form url.Values) (int, string) {
				t.Helper()
				req, _ := http.NewRequest("POST", fx.url+"/report", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if bearer != "" {
					req.Header.Set("Authorization", "Bearer "+bearer)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				m := regexp.MustCompile(`TRC(-[0-9A-Z]{4}){3}`).Find(body)
				return resp.StatusCode, string(m)
			}
			tests := []struct {
				name   string
				client *http.Client
				bearer string
				form   url.Values
				status int
				party  int64
				kind   domain.SenderKind
			}{
				{"a liaison's session", browser, "", url.Values{"body": {"Shelling of our positions in Kafr Nabl"}, "csrf_token": {csrf}},
					201, fx.own.ID, domain.SenderLiaison},
				{"a liaison's session without the CSRF token", browser, "", url.Values{"body": {"a forged report"}}, 403, 0, ""},
				{"a liaison's API token", http.DefaultClient, fx.roles[2].token, url.Values{"body": {"Second report from our liaison"}},
					201, fx.own.ID, domain.SenderLiaison},
				{"the public", http.DefaultClient, "", url.Values{"body": {"Shelling heard near Idlib"}, "name": {"Rami"}},
					201, 0, domain.SenderPublic},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status, tracking := post(tt.client, tt.bearer, tt.form)
					if status != tt.status {
						t.Fatalf("status %d, want %d", status, tt.status)
					}
					if tt.status != 201 {
						return
					}
					m, err := fx.db.MessageByTracking(ctx, tracking)
					if err != nil {
						t.Fatalf("the receipt's tracking number %q: %v", tracking, err)
					}
					if m.Sender.PartyID != tt.party || m.Sender.Kind != tt.kind || m.Channel != domain.ChannelWeb {
						t.Errorf("filed as %s of party %d by %s, want %s of party %d by the web form",
							m.Sender.Kind, m.Sender.PartyID, m.Channel, tt.kind, tt.party)
					}
				})
			}

			// The liaison finds its reports in its own inbox, and only them.
			resp, err = browser.Get(fx.url + "/api/v1/inbox")
			if err != nil {
				t.Fatal(err)
			}
			var page struct{ Messages []domain.Message }
			json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			var bodies []string
			for _, m := range page.Messages {
				bodies = append(bodies, m.Body)
			}
			got := strings.Join(bodies, "\n")
			for _, want := range []string{"Shelling of our positions in Kafr Nabl", "Second report from our liaison"} {
				if !strings.Contains(got, want) {
					t.Errorf("the liaison's inbox lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "Shelling heard near Idlib") {
				t.Error("the liaison's inbox shows the public's report")
			}
		})
	}
}

// formToken reads the CSRF token from a page's form.
func formToken(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}
