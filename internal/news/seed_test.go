package news

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trucedesk/truce/internal/domain"
)

var seedDate = time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)

func mustSeed(tb testing.TB) (*Article, *Analysis) {
	tb.Helper()
	raw, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ParseText(raw, Meta{Date: seedDate, Source: "lidtime.com"})
	if err != nil {
		tb.Fatalf("ParseText(seed) error: %v", err)
	}
	an := &Analyzer{Parties: mapResolver{"Russia": "ru-af", "Turkey": "tr", "United States": "us"}}
	return a, an.Analyze(a)
}

type mapResolver map[string]string

func (m mapResolver) Resolve(name string) (string, bool) { s, ok := m[name]; return s, ok }

func TestSeedCleaning(t *testing.T) {
	a, _ := mustSeed(t)
	if want := "Russian Federation says significantly decreased intensity of Syria bombings in past two days"; a.Title != want {
		t.Errorf("Title = %q, want %q", a.Title, want)
	}
	for _, gone := range []string{"Share", "Advertisement", "France urges Syria ceasefire be promptly respected"} {
		for _, line := range strings.Split(a.Text, "\n") {
			if strings.TrimSpace(line) == gone {
				t.Errorf("cleaned text still has the line %q", gone)
			}
		}
	}
	if strings.Contains(a.Text, "France urges") {
		t.Errorf("cleaned text keeps the related headline")
	}
	if !strings.HasPrefix(a.Text, "United Nations diplomats") {
		t.Errorf("cleaned text starts %q, want the first paragraph", a.Text[:40])
	}
}

func TestSeedStatements(t *testing.T) {
	a, res := mustSeed(t)
	want := map[string]string{ // a phrase of the statement → speaker
		"the one way that we can end this war":         "John Kerry",
		"significantly":                                "Igor Konashenkov",
		"a real step":                                  "Vladimir Putin",
		"are continuing to target jihadists":           "Russia",
		"We are preparing for":                         "Russia",
		"Konashenkov urged":                            "Igor Konashenkov",
		"over two dozen messages":                      "Igor Konashenkov",
		"Russia is not discussing any alternatives":    "Mikhail Bogdanov",
		"should also be kept out of the scope":         "Recep Tayyip Erdogan",
		"both Moscow and Damascus have been attacking": "Turkey",
	}
	for phrase, speaker := range want {
		t.Run(phrase, func(t *testing.T) {
			for _, st := range res.Statements {
				if !strings.Contains(st.Text, phrase) {
					continue
				}
				if st.Speaker.Name != speaker {
					t.Errorf("speaker of %q = %q (%s), want %q", phrase, st.Speaker.Name, st.Speaker.Via, speaker)
				}
				if got := a.Text[st.Start:st.End]; got != st.Text {
					t.Errorf("offsets [%d,%d) give %q, want %q", st.Start, st.End, got, st.Text)
				}
				return
			}
			t.Errorf("no statement contains %q", phrase)
		})
	}
	for _, st := range res.Statements {
		if st.Speaker.Name == "Igor Konashenkov" {
			if st.Speaker.Country != "Russia" || st.Speaker.Org != "Defense Ministry" || st.Speaker.Party != "ru-af" {
				t.Errorf("Konashenkov: country %q org %q party %q, want Russia, Defense Ministry, ru-af",
					st.Speaker.Country, st.Speaker.Org, st.Speaker.Party)
			}
		}
	}
}

func TestSeedClaims(t *testing.T) {
	_, res := mustSeed(t)
	find := func(m domain.Metric) *Claim {
		for i := range res.Claims {
			if res.Claims[i].Metric == m {
				return &res.Claims[i]
			}
		}
		return nil
	}
	strikes := find(domain.MetricStrikes)
	if strikes == nil {
		t.Fatalf("no strikes claim in %+v", res.Claims)
	}
	want := domain.Claim{Actor: "Russia", Metric: domain.MetricStrikes,
		WindowStart: seedDate.AddDate(0, 0, -2), WindowEnd: seedDate,
		Direction: domain.DirectionDown, Strength: domain.StrengthSignificant}
	got := strikes.Claim
	got.Text = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("strikes claim mismatch (-want +got):\n%s", diff)
	}
	if strikes.Speaker != "Igor Konashenkov" || strikes.ActorParty != "ru-af" {
		t.Errorf("strikes claim speaker %q party %q, want Igor Konashenkov, ru-af", strikes.Speaker, strikes.ActorParty)
	}
	msgs := find(domain.MetricMessages)
	if msgs == nil {
		t.Fatalf("no messages claim in %+v", res.Claims)
	}
	if msgs.Direction != domain.DirectionCount || msgs.Value != 24 || !msgs.AtLeast || msgs.Speaker != "Igor Konashenkov" {
		t.Errorf("messages claim = %s %v at least %v by %q, want count 24 at least true by Igor Konashenkov",
			msgs.Direction, msgs.Value, msgs.AtLeast, msgs.Speaker)
	}
	if !msgs.WindowStart.Equal(seedDate.AddDate(0, 0, -2)) {
		t.Errorf("messages window starts %s, want 2016-02-22", msgs.WindowStart.Format(time.DateOnly))
	}
}
