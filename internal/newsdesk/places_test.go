package newsdesk_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/formats"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
	"github.com/trucedesk/truce/internal/scenario"
)

// TestLabelledPlacesAndDates measures, on 30 FA-KES articles labelled by
// hand (testdata/PLACES.md), how the places the gazetteer finds in them
// compare with the Syrian places a reader finds, and how many of the
// time expressions resolve to the right days. It prints the figures and
// fails when they fall below what they were when the set was labelled.
func TestLabelledPlacesAndDates(t *testing.T) {
	sc, err := scenario.Load()
	if err != nil {
		t.Fatal(err)
	}
	gaz := newsdesk.NewGazetteer(sc.Places)
	texts := map[string]*news.Article{}
	for _, line := range readLines(t, "testdata/fakes_places.jsonl") {
		var r struct{ ID, Title, Text string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		a, err := news.ParseText([]byte(r.Text), news.Meta{Title: r.Title})
		if err != nil {
			t.Fatalf("article %s: %v", r.ID, err)
		}
		texts[r.ID] = a
	}
	key := func(name, admin1 string) string {
		g, _ := formats.Governorate(admin1)
		return geo.Fold(name) + "|" + g
	}
	var found, right, labelled, times, timesRight int
	for _, line := range readLines(t, "testdata/places_labelled.jsonl") {
		var l struct {
			ID, Date string
			Places   []struct{ Name, Admin1 string }
			Times    []struct{ Text, Start, End string }
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		a := texts[l.ID]
		if a == nil {
			t.Fatalf("no text for labelled article %s", l.ID)
		}
		want := map[string]bool{}
		for _, p := range l.Places {
			want[key(p.Name, p.Admin1)] = true
		}
		labelled += len(want)
		got := map[string]bool{}
		for _, p := range news.FindPlaces(a.Text, gaz) {
			got[key(p.Text, p.Place.Admin1)] = true
		}
		for k := range got {
			found++
			if want[k] {
				right++
			} else {
				t.Logf("%s: %s is not a place of the labels", l.ID, k)
			}
		}
		ref, err := time.Parse(time.DateOnly, l.Date)
		if err != nil {
			t.Fatal(err)
		}
		refs := news.ResolveTimes(a.Text, ref)
		used := make([]bool, len(refs))
		for _, w := range l.Times {
			times++
			for i, r := range refs {
				if used[i] || !strings.EqualFold(r.Text, w.Text) {
					continue
				}
				used[i] = true
				if r.Start.Format(time.DateOnly) == w.Start && r.End.Format(time.DateOnly) == w.End {
					timesRight++
				} else {
					t.Logf("%s: %q = [%s, %s), want [%s, %s)", l.ID, r.Text, r.Start.Format(time.DateOnly), r.End.Format(time.DateOnly), w.Start, w.End)
				}
				break
			}
		}
	}
	p, r := float64(right)/float64(found), float64(right)/float64(labelled)
	acc := float64(timesRight) / float64(times)
	t.Logf("places: %d found, %d right, %d labelled: precision %.2f recall %.2f", found, right, labelled, p, r)
	t.Logf("dates: %d of %d labelled expressions resolved to the right days: accuracy %.2f", timesRight, times, acc)
	if p < 0.9 || r < 0.4 || acc < 0.95 {
		t.Errorf("below the figures measured when labelled (places P ≥ 0.90, R ≥ 0.40; dates ≥ 0.95)")
	}
}

func readLines(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var out []string
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
