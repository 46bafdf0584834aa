package newsdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/stats"
)

// Desk ingests articles into a store and checks their claims against it.
type Desk struct {
	Store domain.Store
	// Now is the clock: claims whose window is not over yet are not
	// testable, and checks are stamped with it.
	Now func() time.Time
	// Options are the thresholds of claim checks; the zero value is the
	// documented default.
	Options stats.ClaimOptions
}

// New returns a desk over s with the system clock.
func New(s domain.Store) *Desk { return &Desk{Store: s, Now: time.Now} }

// env is what one ingest or check reads from the store once: the parties
// and the agreement whose time zone cuts claims into days.
type env struct {
	parties   *Resolver
	slugs     map[int64]string
	loc       *time.Location
	agreement *domain.Agreement // nil if the store holds none
}

func (d *Desk) env(ctx context.Context) (*env, error) {
	ps, err := d.Store.Parties(ctx)
	if err != nil {
		return nil, fmt.Errorf("read parties: %w", err)
	}
	e := &env{parties: NewResolver(ps), slugs: map[int64]string{}, loc: time.UTC}
	for _, p := range ps {
		e.slugs[p.ID] = p.Slug
	}
	as, err := d.Store.Agreements(ctx)
	if err != nil {
		return nil, fmt.Errorf("read agreements: %w", err)
	}
	// Days are the agreement's days; with several agreements the first
	// stored one (the desk's founding agreement) sets the zone.
	if len(as) > 0 {
		e.agreement, e.loc = as[0], as[0].Location()
	}
	return e, nil
}

// Result is the outcome of ingesting one article.
type Result struct {
	Article *domain.Article `json:"article"`
	// Created is false when the same text was already stored; Article is
	// then the stored one, without statements and claims.
	Created bool `json:"created"`
}

// ContentHash returns the hash that identifies an article: SHA-256 of its
// cleaned text with runs of white space made one space, so a re-saved page
// with other line breaks is the same article.
func ContentHash(text string) string {
	h := sha256.Sum256([]byte(strings.Join(strings.Fields(text), " ")))
	return hex.EncodeToString(h[:])
}

// Ingest analyses an article, resolves its speakers and actors, checks its
// claims and stores it all. An article already stored is not analysed again.
func (d *Desk) Ingest(ctx context.Context, a *news.Article, by string) (*Result, error) {
	return d.ingest(ctx, a, by, d.env)
}

// Batch ingests articles one after another, reading the parties and the
// agreements once, when its first new article needs them, instead of once
// an article: indexing the registry's names costs as much as storing an
// article. A party registered while a batch runs is not seen by it, as a
// transaction would not see it.
type Batch struct {
	d  *Desk
	by string
	e  *env
}

// Batch starts a batch of ingests recorded as made by by.
func (d *Desk) Batch(by string) *Batch { return &Batch{d: d, by: by} }

// Ingest ingests one article of the batch. A panic while analysing it is
// that article's error, not the batch's end.
func (b *Batch) Ingest(ctx context.Context, a *news.Article) (res *Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, fmt.Errorf("internal error analysing the article: %v", v)
		}
	}()
	return b.d.ingest(ctx, a, b.by, func(ctx context.Context) (*env, error) {
		if b.e == nil {
			e, err := b.d.env(ctx)
			if err != nil {
				return nil, err
			}
			b.e = e
		}
		return b.e, nil
	})
}

func (d *Desk) ingest(ctx context.Context, a *news.Article, by string, envOf func(context.Context) (*env, error)) (*Result, error) {
	if a == nil {
		return nil, domain.Errorf(domain.EINVALID, "no article")
	}
	hash := ContentHash(a.Text)
	if old, err := d.Store.ArticleByHash(ctx, hash); err == nil {
		return &Result{Article: old}, nil
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	da := d.build(e, a, hash, by)
	for _, c := range da.Claims {
		if c.Check, err = d.check(ctx, e, c.Claim, by); err != nil {
			return nil, fmt.Errorf("check claim %q: %w", c.Text, err)
		}
	}
	created, err := d.Store.PutArticle(ctx, da)
	if err != nil {
		return nil, err
	}
	if !created { // stored meanwhile by another writer
		old, err := d.Store.Article(ctx, da.ID)
		return &Result{Article: old}, err
	}
	return &Result{Article: da, Created: true}, nil
}

// build turns the analysis of a into the domain article.
func (d *Desk) build(e *env, a *news.Article, hash, by string) *domain.Article {
	an := (&news.Analyzer{Parties: e.parties}).Analyze(a)
	da := &domain.Article{Title: a.Title, Text: a.Text, Date: a.Date, Source: a.Source, URL: a.URL,
		ContentHash: hash, Warnings: a.Warnings, IngestedAt: d.Now(), IngestedBy: by}
	bySentence := map[int]int{}
	for _, st := range an.Statements {
		sp := st.Speaker
		name := sp.Name
		if strings.TrimSpace(name) == "" {
			name = sp.Mention
		}
		if strings.TrimSpace(name) == "" {
			continue
		}
		ds := &domain.Statement{Span: domain.Span{Start: st.Start, End: st.End}, Text: st.Text, Verb: st.Verb,
			Date: a.Date, Speaker: domain.Speaker{Name: name, Kind: sp.Kind, Title: sp.Title, Org: sp.Org,
				Country: sp.Country, Mention: sp.Mention, Via: sp.Via, PartyID: e.parties.ID(sp.Party)}}
		for _, q := range st.Quotes {
			ds.Quotes = append(ds.Quotes, domain.Span{Start: q.Start, End: q.End})
		}
		bySentence[st.Start] = len(da.Statements)
		da.Statements = append(da.Statements, ds)
	}
	for _, c := range an.Claims {
		dc := &domain.StoredClaim{Statement: -1, Span: domain.Span{Start: c.Start, End: c.End},
			Speaker: c.Speaker, AtLeast: c.AtLeast, Claim: c.Claim}
		if i, ok := bySentence[c.Start]; ok {
			dc.Statement = i
		}
		dc.ActorPartyID = e.parties.ID(c.ActorParty)
		dc.WindowStart, dc.WindowEnd = localDay(c.WindowStart, e.loc), localDay(c.WindowEnd, e.loc)
		da.Claims = append(da.Claims, dc)
	}
	return da
}

// localDay reads a date the news package resolved (midnight UTC: a
// calendar day as the article names it) as that day in loc, the zone of the
// agreement: "the past two days" said in Moscow or Damascus are their days,
// not London's. Other instants are kept.
func localDay(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() || t.Location() != time.UTC || t.Hour()+t.Minute()+t.Second()+t.Nanosecond() != 0 {
		return t
	}
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}
