package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trucedesk/truce/internal/domain"
)

// RunStatements runs the contract of the statements store (articles,
// statements and claims); open returns a fresh, empty, migrated store.
func RunStatements(t *testing.T, open func(testing.TB) domain.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, domain.Store)
	}{
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"ArticleOnce", testArticleOnce},
		{"ArticleInvalid", testArticleInvalid},
		{"StatementFilters", testStatementFilters},
		{"ClaimFilters", testClaimFilters},
		{"ClaimCheck", testClaimCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// NewArticle returns a valid article over text with one statement (the first
// sentence, by speaker, of party partyID) and one claim in it.
func NewArticle(text, speaker string, partyID int64, date time.Time) *domain.Article {
	h := sha256.Sum256([]byte(text))
	end := strings.IndexByte(text, '.') + 1
	if end <= 0 {
		end = len(text)
	}
	return &domain.Article{
		Title: "Title of " + speaker, Text: text, Date: date, Source: "test", URL: "https://example.org/a",
		ContentHash: hex.EncodeToString(h[:]), IngestedBy: "tester",
		Statements: []*domain.Statement{{
			Span: domain.Span{Start: 0, End: end}, Text: text[:end], Verb: "said",
			Quotes:  []domain.Span{{Start: 1, End: 3}},
			Speaker: domain.Speaker{Name: speaker, Kind: "person", Country: "Russia", Via: "named", PartyID: partyID},
		}},
		Claims: []*domain.StoredClaim{{
			Statement: 0, Span: domain.Span{Start: 0, End: end}, Speaker: speaker,
			Claim: domain.Claim{Actor: "Russia", ActorPartyID: partyID, Metric: domain.MetricStrikes,
				WindowStart: date.AddDate(0, 0, -2), WindowEnd: date, Direction: domain.DirectionDown,
				Strength: domain.StrengthSignificant, Text: text[:end]},
		}},
	}
}

func party(t *testing.T, s domain.Store, slug string) int64 {
	t.Helper()
	p := &domain.Party{Slug: slug, Name: "Party " + slug, Kind: domain.KindState}
	if err := s.CreateParty(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func putArticle(t *testing.T, s domain.Store, a *domain.Article) {
	t.Helper()
	created, err := s.PutArticle(ctx, a)
	if err != nil || !created {
		t.Fatalf("PutArticle = %v, %v; want created", created, err)
	}
}

func testArticleRoundTrip(t *testing.T, s domain.Store) {
	ru := party(t, s, "ru-af")
	day := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	texts := map[string]string{
		"en":    "“We have cut strikes,” he said. The rest.",
		"ar":    "قال المتحدث إن الغارات توقفت. وأضاف أن الهدنة صامدة.",
		"mixed": "Konashenkov (Конашенков) said «ВКС» cut strikes by 50%. \U0001F4A5 tab\there.",
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			a := NewArticle(text, "Igor Konashenkov", ru, day)
			a.Warnings = []string{"3 invalid UTF-8 bytes replaced"}
			a.Claims[0].Baseline = 14 * 24 * time.Hour
			a.Claims[0].AtLeast = true
			putArticle(t, s, a)
			if a.ID == 0 || a.Statements[0].ID == 0 || a.Claims[0].ID == 0 {
				t.Fatalf("IDs not set: article %d statement %d claim %d", a.ID, a.Statements[0].ID, a.Claims[0].ID)
			}
			if a.Claims[0].StatementID != a.Statements[0].ID {
				t.Errorf("claim statement_id = %d, want %d", a.Claims[0].StatementID, a.Statements[0].ID)
			}
			got, err := s.Article(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *a
			want.IngestedAt = a.IngestedAt.Truncate(time.Microsecond)
			for _, c := range want.Claims {
				c.Statement = -1 // an index given when storing, not kept
			}
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("stored article differs (-want +got):\n%s", diff)
			}
			if got.Text[got.Statements[0].Start:got.Statements[0].End] != got.Statements[0].Text {
				t.Errorf("statement offsets do not give its text")
			}
		})
	}
	_, err := s.Article(ctx, 999999)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = s.Statement(ctx, 999999)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = s.StoredClaim(ctx, 999999)
	wantCode(t, err, domain.ENOTFOUND)
}

func testArticleOnce(t *testing.T, s domain.Store) {
	day := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	a := NewArticle("Russia said strikes fell. More.", "Igor Konashenkov", 0, day)
	putArticle(t, s, a)
	again := NewArticle("Russia said strikes fell. More.", "Someone Else", 0, day)
	again.Title = "A different title"
	created, err := s.PutArticle(ctx, again)
	if err != nil || created || again.ID != a.ID {
		t.Fatalf("PutArticle(same text) = %v, %v, id %d; want false, nil, id %d", created, err, again.ID, a.ID)
	}
	byHash, err := s.ArticleByHash(ctx, a.ContentHash)
	if err != nil || byHash.ID != a.ID || byHash.Title != a.Title {
		t.Errorf("ArticleByHash = %+v, %v; want article %d titled %q", byHash, err, a.ID, a.Title)
	}
	sts, err := s.Statements(ctx, domain.StatementFilter{})
	if err != nil || len(sts) != 1 {
		t.Errorf("statements after a repeat = %d, %v; want 1", len(sts), err)
	}
	_, err = s.ArticleByHash(ctx, strings.Repeat("0", 64))
	wantCode(t, err, domain.ENOTFOUND)
}

func testArticleInvalid(t *testing.T, s domain.Store) {
	day := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, field string
		edit        func(a *domain.Article)
	}{
		{"empty text", "text", func(a *domain.Article) { a.Text = "  " }},
		{"bad hash", "content_hash", func(a *domain.Article) { a.ContentHash = "xyz" }},
		{"invalid UTF-8 title", "title", func(a *domain.Article) { a.Title = "a\xffb" }},
		{"span outside", "statements.start", func(a *domain.Article) { a.Statements[0].End = 10000 }},
		{"text not span", "statements.text", func(a *domain.Article) { a.Statements[0].Text = "x" }},
		{"no speaker", "statements.speaker.name", func(a *domain.Article) { a.Statements[0].Speaker.Name = "" }},
		{"bad metric", "claims.metric", func(a *domain.Article) { a.Claims[0].Metric = "vibes" }},
		{"bad statement index", "claims.statement", func(a *domain.Article) { a.Claims[0].Statement = 3 }},
		{"unknown party", "statements.speaker.party_id", func(a *domain.Article) { a.Statements[0].Speaker.PartyID = 424242 }},
		{"unknown actor", "claims.actor_party_id", func(a *domain.Article) { a.Claims[0].ActorPartyID = 424242 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewArticle("Russia said strikes fell in "+tt.name+". More.", "Igor Konashenkov", 0, day)
			tt.edit(a)
			_, err := s.PutArticle(ctx, a)
			wantCode(t, err, domain.EINVALID)
			if got := domain.ErrorField(err); got != tt.field {
				t.Errorf("field = %q, want %q (%v)", got, tt.field, err)
			}
		})
	}
	// Nothing of the refused articles was kept, not even the article row of
	// the ones refused for a statement or a claim.
	as, err := s.Articles(ctx, domain.ArticleFilter{})
	if err != nil || len(as) != 0 {
		t.Errorf("articles after refusals = %d, %v; want 0", len(as), err)
	}
}

func testStatementFilters(t *testing.T, s domain.Store) {
	ru, tr := party(t, s, "ru-af"), party(t, s, "tr-af")
	d1 := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2016, 3, 2, 0, 0, 0, 0, time.UTC)
	a1 := NewArticle("Russia said one. Two.", "Igor Konashenkov", ru, d1)
	a2 := NewArticle("Turkey said three. Four.", "Recep Tayyip Erdogan", tr, d2)
	a3 := NewArticle("Russia said five. Six.", "Vladimir Putin", ru, d2)
	a3.Source = "other"
	for _, a := range []*domain.Article{a1, a2, a3} {
		putArticle(t, s, a)
	}
	ids := func(sts []*domain.Statement) []string {
		var out []string
		for _, st := range sts {
			out = append(out, st.Speaker.Name)
		}
		return out
	}
	tests := []struct {
		name string
		f    domain.StatementFilter
		want []string
	}{
		{"all", domain.StatementFilter{}, []string{"Igor Konashenkov", "Recep Tayyip Erdogan", "Vladimir Putin"}},
		{"party", domain.StatementFilter{PartyID: ru}, []string{"Igor Konashenkov", "Vladimir Putin"}},
		{"since", domain.StatementFilter{Since: d2}, []string{"Recep Tayyip Erdogan", "Vladimir Putin"}},
		{"until", domain.StatementFilter{Until: d2}, []string{"Igor Konashenkov"}},
		{"article", domain.StatementFilter{ArticleID: a2.ID}, []string{"Recep Tayyip Erdogan"}},
		{"page", domain.StatementFilter{AfterID: a1.Statements[0].ID, Limit: 1}, []string{"Recep Tayyip Erdogan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Statements(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("speakers (-want +got):\n%s", diff)
			}
		})
	}
	as, err := s.Articles(ctx, domain.ArticleFilter{Since: d2, Source: "test"})
	if err != nil || len(as) != 1 || as[0].ID != a2.ID || as[0].Text != "" {
		t.Errorf("Articles(since %s, source test) = %v, %v; want article %d without text", d2, as, err, a2.ID)
	}
}

func testClaimFilters(t *testing.T, s domain.Store) {
	ru := party(t, s, "ru-af")
	day := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	a := NewArticle("Russia said strikes fell. Messages came.", "Igor Konashenkov", ru, day)
	a.Claims = append(a.Claims, &domain.StoredClaim{Statement: -1, Span: domain.Span{Start: 26, End: 40},
		Claim: domain.Claim{Metric: domain.MetricMessages, Direction: domain.DirectionCount, Value: 24,
			WindowStart: day.AddDate(0, 0, -2), WindowEnd: day}, AtLeast: true,
		Check: &domain.ClaimCheckResult{Verdict: domain.VerdictNotTestable, Reason: "too few", Sentence: "The claim cannot be tested.",
			CheckedAt: day, CheckedBy: "tester"}})
	putArticle(t, s, a)
	strikes, msgs := a.Claims[0].ID, a.Claims[1].ID
	tests := []struct {
		name string
		f    domain.ClaimFilter
		want []int64
	}{
		{"all", domain.ClaimFilter{}, []int64{strikes, msgs}},
		{"verdict", domain.ClaimFilter{Verdict: domain.VerdictNotTestable}, []int64{msgs}},
		{"unchecked", domain.ClaimFilter{Unchecked: true}, []int64{strikes}},
		{"actor", domain.ClaimFilter{ActorPartyID: ru}, []int64{strikes}},
		{"metric", domain.ClaimFilter{Metric: domain.MetricMessages}, []int64{msgs}},
		{"covers", domain.ClaimFilter{Covers: day.Add(-time.Hour)}, []int64{strikes, msgs}},
		{"window is half-open", domain.ClaimFilter{Covers: day}, nil},
		{"before window", domain.ClaimFilter{Covers: day.AddDate(0, 0, -3)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.StoredClaims(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
	_, err := s.StoredClaims(ctx, domain.ClaimFilter{Verdict: "maybe"})
	wantCode(t, err, domain.EINVALID)
}

func testClaimCheck(t *testing.T, s domain.Store) {
	day := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)
	a := NewArticle("Russia said strikes fell. More.", "Igor Konashenkov", 0, day)
	putArticle(t, s, a)
	id := a.Claims[0].ID
	detail, _ := json.Marshal(map[string]any{"window": map[string]string{"from": "2016-02-22", "to": "2016-02-24"}})
	r := &domain.ClaimCheckResult{Verdict: domain.VerdictContradicted, Reason: "not significant",
		Sentence: "The data do not support the claim.", P: 0.28, Detail: detail,
		CheckedAt: day.Add(90 * time.Minute), CheckedBy: "tester"}
	if err := s.SetClaimCheck(ctx, id, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.StoredClaim(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got.Check, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b json.RawMessage) bool {
		var x, y any
		return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
	})); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}
	wantCode(t, s.SetClaimCheck(ctx, 999999, r), domain.ENOTFOUND)
	wantCode(t, s.SetClaimCheck(ctx, id, &domain.ClaimCheckResult{Verdict: "perhaps", CheckedAt: day}), domain.EINVALID)
}
