package newsdesk_test

import (
	"fmt"
	"testing"

	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
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
	// one is Desk.Ingest, an article a request; batch is Batch.Ingest, the
	// path of `truce ingest news` and of a JSONL POST.
	modes := []struct {
		name   string
		ingest func(d *newsdesk.Desk) func(*news.Article) (*newsdesk.Result, error)
	}{
		{"one", func(d *newsdesk.Desk) func(*news.Article) (*newsdesk.Result, error) {
			return func(a *news.Article) (*newsdesk.Result, error) { return d.Ingest(ctx, a, "bench") }
		}},
		{"batch", func(d *newsdesk.Desk) func(*news.Article) (*newsdesk.Result, error) {
			b := d.Batch("bench")
			return func(a *news.Article) (*newsdesk.Result, error) { return b.Ingest(ctx, a) }
		}},
	}
	for _, eng := range storetest.BenchEngines() {
		for _, mode := range modes {
			b.Run(eng.Name+"/"+mode.name, func(b *testing.B) {
				s := eng.Open(b)
				installRegistry(b, s)
				ingest := mode.ingest(newDesk(s))
				var bytes, statements, claims int
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					a := *base[i%len(base)]
					a.Text += fmt.Sprintf("\n\nCopy %d.", i)
					res, err := ingest(&a)
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
}
