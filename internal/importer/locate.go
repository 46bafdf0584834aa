package importer

import (
	"math"
	"strings"
	"sync"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/formats"
	"github.com/trucedesk/truce/internal/geo"
)

// DefaultMinScore is the least geocoder score a row's place name needs for
// its point to be taken. Below it the row keeps no point: a wrong point
// would put an incident in the wrong governorate and the wrong verdict.
const DefaultMinScore = 0.9

// cacheCap bounds each cache of a Locator, so memory stays constant on huge
// files; datasets repeat place names and coordinates heavily, so a modest
// cache answers most rows.
const cacheCap = 1 << 16

// Locator places incidents: it geocodes the place name of a row without
// coordinates, and fills an empty governorate and district from the point.
// It is safe for concurrent use.
type Locator struct {
	Geocoder *geo.Geocoder   // nil: no geocoding
	Admin    *geo.AdminIndex // nil: no admin filling
	MinScore float64

	mu     sync.Mutex
	places map[string]*geo.Candidate // place name + hint → best candidate (nil: none)
	admins map[[2]int32]*geo.Admin   // point rounded to 1e-5° (about a metre) → units
}

// NewLocator returns a locator over a gazetteer and the OCHA boundaries.
func NewLocator(places []*domain.Place, regions []*domain.Region) (*Locator, error) {
	l := &Locator{MinScore: DefaultMinScore}
	if len(regions) > 0 {
		ix, err := geo.NewAdminIndex(regions)
		if err != nil {
			return nil, err
		}
		l.Admin = ix
	}
	if len(places) > 0 {
		l.Geocoder = geo.NewGeocoder(places, l.Admin)
	}
	return l, nil
}

// Result says what Locate did to a row.
type Result struct {
	Geocoded  bool          // the point came from the gazetteer
	Candidate geo.Candidate // when Geocoded
	Unplaced  bool          // the row has no point, and none was found
}

// Locate fills in.Point from the place names when it is missing (locationAR
// is a second, Arabic-script name some datasets give), and in.Admin1 and
// in.Admin2 from the point when they are empty. A geocoded point is
// claimed at most "near" precision.
func (l *Locator) Locate(in *domain.Incident, locationAR string) Result {
	var res Result
	if in.Point == nil && l.Geocoder != nil {
		for _, name := range []string{in.Location, locationAR} {
			if c := l.geocode(name, in.Admin1); c != nil {
				p := c.Place.Point
				in.Point = &p
				res.Geocoded, res.Candidate = true, *c
				if in.GeoPrecision < domain.GeoNear {
					in.GeoPrecision = domain.GeoNear
				}
				break
			}
		}
	}
	if in.Point == nil {
		res.Unplaced = true
		return res
	}
	if l.Admin != nil && (in.Admin1 == "" || in.Admin2 == "") {
		if a := l.assign(*in.Point); a != nil {
			if in.Admin1 == "" {
				in.Admin1 = a.Admin1.Name
				if g, ok := formats.Governorate(a.Admin1.Name); ok {
					in.Admin1 = g
				}
			}
			if in.Admin2 == "" && (a.Admin1.Name == in.Admin1 || sameGovernorate(a.Admin1.Name, in.Admin1)) {
				in.Admin2 = a.Admin2.Name
			}
		}
	}
	return res
}

func sameGovernorate(a, b string) bool {
	ga, ok1 := formats.Governorate(a)
	gb, ok2 := formats.Governorate(b)
	return ok1 && ok2 && ga == gb
}

func (l *Locator) geocode(name, admin1 string) *geo.Candidate {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil
	}
	key := name + "\x00" + admin1
	l.mu.Lock()
	c, ok := l.places[key]
	l.mu.Unlock()
	if ok {
		return c
	}
	cands := l.Geocoder.Geocode(name, geo.Hint{Admin1: admin1})
	if len(cands) > 0 && cands[0].Score >= l.MinScore {
		c = &cands[0]
	}
	l.mu.Lock()
	if l.places == nil || len(l.places) >= cacheCap {
		l.places = make(map[string]*geo.Candidate)
	}
	l.places[key] = c
	l.mu.Unlock()
	return c
}

func (l *Locator) assign(p domain.Point) *geo.Admin {
	key := [2]int32{int32(math.Round(p.Lat * 1e5)), int32(math.Round(p.Lon * 1e5))}
	l.mu.Lock()
	a, ok := l.admins[key]
	l.mu.Unlock()
	if ok {
		return a
	}
	if v, found := l.Admin.Assign(p); found {
		a = &v
	}
	l.mu.Lock()
	if l.admins == nil || len(l.admins) >= cacheCap {
		l.admins = make(map[[2]int32]*geo.Admin)
	}
	l.admins[key] = a
	l.mu.Unlock()
	return a
}
