package geo

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// geonamesColumns is the width of a GeoNames "geoname" row.
const geonamesColumns = 19

// ScanGeoNames streams a GeoNames "geoname" dump (tab-separated, no header:
// geonameid, name, asciiname, alternatenames, latitude, longitude, feature
// class, feature code, country code, cc2, admin1 code, admin2 code, admin3,
// admin4, population, elevation, dem, timezone, modification date) and calls
// fn with each place, so the 12-million-row world dump never has to sit in
// memory. Blank lines and lines starting with # are skipped, which lets a
// curated file carry its provenance. A malformed row stops the scan with an
// EINVALID error naming its line; an error from fn stops it as is.
//
// The place's Admin1 and Admin2 hold the GeoNames codes ("02"), since names
// come from the OCHA polygons: see AssignAdmin. Arabic-script alternate
// names fill NameAR (the first) and Alternates.
func ScanGeoNames(r io.Reader, fn func(*domain.Place) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024) // alternatenames can be long
	line := 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if len(bytes.TrimSpace(text)) == 0 || text[0] == '#' {
			continue
		}
		p, err := parseGeoNamesRow(string(text))
		if err != nil {
			return domain.Errorf(domain.EINVALID, "geonames line %d: %s", line, err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read geonames after line %d: %w", line, err)
	}
	return nil
}

// ReadGeoNames reads a whole GeoNames dump; see ScanGeoNames.
func ReadGeoNames(r io.Reader) ([]*domain.Place, error) {
	var places []*domain.Place
	err := ScanGeoNames(r, func(p *domain.Place) error {
		places = append(places, p)
		return nil
	})
	return places, err
}

func parseGeoNamesRow(row string) (*domain.Place, error) {
	f := strings.Split(strings.TrimRight(row, "\r"), "\t")
	if len(f) != geonamesColumns {
		return nil, fmt.Errorf("want %d tab-separated columns, got %d", geonamesColumns, len(f))
	}
	id, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("geonameid %q is not a number", f[0])
	}
	lat, err1 := strconv.ParseFloat(f[4], 64)
	lon, err2 := strconv.ParseFloat(f[5], 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("latitude %q, longitude %q: not numbers", f[4], f[5])
	}
	pt := domain.Point{Lat: lat, Lon: lon}
	if err := pt.Validate(); err != nil {
		return nil, fmt.Errorf("%s", domain.ErrorMessage(err))
	}
	if strings.TrimSpace(f[1]) == "" {
		return nil, fmt.Errorf("name is empty")
	}
	var pop int64
	if f[14] != "" {
		if pop, err = strconv.ParseInt(f[14], 10, 64); err != nil {
			return nil, fmt.Errorf("population %q is not a number", f[14])
		}
	}
	p := &domain.Place{
		GeonameID:    id,
		Name:         f[1],
		Point:        pt,
		FeatureClass: f[6],
		FeatureCode:  f[7],
		Admin1:       f[10],
		Admin2:       f[11],
		Population:   pop,
	}
	seen := map[string]bool{f[1]: true}
	add := func(name string) {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] || !usefulScript(name) {
			return
		}
		seen[name] = true
		if p.NameAR == "" && isArabic(name) {
			p.NameAR = name
		}
		p.Alternates = append(p.Alternates, name)
	}
	add(f[2])
	for a := range strings.SplitSeq(f[3], ",") {
		add(a)
	}
	return p, nil
}

// usefulScript reports whether a name is in Latin or Arabic script: the
// world dump carries Cyrillic, Han and other spellings that no report to a
// Syrian ceasefire desk uses and that would only bloat the index.
func usefulScript(name string) bool {
	for _, r := range name {
		if r < 0x250 || (r >= 0x1E00 && r <= 0x1EFF) || isArabicRune(r) {
			continue
		}
		if r >= 0x2000 && r <= 0x206F || r == 0x02BF || r == 0x02BE || r == 0x02BC || r == 0x02BB {
			continue // punctuation and transliteration marks
		}
		return false
	}
	return true
}

func isArabicRune(r rune) bool {
	return (r >= 0x0600 && r <= 0x06FF) || (r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

func isArabic(name string) bool {
	for _, r := range name {
		if isArabicRune(r) {
			return true
		}
	}
	return false
}

//go:embed gazetteer-extra.tsv
var extraTSV []byte

// ExtraPlaces returns the Truce team's curated supplement to GeoNames:
// airbases and other sites that reports name but cities1000 lacks, such as
// Hmeimim Air Base. The file is in GeoNames layout with negative ids, so its
// rows never collide with real GeoNames ids.
func ExtraPlaces() ([]*domain.Place, error) {
	places, err := ReadGeoNames(bytes.NewReader(extraTSV))
	if err != nil {
		return nil, fmt.Errorf("embedded gazetteer-extra.tsv: %w", err)
	}
	return places, nil
}
