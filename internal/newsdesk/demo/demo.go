// Package demo holds the news articles of the demo scenario, embedded with
// their attribution (ATTRIBUTION.md): the seed report of the Russian
// Defence Ministry's briefing of 24 February 2016 and a handful of FA-KES
// articles on the 2016 cessation of hostilities.
package demo

import (
	"bytes"
	"embed"
	"time"

	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
)

//go:embed seed-2016-02-24-russia-syria-bombings.txt fakes_coh_2016.jsonl
var files embed.FS

// SeedName is the file of the seed article.
const SeedName = "seed-2016-02-24-russia-syria-bombings.txt"

// SeedDate is the day the seed article reports the briefing.
var SeedDate = time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)

// Seed returns the raw seed page.
func Seed() []byte {
	b, err := files.ReadFile(SeedName)
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	return b
}

// Articles reads every demo article, the seed first.
func Articles() []newsdesk.Item {
	items := newsdesk.Read(SeedName, bytes.NewReader(Seed()), news.Meta{Date: SeedDate, Source: "lidtime.com"})
	b, err := files.ReadFile("fakes_coh_2016.jsonl")
	if err != nil {
		panic(err)
	}
	return append(items, newsdesk.Read("fakes_coh_2016.jsonl", bytes.NewReader(b), news.Meta{})...)
}
