package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestPublishedSpanLimit publishes every other day, so that no two
// published days merge, up to store.MaxPublishedSpans periods and one
// more: at the bound the query still runs on both engines (SQLite bounds
// an expression's depth, which a chain of that many ORs would pass) and
// selects exactly the incidents of published days; past it the store asks
// for a narrower window, and a narrower window is answered.
func TestPublishedSpanLimit(t *testing.T) {
	ctx := context.Background()
	first := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus", Start: first}
			if err := db.CreateAgreement(ctx, a); err != nil {
				t.Fatal(err)
			}
			day := func(i int) time.Time { return first.AddDate(0, 0, 2*i) }
			var days []string
			for i := range store.MaxPublishedSpans {
				days = append(days, day(i).Format(time.DateOnly))
			}
			if err := db.PutBulletinDays(ctx, a.ID, days); err != nil {
				t.Fatal(err)
			}
			// Noon in Damascus on the first and last published days, and
			// on the unpublished day between the last two.
			var want []int64
			for _, at := range []time.Time{day(0), day(store.MaxPublishedSpans - 1), day(store.MaxPublishedSpans-2).AddDate(0, 0, 1)} {
				in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: at.Add(10 * time.Hour), CreatedBy: "test"}
				if err := db.CreateIncident(ctx, in); err != nil {
					t.Fatal(err)
				}
				want = append(want, in.ID)
			}
			want = want[:2]
			all := domain.IncidentFilter{PublishedOnly: true}
			last2 := domain.IncidentFilter{PublishedOnly: true, Since: day(store.MaxPublishedSpans - 2)}
			for _, tt := range []struct {
				name    string
				publish string
				f       domain.IncidentFilter
				want    []int64
				errCode string
			}{
				{"at the bound", "", all, want, ""},
				{"past the bound", day(store.MaxPublishedSpans).Format(time.DateOnly), all, nil, domain.EINVALID},
				{"past the bound, narrowed", "", last2, want[1:], ""},
			} {
				t.Run(tt.name, func(t *testing.T) {
					if tt.publish != "" {
						if err := db.PutBulletinDays(ctx, a.ID, []string{tt.publish}); err != nil {
							t.Fatal(err)
						}
					}
					ins, err := db.Incidents(ctx, tt.f)
					if code := domain.ErrorCode(err); code != tt.errCode {
						t.Fatalf("error %v, want code %q", err, tt.errCode)
					}
					var got []int64
					for _, in := range ins {
						got = append(got, in.ID)
					}
					if len(got) != len(tt.want) || (len(got) > 0 && (got[0] != tt.want[0] || got[len(got)-1] != tt.want[len(tt.want)-1])) {
						t.Errorf("got %v, want %v", got, tt.want)
					}
				})
			}
		})
	}
}

// BenchmarkPublishedIncidents reads the first page of 100 and the total of
// 100,000 incidents over a year, of which a bulletin covers every other
// week (26 periods), as an observer (PublishedOnly) and, as the baseline,
// as the desk. TRUCE_TEST_POSTGRES adds PostgreSQL.
func BenchmarkPublishedIncidents(b *testing.B) {
	const n = 100_000
	for _, e := range storetest.BenchEngines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			ctx := context.Background()
			first := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
			a := &domain.Agreement{Slug: "bench", Name: "Bench", TimeZone: "Asia/Damascus", Start: first}
			if err := db.CreateAgreement(ctx, a); err != nil {
				b.Fatal(err)
			}
			var days []string
			for d := range 364 {
				if d/7%2 == 0 {
					days = append(days, first.AddDate(0, 0, d).Format(time.DateOnly))
				}
			}
			if err := db.PutBulletinDays(ctx, a.ID, days); err != nil {
				b.Fatal(err)
			}
			batch := make([]*domain.Incident, 0, 5000)
			for i := range n {
				batch = append(batch, &domain.Incident{SubEventType: domain.SubShelling,
					OccurredAt: first.Add(time.Duration(i) * (364 * 24 * time.Hour / n)), Admin1: "Aleppo",
					Origin: "bench", OriginID: strconv.Itoa(i), CreatedBy: "bench"})
				if len(batch) == cap(batch) {
					if _, err := db.ImportIncidents(ctx, batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			for _, tt := range []struct {
				name string
				f    domain.IncidentFilter
			}{
				{"desk", domain.IncidentFilter{Limit: 100}},
				{"published", domain.IncidentFilter{Limit: 100, PublishedOnly: true}},
				{"desk-month", domain.IncidentFilter{Limit: 100, Since: first.AddDate(0, 6, 0), Until: first.AddDate(0, 7, 0)}},
				{"published-month", domain.IncidentFilter{Limit: 100, PublishedOnly: true, Since: first.AddDate(0, 6, 0), Until: first.AddDate(0, 7, 0)}},
			} {
				b.Run(tt.name, func(b *testing.B) {
					for b.Loop() {
						page, err := db.Incidents(ctx, tt.f)
						if err != nil || len(page) != 100 {
							b.Fatalf("%d incidents, %v", len(page), err)
						}
						if _, err := db.CountIncidents(ctx, tt.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
