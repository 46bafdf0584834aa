// Package scalebench measures Truce at the size of the field's largest
// datasets (ACLED holds millions of events): it generates incidents by
// resampling real Airwars events over the OCHA governorates, loads them into
// Truce's own tables on PostgreSQL and into a PostGIS table beside them, and
// times the same work on both in the same run, so every figure has a
// baseline measured under the same load.
//
// It is driven by `truce bench scale`; the tables it prints are the ones
// recorded in BENCHMARKS.md.
package scalebench

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/formats"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/scenario"
)

// Span is the period the generated incidents cover: 2012 to 2024, the years
// of the Syrian war that ACLED and Airwars record.
var (
	SpanStart = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	SpanEnd   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// JitterKm is how far a generated incident may lie from the real event it
// resamples: far enough that 10M rows do not pile onto 1,000 points, near
// enough that the map keeps the real geography of the war.
const JitterKm = 5

// PartySpec is one of the parties the generated incidents name.
type PartySpec struct {
	Slug, Name string
	Kind       domain.PartyKind
	// Airwars is the belligerent name Airwars uses, if any.
	Airwars string
}

// Parties are the twenty parties the incidents are spread over: the
// belligerents Airwars names, and the war's other main actors.
var Parties = []PartySpec{
	{"tr-af", "Turkish Armed Forces", domain.KindState, "Turkish Military"},
	{"ru-af", "Russian Armed Forces", domain.KindState, "Russian Military"},
	{"us-coalition", "U.S.-led Coalition", domain.KindCoalition, "U.S.-led Coalition"},
	{"ypg", "People's Protection Units (YPG)", domain.KindArmedGroup, "YPG"},
	{"il-df", "Israel Defense Forces", domain.KindState, "Israeli Military"},
	{"ir-af", "Iranian Armed Forces", domain.KindState, "Iranian Military"},
	{"jo-af", "Jordanian Armed Forces", domain.KindState, "Jordanian Military"},
	{"uk-af", "UK Armed Forces", domain.KindState, "UK Military"},
	{"sdf", "Syrian Democratic Forces", domain.KindCoalition, "Syrian Democratic Forces"},
	{"sy-af", "Syrian Arab Army", domain.KindState, "Syrian Regime"},
	{"tribal", "Tribal Forces", domain.KindMilitia, "Tribal Forces"},
	{"kurdish", "Kurdish Forces", domain.KindArmedGroup, "Kurdish Forces"},
	{"isil", "Islamic State (ISIL)", domain.KindArmedGroup, ""},
	{"nusra", "Jabhat al-Nusra", domain.KindArmedGroup, ""},
	{"hts", "Hay'at Tahrir al-Sham", domain.KindArmedGroup, ""},
	{"ahrar", "Ahrar al-Sham", domain.KindArmedGroup, ""},
	{"jaish-islam", "Jaysh al-Islam", domain.KindArmedGroup, ""},
	{"fsa", "Free Syrian Army", domain.KindArmedGroup, ""},
	{"hezbollah", "Hezbollah", domain.KindArmedGroup, ""},
	{"civilians", "Civilians", domain.KindCivilians, ""},
}

// base is one real Airwars event, placed.
type base struct {
	code           string
	location       string
	lat, lon       float64
	admin1, admin2 string
	sub, event     string
	grade          domain.Grade
	perps          []int // indexes into Parties
	civilians      bool
	fat            domain.Fatalities
	injured        int
}

// Row is one generated incident. Party IDs are indexes into Parties until
// the loader maps them to stored IDs.
type Row struct {
	ID             int64
	OccurredAt     time.Time
	Lat, Lon       float64
	Location       string
	Admin1, Admin2 string
	EventType, Sub string
	Grade          domain.Grade
	Fatalities     domain.Fatalities
	Injured        int
	Summary        string
	Perpetrators   []int
	Targets        []int
}

// Generator makes rows by resampling the Airwars events. Row(i) depends only
// on the seed and i, so loaders can run in parallel and the query benchmark
// can draw windows from rows it never kept in memory.
type Generator struct {
	N     int64
	Seed  uint64
	bases []base
}

// NewGenerator parses the embedded Airwars file and OCHA polygons. Events
// Airwars could not geolocate get a point inside their governorate (or any
// governorate, if it names none), drawn once per event.
func NewGenerator(n int64, seed uint64) (*Generator, error) {
	sc, err := scenario.Load()
	if err != nil {
		return nil, err
	}
	ix, err := geo.NewAdminIndex(sc.Regions)
	if err != nil {
		return nil, err
	}
	shapes := map[string]orb.MultiPolygon{}
	var names []string
	for _, r := range sc.Regions {
		if r.Level != 1 {
			continue
		}
		g, err := geojson.UnmarshalGeometry(r.Geometry)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", r.PCode, err)
		}
		switch g := g.Geometry().(type) {
		case orb.Polygon:
			shapes[r.Name] = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			shapes[r.Name] = g
		default:
			continue
		}
		names = append(names, r.Name)
	}
	byAirwars := map[string]int{}
	for i, p := range Parties {
		if p.Airwars != "" {
			byAirwars[strings.ToLower(p.Airwars)] = i
		}
	}
	rd, err := formats.NewAirwarsReader(bytes.NewReader(sc.Airwars), formats.Options{})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ca1e))
	g := &Generator{N: n, Seed: seed}
	for rec, err := range rd.All() {
		if err != nil {
			continue // a row the reader refuses is not resampled
		}
		in := rec.Incident
		b := base{code: in.OriginID, location: in.Location, sub: in.SubEventType, event: in.EventType,
			grade: in.Grade, fat: in.Fatalities, injured: in.Injured, civilians: len(rec.Targets) > 0}
		if in.Point != nil {
			b.lat, b.lon = in.Point.Lat, in.Point.Lon
		} else {
			shape, ok := shapes[in.Admin1]
			if !ok {
				shape = shapes[names[rng.IntN(len(names))]]
			}
			p := inside(rng, shape)
			b.lat, b.lon = p[1], p[0]
		}
		if a, ok := ix.Assign(domain.Point{Lat: b.lat, Lon: b.lon}); ok {
			b.admin1, b.admin2 = a.Admin1.Name, a.Admin2.Name
		} else {
			continue // outside Syria: not on the map being measured
		}
		for _, name := range rec.Perpetrators {
			if i, ok := byAirwars[strings.ToLower(name)]; ok {
				b.perps = append(b.perps, i)
			}
		}
		g.bases = append(g.bases, b)
	}
	if len(g.bases) == 0 {
		return nil, fmt.Errorf("scalebench: no Airwars events to resample")
	}
	return g, nil
}

// inside draws a point inside shape by rejection from its bounding box.
func inside(rng *rand.Rand, shape orb.MultiPolygon) orb.Point {
	b := shape.Bound()
	for {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if planar.MultiPolygonContains(shape, p) {
			return p
		}
	}
}

// Bases reports how many real events are resampled.
func (g *Generator) Bases() int { return len(g.bases) }

// Row returns incident i (0-based; its ID is i+1). Times rise with i, as in
// an archive loaded in date order, with a random time of day, so IDs follow
// time as they do on a desk that records events as they are reported.
func (g *Generator) Row(i int64) Row {
	rng := rand.New(rand.NewPCG(g.Seed, uint64(i)+1))
	b := &g.bases[rng.IntN(len(g.bases))]
	span := SpanEnd.Sub(SpanStart)
	step := span / time.Duration(g.N)
	at := SpanStart.Add(time.Duration(float64(span)*float64(i)/float64(g.N)) + time.Duration(rng.Int64N(int64(step)+1)))
	// Jitter uniformly within a disc of JitterKm.
	r := JitterKm * math.Sqrt(rng.Float64())
	th := 2 * math.Pi * rng.Float64()
	dLat := r * math.Sin(th) / 111.32
	dLon := r * math.Cos(th) / (111.32 * math.Cos(b.lat*math.Pi/180))
	row := Row{
		ID: i + 1, OccurredAt: at.Truncate(time.Second), Lat: round6(b.lat + dLat), Lon: round6(b.lon + dLon),
		Location: b.location, Admin1: b.admin1, Admin2: b.admin2, EventType: b.event, Sub: b.sub,
		Grade: b.grade, Fatalities: b.fat, Injured: b.injured,
		Summary: "Resampled from Airwars " + b.code + " for the scale benchmark.",
	}
	// Keep the real attribution most of the time; otherwise any party, so
	// every party has incidents across the whole map and span.
	if len(b.perps) > 0 && rng.IntN(10) < 6 {
		row.Perpetrators = append(row.Perpetrators, b.perps...)
	} else {
		row.Perpetrators = []int{rng.IntN(len(Parties) - 1)}
	}
	switch {
	case b.civilians && rng.IntN(10) < 7:
		row.Targets = []int{len(Parties) - 1}
	case rng.IntN(2) == 0:
		t := rng.IntN(len(Parties) - 1)
		if t != row.Perpetrators[0] {
			row.Targets = []int{t}
		}
	}
	return row
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
