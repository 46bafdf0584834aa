package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// RunBulletins holds a store to the contract of published bulletins and of
// the aggregates bulletins are built from.
func RunBulletins(t *testing.T, open func(testing.TB) domain.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, domain.Store)
	}{
		{"PublishIsImmutable", testPublishIsImmutable},
		{"BulletinErrors", testBulletinErrors},
		{"IncidentCounts", testIncidentCounts},
		{"IncidentEvents", testIncidentEvents},
		{"PublishedIncidents", testPublishedIncidents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func seedAgreement(t *testing.T, s domain.Store) *domain.Agreement {
	t.Helper()
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus", Start: t0.Add(-2 * time.Hour)}
	if err := s.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func newBulletin(a *domain.Agreement, day, body string) *domain.Bulletin {
	return &domain.Bulletin{AgreementID: a.ID, Day: day, Title: "Daily bulletin " + day, Report: []byte(`{"body":"` + body + `"}`),
		HTML: []byte("<p>" + body + "</p>"), Markdown: []byte(body), PDF: []byte("%PDF-1.3 " + body), PublishedBy: "co-chair"}
}

func testPublishIsImmutable(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	first := newBulletin(a, "2016-02-28", "first")
	if err := s.PublishBulletin(ctx, first); err != nil {
		t.Fatal(err)
	}
	if first.Version != 1 || first.ID == 0 || len(first.ContentHash) != 64 {
		t.Fatalf("first publication: version %d, id %d, hash %q; want version 1, an id and a SHA-256", first.Version, first.ID, first.ContentHash)
	}
	v1, err := s.Bulletin(ctx, a.ID, "2016-02-28", 1)
	if err != nil {
		t.Fatal(err)
	}
	second := newBulletin(a, "2016-02-28", "corrected")
	second.Note = "Idleb count corrected"
	if err := s.PublishBulletin(ctx, second); err != nil {
		t.Fatal(err)
	}
	if second.Version != 2 {
		t.Errorf("second publication: got version %d, want 2", second.Version)
	}
	if second.ContentHash == first.ContentHash {
		t.Errorf("different reports share the hash %s", first.ContentHash)
	}
	again, err := s.Bulletin(ctx, a.ID, "2016-02-28", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v1, again); diff != "" {
		t.Errorf("version 1 changed after version 2 was published (-before +after):\n%s", diff)
	}
	if string(again.PDF) != "%PDF-1.3 first" || string(again.Report) != `{"body":"first"}` {
		t.Errorf("version 1 contents: got %q / %q", again.PDF, again.Report)
	}
	latest, err := s.Bulletin(ctx, a.ID, "2016-02-28", 0)
	if err != nil {
		t.Fatal(err)
	}
	if latest.Version != 2 || latest.Note != "Idleb count corrected" || string(latest.Markdown) != "corrected" {
		t.Errorf("latest: got version %d note %q markdown %q", latest.Version, latest.Note, latest.Markdown)
	}
	if err := s.PublishBulletin(ctx, newBulletin(a, "2016-02-27", "day one")); err != nil {
		t.Fatal(err)
	}
	list, err := s.Bulletins(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range list {
		got = append(got, b.Day+"/"+string(rune('0'+b.Version)))
		if b.PDF != nil || b.HTML != nil {
			t.Errorf("list carries contents of %s v%d", b.Day, b.Version)
		}
	}
	if diff := cmp.Diff([]string{"2016-02-28/2", "2016-02-28/1", "2016-02-27/1"}, got); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
}

func testBulletinErrors(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	for _, tt := range []struct {
		name string
		b    *domain.Bulletin
		code string
	}{
		{"bad day", newBulletin(a, "28/02/2016", "x"), domain.EINVALID},
		{"no pdf", func() *domain.Bulletin { b := newBulletin(a, "2016-02-28", "x"); b.PDF = nil; return b }(), domain.EINVALID},
		{"no publisher", func() *domain.Bulletin { b := newBulletin(a, "2016-02-28", "x"); b.PublishedBy = ""; return b }(), domain.EINVALID},
		{"unknown agreement", func() *domain.Bulletin { b := newBulletin(a, "2016-02-28", "x"); b.AgreementID = 999; return b }(), domain.ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := s.PublishBulletin(ctx, tt.b)
			if got := domain.ErrorCode(err); got != tt.code {
				t.Errorf("got %v (%s), want %s", err, got, tt.code)
			}
		})
	}
	if _, err := s.Bulletin(ctx, a.ID, "2016-02-28", 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("nothing published: got %v, want not_found", err)
	}
	if list, err := s.Bulletins(ctx, a.ID); err != nil || len(list) != 0 {
		t.Errorf("refused publications were stored: %d, %v", len(list), err)
	}
}

// seedIncidents stores incidents around the Damascus midnight of 27 Feb 2016
// (22:00 UTC on the 26th) with parties, for the aggregate tests.
func seedIncidents(t *testing.T, s domain.Store) (ru, fsa *domain.Party) {
	t.Helper()
	ru = &domain.Party{Slug: "ru-af", Name: "Russian Armed Forces", Kind: domain.KindState}
	fsa = &domain.Party{Slug: "fsa", Name: "Free Syrian Army", Kind: domain.KindCoalition}
	for _, p := range []*domain.Party{ru, fsa} {
		if err := s.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []*domain.Incident{
		{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 26, 21, 30, 0, 0, time.UTC), Admin1: "Aleppo",
			Perpetrators: []int64{ru.ID}, Targets: []int64{fsa.ID}, Fatalities: domain.Fatalities{Best: 3, Low: 2, High: 4}},
		{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 26, 22, 30, 0, 0, time.UTC), Admin1: "Aleppo",
			Perpetrators: []int64{ru.ID}, Fatalities: domain.Fatalities{Best: 1, Low: 1, High: 1}},
		{SubEventType: domain.SubShelling, OccurredAt: time.Date(2016, 2, 26, 22, 45, 0, 0, time.UTC), Admin1: "Hama",
			Perpetrators: []int64{ru.ID, fsa.ID}},
		{SubEventType: domain.SubClash, OccurredAt: time.Date(2016, 2, 27, 23, 59, 0, 0, time.UTC), Admin1: "Idleb"},
	} {
		in.CreatedBy = "test"
		if err := s.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	return ru, fsa
}

func testIncidentCounts(t *testing.T, s domain.Store) {
	seedIncidents(t, s)
	all := domain.IncidentFilter{Since: time.Date(2016, 2, 26, 0, 0, 0, 0, time.UTC), Until: time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)}
	h := func(d, hh int) time.Time { return time.Date(2016, 2, d, hh, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name string
		f    domain.IncidentFilter
		by   string
		want []domain.IncidentCount
	}{
		{"no key", all, "", []domain.IncidentCount{
			{Slot: h(26, 21), Type: domain.SubAirStrike, Count: 1, Fatalities: 3},
			{Slot: h(26, 22), Type: domain.SubAirStrike, Count: 1, Fatalities: 1},
			{Slot: h(26, 22), Type: domain.SubShelling, Count: 1},
			{Slot: h(27, 23), Type: domain.SubClash, Count: 1},
		}},
		{"admin1", domain.IncidentFilter{Since: h(26, 22), Until: h(27, 0)}, "admin1", []domain.IncidentCount{
			{Slot: h(26, 22), Key: "Aleppo", Type: domain.SubAirStrike, Count: 1, Fatalities: 1},
			{Slot: h(26, 22), Key: "Hama", Type: domain.SubShelling, Count: 1},
		}},
		{"perpetrator counts each party", all, "perpetrator", []domain.IncidentCount{
			{Slot: h(26, 21), Key: "ru-af", Type: domain.SubAirStrike, Count: 1, Fatalities: 3},
			{Slot: h(26, 22), Key: "fsa", Type: domain.SubShelling, Count: 1},
			{Slot: h(26, 22), Key: "ru-af", Type: domain.SubAirStrike, Count: 1, Fatalities: 1},
			{Slot: h(26, 22), Key: "ru-af", Type: domain.SubShelling, Count: 1},
			{Slot: h(27, 23), Key: "", Type: domain.SubClash, Count: 1},
		}},
		{"target with type filter", domain.IncidentFilter{SubEventType: domain.SubAirStrike}, "target", []domain.IncidentCount{
			{Slot: h(26, 21), Key: "fsa", Type: domain.SubAirStrike, Count: 1, Fatalities: 3},
			{Slot: h(26, 22), Key: "", Type: domain.SubAirStrike, Count: 1, Fatalities: 1},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.IncidentCounts(ctx, tt.f, tt.by, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			sortCounts(got)
			sortCounts(tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := s.IncidentCounts(ctx, all, "colour", time.Hour); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown key: got %v, want invalid", err)
	}
	if _, err := s.IncidentCounts(ctx, all, "", 7*time.Second); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("7s slot: got %v, want invalid", err)
	}
}

func sortCounts(cs []domain.IncidentCount) {
	less := func(a, b domain.IncidentCount) bool {
		if !a.Slot.Equal(b.Slot) {
			return a.Slot.Before(b.Slot)
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Type < b.Type
	}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && less(cs[j], cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func testIncidentEvents(t *testing.T, s domain.Store) {
	seedIncidents(t, s)
	var got []string
	err := s.IncidentEvents(ctx, domain.IncidentFilter{Admin1: "Hama"}, func(e *domain.IncidentEvent) error {
		got = append(got, e.OccurredAt.Format(time.RFC3339)+" "+e.Type+" "+e.Admin1)
		got = append(got, e.Perpetrators...)
		got = append(got, "targets:")
		got = append(got, e.Targets...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2016-02-26T22:45:00Z " + domain.SubShelling + " Hama", "ru-af", "fsa", "targets:"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	n := 0
	if err := s.IncidentEvents(ctx, domain.IncidentFilter{}, func(*domain.IncidentEvent) error { n++; return nil }); err != nil || n != 4 {
		t.Errorf("all: got %d events, %v; want 4", n, err)
	}
}

// testPublishedIncidents checks PublishedOnly: an incident is published
// when a published bulletin of an agreement covers its local day in that
// agreement's zone. Incidents sit a minute either side of the Damascus
// midnights (UTC+2) around 28 February 2016, and bulletins are published
// step by step; every incident read (lists, pages, counts, the series'
// aggregates and events, verdicts) must select exactly the published ones.
func testPublishedIncidents(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	ids := map[string]int64{}
	var names []string
	for _, in := range []struct {
		name string
		at   time.Time
	}{
		{"27th 23:59", time.Date(2016, 2, 27, 21, 59, 0, 0, time.UTC)},
		{"28th 00:00", time.Date(2016, 2, 27, 22, 0, 0, 0, time.UTC)},
		{"28th 00:01", time.Date(2016, 2, 27, 22, 1, 0, 0, time.UTC)},
		{"28th 23:59", time.Date(2016, 2, 28, 21, 59, 0, 0, time.UTC)},
		{"29th 00:01", time.Date(2016, 2, 28, 22, 1, 0, 0, time.UTC)},
		{"2nd 12:00", time.Date(2016, 3, 2, 10, 0, 0, 0, time.UTC)},
	} {
		rec := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: in.at, Admin1: "Hama", CreatedBy: "test"}
		if in.name == "28th 23:59" {
			rec.SubEventType = domain.SubAirStrike
		}
		if err := s.CreateIncident(ctx, rec); err != nil {
			t.Fatal(err)
		}
		ids[in.name] = rec.ID
		names = append(names, in.name)
	}
	nameOf := map[int64]string{}
	for n, id := range ids {
		nameOf[id] = n
	}
	// Another agreement, in UTC, for the union over agreements' zones.
	utc := &domain.Agreement{Slug: "utc", Name: "UTC truce", TimeZone: "UTC", Start: t0}
	if err := s.CreateAgreement(ctx, utc); err != nil {
		t.Fatal(err)
	}
	pub := domain.IncidentFilter{PublishedOnly: true}
	with := func(f domain.IncidentFilter) domain.IncidentFilter { f.PublishedOnly = true; return f }
	steps := []struct {
		name    string
		publish *domain.Bulletin
		f       domain.IncidentFilter
		want    []string
	}{
		{"nothing published", nil, pub, nil},
		{"the 28th", newBulletin(a, "2016-02-28", "v1"), pub, []string{"28th 00:00", "28th 00:01", "28th 23:59"}},
		{"a second version adds nothing", newBulletin(a, "2016-02-28", "v2"), pub, []string{"28th 00:00", "28th 00:01", "28th 23:59"}},
		{"window cuts the day", nil, with(domain.IncidentFilter{Since: time.Date(2016, 2, 27, 22, 1, 0, 0, time.UTC)}),
			[]string{"28th 00:01", "28th 23:59"}},
		{"window outside the day", nil, with(domain.IncidentFilter{Until: time.Date(2016, 2, 27, 22, 0, 0, 0, time.UTC)}), nil},
		{"type", nil, with(domain.IncidentFilter{SubEventType: domain.SubAirStrike}), []string{"28th 23:59"}},
		{"page", nil, with(domain.IncidentFilter{AfterID: ids["28th 00:00"], Limit: 1}), []string{"28th 00:01"}},
		{"the day after merges", newBulletin(a, "2016-02-29", "v1"), pub, []string{"28th 00:00", "28th 00:01", "28th 23:59", "29th 00:01"}},
		{"another agreement's zone", newBulletin(utc, "2016-03-02", "v1"), pub,
			[]string{"28th 00:00", "28th 00:01", "28th 23:59", "29th 00:01", "2nd 12:00"}},
		{"unfiltered sees all", nil, domain.IncidentFilter{}, names},
	}
	for _, st := range steps {
		if st.publish != nil {
			if err := s.PublishBulletin(ctx, st.publish); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		t.Run(st.name, func(t *testing.T) {
			ins, err := s.Incidents(ctx, st.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range ins {
				got = append(got, nameOf[in.ID])
			}
			if diff := cmp.Diff(st.want, got); diff != "" {
				t.Errorf("Incidents (-want +got):\n%s", diff)
			}
			if st.f.Limit != 0 {
				return
			}
			if n, err := s.CountIncidents(ctx, st.f); err != nil || n != len(st.want) {
				t.Errorf("CountIncidents = %d, %v; want %d", n, err, len(st.want))
			}
			var events []string
			if err := s.IncidentEvents(ctx, st.f, func(e *domain.IncidentEvent) error {
				events = append(events, nameOf[e.ID])
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st.want, events); diff != "" {
				t.Errorf("IncidentEvents (-want +got):\n%s", diff)
			}
			counts, err := s.IncidentCounts(ctx, st.f, "", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, c := range counts {
				n += c.Count
			}
			if n != int64(len(st.want)) {
				t.Errorf("IncidentCounts total %d, want %d", n, len(st.want))
			}
			if _, err := s.CountVerdicts(ctx, domain.VerdictFilter{IncidentFilter: st.f}); err != nil {
				t.Errorf("CountVerdicts: %v", err)
			}
		})
	}
}
