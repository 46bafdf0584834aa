package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// rawEmail is a report as a phone's mail app sends it: Arabic subject in
// encoded words, quoted-printable body, a photo attached.
const rawEmail = "From: =?UTF-8?B?2KPYqNmIINmF2K3Zhdiv?= <abu.mohammed@example.org>\r\n" +
	"Subject: =?UTF-8?Q?=D9=82=D8=B5=D9=81_=D8=B9=D9=84=D9=89_=D8=A7=D9=84=D9=88=D8=B9=D8=B1?=\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"=D9=82=D8=B5=D9=81 =D9=85=D8=AF=D9=81=D8=B9=D9=8A =D8=B5=D8=A8=D8=A7=D8=AD =D8=A7=D9=84=D9=8A=D9=88=D9=85\r\n" +
	"--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=crater.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"/9j/4AAQ\r\n--b--\r\n"

// sendgridForm wraps a raw email as SendGrid's Inbound Parse posts it.
func sendgridForm(t *testing.T, raw string) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("to", "desk@truce.example")
	mw.WriteField("spam_score", "0.1")
	mw.WriteField("email", raw)
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

type receiptBody struct {
	Tracking string `json:"tracking"`
	State    string `json:"state"`
	Repeat   bool   `json:"repeat"`
}

// TestGateways posts through the email and SMS gateways on both engines:
// acknowledged after commit with a tracking number, the text stored exactly,
// the same sender's same text a repeat with the original's number.
func TestGateways(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ts := newServer(t, db)
			sgType, sgBody := sendgridForm(t, rawEmail)
			sms := url.Values{"From": {"+963933000111"}, "Body": {"Обстрел в Алеппо, قصف على حلب"}, "MessageSid": {"SM1"}}.Encode()
			tests := []struct {
				name, path, contentType string
				body                    []byte
				wantStatus              int
				wantRepeat              bool
				want                    domain.Message
			}{
				{"raw email", "/api/v1/gateways/email", "message/rfc822", []byte(rawEmail), 201, false,
					domain.Message{Channel: domain.ChannelEmail, Subject: "قصف على الوعر", Body: "قصف مدفعي صباح اليوم",
						Sender: domain.Sender{Kind: domain.SenderPublic, Name: "أبو محمد", Contact: "abu.mohammed@example.org"}}},
				{"the same email from sendgrid: a repeat", "/api/v1/gateways/email", sgType, sgBody, 200, true,
					domain.Message{Channel: domain.ChannelEmail, Subject: "قصف على الوعر", Body: "قصف مدفعي صباح اليوم",
						Sender: domain.Sender{Kind: domain.SenderPublic, Name: "أبو محمد", Contact: "abu.mohammed@example.org"}}},
				{"sms", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", []byte(sms), 201, false,
					domain.Message{Channel: domain.ChannelSMS, Body: "Обстрел в Алеппо, قصف على حلب",
						Sender: domain.Sender{Kind: domain.SenderPublic, Contact: "+963933000111"}}},
				{"the same sms again: a repeat", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", []byte(sms), 200, true,
					domain.Message{Channel: domain.ChannelSMS, Body: "Обстрел в Алеппо, قصف على حلب",
						Sender: domain.Sender{Kind: domain.SenderPublic, Contact: "+963933000111"}}},
			}
			tracking := map[domain.Channel]string{}
			for _, tt := range tests {
				resp, data := do(t, "POST", ts.URL+tt.path, tt.contentType, tt.body, true)
				var rc receiptBody
				json.Unmarshal(data, &rc)
				if resp.StatusCode != tt.wantStatus || rc.Repeat != tt.wantRepeat || rc.State != "received" {
					t.Fatalf("%s: %d %s, want %d repeat %v", tt.name, resp.StatusCode, data, tt.wantStatus, tt.wantRepeat)
				}
				if tt.wantRepeat {
					if rc.Tracking != tracking[tt.want.Channel] {
						t.Errorf("%s: tracking %s, want the original %s", tt.name, rc.Tracking, tracking[tt.want.Channel])
					}
					continue
				}
				tracking[tt.want.Channel] = rc.Tracking
				m, err := db.MessageByTracking(context.Background(), rc.Tracking)
				if err != nil {
					t.Fatalf("%s: acknowledged %s not stored: %v", tt.name, rc.Tracking, err)
				}
				if m.Channel != tt.want.Channel || m.Subject != tt.want.Subject || m.Body != tt.want.Body || m.Sender != tt.want.Sender {
					t.Errorf("%s: stored %s %+v subject %q body %q, want %s %+v %q %q", tt.name, m.Channel, m.Sender, m.Subject, m.Body,
						tt.want.Channel, tt.want.Sender, tt.want.Subject, tt.want.Body)
				}
			}
			if m, _ := db.MessageByTracking(context.Background(), tracking[domain.ChannelEmail]); m == nil || len(m.Attachments) != 1 ||
				m.Attachments[0].Name != "crater.jpg" || m.Attachments[0].Size != 6 || m.Repeats != 1 {
				t.Errorf("email as stored: %+v", m)
			}

			// Twilio gets TwiML, and texts the tracking number back.
			form := url.Values{"From": {"+963944000222"}, "Body": {"اشتباكات في درعا"}}.Encode()
			resp, data := do(t, "POST", ts.URL+"/api/v1/gateways/sms?reply=twiml", "application/x-www-form-urlencoded", []byte(form), true)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") ||
				!strings.Contains(string(data), "<Response><Message>Truce received your report. Your tracking number is TRC-") {
				t.Errorf("twiml reply = %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), data)
			}
		})
	}
}

// TestGatewayBadInput: every refusal is a 4xx JSON error naming the field
// and the problem, and stores nothing, on both engines.
func TestGatewayBadInput(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ts := newServer(t, db)
			noEmail, noEmailBody := sendgridForm(t, "")
			var formNoEmail bytes.Buffer
			mw := multipart.NewWriter(&formNoEmail)
			mw.WriteField("text", "a parsed email, not the raw one")
			mw.Close()
			tests := []struct {
				name, path, contentType, body string
				status                        int
				code, field                   string
			}{
				{"email: wrong content type", "/api/v1/gateways/email", "application/json", `{"body":"x"}`, 415, "unsupported_media_type", ""},
				{"email: no content type", "/api/v1/gateways/email", "", rawEmail, 415, "unsupported_media_type", ""},
				{"email: no sender", "/api/v1/gateways/email", "message/rfc822", "Subject: x\r\n\r\nbody", 400, "invalid", "from"},
				{"email: html only", "/api/v1/gateways/email", "message/rfc822", "From: a@example.org\r\nContent-Type: text/html\r\n\r\n<p>x</p>", 400, "invalid", "body"},
				{"email: blank body", "/api/v1/gateways/email", "message/rfc822", "From: a@example.org\r\n\r\n \r\n", 400, "invalid", "body"},
				{"email: invalid utf-8", "/api/v1/gateways/email", "message/rfc822", "From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xff", 400, "invalid", "body"},
				{"email: unknown charset", "/api/v1/gateways/email", "message/rfc822", "From: a@example.org\r\nContent-Type: text/plain; charset=x-martian\r\n\r\nx", 400, "invalid", "charset"},
				{"email: body over limit", "/api/v1/gateways/email", "message/rfc822", "From: a@example.org\r\n\r\n" + strings.Repeat("a", domain.MaxBodyBytes+1), 413, "too_large", "body"},
				{"email: sendgrid form without the raw message", "/api/v1/gateways/email", mw.FormDataContentType(), formNoEmail.String(), 400, "invalid", "email"},
				{"email: sendgrid form with an empty message", "/api/v1/gateways/email", noEmail, string(noEmailBody), 400, "invalid", "header"},
				{"sms: wrong content type", "/api/v1/gateways/sms", "application/json", `{"From":"+1","Body":"x"}`, 415, "unsupported_media_type", ""},
				{"sms: no sender", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", "Body=x", 400, "invalid", "From"},
				{"sms: no text", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", "from=%2B963", 400, "invalid", "text"},
				{"sms: invalid utf-8", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", "From=%2B963&Body=%FF", 400, "invalid", "Body"},
				{"email: a NUL in the body", "/api/v1/gateways/email", "message/rfc822", "From: a@example.org\r\nContent-Transfer-Encoding: base64\r\n\r\nc2hlbGwAaW5n\r\n", 400, "invalid", "body"},
				{"sms: a NUL in the text", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", "From=%2B963&Body=shell%00ing", 400, "invalid", "Body"},
				{"sms: request over limit", "/api/v1/gateways/sms", "application/x-www-form-urlencoded", "From=%2B963&Body=" + strings.Repeat("a", 9*domain.MaxBodyBytes), 413, "too_large", ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					resp, data := do(t, "POST", ts.URL+tt.path, tt.contentType, []byte(tt.body), true)
					var e apiError
					if err := json.Unmarshal(data, &e); err != nil {
						t.Fatalf("body is not a JSON error: %q", data)
					}
					if resp.StatusCode != tt.status || e.Error.Code != tt.code || e.Error.Field != tt.field || e.Error.Message == "" {
						t.Errorf("got %d %s field %q (%s), want %d %s field %q", resp.StatusCode, e.Error.Code, e.Error.Field,
							e.Error.Message, tt.status, tt.code, tt.field)
					}
				})
			}
			// An email larger than the gateway takes is refused whole.
			big := "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n--b\r\n" +
				"Content-Disposition: attachment; filename=v.mp4\r\n\r\n" + strings.Repeat("v", 33<<20) + "\r\n--b--\r\n"
			resp, data := do(t, "POST", ts.URL+"/api/v1/gateways/email", "message/rfc822", []byte(big), true)
			if resp.StatusCode != 413 || !strings.Contains(string(data), `"too_large"`) {
				t.Errorf("33 MiB email = %d %s, want 413", resp.StatusCode, data)
			}
			if ms, _ := db.Messages(context.Background(), domain.MessageFilter{}); len(ms) != 0 {
				t.Errorf("bad requests stored %d messages", len(ms))
			}
		})
	}
}

// TestStoreUnavailable holds the database out of reach while a report
// arrives: SQLite locked by another writer, PostgreSQL unreachable. The
// answer is 503 with Retry-After, never an acknowledgement, nothing is
// stored, and intake works again once the database is back.
func TestStoreUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out SQLite's busy timeout")
	}
	tests := []struct {
		name string
		// open returns a store, and a function that makes it unreachable
		// and returns the function that brings it back.
		open func(t *testing.T) (*store.DB, func() func())
		// pad lengthens the message sent during the cut, for a cut that
		// only bites when the database must grow.
		pad int
	}{
		{"sqlite locked", func(t *testing.T) (*store.DB, func() func()) {
			path := t.TempDir() + "/truce.db"
			db, err := store.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, func() func() {
				// Another process's writer, holding the lock past the busy timeout.
				other, err := sql.Open("sqlite", "file:"+path)
				if err != nil {
					t.Fatal(err)
				}
				conn, err := other.Conn(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
					t.Fatal(err)
				}
				return func() {
					conn.ExecContext(context.Background(), "ROLLBACK")
					conn.Close()
					other.Close()
				}
			}
		}, 0},
		{"sqlite full", func(t *testing.T) (*store.DB, func() func()) {
			db, err := store.Open(context.Background(), t.TempDir()+"/truce.db")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			// The writer's one connection may not grow the file past its
			// present size: the disk is full as far as SQLite can tell.
			_, w := db.Pools()
			return db, func() func() {
				var pages int
				if err := w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
					t.Fatal(err)
				}
				if _, err := w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
					t.Fatal(err)
				}
				return func() {
					if _, err := w.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
						t.Fatal(err)
					}
				}
			}
		}, 30_000},
		{"postgres unreachable", func(t *testing.T) (*store.DB, func() func()) {
			dsn := storetest.PostgresURL(t)
			u, _ := url.Parse(dsn)
			p := newProxy(t, u.Host)
			u.Host = p.addr
			db, err := store.Open(context.Background(), u.String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, func() func() {
				p.down()
				return p.up
			}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, cut := tt.open(t)
			ts := newServer(t, db)
			post := func(body string) (*http.Response, []byte) {
				t.Helper()
				return do(t, "POST", ts.URL+"/api/v1/messages", "application/json", []byte(`{"body":"`+body+`"}`), true)
			}
			if resp, data := post("before the cut"); resp.StatusCode != 201 {
				t.Fatalf("before the cut: %d %s", resp.StatusCode, data)
			}
			restore := cut()
			start := time.Now()
			resp, data := post("during the cut" + strings.Repeat(" x", tt.pad))
			var e apiError
			json.Unmarshal(data, &e)
			if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || e.Error.Code != domain.EUNAVAILABLE || strings.Contains(string(data), "TRC-") {
				t.Errorf("during the cut: %d Retry-After %q %s; want 503 with Retry-After and no tracking number",
					resp.StatusCode, resp.Header.Get("Retry-After"), data)
			}
			t.Logf("refused after %v: %s", time.Since(start).Round(time.Millisecond), data)
			restore()
			if resp, data := post("after the cut"); resp.StatusCode != 201 {
				t.Errorf("after the cut: %d %s", resp.StatusCode, data)
			}
			ms, err := db.Messages(context.Background(), domain.MessageFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if strings.HasPrefix(m.Body, "during the cut") {
					t.Errorf("the refused message was stored as %s", m.Tracking)
				}
			}
			if len(ms) != 2 {
				t.Errorf("%d messages stored, want 2", len(ms))
			}
		})
	}
}

// proxy stands between the store and PostgreSQL so a test can take the
// database away: while down it drops every connection, open or new.
type proxy struct {
	addr   string
	target string
	isDown atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target}
	t.Cleanup(func() { ln.Close(); p.down() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.isDown.Load() {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) down() {
	p.isDown.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) up() { p.isDown.Store(false) }

// TestTransitionToReconciliation links a message to a reconciliation over
// the API on both engines: a link names an incident or a reconciliation,
// exactly one, which must exist, and a refusal (400 naming the field)
// changes nothing; the message's JSON and history then show the link, and
// the inbox lists a reconciliation's messages.
func TestTransitionToReconciliation(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			base, _, party := reconciliationDesk(t, db)
			m := submit(t, base, "The notables of Testville signed a reconciliation this morning.")
			_, data := do(t, "POST", base+"/api/v1/reconciliations", "application/json", []byte(reconciliationJSON(party.ID, "Testville")), true)
			var rc domain.Reconciliation
			json.Unmarshal(data, &rc)
			in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: time.Date(2016, 2, 28, 9, 0, 0, 0, time.UTC),
				Location: "Testville", Admin1: "Rif Dimashq", CreatedBy: "test"}
			if err := db.CreateIncident(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("%s/api/v1/inbox/%d/transitions", base, m.ID)
			for _, tt := range []struct {
				name, body string
				status     int
				field      string
			}{
				{"a triage names no reconciliation", fmt.Sprintf(`{"to":"triaged","version":1,"reconciliation_id":%d}`, rc.ID), 400, "reconciliation_id"},
				{"triaged", `{"to":"triaged","version":1}`, 200, ""},
				{"both records", fmt.Sprintf(`{"to":"linked","version":2,"incident_id":%d,"reconciliation_id":%d}`, in.ID, rc.ID), 400, "reconciliation_id"},
				{"neither record", `{"to":"linked","version":2}`, 400, "incident_id"},
				{"an unknown reconciliation", `{"to":"linked","version":2,"reconciliation_id":999999}`, 400, "reconciliation_id"},
				{"not an ID", `{"to":"linked","version":2,"reconciliation_id":-3}`, 400, "reconciliation_id"},
				{"not a number", `{"to":"linked","version":2,"reconciliation_id":"3"}`, 400, "reconciliation_id"},
				{"linked", fmt.Sprintf(`{"to":"linked","version":2,"reconciliation_id":%d,"note":"the same agreement"}`, rc.ID), 200, ""},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before, _ := db.Message(context.Background(), m.ID)
					resp, data := do(t, "POST", path, "application/json", []byte(tt.body), true)
					var body struct {
						Error struct{ Field string }
					}
					json.Unmarshal(data, &body)
					if resp.StatusCode != tt.status || body.Error.Field != tt.field {
						t.Fatalf("%s = %d %s, want %d naming %q", tt.body, resp.StatusCode, data, tt.status, tt.field)
					}
					if after, _ := db.Message(context.Background(), m.ID); tt.status != 200 && after.Version != before.Version {
						t.Errorf("a refusal moved the message from version %d to %d", before.Version, after.Version)
					}
				})
			}
			resp, data := do(t, "GET", fmt.Sprintf("%s/api/v1/inbox/%d", base, m.ID), "", nil, true)
			var got struct {
				Message *domain.Message
				Events  []*domain.MessageEvent
			}
			json.Unmarshal(data, &got)
			if resp.StatusCode != 200 || got.Message.State != domain.StateLinked || got.Message.ReconciliationID != rc.ID ||
				len(got.Events) != 2 || got.Events[1].ReconciliationID != rc.ID || got.Events[1].IncidentID != 0 ||
				!strings.Contains(string(data), fmt.Sprintf(`"reconciliation_id":%d`, rc.ID)) {
				t.Errorf("the linked message = %d %s", resp.StatusCode, data)
			}
			for _, tt := range []struct {
				query  string
				status int
				want   string
			}{
				{fmt.Sprintf("?reconciliation=%d", rc.ID), 200, m.Tracking},
				{"?reconciliation=999999", 200, `"messages":[]`},
				{"?reconciliation=x", 400, `"field":"reconciliation"`},
			} {
				if resp, data := do(t, "GET", base+"/api/v1/inbox"+tt.query, "", nil, true); resp.StatusCode != tt.status || !strings.Contains(string(data), tt.want) {
					t.Errorf("inbox%s = %d %s, want %d with %q", tt.query, resp.StatusCode, data, tt.status, tt.want)
				}
			}
		})
	}
}
