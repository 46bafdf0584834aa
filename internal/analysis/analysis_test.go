package analysis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

var ctx = context.Background()

func setup(t *testing.T, at ...time.Time) *analysis.Analyzer {
	t.Helper()
	return setupOn(t, storetest.OpenSQLite(t), at...)
}

func setupOn(t *testing.T, db *store.DB, at ...time.Time) *analysis.Analyzer {
	t.Helper()
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubAirStrike}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	ru := &domain.Party{Slug: "ru-af", Name: "Russian Armed Forces", Kind: domain.KindState,
		Aliases: []domain.Alias{{Name: "Вооружённые силы России", Lang: "ru"}}} // "Russia" reaches it as its country
	if err := db.CreateParty(ctx, ru); err != nil {
		t.Fatal(err)
	}
	for _, ts := range at {
		in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: ts, Perpetrators: []int64{ru.ID},
			Admin1: "Aleppo", Fatalities: domain.Fatalities{Best: 2, Low: 1, High: 3}, CreatedBy: "test"}
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	an, err := analysis.New(ctx, db, "", func() time.Time { return time.Date(2016, 4, 1, 12, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	return an
}

// Damascus moved to UTC+3 at local midnight on 25 March 2016: an incident
// at 21:30 UTC on the 25th is 00:30 on the 26th there, though a fixed
// UTC+2 would put it on the 25th.
func TestDailyAcrossDST(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testDailyAcrossDST(t, e.Open(t)) })
	}
}

func testDailyAcrossDST(t *testing.T, db *store.DB) {
	an := setupOn(t, db,
		time.Date(2016, 3, 24, 21, 30, 0, 0, time.UTC), // 23:30 on the 24th, UTC+2
		time.Date(2016, 3, 25, 21, 30, 0, 0, time.UTC), // 00:30 on the 26th, UTC+3
	)
	w := stats.Window{From: stats.DayFromDate(2016, 3, 24), To: stats.DayFromDate(2016, 3, 27)}
	for _, by := range []stats.Key{stats.KeyNone, stats.KeyPerpetrator, stats.KeyAdmin1, stats.KeyType} {
		t.Run("by "+string(by), func(t *testing.T) {
			series, err := an.Daily(ctx, analysis.Query{Window: w, By: by})
			if err != nil {
				t.Fatal(err)
			}
			if len(series) != 1 {
				t.Fatalf("got %d series, want 1", len(series))
			}
			if diff := cmp.Diff([]int64{1, 0, 1}, series[0].Counts); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]float64{2, 0, 2}, series[0].Sums); diff != "" {
				t.Errorf("sums (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	an := setup(t, time.Date(2016, 3, 1, 10, 0, 0, 0, time.UTC))
	if err := an.Store.PutRegions(ctx, []*domain.Region{{PCode: "SY02", Level: 1, Name: "Aleppo",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[36,36],[38,36],[38,37],[36,37],[36,36]]]}`)}}); err != nil {
		t.Fatal(err)
	}
	day := stats.DayFromDate
	march := stats.Window{From: day(2016, 3, 1), To: day(2016, 3, 3)}
	tests := []struct {
		name string
		err  error
		// what the message must name
		contains string
	}{
		{"future window", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: stats.Window{From: day(2016, 3, 30), To: day(2016, 4, 10)}})
			return err
		}(), "reaches past today (2016-04-01)"},
		{"empty window", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: stats.Window{From: day(2016, 3, 3), To: day(2016, 3, 3)}})
			return err
		}(), "has no days"},
		{"no events to compare", func() error {
			_, err := an.Compare(ctx, analysis.Query{}, analysis.MetricIncidents, day(2016, 2, 1), 2, 14)
			return err
		}(), "no events in either window"},
		{"unknown VDC region", func() error {
			_, err := an.VDC(ctx, "Atlantis", stats.Window{From: day(2016, 3, 1), To: day(2016, 3, 2)})
			return err
		}(), "the VDC series has no figures for 2016-03-01"},
		{"by verdict without verdicts", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: march, By: stats.KeyVerdict})
			return err
		}(), "no compliance verdicts are stored"},
		{"bad days", func() error { _, err := analysis.ParseDays("window", "2 weeks"); return err }(), `"2 weeks" is not a number of days`},
		{"unknown party", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: march, Filter: domain.IncidentFilter{PartyID: 999}})
			return err
		}(), "no party has the ID 999"},
		{"unknown governorate", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: march, Filter: domain.IncidentFilter{Admin1: "Atlantis"}})
			return err
		}(), `no governorate is called "Atlantis" and no incident in 2016-03-01 to 2016-03-02 (Asia/Damascus) names it: the governorates are Aleppo`},
		{"unknown type", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: march, Filter: domain.IncidentFilter{SubEventType: "Airstrike"}})
			return err
		}(), `"Airstrike" is not an ACLED sub-event type`},
		{"unknown verdict", func() error {
			_, err := an.Records(ctx, analysis.Query{Window: march, Verdict: "guilty"}, "", 0)
			return err
		}(), `unknown verdict "guilty"`},
		{"changepoints over no data", func() error {
			_, err := an.Changepoints(ctx, analysis.Query{Window: stats.Window{From: day(2016, 1, 1), To: day(2016, 2, 1)}},
				analysis.MetricIncidents, stats.ChangeOptions{})
			return err
		}(), "there are no incidents in 2016-01-01 to 2016-01-31 (Asia/Damascus)"},
		{"records of a key without by", func() error {
			_, err := an.Records(ctx, analysis.Query{Window: march}, "Aleppo", 0)
			return err
		}(), "needs by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ErrorCode(tt.err); got != domain.EINVALID && got != domain.ENOTFOUND {
				t.Fatalf("got %v, want a user error", tt.err)
			}
			if !strings.Contains(domain.ErrorMessage(tt.err), tt.contains) {
				t.Errorf("got %q, want it to say %q", domain.ErrorMessage(tt.err), tt.contains)
			}
		})
	}
	// A governorate that is known but quiet is a real zero, not an error.
	series, err := an.Daily(ctx, analysis.Query{Window: stats.Window{From: day(2016, 3, 2), To: day(2016, 3, 3)}, Filter: domain.IncidentFilter{Admin1: "Aleppo"}})
	if err != nil || series[0].Counts[0] != 0 {
		t.Errorf("quiet governorate: got %v, %v; want one zero", series, err)
	}
}

// TestRecordsMatchDaily checks, on both engines, that the list of records
// behind every figure of a series holds as many incidents as the figure,
// with the same deaths: the figure comes from the database's grouping, the
// list from streaming incidents, and a bulletin links one to the other.
// The incidents straddle local midnights and Damascus's change to UTC+3
// on 25 March 2016, and two have two perpetrators.
func TestRecordsMatchDaily(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			var at []time.Time
			for i := range 40 {
				// Every 5h17m from 21:30 UTC on 22 March: hits every hour of
				// the day over the week around the clock change.
				at = append(at, time.Date(2016, 3, 22, 21, 30, 0, 0, time.UTC).Add(time.Duration(i)*(5*time.Hour+17*time.Minute)))
			}
			an := setupOn(t, e.Open(t), at...)
			sy := &domain.Party{Slug: "sy-gov", Name: "Syrian government forces", Kind: domain.KindState}
			if err := an.Store.CreateParty(ctx, sy); err != nil {
				t.Fatal(err)
			}
			for i, ts := range []time.Time{time.Date(2016, 3, 24, 22, 15, 0, 0, time.UTC), time.Date(2016, 3, 25, 21, 45, 0, 0, time.UTC)} {
				in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: ts, Perpetrators: []int64{an.Party("ru-af").ID, sy.ID},
					Admin1: "Hama", Fatalities: domain.Fatalities{Best: i + 5, Low: 1, High: 9}, CreatedBy: "test"}
				if err := an.Store.CreateIncident(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			an, err := analysis.New(ctx, an.Store, "", an.Now)
			if err != nil {
				t.Fatal(err)
			}
			w := stats.Window{From: stats.DayFromDate(2016, 3, 22), To: stats.DayFromDate(2016, 4, 1)}
			total := int64(0)
			for _, by := range []stats.Key{stats.KeyNone, stats.KeyPerpetrator, stats.KeyAdmin1, stats.KeyType} {
				series, err := an.Daily(ctx, analysis.Query{Window: w, By: by})
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range series {
					for i := range s.Counts {
						d := w.From + stats.Day(i)
						recs, err := an.Records(ctx, analysis.Query{Window: stats.Window{From: d, To: d + 1}, By: by}, s.Key, 0)
						if err != nil {
							t.Fatal(err)
						}
						if recs.Count != s.Counts[i] || recs.Fatalities != int64(s.Sums[i]) || int64(len(recs.Records)) != recs.Count {
							t.Errorf("by %q, %q, %s: series %d (%v deaths), records %d (%d deaths, %d listed)",
								by, s.Key, d, s.Counts[i], s.Sums[i], recs.Count, recs.Fatalities, len(recs.Records))
						}
						for _, r := range recs.Records {
							if r.Day != d || stats.DayOf(r.OccurredAt, an.Loc) != d {
								t.Errorf("record %d at %s is listed on %s", r.ID, r.OccurredAt, d)
							}
						}
						if by == stats.KeyNone {
							total += recs.Count
						}
					}
				}
			}
			if total != 42 {
				t.Errorf("all records: got %d, want the 42 stored", total)
			}
		})
	}
}

func TestCheckClaimResolvesAlias(t *testing.T) {
	var at []time.Time
	for d := 1; d <= 14; d++ { // three strikes a day before, none after
		for h := 0; h < 3; h++ {
			at = append(at, time.Date(2016, 2, d, 8+h, 0, 0, 0, time.UTC))
		}
	}
	an := setup(t, at...)
	claim := func(actor string) domain.Claim {
		return domain.Claim{Actor: actor, Metric: domain.MetricStrikes, Direction: domain.DirectionDown,
			Strength:    domain.StrengthSignificant,
			WindowStart: stats.DayFromDate(2016, 2, 15).In(an.Loc), WindowEnd: stats.DayFromDate(2016, 2, 17).In(an.Loc)}
	}
	tests := []struct {
		actor string
		want  stats.Verdict
	}{
		{"Russia", stats.Supported},
		{"Moscow", stats.Supported},
		{"ru-af", stats.Supported},
		{"Вооружённые силы России", stats.Supported},
		{"Atlantis Navy", stats.NotTestable},
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			cc, err := an.CheckClaim(ctx, claim(tt.actor))
			if err != nil {
				t.Fatal(err)
			}
			if cc.Verdict != tt.want {
				t.Errorf("got %s (%s), want %s", cc.Verdict, cc.Sentence, tt.want)
			}
		})
	}
	future := claim("Russia")
	future.WindowStart, future.WindowEnd = time.Date(2016, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 5, 3, 0, 0, 0, 0, time.UTC)
	cc, err := an.CheckClaim(ctx, future)
	if err != nil || cc.Verdict != stats.NotTestable {
		t.Errorf("future window: got %v, %v; want not testable", cc, err)
	}
}
