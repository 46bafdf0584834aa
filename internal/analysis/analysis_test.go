package analysis_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
	"github.com/trucedesk/truce/internal/store/storetest"
)

var ctx = context.Background()

func setup(t *testing.T, at ...time.Time) *analysis.Analyzer {
	t.Helper()
	db := storetest.OpenSQLite(t)
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubAirStrike}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	ru := &domain.Party{Slug: "ru-af", Name: "Russian Armed Forces", Kind: domain.KindState,
		Aliases: []domain.Alias{{Name: "Russia", Lang: "en"}, {Name: "Вооружённые силы России", Lang: "ru"}}}
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
	an := setup(t,
		time.Date(2016, 3, 24, 21, 30, 0, 0, time.UTC), // 23:30 on the 24th, UTC+2
		time.Date(2016, 3, 25, 21, 30, 0, 0, time.UTC), // 00:30 on the 26th, UTC+3
	)
	w := stats.Window{From: stats.DayFromDate(2016, 3, 24), To: stats.DayFromDate(2016, 3, 27)}
	for _, by := range []stats.Key{stats.KeyNone, stats.KeyPerpetrator, stats.KeyAdmin1, stats.KeyType} {
		t.Run(string(by), func(t *testing.T) {
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
	an := setup(t)
	day := stats.DayFromDate
	tests := []struct {
		name string
		err  error
	}{
		{"future window", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: stats.Window{From: day(2016, 3, 30), To: day(2016, 4, 10)}})
			return err
		}()},
		{"empty window", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: stats.Window{From: day(2016, 3, 3), To: day(2016, 3, 3)}})
			return err
		}()},
		{"no events to compare", func() error {
			_, err := an.Compare(ctx, analysis.Query{}, analysis.MetricIncidents, day(2016, 3, 1), 2, 14)
			return err
		}()},
		{"unknown region", func() error {
			_, err := an.VDC(ctx, "Atlantis", stats.Window{From: day(2016, 3, 1), To: day(2016, 3, 2)})
			return err
		}()},
		{"by verdict without verdicts", func() error {
			_, err := an.Daily(ctx, analysis.Query{Window: stats.Window{From: day(2016, 3, 1), To: day(2016, 3, 2)}, By: stats.KeyVerdict})
			return err
		}()},
		{"bad days", func() error { _, err := analysis.ParseDays("window", "2 weeks"); return err }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ErrorCode(tt.err); got != domain.EINVALID && got != domain.ENOTFOUND {
				t.Errorf("got %v, want a user error", tt.err)
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
