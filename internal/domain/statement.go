package domain

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxArticleBytes caps the cleaned text of a stored article, as the news
// package cuts it: longer pages are dumps, not reports.
const MaxArticleBytes = 2 << 20

// Article is a news report or an official briefing the desk has read. Its
// statements and claims point into Text by byte offsets, so Text is the
// cleaned text exactly as analysed, and ContentHash (of Text) makes the same
// report read twice one article.
type Article struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Text        string    `json:"text,omitempty"`
	Date        time.Time `json:"date,omitzero"` // publication day, midnight UTC; zero if unknown
	Source      string    `json:"source,omitempty"`
	URL         string    `json:"url,omitempty"`
	ContentHash string    `json:"content_hash"`
	// Warnings says why the text is best-effort (cut at the cap, invalid
	// bytes replaced).
	Warnings   []string  `json:"warnings,omitempty"`
	IngestedAt time.Time `json:"ingested_at"`
	IngestedBy string    `json:"ingested_by"`

	// Statements and Claims are filled when an article is read whole, and
	// given when it is stored.
	Statements []*Statement   `json:"statements,omitempty"`
	Claims     []*StoredClaim `json:"claims,omitempty"`
}

// Validate checks the article's own rules and those of its statements and
// claims, whose offsets must fall inside Text.
func (a *Article) Validate() error {
	if strings.TrimSpace(a.Text) == "" {
		return FieldErrorf("text", "is required")
	}
	if len(a.Text) > MaxArticleBytes {
		return Errorf(ETOOLARGE, "the article text is %d bytes, over the %d-byte limit", len(a.Text), MaxArticleBytes)
	}
	for _, f := range []struct{ name, v string }{
		{"title", a.Title}, {"text", a.Text}, {"source", a.Source}, {"url", a.URL},
	} {
		if !utf8.ValidString(f.v) {
			return FieldErrorf(f.name, "is not valid UTF-8")
		}
	}
	if len(a.Title) > 1000 {
		return FieldErrorf("title", "is longer than 1000 bytes")
	}
	if len(a.ContentHash) != 64 || strings.Trim(a.ContentHash, "0123456789abcdef") != "" {
		return FieldErrorf("content_hash", "must be 64 lower-case hex digits (SHA-256)")
	}
	for _, st := range a.Statements {
		if err := st.Validate(len(a.Text)); err != nil {
			return err
		}
	}
	for _, c := range a.Claims {
		if err := c.Validate(len(a.Text)); err != nil {
			return err
		}
		if c.Statement < -1 || c.Statement >= len(a.Statements) {
			return FieldErrorf("claims.statement", "index %d names no statement of the article", c.Statement)
		}
	}
	return nil
}

// Span is a byte range [Start, End) in an article's text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

func (s Span) valid(n int) bool { return s.Start >= 0 && s.Start < s.End && s.End <= n }

// Speaker is who a statement is attributed to, as the text names them and as
// the desk resolved them.
type Speaker struct {
	Name    string `json:"name"`              // a person's full name, or the body's name
	Kind    string `json:"kind"`              // person, organisation, country, group
	Title   string `json:"title,omitempty"`   // "Defense Ministry spokesperson Major General"
	Org     string `json:"org,omitempty"`     // "Defense Ministry"
	Country string `json:"country,omitempty"` // "Russia"
	Mention string `json:"mention,omitempty"` // the words of this sentence: "He", "the spokesman"
	Via     string `json:"via,omitempty"`     // named, pronoun, role, continuation
	PartyID int64  `json:"party_id,omitempty"`
}

// Statement is something a speaker is reported as saying: the sentence, and
// where it stands in its article.
type Statement struct {
	ID        int64     `json:"id"`
	ArticleID int64     `json:"article_id"`
	Span                // the sentence, in the article's text
	Text      string    `json:"text"`
	Quotes    []Span    `json:"quotes,omitempty"` // direct quotations, in the article's text
	Verb      string    `json:"verb,omitempty"`   // "said", "according to"; empty for a continued quote
	Speaker   Speaker   `json:"speaker"`
	Date      time.Time `json:"date,omitzero"` // when reported: the article's date
}

// Validate checks the statement against an article text of n bytes.
func (s *Statement) Validate(n int) error {
	if !s.Span.valid(n) {
		return FieldErrorf("statements.start", "[%d,%d) is not inside the %d-byte text", s.Start, s.End, n)
	}
	if len(s.Text) != s.End-s.Start {
		return FieldErrorf("statements.text", "is %d bytes, but its span is %d", len(s.Text), s.End-s.Start)
	}
	for _, q := range s.Quotes {
		if !q.valid(n) {
			return FieldErrorf("statements.quotes", "[%d,%d) is not inside the text", q.Start, q.End)
		}
	}
	if strings.TrimSpace(s.Speaker.Name) == "" {
		return FieldErrorf("statements.speaker.name", "is required")
	}
	return nil
}

// ClaimVerdict is the answer a check gives a claim.
type ClaimVerdict string

// The verdicts, as internal/stats gives them; Unchecked is a claim no check
// has been stored for.
const (
	VerdictUnchecked    ClaimVerdict = ""
	VerdictSupported    ClaimVerdict = "supported"
	VerdictContradicted ClaimVerdict = "contradicted"
	VerdictNotTestable  ClaimVerdict = "not_testable"
)

// Valid reports whether v is a known verdict, unchecked included.
func (v ClaimVerdict) Valid() bool {
	switch v {
	case VerdictUnchecked, VerdictSupported, VerdictContradicted, VerdictNotTestable:
		return true
	}
	return false
}

// ClaimCheckResult is the latest check of a stored claim against the desk's
// records: the verdict, the sentence a journalist can quote, and the full
// figures (windows, tests) as the checker produced them.
type ClaimCheckResult struct {
	Verdict   ClaimVerdict    `json:"verdict"`
	Reason    string          `json:"reason"`
	Sentence  string          `json:"sentence"`
	P         float64         `json:"p,omitempty"`
	Detail    json.RawMessage `json:"detail,omitempty"`
	CheckedAt time.Time       `json:"checked_at"`
	CheckedBy string          `json:"checked_by"`
}

// Validate checks the result's own rules.
func (r *ClaimCheckResult) Validate() error {
	if r.Verdict == VerdictUnchecked || !r.Verdict.Valid() {
		return FieldErrorf("verdict", "unknown verdict %q", r.Verdict)
	}
	if r.CheckedAt.IsZero() {
		return FieldErrorf("checked_at", "is required")
	}
	if len(r.Detail) > 0 && !json.Valid(r.Detail) {
		return FieldErrorf("detail", "is not valid JSON")
	}
	return nil
}

// StoredClaim is a checkable claim found in an article, with its provenance
// and the latest check of it.
type StoredClaim struct {
	ID          int64 `json:"id"`
	ArticleID   int64 `json:"article_id"`
	StatementID int64 `json:"statement_id,omitempty"` // 0: the article's own claim, unattributed
	// Statement, when storing, is the index in Article.Statements of the
	// statement the claim belongs to, or -1.
	Statement int `json:"-"`
	Span
	Speaker string `json:"speaker,omitempty"`
	AtLeast bool   `json:"at_least,omitempty"` // a count claimed as a floor ("over two dozen")
	Claim
	Check *ClaimCheckResult `json:"check,omitempty"`
}

// Validate checks the claim against an article text of n bytes.
func (c *StoredClaim) Validate(n int) error {
	if !c.Span.valid(n) {
		return FieldErrorf("claims.start", "[%d,%d) is not inside the %d-byte text", c.Start, c.End, n)
	}
	switch c.Metric {
	case MetricStrikes, MetricShelling, MetricAttacks, MetricViolations, MetricFatalities, MetricMessages:
	default:
		return FieldErrorf("claims.metric", "unknown metric %q", c.Metric)
	}
	switch c.Direction {
	case DirectionDown, DirectionUp, DirectionStopped, DirectionSame, DirectionCount:
	default:
		return FieldErrorf("claims.direction", "unknown direction %q", c.Direction)
	}
	switch c.Strength {
	case StrengthNone, StrengthSlight, StrengthSignificant, StrengthSharp:
	default:
		return FieldErrorf("claims.strength", "unknown strength %q", c.Strength)
	}
	if !c.WindowStart.IsZero() && !c.WindowEnd.After(c.WindowStart) {
		return FieldErrorf("claims.window_end", "the window must end after it starts")
	}
	if c.Check != nil {
		return c.Check.Validate()
	}
	return nil
}

// ArticleFilter selects articles. Zero fields do not filter.
type ArticleFilter struct {
	Since, Until time.Time // Date in [Since, Until)
	Source       string
	AfterID      int64 // keyset pagination, ascending by ID
	Limit        int
}

// StatementFilter selects statements. Zero fields do not filter.
type StatementFilter struct {
	ArticleID    int64
	PartyID      int64     // the speaker's party
	Since, Until time.Time // the article's date in [Since, Until)
	AfterID      int64
	Limit        int
}

// ClaimFilter selects claims. Zero fields do not filter; Unchecked selects
// claims with no check stored.
type ClaimFilter struct {
	ArticleID    int64
	Verdict      ClaimVerdict
	Unchecked    bool
	ActorPartyID int64
	Metric       Metric
	Covers       time.Time // the window holds this instant
	AfterID      int64
	Limit        int
}

// StatementStore keeps articles, the statements attributed in them and the
// claims they make, with the latest check of each claim.
type StatementStore interface {
	// PutArticle stores an article with its statements and claims in one
	// transaction. An article whose content hash is already stored is not
	// stored again: PutArticle returns false and fills a.ID with the
	// stored article's ID.
	PutArticle(ctx context.Context, a *Article) (created bool, err error)
	// Article returns an article with its statements and claims.
	Article(ctx context.Context, id int64) (*Article, error)
	// ArticleByHash returns an article (without statements and claims) by
	// the hash of its text, or ENOTFOUND.
	ArticleByHash(ctx context.Context, hash string) (*Article, error)
	// Articles lists articles without their text, statements or claims.
	Articles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	Statement(ctx context.Context, id int64) (*Statement, error)
	Statements(ctx context.Context, f StatementFilter) ([]*Statement, error)
	StoredClaim(ctx context.Context, id int64) (*StoredClaim, error)
	StoredClaims(ctx context.Context, f ClaimFilter) ([]*StoredClaim, error)
	// SetClaimCheck replaces the latest check of a claim.
	SetClaimCheck(ctx context.Context, claimID int64, r *ClaimCheckResult) error
}
