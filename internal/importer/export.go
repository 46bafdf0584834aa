package importer

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/formats"
)

// ExportStore is what an export reads; domain.Store provides it.
type ExportStore interface {
	Incidents(ctx context.Context, f domain.IncidentFilter) ([]*domain.Incident, error)
	MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error)
	SourcesOf(ctx context.Context, ids []int64) (map[int64][]domain.Source, error)
	Parties(ctx context.Context) ([]*domain.Party, error)
}

// ExportFormats are the names Export accepts.
var ExportFormats = []string{"acled", "ucdp", "geojson"}

// exportPage is how many incidents an export reads at a time.
const exportPage = 1000

// Export writes the incidents a filter selects in a dataset format, paging
// through the store by ID so memory stays constant. Incidents merged into
// another are left out: their survivor stands for them. The filter's
// AfterID and Limit are ignored. It returns how many incidents it wrote.
func Export(ctx context.Context, s ExportStore, format string, f domain.IncidentFilter, w io.Writer) (int, error) {
	parties, err := s.Parties(ctx)
	if err != nil {
		return 0, err
	}
	names := make(map[int64]string, len(parties))
	for _, p := range parties {
		names[p.ID] = p.Name
	}
	nameOf := func(id int64) (string, bool) { n, ok := names[id]; return n, ok }
	var write func(*domain.Incident) error
	var finish func() error
	switch strings.ToLower(format) {
	case "acled":
		aw := formats.NewACLEDWriter(w, nameOf)
		aw.Country, aw.ISO, aw.Region = "Syria", "760", "Middle East"
		write, finish = aw.Write, aw.Flush
	case "ucdp":
		uw := formats.NewUCDPWriter(w, nameOf)
		uw.Country, uw.Region = "Syria", "Middle East"
		write, finish = uw.Write, uw.Flush
	case "geojson":
		gw := formats.NewGeoJSONWriter(w, nameOf)
		write, finish = gw.Write, gw.Close
	default:
		return 0, domain.FieldErrorf("format", "unknown export format %q (want %s)", format, strings.Join(ExportFormats, ", "))
	}
	n := 0
	f.AfterID, f.Limit = 0, exportPage
	for {
		page, err := s.Incidents(ctx, f)
		if err != nil {
			return n, err
		}
		ids := make([]int64, len(page))
		for i, in := range page {
			ids[i] = in.ID
		}
		merged, err := s.MergedInto(ctx, ids)
		if err != nil {
			return n, err
		}
		sources, err := s.SourcesOf(ctx, ids)
		if err != nil {
			return n, err
		}
		for _, in := range page {
			if _, gone := merged[in.ID]; gone {
				continue
			}
			in.Sources = sources[in.ID]
			if err := write(in); err != nil {
				return n, fmt.Errorf("export incident %d: %w", in.ID, err)
			}
			n++
		}
		if len(page) < exportPage {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	return n, finish()
}
