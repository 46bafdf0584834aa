package importer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/importer"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// fixture is a store holding the scenario's parties, and an importer over it
// with the scenario's gazetteer and boundaries.
type fixture struct {
	store domain.Store
	im    *importer.Importer
	sc    *scenario.Scenario
}

var locator *importer.Locator // built once: the geocoder index takes a moment

func newFixture(tb testing.TB, open func(testing.TB) domain.Store) *fixture {
	tb.Helper()
	ctx := context.Background()
	sc, err := scenario.Load()
	if err != nil {
		tb.Fatal(err)
	}
	s := open(tb)
	for _, p := range sc.Parties {
		if err := s.CreateParty(ctx, p); err != nil {
			tb.Fatalf("create party %s: %v", p.Slug, err)
		}
	}
	if locator == nil {
		if locator, err = importer.NewLocator(sc.Places, sc.Regions); err != nil {
			tb.Fatal(err)
		}
	}
	return &fixture{store: s, sc: sc, im: &importer.Importer{
		Store: s, Resolver: importer.NewResolver(sc.Parties), Locator: locator, Actor: "test", BatchSize: 100,
	}}
}

func openSQLite(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) }

func allIncidents(tb testing.TB, s domain.Store) []*domain.Incident {
	tb.Helper()
	var out []*domain.Incident
	ctx := context.Background()
	for after := int64(0); ; {
		page, err := s.Incidents(ctx, domain.IncidentFilter{AfterID: after, Limit: 1000})
		if err != nil {
			tb.Fatal(err)
		}
		ids := make([]int64, len(page))
		for i, in := range page {
			ids[i] = in.ID
		}
		src, err := s.SourcesOf(ctx, ids)
		if err != nil {
			tb.Fatal(err)
		}
		for _, in := range page {
			in.Sources = src[in.ID]
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].ID
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sameIncident ignores what the store assigns on each write.
var sameIncident = cmp.Options{
	cmpopts.IgnoreFields(domain.Incident{}, "ID", "CreatedAt", "UpdatedAt", "Version"),
	cmpopts.IgnoreFields(domain.Source{}, "ID", "AddedAt"),
	cmpopts.EquateEmpty(),
}

// TestRoundTrip imports each dataset into a real store, re-imports it (no
// change), exports it and imports the export into a fresh store: the
// incidents must come back identical. The exporting format is the dataset's
// own where Truce writes it, and ACLED for Airwars.
func TestRoundTrip(t *testing.T) {
	sc, err := scenario.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, format, export string
		data                 []byte
		wantRows             int
	}{
		{"acled", "acled", "acled", readFile(t, filepath.Join("..", "formats", "testdata", "acled_syria_synthetic.csv")), 40},
		{"ucdp", "ucdp", "ucdp", readFile(t, filepath.Join("..", "formats", "testdata", "ucdp_ged_synthetic.csv")), 25},
		{"airwars", "airwars", "acled", sc.Airwars, 996},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			fx := newFixture(t, openSQLite)
			rep, err := fx.im.Import(ctx, tc.format, bytes.NewReader(tc.data), int64(len(tc.data)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rows != tc.wantRows || rep.Created != rep.Accepted {
				t.Fatalf("report: %d rows, %d accepted, %d created, %d rejected %v; want %d rows, all accepted created",
					rep.Rows, rep.Accepted, rep.Created, rep.Rejected, rep.Errors, tc.wantRows)
			}
			t.Logf("%s: %d rows, %d accepted, %d rejected, %d geocoded, %d unplaced, %d unmapped names",
				tc.name, rep.Rows, rep.Accepted, rep.Rejected, rep.Geocoded, rep.Unplaced, len(rep.Unmapped))
			first := allIncidents(t, fx.store)

			again, err := fx.im.Import(ctx, tc.format, bytes.NewReader(tc.data), 0)
			if err != nil {
				t.Fatal(err)
			}
			if again.Unchanged != rep.Accepted || again.Created != 0 || again.Updated != 0 {
				t.Errorf("re-import: %+v; want all %d unchanged", again.ImportCounts, rep.Accepted)
			}
			if diff := cmp.Diff(first, allIncidents(t, fx.store)); diff != "" {
				t.Errorf("re-import changed the store (-before +after):\n%s", diff)
			}

			var out bytes.Buffer
			n, err := importer.Export(ctx, fx.store, tc.export, domain.IncidentFilter{}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(first) {
				t.Errorf("exported %d incidents, want %d", n, len(first))
			}
			fresh := newFixture(t, openSQLite)
			back, err := fresh.im.Import(ctx, tc.export, &out, 0)
			if err != nil {
				t.Fatal(err)
			}
			if back.Rejected != 0 {
				t.Fatalf("re-importing the export rejected %d rows: %v", back.Rejected, back.Errors)
			}
			if diff := cmp.Diff(first, allIncidents(t, fresh.store), sameIncident); diff != "" {
				t.Errorf("export → import differs (-first +round trip):\n%s", diff)
			}
		})
	}
}
