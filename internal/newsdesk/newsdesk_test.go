package newsdesk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/store/storetest"
)

var (
	ctx      = context.Background()
	seedDate = time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	// checkTime is the desk's clock in the tests: well after the claims'
	// windows, so every window is over.
	checkTime = time.Date(2016, 3, 31, 12, 0, 0, 0, time.UTC)
)

// engines runs fn on a fresh SQLite store and, when TRUCE_TEST_POSTGRES is
// set, on a fresh PostgreSQL schema, each holding the scenario's agreement
// and parties.
func engines(t *testing.T, fn func(t *testing.T, s domain.Store, ids map[string]int64)) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) domain.Store
	}{
		{"sqlite", func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) }},
		{"postgres", func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) }},
	} {
		t.Run(eng.name, func(t *testing.T) {
			s := eng.open(t)
			fn(t, s, installRegistry(t, s))
		})
	}
}

// installRegistry stores the scenario's agreement and parties, parents
// first, and returns slug → ID.
func installRegistry(tb testing.TB, s domain.Store) map[string]int64 {
	tb.Helper()
	sc, err := scenario.Load()
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.CreateAgreement(ctx, sc.Agreement); err != nil {
		tb.Fatal(err)
	}
	ids := map[string]int64{}
	for pending := sc.Parties; len(pending) > 0; {
		var next []*domain.Party
		for _, p := range pending {
			parent := sc.Parents[p.Slug]
			if parent != "" && ids[parent] == 0 {
				next = append(next, p)
				continue
			}
			p.ParentID = ids[parent]
			if err := s.CreateParty(ctx, p); err != nil {
				tb.Fatal(err)
			}
			ids[p.Slug] = p.ID
		}
		if len(next) == len(pending) {
			tb.Fatal("circular parents")
		}
		pending = next
	}
	return ids
}

func newDesk(s domain.Store) *newsdesk.Desk {
	return &newsdesk.Desk{Store: s, Now: func() time.Time { return checkTime }}
}

func seedArticle(tb testing.TB) *news.Article {
	tb.Helper()
	items := newsdesk.ReadFile("testdata/seed.txt", news.Meta{Date: seedDate, Source: "lidtime.com"})
	if len(items) != 1 || items[0].Err != nil {
		tb.Fatalf("ReadFile(seed) = %+v", items)
	}
	return items[0].Article
}

func damascus(tb testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Damascus")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestSeedEndToEnd(t *testing.T) {
	engines(t, func(t *testing.T, s domain.Store, ids map[string]int64) {
		d := newDesk(s)
		res, err := d.Ingest(ctx, seedArticle(t), "tester")
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created {
			t.Fatalf("first ingest: created = false")
		}
		a, err := s.Article(ctx, res.Article.ID)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("statements", func(t *testing.T) {
			want := map[string]string{ // a phrase of the statement → speaker
				"the one way that we can end this war":      "John Kerry",
				"significantly":                             "Igor Konashenkov",
				"a real step":                               "Vladimir Putin",
				"over two dozen messages":                   "Igor Konashenkov",
				"Russia is not discussing any alternatives": "Mikhail Bogdanov",
				"should also be kept out of the scope":      "Recep Tayyip Erdogan",
			}
			for phrase, speaker := range want {
				st := statementWith(a, phrase)
				if st == nil {
					t.Errorf("no stored statement contains %q", phrase)
					continue
				}
				if st.Speaker.Name != speaker {
					t.Errorf("speaker of %q = %q, want %q", phrase, st.Speaker.Name, speaker)
				}
				if got := a.Text[st.Start:st.End]; got != st.Text {
					t.Errorf("offsets [%d,%d) give %q, want %q", st.Start, st.End, got, st.Text)
				}
				if !st.Date.Equal(seedDate) || st.ArticleID != a.ID {
					t.Errorf("statement %q: date %s article %d, want %s and %d", phrase, st.Date, st.ArticleID, seedDate, a.ID)
				}
			}
			st := statementWith(a, "significantly")
			if st != nil && st.Speaker.PartyID != ids[scenario.SlugRussia] {
				t.Errorf("Konashenkov's party = %d, want %d (%s)", st.Speaker.PartyID, ids[scenario.SlugRussia], scenario.SlugRussia)
			}
			if st := statementWith(a, "should also be kept out of the scope"); st != nil && st.Speaker.PartyID != ids[scenario.SlugTurkey] {
				t.Errorf("Erdogan's party = %d, want %d (%s)", st.Speaker.PartyID, ids[scenario.SlugTurkey], scenario.SlugTurkey)
			}
		})

		t.Run("messages claim", func(t *testing.T) {
			st := statementWith(a, "He added that over two dozen messages have been received")
			if st == nil {
				t.Fatal("no statement for the messages sentence")
			}
			if st.Speaker.Name != "Igor Konashenkov" || st.Speaker.Via != "pronoun" {
				t.Errorf("speaker = %q via %q, want Igor Konashenkov via pronoun", st.Speaker.Name, st.Speaker.Via)
			}
			c := claimOf(a, st.ID, domain.MetricMessages)
			if c == nil {
				t.Fatalf("no messages claim on statement %d", st.ID)
			}
			if c.Direction != domain.DirectionCount || c.Value != 24 || !c.AtLeast || c.Speaker != "Igor Konashenkov" {
				t.Errorf("messages claim = %s %v at least %v by %q, want count 24, at least, by Igor Konashenkov",
					c.Direction, c.Value, c.AtLeast, c.Speaker)
			}
			if c.Check == nil || c.Check.Verdict != domain.VerdictNotTestable {
				t.Errorf("messages check = %+v, want not testable (the desk holds no messages)", c.Check)
			}
		})

		t.Run("airstrike claim", func(t *testing.T) {
			c := strikesClaim(t, a)
			loc := damascus(t)
			want := domain.Claim{Actor: "Russia", ActorPartyID: ids[scenario.SlugRussia], Metric: domain.MetricStrikes,
				WindowStart: time.Date(2016, 2, 22, 0, 0, 0, 0, loc).UTC(), WindowEnd: time.Date(2016, 2, 24, 0, 0, 0, 0, loc).UTC(),
				Direction: domain.DirectionDown, Strength: domain.StrengthSignificant}
			got := c.Claim
			got.Text = ""
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("strikes claim (-want +got):\n%s", diff)
			}
			if c.Check == nil {
				t.Fatal("the strikes claim has no check")
			}
			// The store holds no incidents at all: too few data, said so.
			if c.Check.Verdict != domain.VerdictNotTestable || !strings.Contains(c.Check.Reason, "holds no incidents") {
				t.Errorf("check = %s (%s), want not testable: the desk holds no incidents", c.Check.Verdict, c.Check.Reason)
			}
		})

		t.Run("recheck with incidents", func(t *testing.T) {
			// Baseline 8–21 Feb: 6 Russian air strikes a day; window 22–23 Feb:
			// 1 a day. A significant fall: the claim is supported. Two strikes
			// by someone else in the window do not count.
			loc := damascus(t)
			var n int
			add := func(day time.Time, perp string) {
				n++
				in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: day.Add(time.Duration(n%20) * time.Hour),
					Location: "Al-Waer, Homs", Admin1: "Homs", Perpetrators: []int64{ids[perp]}, CreatedBy: "tester"}
				if err := s.CreateIncident(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			for d := 8; d <= 21; d++ {
				for range 6 {
					add(time.Date(2016, 2, d, 0, 0, 0, 0, loc), scenario.SlugRussia)
				}
			}
			for d := 22; d <= 23; d++ {
				add(time.Date(2016, 2, d, 0, 0, 0, 0, loc), scenario.SlugRussia)
				add(time.Date(2016, 2, d, 0, 0, 0, 0, loc), scenario.SlugSyria)
			}
			add(time.Date(2016, 2, 1, 0, 0, 0, 0, loc), scenario.SlugSyria) // the desk recorded from 1 Feb
			c := strikesClaim(t, a)
			got, err := d.Recheck(ctx, c.ID, "tester")
			if err != nil {
				t.Fatal(err)
			}
			if got.Check.Verdict != domain.VerdictSupported {
				t.Errorf("recheck = %s: %s", got.Check.Verdict, got.Check.Sentence)
			}
			if want := "air strikes attributed to Russia fell from 6 a day to 1 a day"; !strings.Contains(got.Check.Sentence, want) {
				t.Errorf("sentence = %q, want it to contain %q", got.Check.Sentence, want)
			}
			stored, err := s.StoredClaim(ctx, c.ID)
			if err != nil || stored.Check.Verdict != domain.VerdictSupported || len(stored.Check.Detail) == 0 {
				t.Errorf("stored check = %+v, %v; want supported with details", stored.Check, err)
			}

			// The incident on 23 Feb has the claim beside it; one in March does not.
			ins, err := s.Incidents(ctx, domain.IncidentFilter{PartyID: ids[scenario.SlugRussia],
				Since: time.Date(2016, 2, 23, 0, 0, 0, 0, loc), Limit: 1})
			if err != nil || len(ins) != 1 {
				t.Fatalf("incident on 23 Feb: %v, %v", ins, err)
			}
			near, err := d.ForIncident(ctx, ins[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if !hasClaim(near, c.ID) {
				t.Errorf("ForIncident(23 Feb) misses the strikes claim %d: %+v", c.ID, near)
			}
			later := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 3, 20, 9, 0, 0, 0, loc),
				Location: "Talbiseh", Perpetrators: []int64{ids[scenario.SlugRussia]}, CreatedBy: "tester"}
			if err := s.CreateIncident(ctx, later); err != nil {
				t.Fatal(err)
			}
			far, err := d.ForIncident(ctx, later.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(far) != 0 {
				t.Errorf("ForIncident(20 Mar) = %d statements, want none", len(far))
			}
		})

		t.Run("same article again", func(t *testing.T) {
			again, err := d.Ingest(ctx, seedArticle(t), "tester")
			if err != nil {
				t.Fatal(err)
			}
			if again.Created || again.Article.ID != a.ID {
				t.Errorf("second ingest: created %v id %d, want false and %d", again.Created, again.Article.ID, a.ID)
			}
			as, err := s.Articles(ctx, domain.ArticleFilter{})
			if err != nil || len(as) != 1 {
				t.Errorf("articles = %d, %v; want 1", len(as), err)
			}
		})
	})
}

func statementWith(a *domain.Article, phrase string) *domain.Statement {
	for _, st := range a.Statements {
		if strings.Contains(st.Text, phrase) {
			return st
		}
	}
	return nil
}

func claimOf(a *domain.Article, statementID int64, m domain.Metric) *domain.StoredClaim {
	for _, c := range a.Claims {
		if c.StatementID == statementID && c.Metric == m {
			return c
		}
	}
	return nil
}

func strikesClaim(t *testing.T, a *domain.Article) *domain.StoredClaim {
	t.Helper()
	for _, c := range a.Claims {
		if c.Metric == domain.MetricStrikes && strings.Contains(c.Text, "significantly") {
			return c
		}
	}
	t.Fatalf("no strikes claim among %d claims", len(a.Claims))
	return nil
}

func hasClaim(list []*newsdesk.IncidentStatement, id int64) bool {
	for _, is := range list {
		for _, c := range is.Claims {
			if c.ID == id {
				return true
			}
		}
	}
	return false
}

func TestMessagesClaimCountsDeskMessages(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ids := installRegistry(t, s)
	loc := damascus(t)
	// The desk received 5 messages before the claim's baseline began and
	// 30 during 22–23 Feb: at least 24, as claimed.
	var msgs []*domain.Message
	for i := range 5 {
		msgs = append(msgs, storetest.NewMessage("early "+string(rune('a'+i)), time.Date(2016, 2, 1, 10, i, 0, 0, loc)))
	}
	for i := range 30 {
		msgs = append(msgs, storetest.NewMessage("in window "+string(rune('a'+i)), time.Date(2016, 2, 22+i%2, 10, i, 0, 0, loc)))
	}
	var subs []domain.Submission
	for _, m := range msgs {
		subs = append(subs, domain.Submission{Message: m})
	}
	if _, err := s.SubmitMessages(ctx, subs); err != nil {
		t.Fatal(err)
	}
	_ = ids
	res, err := newDesk(s).Ingest(ctx, seedArticle(t), "tester")
	if err != nil {
		t.Fatal(err)
	}
	st := statementWith(res.Article, "over two dozen messages")
	c := claimOf(res.Article, st.ID, domain.MetricMessages)
	if c == nil || c.Check == nil {
		t.Fatalf("messages claim = %+v", c)
	}
	if c.Check.Verdict != domain.VerdictSupported || !strings.Contains(c.Check.Sentence, "numbered 30") {
		t.Errorf("check = %s: %s; want supported, numbered 30", c.Check.Verdict, c.Check.Sentence)
	}
}

func TestResolver(t *testing.T) {
	sc, err := scenario.Load()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range sc.Parties {
		p.ID = int64(i + 1)
	}
	r := newsdesk.NewResolver(sc.Parties)
	tests := []struct{ name, want string }{
		{"Russia", scenario.SlugRussia},
		{"Moscow", scenario.SlugRussia},
		{"russian armed forces", scenario.SlugRussia},
		{"ВКС России", scenario.SlugRussia},
		{"Syrian government", scenario.SlugSyria},
		{"Syrian Democratic Forces", scenario.SlugSDF},
		{"Syrian Observatory for Human Rights", ""},
		{"Islamic State", scenario.SlugISIL},
		{"IŞİD", scenario.SlugISIL},
		{"داعش", scenario.SlugISIL},
		{"Jabhat al Nusra", scenario.SlugNusra},
		{"US-led coalition", scenario.SlugCoalition},
		{"Turkey", scenario.SlugTurkey},
		{"United States", scenario.SlugUS},
		{"rebels", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := r.Resolve(tt.name)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Resolve(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
			}
		})
	}
}

// TestReadBadInputs feeds the reader what a batch meets in the wild: every
// bad input is one failed item with a clear error, and the good ones after
// it are read.
func TestReadBadInputs(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	enormous := bytes.Repeat([]byte("<p>Shelling was reported again near the market today.</p>\n"), news.MaxInputBytes/50)
	tests := []struct {
		name    string
		input   []byte
		wantErr []string // per item: a phrase of its error, "" for success
	}{
		{"empty.txt", nil, []string{"input is empty"}},
		{"blank.html", []byte(" \n\t\n"), []string{"input is empty"}},
		{"binary.txt", []byte("PK\x03\x04\x00\x00garbage\x00"), []string{"binary"}},
		{"binary.jsonl", []byte("{\x00\x01\x02}"), []string{"binary"}},
		{"latin1.txt", []byte("Caf\xe9 \xe9t\xe9 \xe0 Alep: \xab bombardements \xbb \xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9"), []string{"not UTF-8"}},
		{"broken.html", []byte("<html><body><div><p>Russian warplanes struck Talbiseh, the monitor said.<p>More <b>unclosed"), []string{""}},
		{"enormous.html", enormous, []string{"limit"}},
		{"mixed.txt", []byte("Airstrikes hit Talbiseh (تلبيسة), the Observatory said. «ВКС» denied it, Konashenkov said."), []string{""}},
		{"seed", seed, []string{""}},
		{"batch.jsonl", []byte(`{"title":"One","text":"Russia said strikes fell, Konashenkov said.","date":"2016-02-24"}
this is not JSON
{"title":"No text"}
{"title":"Bad date","text":"x y z said Kerry.","date":"yesterday"}

{"title":"Two","text":"Turkey said the YPG attacked, Erdogan said.","date":"2/26/2016"}
`), []string{"", "not a JSON object", "text: is required", "not a date", ""}},
		{"empty.jsonl", []byte("\n\n"), []string{"no articles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := newsdesk.Read(tt.name, bytes.NewReader(tt.input), news.Meta{Date: seedDate})
			var got []string
			for _, it := range items {
				switch {
				case it.Err == nil && it.Article == nil:
					got = append(got, "neither article nor error")
				case it.Err == nil:
					got = append(got, "")
				default:
					got = append(got, it.Err.Error())
				}
			}
			if len(got) != len(tt.wantErr) {
				t.Fatalf("items = %q, want %d", got, len(tt.wantErr))
			}
			for i := range got {
				if tt.wantErr[i] == "" && got[i] != "" || !strings.Contains(got[i], tt.wantErr[i]) {
					t.Errorf("item %d (%s): error %q, want %q", i, items[i].Name, got[i], tt.wantErr[i])
				}
			}
		})
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		name, head string
		want       newsdesk.Format
	}{
		{"a.txt", "<html>", newsdesk.FormatText},
		{"a.HTM", "plain", newsdesk.FormatHTML},
		{"a.jsonl", "x", newsdesk.FormatJSONL},
		{"noext", "\ufeff  {\"text\":1}", newsdesk.FormatJSONL},
		{"page.php", "\n<!DOCTYPE html>", newsdesk.FormatHTML},
		{"README", "Russia said", newsdesk.FormatText},
	}
	for _, tt := range tests {
		if got := newsdesk.FormatOf(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("FormatOf(%q, %q) = %s, want %s", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestContentHash(t *testing.T) {
	if newsdesk.ContentHash("a  b\nc") != newsdesk.ContentHash("a b c") {
		t.Errorf("white space changes the hash")
	}
	if newsdesk.ContentHash("a b c") == newsdesk.ContentHash("a b d") {
		t.Errorf("different texts share a hash")
	}
}

// TestUntestableClaimGetsVDCContext: the desk holds no incidents for the
// Russian ministry's claim, so it is not testable; the VDC's published daily
// deaths over the same days are quoted beside it as context, and only when
// they cover the window and its baseline.
func TestUntestableClaimGetsVDCContext(t *testing.T) {
	for _, tc := range []struct {
		name      string
		from, to  int // days of February with VDC figures
		wantRatio float64
	}{
		{"series covers the window and baseline", 1, 29, 0.25},
		{"series misses the baseline", 15, 29, 0},
		{"no series", 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.OpenSQLite(t)
			installRegistry(t, s)
			var counts []domain.DailyCount
			for d := tc.from; d > 0 && d <= tc.to; d++ {
				v := 40.0 // 40 a day in the baseline, 10 a day on 22–23 Feb
				if d == 22 || d == 23 {
					v = 10
				}
				counts = append(counts, domain.DailyCount{Series: "vdc-deaths", Day: fmt.Sprintf("2016-02-%02d", d), Value: v},
					domain.DailyCount{Series: "vdc-deaths", Region: "Aleppo", Day: fmt.Sprintf("2016-02-%02d", d), Value: v / 2})
			}
			if len(counts) > 0 {
				if err := s.PutDailyCounts(ctx, counts); err != nil {
					t.Fatal(err)
				}
			}
			res, err := newDesk(s).Ingest(ctx, seedArticle(t), "tester")
			if err != nil {
				t.Fatal(err)
			}
			st := statementWith(res.Article, "significantly")
			c := claimOf(res.Article, st.ID, domain.MetricStrikes)
			if c == nil || c.Check == nil {
				t.Fatalf("strikes claim = %+v", c)
			}
			if c.Check.Verdict != domain.VerdictNotTestable {
				t.Errorf("verdict %s, want not testable: VDC figures are context, never the verdict", c.Check.Verdict)
			}
			var detail struct {
				Context *struct {
					Series string
					Check  struct{ Test struct{ Ratio float64 } }
				}
			}
			if len(c.Check.Detail) > 0 {
				if err := json.Unmarshal(c.Check.Detail, &detail); err != nil {
					t.Fatal(err)
				}
			}
			quoted := strings.Contains(c.Check.Sentence, "For context, the Violations Documentation Center recorded 20 deaths")
			if tc.wantRatio == 0 {
				if quoted || detail.Context != nil {
					t.Errorf("context without a covering series: %s", c.Check.Sentence)
				}
				return
			}
			if !quoted || detail.Context == nil || math.Abs(detail.Context.Check.Test.Ratio-tc.wantRatio) > 1e-9 {
				t.Errorf("sentence %q, context %+v; want 20 deaths quoted and ratio %v", c.Check.Sentence, detail.Context, tc.wantRatio)
			}
		})
	}
}
