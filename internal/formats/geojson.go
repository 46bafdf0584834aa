package formats

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/trucedesk/truce/internal/domain"
)

// FeatureProperties are the properties of each incident in a GeoJSON export.
// A struct rather than a map keeps the key order, and so the output, stable.
type FeatureProperties struct {
	ID            int64             `json:"id"`
	Origin        string            `json:"origin,omitempty"`
	OriginID      string            `json:"origin_id,omitempty"`
	Type          string            `json:"type"`
	SubType       string            `json:"sub_type"`
	Date          string            `json:"date"`
	TimePrecision int               `json:"time_precision"`
	GeoPrecision  int               `json:"geo_precision"`
	Location      string            `json:"location,omitempty"`
	Admin1        string            `json:"admin1,omitempty"`
	Admin2        string            `json:"admin2,omitempty"`
	Perpetrators  []string          `json:"perpetrators"`
	Targets       []string          `json:"targets"`
	Fatalities    domain.Fatalities `json:"fatalities"`
	Injured       int               `json:"injured"`
	Grade         domain.Grade      `json:"grade,omitempty"`
	Verdict       string            `json:"verdict,omitempty"`
}

// GeoJSONWriter streams incidents as a GeoJSON FeatureCollection, one
// feature at a time, so exports of any size use constant memory. Incidents
// without a point get a null geometry, which RFC 7946 allows, rather than
// being left out of the export.
type GeoJSONWriter struct {
	// Verdict, if set, gives the compliance verdict shown for an incident;
	// empty leaves the property out.
	Verdict func(*domain.Incident) string

	w     *bufio.Writer
	names NameFunc
	n     int
}

// NewGeoJSONWriter returns a writer that names parties through names. Call
// Close to finish the collection.
func NewGeoJSONWriter(w io.Writer, names NameFunc) *GeoJSONWriter {
	return &GeoJSONWriter{w: bufio.NewWriter(w), names: names}
}

// Write adds one incident as a feature.
func (w *GeoJSONWriter) Write(in *domain.Incident) error {
	sep := ",\n"
	if w.n == 0 {
		sep = `{"type":"FeatureCollection","features":[` + "\n"
	}
	var g orb.Geometry
	if in.Point != nil {
		g = orb.Point{in.Point.Lon, in.Point.Lat}
	}
	p := FeatureProperties{
		ID: in.ID, Origin: in.Origin, OriginID: in.OriginID, Type: in.EventType, SubType: in.SubEventType,
		Date: in.OccurredAt.Format("2006-01-02"), TimePrecision: int(in.TimePrecision), GeoPrecision: int(in.GeoPrecision),
		Location: in.Location, Admin1: in.Admin1, Admin2: in.Admin2,
		Perpetrators: partyNames(in.Perpetrators, w.names), Targets: partyNames(in.Targets, w.names),
		Fatalities: in.Fatalities, Injured: in.Injured, Grade: in.Grade,
	}
	if w.Verdict != nil {
		p.Verdict = w.Verdict(in)
	}
	f := geojson.FeatureOf[FeatureProperties]{Type: "Feature", Geometry: g, Properties: p}
	if in.ID != 0 {
		f.ID = in.ID
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode feature: %w", err)
	}
	w.n++
	w.w.WriteString(sep)
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("write GeoJSON: %w", err)
	}
	return nil
}

// Close ends the collection and flushes it; it does not close the
// underlying writer.
func (w *GeoJSONWriter) Close() error {
	if w.n == 0 {
		w.w.WriteString(`{"type":"FeatureCollection","features":[`)
	}
	w.w.WriteString("\n]}\n")
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write GeoJSON: %w", err)
	}
	return nil
}
