package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// Run runs the contract suite; open returns a fresh, empty, migrated store.
func Run(t *testing.T, open func(testing.TB) domain.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, domain.Store)
	}{
		{"SubmitAndRead", testSubmitAndRead},
		{"Repeats", testRepeats},
		{"BatchIsAtomic", testBatchIsAtomic},
		{"Transitions", testTransitions},
		{"StaleTransition", testStaleTransition},
		{"MessageFilters", testMessageFilters},
		{"Incidents", testIncidents},
		{"IncidentReimport", testIncidentReimport},
		{"IncidentFilters", testIncidentFilters},
		{"IncidentConflict", testIncidentConflict},
		{"Registry", testRegistry},
		{"Geo", testGeo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var (
	ctx = context.Background()
	t0  = time.Date(2016, 2, 27, 0, 0, 0, 0, time.UTC)
)

// NewMessage returns a valid message as intake would prepare it.
func NewMessage(body string, at time.Time) *domain.Message {
	m := &domain.Message{
		Tracking:   domain.NewTrackingNumber(),
		Channel:    domain.ChannelAPI,
		Sender:     domain.Sender{Kind: domain.SenderPublic, Name: "Test Sender", Contact: "+963 11 000 0000"},
		ReceivedAt: at,
		Language:   "en",
		Body:       body,
	}
	m.SenderKey = m.Sender.Key("")
	m.ComputeContentHash()
	return m
}

func submit(t *testing.T, s domain.Store, window time.Duration, msgs ...*domain.Message) []domain.Receipt {
	t.Helper()
	subs := make([]domain.Submission, len(msgs))
	for i, m := range msgs {
		subs[i] = domain.Submission{Message: m, RepeatWindow: window}
	}
	rs, err := s.SubmitMessages(ctx, subs)
	if err != nil {
		t.Fatalf("SubmitMessages: %v", err)
	}
	return rs
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testSubmitAndRead(t *testing.T, s domain.Store) {
	bodies := map[string]string{
		"ar":    "قصف مدفعي على بلدة تلبيسة في ريف حمص الشمالي صباح اليوم",
		"ru":    "Зафиксирован обстрел населённого пункта в провинции Латакия",
		"en":    "Shelling reported near Talbiseh at 06:40.\nTwo houses hit.",
		"mixed": "Report: \u202bقصف\u202c at 35°N — \"quoted\" \\ tab\there \U0001F4A5",
	}
	for lang, body := range bodies {
		t.Run(lang, func(t *testing.T) {
			m := NewMessage(body, t0.Add(123456789*time.Nanosecond))
			m.Language = lang
			m.Attachments = []domain.Attachment{{Name: "photo.jpg", ContentType: "image/jpeg", Size: 1234, SHA256: "ab"}}
			r := submit(t, s, time.Hour, m)[0]
			if r.Repeat || r.Message.ID == 0 || r.Message.State != domain.StateReceived {
				t.Fatalf("receipt = %+v, want a new received message", r)
			}
			got, err := s.MessageByTracking(ctx, m.Tracking)
			if err != nil {
				t.Fatal(err)
			}
			want := *m
			want.ReceivedAt = m.ReceivedAt.Truncate(time.Microsecond)
			want.UpdatedAt = want.ReceivedAt
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("stored message differs (-want +got):\n%s", diff)
			}
			byID, err := s.Message(ctx, m.ID)
			if err != nil || byID.Body != body {
				t.Errorf("Message(%d) = %v, %v; want body %q", m.ID, byID, err, body)
			}
		})
	}
	_, err := s.MessageByTracking(ctx, "TRC-0000-0000-0000")
	wantCode(t, err, domain.ENOTFOUND)
}

func testRepeats(t *testing.T, s domain.Store) {
	first := NewMessage("Airstrike on the market", t0)
	orig := submit(t, s, 24*time.Hour, first)[0].Message

	again := NewMessage("Airstrike on the market", t0.Add(time.Hour))
	r := submit(t, s, 24*time.Hour, again)[0]
	if !r.Repeat || r.Message.Tracking != orig.Tracking || r.Message.Repeats != 1 {
		t.Fatalf("repeat receipt = repeat %v tracking %s repeats %d; want repeat of %s with 1 repeat",
			r.Repeat, r.Message.Tracking, r.Message.Repeats, orig.Tracking)
	}
	// Within one batch the second copy is a repeat of the first.
	a, b := NewMessage("Clashes at the checkpoint", t0), NewMessage("Clashes at the checkpoint", t0)
	rs := submit(t, s, time.Hour, a, b)
	if rs[0].Repeat || !rs[1].Repeat || rs[1].Message.ID != rs[0].Message.ID {
		t.Fatalf("batch receipts = %+v, %+v; want the second a repeat of the first", rs[0], rs[1])
	}
	// Outside the window, or from someone else, it is a new message.
	late := NewMessage("Airstrike on the market", t0.Add(25*time.Hour))
	other := NewMessage("Airstrike on the market", t0.Add(time.Hour))
	other.Sender.Contact = "someone-else@example.org"
	other.SenderKey = other.Sender.Key("")
	for _, r := range submit(t, s, 24*time.Hour, late, other) {
		if r.Repeat {
			t.Errorf("message %q from %s was taken as a repeat", r.Message.Body, r.Message.Sender.Contact)
		}
	}
	stored, _ := s.Message(ctx, orig.ID)
	if stored.Repeats != 1 {
		t.Errorf("original repeats = %d, want 1", stored.Repeats)
	}
	all, _ := s.Messages(ctx, domain.MessageFilter{})
	if len(all) != 4 {
		t.Errorf("stored %d messages, want 4 (repeats are not stored twice)", len(all))
	}
}

func testBatchIsAtomic(t *testing.T, s domain.Store) {
	good := NewMessage("good", t0)
	bad := NewMessage("bad", t0)
	bad.Sender = domain.Sender{Kind: domain.SenderLiaison, PartyID: 999999}
	bad.SenderKey = bad.Sender.Key("x")
	_, err := s.SubmitMessages(ctx, []domain.Submission{{Message: good}, {Message: bad}})
	if err == nil {
		t.Fatal("batch with an unknown party succeeded")
	}
	if got, _ := s.Messages(ctx, domain.MessageFilter{}); len(got) != 0 {
		t.Errorf("a failed batch left %d messages behind", len(got))
	}
}

func newIncident(t *testing.T, s domain.Store) *domain.Incident {
	t.Helper()
	in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: t0, Location: "Talbiseh",
		Point: &domain.Point{Lat: 34.84, Lon: 36.73}, Admin1: "Homs", CreatedBy: "monitor-1"}
	if err := s.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	return in
}

func testTransitions(t *testing.T, s domain.Store) {
	m := submit(t, s, 0, NewMessage("shelling", t0))[0].Message
	in := newIncident(t, s)
	steps := []struct {
		to       domain.MessageState
		reason   domain.RejectReason
		incident int64
		code     string
	}{
		{to: domain.StateLinked, incident: in.ID, code: domain.ECONFLICT}, // must be triaged first
		{to: domain.StateTriaged},
		{to: domain.StateRejected, code: domain.EINVALID}, // no reason
		{to: domain.StateLinked, incident: 424242, code: domain.EINVALID},
		{to: domain.StateLinked, incident: in.ID},
		{to: domain.StateClosed},
		{to: domain.StateTriaged},
		{to: domain.StateRejected, reason: domain.RejectDuplicate},
	}
	version := m.Version
	var applied []domain.MessageState
	for i, st := range steps {
		got, err := s.TransitionMessage(ctx, domain.Transition{MessageID: m.ID, Version: version, To: st.to,
			Reason: st.reason, IncidentID: st.incident, Actor: "monitor-1", At: t0.Add(time.Duration(i) * time.Minute)})
		if st.code != "" {
			wantCode(t, err, st.code)
			continue
		}
		if err != nil {
			t.Fatalf("step %d → %s: %v", i, st.to, err)
		}
		if got.State != st.to || got.Version != version+1 {
			t.Fatalf("step %d: state %s version %d, want %s %d", i, got.State, got.Version, st.to, version+1)
		}
		version = got.Version
		applied = append(applied, st.to)
	}
	events, err := s.MessageEvents(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	from := domain.StateReceived
	for i, e := range events {
		if e.From != from || e.To != applied[i] || e.Actor != "monitor-1" {
			t.Errorf("event %d = %s→%s by %s, want %s→%s by monitor-1", i, e.From, e.To, e.Actor, from, applied[i])
		}
		from = e.To
	}
	if len(events) != len(applied) {
		t.Errorf("%d events, want %d", len(events), len(applied))
	}
	if last := events[len(events)-1]; last.Reason != domain.RejectDuplicate {
		t.Errorf("rejection reason = %q", last.Reason)
	}
	got, _ := s.Incident(ctx, in.ID)
	if len(got.Sources) != 1 || got.Sources[0].MessageID != m.ID || got.Sources[0].Kind != domain.SourceMessage {
		t.Errorf("incident sources = %+v, want the linked message", got.Sources)
	}
	counts, _ := s.CountMessages(ctx)
	if counts[domain.StateRejected] != 1 {
		t.Errorf("counts = %v", counts)
	}
}

func testStaleTransition(t *testing.T, s domain.Store) {
	m := submit(t, s, 0, NewMessage("clash", t0))[0].Message
	tr := domain.Transition{MessageID: m.ID, Version: m.Version, To: domain.StateTriaged, Actor: "a"}
	if _, err := s.TransitionMessage(ctx, tr); err != nil {
		t.Fatal(err)
	}
	tr.Actor, tr.To, tr.Reason = "b", domain.StateRejected, domain.RejectSpam
	_, err := s.TransitionMessage(ctx, tr)
	wantCode(t, err, domain.ECONFLICT)
	got, _ := s.Message(ctx, m.ID)
	if got.State != domain.StateTriaged {
		t.Errorf("state after stale write = %s, want triaged", got.State)
	}
	_, err = s.TransitionMessage(ctx, domain.Transition{MessageID: 999999, Version: 1, To: domain.StateTriaged, Actor: "a"})
	wantCode(t, err, domain.ENOTFOUND)
}

func testMessageFilters(t *testing.T, s domain.Store) {
	p := &domain.Party{Slug: "fsa", Name: "Free Syrian Army", Kind: domain.KindCoalition}
	if err := s.CreateParty(ctx, p); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 5 {
		m := NewMessage(fmt.Sprintf("message %d", i), t0.Add(time.Duration(i)*time.Hour))
		if i%2 == 0 {
			m.Channel = domain.ChannelSMS
		}
		if i == 4 {
			m.Sender = domain.Sender{Kind: domain.SenderLiaison, Name: "liaison", PartyID: p.ID}
		}
		ids = append(ids, submit(t, s, 0, m)[0].Message.ID)
	}
	if _, err := s.TransitionMessage(ctx, domain.Transition{MessageID: ids[1], Version: 1, To: domain.StateTriaged, Actor: "m"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    domain.MessageFilter
		want []int64
	}{
		{"all newest first", domain.MessageFilter{}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"state", domain.MessageFilter{States: []domain.MessageState{domain.StateTriaged}}, []int64{ids[1]}},
		{"channel", domain.MessageFilter{Channel: domain.ChannelSMS}, []int64{ids[4], ids[2], ids[0]}},
		{"party", domain.MessageFilter{PartyID: p.ID}, []int64{ids[4]}},
		{"window", domain.MessageFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, []int64{ids[2], ids[1]}},
		{"page", domain.MessageFilter{AfterID: ids[3], Limit: 2}, []int64{ids[2], ids[1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := s.Messages(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range ms {
				got = append(got, m.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func parties(t *testing.T, s domain.Store, slugs ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, slug := range slugs {
		p := &domain.Party{Slug: slug, Name: slug, Kind: domain.KindArmedGroup}
		if err := s.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return ids
}

func testIncidents(t *testing.T, s domain.Store) {
	ps := parties(t, s, "ru", "fsa", "civ")
	in := &domain.Incident{
		SubEventType: domain.SubAirStrike, OccurredAt: t0.Add(90 * time.Minute), TimePrecision: domain.TimeDay,
		Location: "Kafr Nabl", Point: &domain.Point{Lat: 35.6135, Lon: 36.5615}, GeoPrecision: domain.GeoExact,
		Admin1: "Idlib", Admin2: "Maarrat An-Nu'man", Perpetrators: []int64{ps[0]}, Targets: []int64{ps[1], ps[2]},
		Fatalities: domain.Fatalities{Best: 4, Low: 3, High: 6, Civilian: 2}, Injured: 7, Grade: domain.GradeFair,
		Summary: "Strike on a market", CreatedBy: "monitor-1",
		Sources: []domain.Source{{Kind: domain.SourceMedia, URL: "https://example.org/report", Publisher: "Example", AddedBy: "monitor-1"}},
	}
	if err := s.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	if in.ID == 0 || in.EventType != "Explosions/Remote violence" || in.Version != 1 {
		t.Fatalf("created %+v", in)
	}
	got, err := s.Incident(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *in
	want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
	want.Sources = []domain.Source{in.Sources[0]}
	want.Sources[0].AddedAt = got.Sources[0].AddedAt
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("stored incident differs (-want +got):\n%s", diff)
	}
	m := submit(t, s, 0, NewMessage("report", t0))[0].Message
	if err := s.AddSource(ctx, in.ID, &domain.Source{Kind: domain.SourceMessage, MessageID: m.ID, AddedBy: "m"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.AddSource(ctx, 999999, &domain.Source{Kind: domain.SourceMedia, URL: "x", AddedBy: "m"}), domain.ENOTFOUND)
	wantCode(t, s.AddSource(ctx, in.ID, &domain.Source{Kind: domain.SourceMessage, AddedBy: "m"}), domain.EINVALID)
	bad := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: t0, Perpetrators: []int64{999999}}
	wantCode(t, s.CreateIncident(ctx, bad), domain.EINVALID)
	wantCode(t, s.CreateIncident(ctx, &domain.Incident{SubEventType: "Bombing", OccurredAt: t0}), domain.EINVALID)
	_, err = s.Incident(ctx, 999999)
	wantCode(t, err, domain.ENOTFOUND)
}

func testIncidentReimport(t *testing.T, s domain.Store) {
	mk := func(killed int) *domain.Incident {
		return &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: t0, Origin: "airwars", OriginID: "CS123",
			Fatalities: domain.Fatalities{Best: killed, Low: killed, High: killed}, CreatedBy: "import",
			Sources: []domain.Source{{Kind: domain.SourceDataset, Publisher: "Airwars", URL: "https://airwars.org/cs123", AddedBy: "import"}}}
	}
	first := mk(3)
	if err := s.CreateIncident(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := mk(5)
	if err := s.CreateIncident(ctx, second); err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID || second.Version != 2 {
		t.Errorf("re-import gave ID %d version %d, want ID %d version 2", second.ID, second.Version, first.ID)
	}
	n, _ := s.CountIncidents(ctx, domain.IncidentFilter{Origin: "airwars"})
	got, _ := s.Incident(ctx, first.ID)
	if n != 1 || got.Fatalities.Best != 5 || len(got.Sources) != 1 {
		t.Errorf("after re-import: %d incidents, best %d, %d sources; want 1, 5, 1", n, got.Fatalities.Best, len(got.Sources))
	}
}

func testIncidentFilters(t *testing.T, s domain.Store) {
	ps := parties(t, s, "a", "b")
	mk := func(sub string, day int, lat, lon float64, perp int64, admin1 string) int64 {
		in := &domain.Incident{SubEventType: sub, OccurredAt: t0.AddDate(0, 0, day), Point: &domain.Point{Lat: lat, Lon: lon},
			Perpetrators: []int64{perp}, Admin1: admin1, CreatedBy: "m"}
		if err := s.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	i1 := mk(domain.SubAirStrike, 0, 36.2, 37.1, ps[0], "Aleppo")
	i2 := mk(domain.SubShelling, 1, 33.5, 36.3, ps[1], "Damascus")
	i3 := mk(domain.SubAirStrike, 2, 35.9, 36.6, ps[0], "Idlib")
	tests := []struct {
		name string
		f    domain.IncidentFilter
		want []int64
	}{
		{"all", domain.IncidentFilter{}, []int64{i1, i2, i3}},
		{"window", domain.IncidentFilter{Since: t0.AddDate(0, 0, 1), Until: t0.AddDate(0, 0, 2)}, []int64{i2}},
		{"bbox north", domain.IncidentFilter{BBox: &domain.BBox{MinLon: 35, MinLat: 35, MaxLon: 38, MaxLat: 37}}, []int64{i1, i3}},
		{"party", domain.IncidentFilter{PartyID: ps[1]}, []int64{i2}},
		{"type", domain.IncidentFilter{SubEventType: domain.SubAirStrike}, []int64{i1, i3}},
		{"admin1", domain.IncidentFilter{Admin1: "Idlib"}, []int64{i3}},
		{"page", domain.IncidentFilter{AfterID: i1, Limit: 1}, []int64{i2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins, err := s.Incidents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, in := range ins {
				got = append(got, in.ID)
				if len(in.Perpetrators) != 1 {
					t.Errorf("incident %d lost its perpetrator", in.ID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
			if tt.f.Limit == 0 {
				if n, _ := s.CountIncidents(ctx, tt.f); n != len(tt.want) {
					t.Errorf("count = %d, want %d", n, len(tt.want))
				}
			}
		})
	}
}

func testIncidentConflict(t *testing.T, s domain.Store) {
	in := newIncident(t, s)
	a, _ := s.Incident(ctx, in.ID)
	b, _ := s.Incident(ctx, in.ID)
	a.Grade = domain.GradeConfirmed
	if err := s.UpdateIncident(ctx, a); err != nil {
		t.Fatal(err)
	}
	b.Grade = domain.GradeDiscounted
	wantCode(t, s.UpdateIncident(ctx, b), domain.ECONFLICT)
	got, _ := s.Incident(ctx, in.ID)
	if got.Grade != domain.GradeConfirmed || got.Version != 2 {
		t.Errorf("after conflict: grade %s version %d, want confirmed 2", got.Grade, got.Version)
	}
}

func testRegistry(t *testing.T, s domain.Store) {
	dam := time.FixedZone("EET", 2*3600)
	a := &domain.Agreement{Slug: "syria-coh-2016", Name: "Cessation of Hostilities in Syria", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 27, 0, 0, 0, 0, dam).UTC(), CommitBy: time.Date(2016, 2, 26, 12, 0, 0, 0, dam).UTC(),
		ProhibitedActs: []string{domain.SubAirStrike, domain.SubShelling}, Country: "Syria",
		ExclusionAuthority: "UN Security Council", Grace: time.Hour, Text: "terms"}
	if err := s.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.AgreementBySlug(ctx, a.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("agreement (-want +got):\n%s", diff)
	}
	wantCode(t, s.CreateAgreement(ctx, a), domain.EINVALID) // duplicate slug

	coalition := &domain.Party{Slug: "sdf", Name: "Syrian Democratic Forces", Kind: domain.KindCoalition}
	if err := s.CreateParty(ctx, coalition); err != nil {
		t.Fatal(err)
	}
	ypg := &domain.Party{Slug: "ypg", Name: "People's Protection Units", Kind: domain.KindArmedGroup,
		Aliases: []domain.Alias{{Name: "YPG", Lang: "en"}, {Name: "وحدات حماية الشعب", Lang: "ar"}}, ParentID: coalition.ID}
	if err := s.CreateParty(ctx, ypg); err != nil {
		t.Fatal(err)
	}
	gotP, _ := s.PartyBySlug(ctx, "ypg")
	if diff := cmp.Diff(ypg, gotP); diff != "" {
		t.Errorf("party (-want +got):\n%s", diff)
	}
	wantCode(t, s.CreateParty(ctx, &domain.Party{Slug: "x", Name: "x", Kind: domain.KindMilitia, ParentID: 999999}), domain.EINVALID)
	_, err = s.Party(ctx, 999999)
	wantCode(t, err, domain.ENOTFOUND)

	rows := []*domain.PartyStatus{
		{AgreementID: a.ID, PartyID: ypg.ID, Kind: domain.StatusDesignated, Designator: "Turkey", ValidFrom: a.Start.Add(-time.Hour), RecordedBy: "cochair"},
		{AgreementID: a.ID, PartyID: ypg.ID, Kind: domain.StatusCommitted, Designator: "United States", ValidFrom: a.CommitBy.Add(-time.Hour), RecordedBy: "cochair"},
	}
	for _, r := range rows {
		if err := s.AddPartyStatus(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.AddPartyStatus(ctx, &domain.PartyStatus{AgreementID: a.ID, PartyID: ypg.ID, Kind: domain.StatusExcluded, ValidFrom: t0}), domain.EINVALID)
	sts, _ := s.PartyStatuses(ctx, a.ID)
	if len(sts) != 2 || sts[0].Kind != domain.StatusCommitted || sts[1].Designator != "Turkey" {
		t.Errorf("statuses not in timeline order: %+v", sts)
	}
	all, _ := s.Parties(ctx)
	if len(all) != 2 {
		t.Errorf("%d parties, want 2", len(all))
	}
}

func testGeo(t *testing.T, s domain.Store) {
	places := []*domain.Place{
		{GeonameID: 1, Name: "Hmeimim Air Base", NameAR: "قاعدة حميميم", Alternates: []string{"Khmeimim", "Humaymim"},
			Point: domain.Point{Lat: 35.401, Lon: 35.949}, FeatureClass: "S", FeatureCode: "AIRB", Admin1: "Lattakia"},
		{Name: "Talbiseh", Point: domain.Point{Lat: 34.84, Lon: 36.73}, FeatureClass: "P", Admin1: "Homs", Population: 30000},
	}
	if err := s.PutPlaces(ctx, places); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPlaces(ctx, places[:1]); err != nil { // same GeoNames ID replaces
		t.Fatal(err)
	}
	got, _ := s.Places(ctx)
	if len(got) != 2 || got[1].Alternates[1] != "Humaymim" {
		t.Errorf("places = %+v", got)
	}
	regions := []*domain.Region{
		{PCode: "SY07", Level: 1, Name: "Lattakia", NameAR: "اللاذقية", Geometry: []byte(`{"type":"Point","coordinates":[35.8,35.5]}`)},
		{PCode: "SY0701", Level: 2, Name: "Lattakia", Parent: "SY07", Geometry: []byte(`{"type":"Point","coordinates":[35.8,35.5]}`)},
	}
	if err := s.PutRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Regions(ctx, 1); len(got) != 1 || got[0].NameAR != "اللاذقية" {
		t.Errorf("regions level 1 = %+v", got)
	}
	if got, _ := s.Regions(ctx, 0); len(got) != 2 {
		t.Errorf("regions all = %d, want 2", len(got))
	}
	p := parties(t, s, "isil")[0]
	area := &domain.Area{Name: "Raqqa", ControllerID: p, ValidFrom: t0, Geometry: []byte(`{"type":"Polygon","coordinates":[]}`)}
	if err := s.CreateArea(ctx, area); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateArea(ctx, &domain.Area{ControllerID: p, ValidFrom: t0, ValidTo: t0, Geometry: []byte(`{}`)}), domain.EINVALID)
	if got, _ := s.Areas(ctx); len(got) != 1 || !got[0].ValidFrom.Equal(t0) || !got[0].ValidTo.IsZero() {
		t.Errorf("areas = %+v", got)
	}
	counts := []domain.DailyCount{
		{Series: "vdc", Region: "Homs", Day: "2016-02-26", Value: 12},
		{Series: "vdc", Region: "Homs", Day: "2016-02-27", Value: 3.5},
		{Series: "vdc", Region: "Idlib", Day: "2016-02-27", Value: 1},
	}
	if err := s.PutDailyCounts(ctx, counts); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDailyCounts(ctx, []domain.DailyCount{{Series: "vdc", Region: "Homs", Day: "2016-02-27", Value: 4}}); err != nil {
		t.Fatal(err)
	}
	gotC, err := s.DailyCounts(ctx, "vdc", "2016-02-27", "2016-02-28")
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.DailyCount{{Series: "vdc", Region: "Homs", Day: "2016-02-27", Value: 4}, {Series: "vdc", Region: "Idlib", Day: "2016-02-27", Value: 1}}
	if diff := cmp.Diff(want, gotC); diff != "" {
		t.Errorf("daily counts (-want +got):\n%s", diff)
	}
	_, err = s.DailyCounts(ctx, "vdc", "27/02/2016", "2016-02-28")
	wantCode(t, err, domain.EINVALID)
}
