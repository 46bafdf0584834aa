package formats

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb/geojson"

	"github.com/trucedesk/truce/internal/domain"
)

func TestUCDPReader(t *testing.T) {
	reg := newRegistry()
	recs, rep := readAll(t, NewUCDPReader, open(t, "ucdp_ged_synthetic.csv"), Options{Resolver: reg})
	if rep.Rows != 25 || rep.Accepted != 25 {
		t.Fatalf("report = %d rows, %d accepted (%v); want 25, 25", rep.Rows, rep.Accepted, rep.Errors)
	}
	want := Record{
		Line: 2,
		Incident: domain.Incident{
			EventType: "Battles", SubEventType: domain.SubClash, OccurredAt: day(2016, 3, 1), TimePrecision: domain.TimeDay,
			Location: "Tadmur town", Point: &domain.Point{Lat: 34.5606, Lon: 38.2673}, GeoPrecision: domain.GeoNear,
			Admin1: "Homs", Admin2: "Tadmur district",
			Perpetrators: []int64{reg.ids["Government of Syria"]}, Targets: []int64{reg.ids["IS"]},
			Fatalities: domain.Fatalities{Best: 1, Low: 1, High: 3},
			Origin:     "ucdp", OriginID: "170000",
			Sources: []domain.Source{{Kind: domain.SourceMedia, Publisher: "Agence France Presse,2016-03-01,Synthetic headline about Tadmur town"}},
		},
		Perpetrators: []string{"Government of Syria"}, Targets: []string{"IS"},
	}
	if diff := cmp.Diff(want, recs[0]); diff != "" {
		t.Errorf("first record (-want +got):\n%s", diff)
	}
	for _, r := range recs {
		civ := r.Targets[0] == "Civilians"
		if got := r.Incident.SubEventType == "Attack"; got != civ {
			t.Errorf("line %d: sub-event %q for side B %q", r.Line, r.Incident.SubEventType, r.Targets[0])
		}
	}
}

type writer interface {
	Write(*domain.Incident) error
}

// TestRoundTrip imports each fixture, exports it in each writable format and
// re-imports the export: the incidents must come back identical.
func TestRoundTrip(t *testing.T) {
	sources := []struct {
		name string
		read func(io.Reader, Options) (*Reader, error)
		file string
	}{
		{"acled", NewACLEDReader, "acled_syria_synthetic.csv"},
		{"ucdp", NewUCDPReader, "ucdp_ged_synthetic.csv"},
		{"airwars", NewAirwarsReader, "airwars_syria_incidents_flat.csv"},
	}
	sinks := []struct {
		name  string
		read  func(io.Reader, Options) (*Reader, error)
		write func(w io.Writer, names NameFunc) (writer, func() error)
	}{
		{"acled", NewACLEDReader, func(w io.Writer, n NameFunc) (writer, func() error) {
			x := NewACLEDWriter(w, n)
			return x, x.Flush
		}},
		{"ucdp", NewUCDPReader, func(w io.Writer, n NameFunc) (writer, func() error) {
			x := NewUCDPWriter(w, n)
			return x, x.Flush
		}},
	}
	for _, src := range sources {
		for _, sink := range sinks {
			t.Run(src.name+"→"+sink.name, func(t *testing.T) {
				reg := newRegistry()
				in, rep := readAll(t, src.read, open(t, src.file), Options{Resolver: reg})
				if rep.Accepted < 20 {
					t.Fatalf("only %d records", rep.Accepted)
				}
				var buf bytes.Buffer
				w, flush := sink.write(&buf, reg.Name)
				for i := range in {
					if err := w.Write(&in[i].Incident); err != nil {
						t.Fatal(err)
					}
				}
				if err := flush(); err != nil {
					t.Fatal(err)
				}
				out, rep := readAll(t, sink.read, buf.Bytes(), Options{Resolver: reg})
				if rep.Rejected != 0 {
					t.Fatalf("export rejected on re-import: %v", rep.Errors[:min(5, len(rep.Errors))])
				}
				if len(out) != len(in) {
					t.Fatalf("re-imported %d incidents, want %d", len(out), len(in))
				}
				for i := range in {
					if diff := cmp.Diff(in[i].Incident, out[i].Incident); diff != "" {
						t.Fatalf("incident %d (line %d) changed (-imported +re-imported):\n%s", i, in[i].Line, diff)
					}
				}
			})
		}
	}
}

// sample returns hand-made incidents: one imported, one the desk recorded
// itself with no point, an unknown party and a verdict.
func sample() ([]*domain.Incident, NameFunc) {
	names := map[int64]string{1: "Military Forces of Russia (2015-)", 2: "Civilians (Syria)", 3: "Jaish al Islam"}
	return []*domain.Incident{{
			ID: 7, EventType: "Explosions/Remote violence", SubEventType: domain.SubAirStrike,
			OccurredAt: day(2016, 2, 28), TimePrecision: domain.TimeDay,
			Location: "Haritan", Point: &domain.Point{Lat: 36.2633, Lon: 37.0869}, GeoPrecision: domain.GeoExact,
			Admin1: "Aleppo", Admin2: "Jebel Saman", Perpetrators: []int64{1}, Targets: []int64{2},
			Fatalities: domain.Fatalities{Best: 3, Low: 2, High: 5, Civilian: 3}, Injured: 4, Grade: domain.GradeFair,
			Summary: "Synthetic: an air strike, \"reportedly\" Russian, hit a market.", Origin: "airwars", OriginID: "100001",
			Sources:   []domain.Source{{Kind: domain.SourceMedia, Publisher: "SOHR", URL: "https://example.org/a"}},
			UpdatedAt: time.Date(2016, 2, 29, 10, 0, 0, 0, time.UTC),
		}, {
			ID: 8, EventType: "Explosions/Remote violence", SubEventType: domain.SubShelling,
			OccurredAt: day(2016, 3, 2), TimePrecision: domain.TimeWeek, Location: "Duma", GeoPrecision: domain.GeoNear,
			Admin1: "Rural Damascus", Perpetrators: []int64{3, 99}, Grade: domain.GradeContested,
		}}, func(id int64) (string, bool) {
			n, ok := names[id]
			return n, ok
		}
}

func TestWritersGolden(t *testing.T) {
	ins, names := sample()
	tests := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"sample.acled.golden.csv", func(w io.Writer) error {
			x := NewACLEDWriter(w, names)
			x.Country, x.ISO, x.Region = "Syria", "760", "Middle East"
			for _, in := range ins {
				if err := x.Write(in); err != nil {
					return err
				}
			}
			return x.Flush()
		}},
		{"sample.ucdp.golden.csv", func(w io.Writer) error {
			x := NewUCDPWriter(w, names)
			x.Country, x.Region = "Syria", "Middle East"
			for _, in := range ins {
				if err := x.Write(in); err != nil {
					return err
				}
			}
			return x.Flush()
		}},
		{"sample.golden.geojson", func(w io.Writer) error {
			x := NewGeoJSONWriter(w, names)
			x.Verdict = func(in *domain.Incident) string {
				if in.ID == 7 {
					return "violation"
				}
				return ""
			}
			for _, in := range ins {
				if err := x.Write(in); err != nil {
					return err
				}
			}
			return x.Close()
		}},
		{"empty.acled.golden.csv", func(w io.Writer) error { return NewACLEDWriter(w, names).Flush() }},
		{"empty.golden.geojson", func(w io.Writer) error { return NewGeoJSONWriter(w, names).Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

// TestGeoJSONParses checks a large export is one valid FeatureCollection.
func TestGeoJSONParses(t *testing.T) {
	reg := newRegistry()
	recs, _ := readAll(t, NewAirwarsReader, open(t, "airwars_syria_incidents_flat.csv"), Options{Resolver: reg})
	var buf bytes.Buffer
	w := NewGeoJSONWriter(&buf, reg.Name)
	for i := range recs {
		if err := w.Write(&recs[i].Incident); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != len(recs) {
		t.Fatalf("%d features, want %d", len(fc.Features), len(recs))
	}
	var props FeatureProperties
	b, _ := json.Marshal(fc.Features[0].Properties)
	if err := json.Unmarshal(b, &props); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(props.Perpetrators, ", "), "YPG, Russian Military, Turkish Military"; got != want {
		t.Errorf("first feature's perpetrators = %q, want %q", got, want)
	}
	if fc.Features[0].Geometry != nil {
		t.Errorf("first feature has geometry %v, want null (no coordinates in the file)", fc.Features[0].Geometry)
	}
}
