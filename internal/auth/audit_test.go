package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

var update = flag.Bool("update", false, "rewrite golden files")

// memAudit is an in-memory AuditStore, enough for paging through exports.
type memAudit struct{ events []*auth.AuditEvent }

func (m *memAudit) AppendAudit(_ context.Context, e *auth.AuditEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.ID = int64(len(m.events) + 1)
	m.events = append(m.events, e)
	return nil
}

func (m *memAudit) AuditEvents(_ context.Context, f auth.AuditFilter) ([]*auth.AuditEvent, error) {
	var out []*auth.AuditEvent
	for _, e := range m.events {
		if e.ID > f.AfterID && (f.Actor == "" || e.Actor == f.Actor) && len(out) < f.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestRecorder(t *testing.T) {
	c := newClock()
	m := &memAudit{}
	r := &auth.Recorder{Store: m, Now: c.Now}
	p := &auth.Principal{UserID: 4, Name: "amira", Role: auth.RoleMonitor, Address: "192.0.2.1", Via: "session"}
	ctx := auth.WithPrincipal(context.Background(), p)
	old := map[string]any{"state": "received", "version": 1}
	if err := r.Record(ctx, "message.transition", "message", int64(17), old, json.RawMessage(`{"state":"triaged"}`)); err != nil {
		t.Fatal(err)
	}
	if err := r.Record(context.Background(), "message.submit", "message", "TRC-7K3M-9QXD", nil, nil); err != nil {
		t.Fatal(err)
	}
	want := []*auth.AuditEvent{
		{ID: 1, At: c.Now(), ActorID: 4, Actor: "amira", Role: auth.RoleMonitor, Address: "192.0.2.1",
			Action: "message.transition", Kind: "message", RecordID: "17",
			Old: json.RawMessage(`{"state":"received","version":1}`), New: json.RawMessage(`{"state":"triaged"}`)},
		{ID: 2, At: c.Now(), Actor: "public", Role: auth.RolePublic, Action: "message.submit", Kind: "message",
			RecordID: "TRC-7K3M-9QXD"},
	}
	if diff := cmp.Diff(want, m.events); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
	if err := r.Record(ctx, "x", "y", 1, func() {}, nil); err == nil {
		t.Error("recording an unmarshallable value did not fail")
	}
}

func exportFixture(t *testing.T) *memAudit {
	m := &memAudit{}
	at := time.Date(2016, 2, 27, 9, 30, 0, 0, time.UTC)
	for _, e := range []*auth.AuditEvent{
		{At: at, ActorID: 4, Actor: "amira", Role: auth.RoleMonitor, Address: "192.0.2.1", Action: "message.transition",
			Kind: "message", RecordID: "17", Old: json.RawMessage(`{"state":"received"}`), New: json.RawMessage(`{"state":"triaged"}`)},
		{At: at.Add(time.Minute), Actor: `=HYPERLINK("http://evil.example","x")`, Role: auth.RolePublic,
			Address: "-1+1", Action: "session.login_failed", Kind: "user"},
		{At: at.Add(2 * time.Minute), ActorID: 9, Actor: `<script>alert("x")</script>, "quoted"`, Role: auth.RoleLiaison,
			Action: "message.submit", Kind: "message", RecordID: "TRC-7K3M-9QXD", New: json.RawMessage(`{"body":"قصف على تلبيسة"}`)},
	} {
		if err := m.AppendAudit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func TestExportAuditGolden(t *testing.T) {
	for _, format := range []string{auth.FormatCSV, auth.FormatJSONL} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := auth.ExportAudit(context.Background(), exportFixture(t), auth.AuditFilter{}, format, &buf); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "audit.golden."+format)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("export differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestExportAuditJSONLIsVerbatim(t *testing.T) {
	m := exportFixture(t)
	var buf bytes.Buffer
	if err := auth.ExportAudit(context.Background(), m, auth.AuditFilter{}, auth.FormatJSONL, &buf); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	var got []*auth.AuditEvent
	for dec.More() {
		var e auth.AuditEvent
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		got = append(got, &e)
	}
	if diff := cmp.Diff(m.events, got); diff != "" {
		t.Errorf("JSON lines round trip (-want +got):\n%s", diff)
	}
}

func TestExportAuditPages(t *testing.T) {
	m := &memAudit{}
	at := time.Date(2016, 2, 27, 0, 0, 0, 0, time.UTC)
	for i := range 2500 {
		m.AppendAudit(context.Background(), &auth.AuditEvent{At: at.Add(time.Duration(i) * time.Second), Actor: "a", Action: "x"})
	}
	for _, tt := range []struct {
		limit, want int
	}{{0, 2500}, {1000, 1000}, {1001, 1001}, {7, 7}} {
		var buf bytes.Buffer
		if err := auth.ExportAudit(context.Background(), m, auth.AuditFilter{Limit: tt.limit}, auth.FormatJSONL, &buf); err != nil {
			t.Fatal(err)
		}
		if got := bytes.Count(buf.Bytes(), []byte("\n")); got != tt.want {
			t.Errorf("export with limit %d wrote %d lines, want %d", tt.limit, got, tt.want)
		}
	}
	err := auth.ExportAudit(context.Background(), m, auth.AuditFilter{}, "xml", &bytes.Buffer{})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown format: %v, want EINVALID", err)
	}
}
