package newsdesk_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
)

// countingStore counts the reads of the registry a desk makes.
type countingStore struct {
	domain.Store
	parties, agreements int
}

func (s *countingStore) Parties(ctx context.Context) ([]*domain.Party, error) {
	s.parties++
	return s.Store.Parties(ctx)
}

func (s *countingStore) Agreements(ctx context.Context) ([]*domain.Agreement, error) {
	s.agreements++
	return s.Store.Agreements(ctx)
}

// TestBatchReadsRegistryOnce checks that a batch reads the parties and the
// agreements once however many articles it stores (and not at all when it
// stores none), and stores what Ingest one by one would.
func TestBatchReadsRegistryOnce(t *testing.T) {
	engines(t, func(t *testing.T, s domain.Store, ids map[string]int64) {
		seed := seedArticle(t)
		copyOf := func(i int) *news.Article {
			a := *seed
			a.Text += fmt.Sprintf("\n\nCopy %d.", i)
			return &a
		}
		tests := []struct {
			name      string
			articles  []*news.Article
			wantReads int
		}{
			{"three new", []*news.Article{copyOf(1), copyOf(2), copyOf(3)}, 1},
			{"repeats only", []*news.Article{copyOf(1), copyOf(3)}, 0},
			{"bad and new", []*news.Article{nil, copyOf(4)}, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cs := &countingStore{Store: s}
				b := newDesk(cs).Batch("tester")
				for _, a := range tt.articles {
					res, err := b.Ingest(ctx, a)
					if a == nil {
						if domain.ErrorCode(err) != domain.EINVALID {
							t.Errorf("nil article: err %v, want invalid", err)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if res.Created && (len(res.Article.Statements) == 0 || len(res.Article.Claims) != 2) {
						t.Errorf("article %d: %d statements, %d claims; want some and 2",
							res.Article.ID, len(res.Article.Statements), len(res.Article.Claims))
					}
				}
				if cs.parties != tt.wantReads || cs.agreements != tt.wantReads {
					t.Errorf("parties read %d times, agreements %d; want %d", cs.parties, cs.agreements, tt.wantReads)
				}
			})
		}

		// The batch stores what one Ingest stores.
		one, err := newDesk(s).Ingest(ctx, copyOf(5), "tester")
		if err != nil {
			t.Fatal(err)
		}
		many, err := newDesk(s).Batch("tester").Ingest(ctx, copyOf(6))
		if err != nil {
			t.Fatal(err)
		}
		if len(one.Article.Statements) != len(many.Article.Statements) || len(one.Article.Claims) != len(many.Article.Claims) {
			t.Fatalf("Ingest: %d statements %d claims; Batch: %d and %d", len(one.Article.Statements), len(one.Article.Claims),
				len(many.Article.Statements), len(many.Article.Claims))
		}
		for i, st := range one.Article.Statements {
			if got := many.Article.Statements[i]; got.Speaker != st.Speaker {
				t.Errorf("statement %d speaker: Batch %+v, Ingest %+v", i, got.Speaker, st.Speaker)
			}
		}
		for i, c := range one.Article.Claims {
			if got := many.Article.Claims[i]; got.Claim != c.Claim || got.Check.Verdict != c.Check.Verdict {
				t.Errorf("claim %d: Batch %+v, Ingest %+v", i, got.Claim, c.Claim)
			}
		}
	})
}
