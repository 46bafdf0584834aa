package domain

import "time"

// Place is a gazetteer entry, GeoNames-like.
type Place struct {
	ID           int64    `json:"id"`
	GeonameID    int64    `json:"geoname_id,omitempty"`
	Name         string   `json:"name"`
	NameAR       string   `json:"name_ar,omitempty"`
	Alternates   []string `json:"alternates,omitempty"`
	Point        Point    `json:"point"`
	FeatureClass string   `json:"feature_class"` // GeoNames: P populated place, S spot (airbase), A admin…
	FeatureCode  string   `json:"feature_code"`
	Admin1       string   `json:"admin1,omitempty"` // governorate name
	Admin2       string   `json:"admin2,omitempty"`
	Population   int64    `json:"population,omitempty"`
}

// Region is an administrative unit with its boundary, as published by OCHA.
type Region struct {
	PCode    string `json:"pcode"` // SY01…SY14 for governorates
	Level    int    `json:"level"` // 1 governorate, 2 district, 3 sub-district
	Name     string `json:"name"`
	NameAR   string `json:"name_ar,omitempty"`
	Parent   string `json:"parent,omitempty"` // the parent's PCode
	Geometry []byte `json:"geometry"`         // a GeoJSON geometry
}

// Area is a zone of control: a polygon held by a party for a time. Maps
// change, so several versions of an area may exist over time.
type Area struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	ControllerID int64  `json:"controller_id"`
	// ValidFrom and ValidTo bound the version; a zero ValidTo means current.
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to,omitzero"`
	Geometry  []byte    `json:"geometry"` // a GeoJSON Polygon or MultiPolygon
	Source    string    `json:"source,omitempty"`
}

// DailyCount is one figure of a published daily series, such as the Violations
// Documentation Center's deaths per governorate per day.
type DailyCount struct {
	Series string  `json:"series"` // e.g. "vdc-deaths"
	Region string  `json:"region"` // a governorate, or "" for the total
	Day    string  `json:"day"`    // YYYY-MM-DD
	Value  float64 `json:"value"`
}
