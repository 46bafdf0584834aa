package compliance_test

import (
	"time"

	"github.com/paulmach/orb"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
)

// The 2016 scenario, written out. Dates, parties and designations follow the
// US–Russia joint statement of 22 February 2016 and UNSC resolution 2268;
// the control areas are rough boxes around the places named, drawn for
// these tests, not a historical map. Faylaq al-Rahman's withdrawal on 20
// April is invented to exercise the rule.

var damascus = mustLoad("Asia/Damascus")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is an instant in Damascus time.
func at(day, hour, min int) time.Time {
	return time.Date(2016, time.February, day, hour, min, 0, 0, damascus)
}

const unsc = "UN Security Council"

// Party IDs.
const (
	ruAF      = 1  // Russian Aerospace Forces
	saa       = 2  // Syrian Arab Army
	isil      = 3  // Islamic State
	nusra     = 4  // Jabhat al-Nusra
	ypg       = 5  // People's Protection Units
	tsk       = 6  // Turkish Armed Forces
	jaish     = 7  // Jaysh al-Islam
	fsa       = 8  // Free Syrian Army (coalition)
	fsa13     = 9  // Division 13, under the FSA
	civilians = 10 // Civilians
	ahrar     = 11 // Ahrar al-Sham: no status recorded
	ypj       = 12 // Women's Protection Units, under the YPG
	faylaq    = 13 // Faylaq al-Rahman
)

func scenarioAgreement() *domain.Agreement {
	return &domain.Agreement{
		ID: 1, Slug: "syria-coh-2016", Name: "Cessation of Hostilities in Syria",
		TimeZone: "Asia/Damascus", Start: at(27, 0, 0), CommitBy: at(26, 12, 0),
		ProhibitedActs:     []string{domain.SubAirStrike, domain.SubShelling, domain.SubClash},
		Country:            "Syria",
		ExclusionAuthority: unsc,
		Source:             "US–Russia joint statement, 22 February 2016; UNSC resolution 2268",
		Version:            1,
	}
}

func scenarioParties() []*domain.Party {
	return []*domain.Party{
		{ID: ruAF, Slug: "ru-af", Name: "Russian Aerospace Forces", Kind: domain.KindState},
		{ID: saa, Slug: "saa", Name: "Syrian Arab Army", Kind: domain.KindState},
		{ID: isil, Slug: "isil", Name: "ISIL", Kind: domain.KindArmedGroup},
		{ID: nusra, Slug: "nusra", Name: "Jabhat al-Nusra", Kind: domain.KindArmedGroup},
		{ID: ypg, Slug: "ypg", Name: "YPG", Kind: domain.KindArmedGroup},
		{ID: tsk, Slug: "tsk", Name: "Turkish Armed Forces", Kind: domain.KindState},
		{ID: jaish, Slug: "jaysh-al-islam", Name: "Jaysh al-Islam", Kind: domain.KindArmedGroup},
		{ID: fsa, Slug: "fsa", Name: "Free Syrian Army", Kind: domain.KindCoalition},
		{ID: fsa13, Slug: "division-13", Name: "Division 13", Kind: domain.KindArmedGroup, ParentID: fsa},
		{ID: civilians, Slug: "civilians", Name: "civilians", Kind: domain.KindCivilians},
		{ID: ahrar, Slug: "ahrar-al-sham", Name: "Ahrar al-Sham", Kind: domain.KindArmedGroup},
		{ID: ypj, Slug: "ypj", Name: "YPJ", Kind: domain.KindArmedGroup, ParentID: ypg},
		{ID: faylaq, Slug: "faylaq-al-rahman", Name: "Faylaq al-Rahman", Kind: domain.KindArmedGroup},
	}
}

func scenarioStatuses() []*domain.PartyStatus {
	row := func(id, party int64, kind domain.StatusKind, designator string, from time.Time) *domain.PartyStatus {
		return &domain.PartyStatus{ID: id, AgreementID: 1, PartyID: party, Kind: kind, Designator: designator, ValidFrom: from}
	}
	return []*domain.PartyStatus{
		row(101, isil, domain.StatusExcluded, unsc, at(26, 0, 0)),
		row(102, nusra, domain.StatusExcluded, unsc, at(26, 0, 0)),
		row(103, saa, domain.StatusCommitted, "Russia", at(23, 0, 0)),
		row(104, jaish, domain.StatusCommitted, "United States", at(26, 11, 0)),
		row(105, fsa, domain.StatusCommitted, "United States", at(26, 10, 0)),
		row(106, ypg, domain.StatusCommitted, "Russia", at(26, 11, 30)),
		row(107, ypg, domain.StatusDesignated, "Turkey", at(1, 0, 0)),
		row(108, faylaq, domain.StatusCommitted, "United States", at(26, 11, 0)),
		row(109, faylaq, domain.StatusWithdrawn, "United States", time.Date(2016, 4, 20, 0, 0, 0, 0, damascus)),
		// A designation by another state that names a party the UN already
		// excludes changes no outcome, so it must not add a view.
		row(110, isil, domain.StatusDesignated, "Turkey", at(1, 0, 0)),
	}
}

func box(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func cw(r orb.Ring) orb.Ring {
	r = append(orb.Ring(nil), r...)
	r.Reverse()
	return r
}

// Places used by the incidents.
var (
	raqqaCity   = &domain.Point{Lat: 35.95, Lon: 39.01}
	douma       = &domain.Point{Lat: 33.57, Lon: 36.40}
	deirISIL    = &domain.Point{Lat: 35.20, Lon: 40.00} // in the ISIL ring, outside the pocket
	deirPocket  = &domain.Point{Lat: 35.33, Lon: 40.15} // in the hole: the government pocket
	tellRifaat  = &domain.Point{Lat: 36.47, Lon: 37.10}
	idlibFront  = &domain.Point{Lat: 35.95, Lon: 36.65} // where the Nusra and FSA areas overlap
	quneitraGap = &domain.Point{Lat: 33.10, Lon: 35.85} // in no area
)

func scenarioAreas() []*control.Area {
	since := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	area := func(id int64, name, slug string, poly ...orb.Ring) *control.Area {
		return &control.Area{ID: id, Version: 1, Name: name, Controller: slug, ValidFrom: since,
			Shape: orb.MultiPolygon{orb.Polygon(poly)}}
	}
	return []*control.Area{
		area(201, "Raqqa", "isil", box(38.5, 35.5, 39.5, 36.5)),
		area(202, "Deir ez-Zor countryside", "isil", box(39.8, 35.0, 40.6, 35.6), cw(box(40.1, 35.3, 40.2, 35.36))),
		area(203, "Deir ez-Zor government pocket", "saa", box(40.1, 35.3, 40.2, 35.36)),
		area(204, "Douma", "jaysh-al-islam", box(36.38, 33.55, 36.45, 33.60)),
		area(205, "Tell Rifaat", "ypg", box(37.0, 36.4, 37.2, 36.55)),
		area(206, "Idlib (Nusra)", "nusra", box(36.4, 35.7, 36.7, 36.0)),
		area(207, "Idlib (FSA)", "fsa", box(36.6, 35.9, 36.9, 36.2)),
	}
}
