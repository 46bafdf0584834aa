package newsdesk_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
	"github.com/trucedesk/truce/internal/scenario"
)

// TestForIncidentByGazetteerAndDay ties real FA-KES sentences about the
// Khan Shaykhun attack of 4 April 2017 to incidents there: through the
// gazetteer, whatever the spelling; not when the sentence names other
// days; and not a party's statement about another governorate.
func TestForIncidentByGazetteerAndDay(t *testing.T) {
	engines(t, func(t *testing.T, s domain.Store, ids map[string]int64) {
		sc, err := scenario.Load()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutPlaces(ctx, sc.Places); err != nil {
			t.Fatal(err)
		}
		var khan *domain.Place
		for _, p := range sc.Places {
			if p.Name == "Khān Shaykhūn" {
				khan = p
			}
		}
		if khan == nil {
			t.Fatal("no Khān Shaykhūn in the scenario's gazetteer")
		}
		loc := damascus(t)
		incident := func(day int) *domain.Incident {
			pt := khan.Point
			in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2017, 4, day, 6, 30, 0, 0, loc),
				Location: "Khan Shaykhun", Admin1: "Idleb", Point: &pt, GeoPrecision: domain.GeoExact,
				Perpetrators: []int64{ids[scenario.SlugSyria]}, CreatedBy: "tester"}
			if err := s.CreateIncident(ctx, in); err != nil {
				t.Fatal(err)
			}
			return in
		}
		attack, later := incident(4), incident(8)

		d := newDesk(s)
		ingest := func(date time.Time, text string) {
			t.Helper()
			if _, err := d.Ingest(ctx, &news.Article{Title: "t", Text: text, Date: date}, "tester"); err != nil {
				t.Fatal(err)
			}
		}
		// 1918150030 and 1919191759, both of 4 April 2017.
		ingest(time.Date(2017, 4, 4, 0, 0, 0, 0, time.UTC),
			"The Syrian Coalition an opposition group based outside the country said regime planes carried out the airstrike on Khan Sheikhoun south of the city of Idlib the provincial capital. "+
				"\"Planes of the Russian air force have not carried out any strikes near Khan Shaykhun of Idlib province\" said a statement by the Russias defence ministry.")
		// 1923848278: the Syrian army on Aleppo, in a report of Wednesday 5 April.
		ingest(time.Date(2017, 4, 5, 0, 0, 0, 0, time.UTC),
			"Syrias army said in a statement on Monday that the Nusra Front and what it called other terrorist groups had killed 84 people mostly women and children in Aleppo during the past three days in a bombardment that included chemical weapons and rocket fire.")
		// 1923102968: Friday and Saturday, in a report of Monday 10 April.
		ingest(time.Date(2017, 4, 10, 0, 0, 0, 0, time.UTC),
			"The Observatory said that on Friday and Saturday at least 13 civilians died in air strikes suspected to be carried out by the regime around Khan Sheikhoun the site of the regimes deadly chemical attack in April.")

		for _, tc := range []struct {
			in   *domain.Incident
			want map[string]string // a phrase of each statement beside it → a phrase of its why
		}{
			{attack, map[string]string{
				"The Syrian Coalition":            "names Khān Shaykhūn, 0 km away",
				"Planes of the Russian air force": "names Khan Shaykhun",
			}},
			{later, map[string]string{
				"on Friday and Saturday": "names Khān Shaykhūn, 0 km away",
			}},
		} {
			list, err := d.ForIncident(ctx, tc.in.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, is := range list {
				if is.Statement != nil {
					got[is.Statement.Text] = is.Why
				}
			}
			for phrase, why := range tc.want {
				found := false
				for text, whys := range got {
					if strings.Contains(text, phrase) {
						found = true
						if !slices.ContainsFunc(whys, func(w string) bool { return strings.Contains(w, why) }) {
							t.Errorf("incident of %s: %q is there for %q, want %q", tc.in.OccurredAt.Format(time.DateOnly), phrase, whys, why)
						}
						delete(got, text)
					}
				}
				if !found {
					t.Errorf("incident of %s: no statement with %q beside it", tc.in.OccurredAt.Format(time.DateOnly), phrase)
				}
			}
			for text, whys := range got {
				t.Errorf("incident of %s: %q is beside it (%q), want it not", tc.in.OccurredAt.Format(time.DateOnly), text, whys)
			}
		}
	})
}

// The gazetteer is what ties "Khan Sheikhoun" to a place: without places
// in the store only the word rule is left.
func TestGazetteerNil(t *testing.T) {
	if g := newsdesk.NewGazetteer(nil); g != nil {
		t.Errorf("NewGazetteer(nil) = %v, want nil", g)
	}
	var g *newsdesk.Gazetteer
	if _, ok := g.ResolvePlace("Aleppo", false); ok {
		t.Error("a nil gazetteer resolved Aleppo")
	}
}

// TestGazetteerSpellings finds places in real sentences, and in Arabic
// ones, through the scenario's gazetteer: transliteration variants of one
// place land on it.
func TestGazetteerSpellings(t *testing.T) {
	sc, err := scenario.Load()
	if err != nil {
		t.Fatal(err)
	}
	gaz := newsdesk.NewGazetteer(sc.Places)
	for _, tc := range []struct {
		src, text, want string
	}{
		{"seed line 21", "started its work at the Khmeimin airbase near Latakia, on Tuesday", "Hmeimim Air Base"},
		{"variant", "the Russian command at Hmeimim said", "Hmeimim Air Base"},
		{"variant", "the Russian command at Khmeimim said", "Hmeimim Air Base"},
		{"variant", "the Russian command at Humaymim said", "Hmeimim Air Base"},
		{"Arabic", "وصلت الطائرات إلى قاعدة حميميم", "Hmeimim Air Base"},
		{"1923848146", "The air strikes on the town of Khan Sheikhoun in the south", "Khān Shaykhūn"},
		{"1962495675", "ISIS positions in the city of Manbij in Aleppo Province", "Manbij"},
		{"Arabic", "سقطت قذائف على مدينة منبج", "Manbij"},
	} {
		t.Run(tc.src+" "+tc.text, func(t *testing.T) {
			ps := news.FindPlaces(tc.text, gaz)
			if len(ps) == 0 || ps[0].Place.Name != tc.want {
				var got []string
				for _, p := range ps {
					got = append(got, p.Text+"→"+p.Place.Name)
				}
				t.Errorf("FindPlaces = %q, want %s first", got, tc.want)
			}
		})
	}
}
