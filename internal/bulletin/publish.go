package bulletin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// Formats maps each rendering's name to its media type.
var Formats = map[string]string{
	"html": "text/html; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"pdf":  "application/pdf",
	"json": "application/json",
}

// Render renders r in one of Formats.
func Render(r *Report, format string, o Options) ([]byte, error) {
	switch format {
	case "html":
		return HTML(r, o)
	case "md":
		return Markdown(r, o), nil
	case "pdf":
		return PDF(r, o)
	case "json":
		return json.MarshalIndent(r, "", "  ")
	}
	return nil, domain.FieldErrorf("format", "unknown format %q: use html, md, pdf or json", format)
}

// Of returns the stored rendering of a published bulletin.
func Of(b *domain.Bulletin, format string) ([]byte, error) {
	switch format {
	case "html":
		return b.HTML, nil
	case "md":
		return b.Markdown, nil
	case "pdf":
		return b.PDF, nil
	case "json":
		return b.Report, nil
	}
	return nil, domain.FieldErrorf("format", "unknown format %q: use html, md, pdf or json", format)
}

// Publish builds the bulletin of day and stores it as a new version, with
// all three renderings made from the same report and the publisher's note
// among its notes.
func Publish(ctx context.Context, an *analysis.Analyzer, day stats.Day, actor, note string, o Options) (*domain.Bulletin, error) {
	r, err := Build(ctx, an, day)
	if err != nil {
		return nil, err
	}
	if r.Provisional {
		return nil, domain.FieldErrorf("date", "%s is not over yet; a bulletin is published once its day has ended", day)
	}
	// The publisher's note (why a correction was issued, what a reader must
	// know) travels inside the bulletin, not beside it: a forwarded PDF
	// keeps it.
	if note = strings.TrimSpace(note); note != "" {
		r.Notes = append(r.Notes, "Publisher's note: "+note)
	}
	b := &domain.Bulletin{AgreementID: an.Agreement.ID, Day: day.String(), Title: r.Title, Note: note, PublishedBy: actor}
	if b.Report, err = json.Marshal(r); err != nil {
		return nil, fmt.Errorf("publish bulletin: %w", err)
	}
	if b.HTML, err = HTML(r, o); err != nil {
		return nil, err
	}
	b.Markdown = Markdown(r, o)
	if b.PDF, err = PDF(r, o); err != nil {
		return nil, err
	}
	if err := an.Store.PublishBulletin(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}
