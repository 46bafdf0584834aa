package newsdesk_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk/demo"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// BenchmarkIngest measures articles per second end to end: analysis,
// party resolution, claim checks against the store, and the transaction
// that stores the article, its statements and its claims. Each iteration
// ingests one of the demo's seven articles with a new last line, so none is
// a repeat. Run with -cpu 1 for the figure per core.
func BenchmarkIngest(b *testing.B) {
	var base []*news.Article
	for _, it := range demo.Articles() {
		if it.Err != nil {
			b.Fatal(it.Err)
		}
		base = append(base, it.Article)
	}
	engines := []struct {
		name string
		open func(testing.TB) domain.Store
	}{
		{"sqlite", func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) }},
	}
	if os.Getenv(storetest.PostgresEnv) != "" {
		engines = append(engines, struct {
			name string
			open func(testing.TB) domain.Store
		}{"postgres", func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) }})
	}
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			s := eng.open(b)
			installRegistry(b, s)
			d := newDesk(s)
			var bytes, statements, claims int
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				a := *base[i%len(base)]
				a.Text += fmt.Sprintf("\n\nCopy %d.", i)
				res, err := d.Ingest(ctx, &a, "bench")
				if err != nil {
					b.Fatal(err)
				}
				if !res.Created {
					b.Fatalf("iteration %d was a repeat", i)
				}
				bytes += len(a.Text)
				statements += len(res.Article.Statements)
				claims += len(res.Article.Claims)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/sec, "articles/s")
			b.ReportMetric(float64(bytes)/sec/1e6, "MB/s")
			b.ReportMetric(float64(statements)/float64(b.N), "statements/article")
			b.ReportMetric(float64(claims)/float64(b.N), "claims/article")
		})
	}
}
