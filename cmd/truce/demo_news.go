package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/newsdesk"
	"github.com/trucedesk/truce/internal/newsdesk/demo"
	"github.com/trucedesk/truce/internal/scenario"
)

func init() {
	demoSteps = append(demoSteps, demoStep{"news", installNews})
}

// installNews ingests the demo's articles (internal/newsdesk/demo, with
// attribution): the report of the Russian Defence Ministry's briefing of 24
// February 2016 and six FA-KES articles on the cessation of hostilities.
// Their claims are checked against what the demo holds by then; with few
// or no incidents for February 2016 the honest verdict is "not testable",
// and the reason says which data are missing.
func installNews(ctx context.Context, s domain.Store, _ *scenario.Scenario, _ map[string]int64) (string, error) {
	desk := &newsdesk.Desk{Store: s, Now: time.Now}
	var articles, statements, claims int
	verdicts := map[domain.ClaimVerdict]int{}
	for _, it := range demo.Articles() {
		if it.Err != nil {
			return "", fmt.Errorf("%s: %w", it.Name, it.Err)
		}
		res, err := desk.Ingest(ctx, it.Article, "demo")
		if err != nil {
			return "", fmt.Errorf("%s: %w", it.Name, err)
		}
		articles++
		statements += len(res.Article.Statements)
		claims += len(res.Article.Claims)
		for _, c := range res.Article.Claims {
			if c.Check != nil {
				verdicts[c.Check.Verdict]++
			}
		}
	}
	return fmt.Sprintf("%d articles, %d statements, %d claims (%d supported, %d contradicted, %d not testable)",
		articles, statements, claims, verdicts[domain.VerdictSupported], verdicts[domain.VerdictContradicted],
		verdicts[domain.VerdictNotTestable]), nil
}
