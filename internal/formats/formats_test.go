package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

var update = flag.Bool("update", false, "rewrite golden files")

// registry is a test party registry that gives every new name the next ID,
// so imports resolve every actor and exports can name them back.
type registry struct {
	ids   map[string]int64
	names map[int64]string
	known map[string]bool // if set, only these names resolve
}

func newRegistry() *registry {
	return &registry{ids: map[string]int64{}, names: map[int64]string{}}
}

func (r *registry) Resolve(name string) (int64, bool) {
	if r.known != nil && !r.known[name] {
		return 0, false
	}
	if id, ok := r.ids[name]; ok {
		return id, true
	}
	id := int64(len(r.ids) + 1)
	r.ids[name], r.names[id] = id, name
	return id, true
}

func (r *registry) Name(id int64) (string, bool) {
	n, ok := r.names[id]
	return n, ok
}

func open(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// readAll reads every record, failing on errors other than row errors.
func readAll(tb testing.TB, newReader func(io.Reader, Options) (*Reader, error), data []byte, opts Options) ([]Record, *Report) {
	tb.Helper()
	r, err := newReader(bytes.NewReader(data), opts)
	if err != nil {
		tb.Fatal(err)
	}
	var recs []Record
	for rec, err := range r.All() {
		var re *RowError
		if errors.As(err, &re) {
			continue
		} else if err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs, r.Report()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestACLEDReader(t *testing.T) {
	reg := newRegistry()
	recs, rep := readAll(t, NewACLEDReader, open(t, "acled_syria_synthetic.csv"), Options{Resolver: reg})
	if rep.Rows != 40 || rep.Accepted != 40 || rep.Rejected != 0 {
		t.Fatalf("report = %d rows, %d accepted, %d rejected (%v); want 40, 40, 0", rep.Rows, rep.Accepted, rep.Rejected, rep.Errors)
	}
	// Row 0 uses the export tool's date form, row 1 the ISO form.
	want := []Record{{
		Line: 2,
		Incident: domain.Incident{
			EventType: "Protests", SubEventType: "Peaceful protest", OccurredAt: day(2016, 3, 27), TimePrecision: 2,
			Location: "Daraa Al Balad", Point: &domain.Point{Lat: 32.6252, Lon: 36.0946}, GeoPrecision: 1,
			Admin1: "Dar'a", Admin2: "Dar'a", Perpetrators: []int64{reg.ids["Protesters (Syria)"]},
			Summary: "On 27 March 2016, synthetic row 0: peaceful protest reported in Daraa Al Balad (Dar'a, Dar'a). 0 reported fatalities.",
			Origin:  "acled", OriginID: "SYR9000",
			Sources: []domain.Source{{Kind: domain.SourceMedia, Publisher: "Smart News Agency"}},
		},
		Perpetrators: []string{"Protesters (Syria)"},
	}, {
		Line: 3,
		Incident: domain.Incident{
			EventType: "Violence against civilians", SubEventType: "Attack", OccurredAt: day(2016, 2, 5), TimePrecision: 2,
			Location: "Jisr Ash-Shugur", Point: &domain.Point{Lat: 35.8107, Lon: 36.3126}, GeoPrecision: 1,
			Admin1: "Idleb", Admin2: "Jisr-Ash-Shugur",
			Perpetrators: []int64{reg.ids["Islamic State (Syria)"]}, Targets: []int64{reg.ids["Civilians (Syria)"]},
			Fatalities: domain.Fatalities{Best: 1, Low: 1, High: 1},
			Summary:    "On 5 February 2016, synthetic row 1: attack reported in Jisr Ash-Shugur (Jisr-Ash-Shugur, Idleb). 1 reported fatalities.",
			Origin:     "acled", OriginID: "SYR9001",
			Sources: []domain.Source{{Kind: domain.SourceMedia, Publisher: "Smart News Agency"}},
		},
		Perpetrators: []string{"Islamic State (Syria)"}, Targets: []string{"Civilians (Syria)"},
	}}
	if diff := cmp.Diff(want, recs[:2]); diff != "" {
		t.Errorf("first records (-want +got):\n%s", diff)
	}
	// Associated actors join actor 1 as perpetrators.
	for _, rec := range recs {
		if rec.Perpetrators[0] == "Military Forces of Syria (2000-)" {
			want := []string{"Military Forces of Syria (2000-)", "NDF: National Defence Forces", "Hezbollah"}
			if diff := cmp.Diff(want, rec.Perpetrators); diff != "" {
				t.Errorf("line %d perpetrators (-want +got):\n%s", rec.Line, diff)
			}
			break
		}
	}
	if len(rep.Unmapped) != 0 {
		t.Errorf("unmapped = %v, want none with a resolver that knows every name", rep.Unmapped)
	}
}

// TestACLEDColumnOrder checks that columns are found by name: the fixture
// with its columns reversed reads the same.
func TestACLEDColumnOrder(t *testing.T) {
	data := open(t, "acled_syria_synthetic.csv")
	want, _ := readAll(t, NewACLEDReader, data, Options{})
	got, rep := readAll(t, NewACLEDReader, reverseColumns(t, data), Options{})
	if rep.Rejected != 0 {
		t.Fatalf("rejected %v", rep.Errors)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reversed columns (-want +got):\n%s", diff)
	}
}

func TestUnmappedActors(t *testing.T) {
	reg := newRegistry()
	reg.known = map[string]bool{"Civilians (Syria)": true, "Islamic State (Syria)": true}
	_, rep := readAll(t, NewACLEDReader, open(t, "acled_syria_synthetic.csv"), Options{Resolver: reg})
	got := map[string]UnmappedActor{}
	for _, u := range rep.Unmapped {
		got[u.Name] = u
	}
	for _, name := range []string{"Civilians (Syria)", "Islamic State (Syria)"} {
		if _, ok := got[name]; ok {
			t.Errorf("%q listed as unmapped though the resolver knows it", name)
		}
	}
	// Counted in the fixture: five protests, the first on line 2.
	if u := got["Protesters (Syria)"]; u.Count != 5 || u.FirstLine != 2 {
		t.Errorf("Protesters (Syria) = %+v, want count 5, first line 2", u)
	}
	for i := 1; i < len(rep.Unmapped); i++ {
		if rep.Unmapped[i].Count > rep.Unmapped[i-1].Count {
			t.Errorf("unmapped not sorted by count: %v", rep.Unmapped)
			break
		}
	}
}

// TestACLEDBadRows checks that each bad row is reported with its line,
// column and reason, and that the good rows still come through.
func TestACLEDBadRows(t *testing.T) {
	recs, rep := readAll(t, NewACLEDReader, open(t, "acled_bad.csv"), Options{})
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Incident.OriginID)
	}
	if diff := cmp.Diff([]string{"SYR1", "SYR8"}, ids); diff != "" {
		t.Errorf("accepted (-want +got):\n%s", diff)
	}
	if rep.Rows != 10 || rep.Accepted != 2 || rep.Rejected != 8 {
		t.Errorf("report = %d rows, %d accepted, %d rejected; want 10, 2, 8", rep.Rows, rep.Accepted, rep.Rejected)
	}
	wantCols := []struct {
		line int
		col  string
	}{{3, "event_date"}, {4, "latitude"}, {6, "sub_event_type"}, {7, "longitude"}, {8, "fatalities"},
		{9, "geo_precision"}, {11, ""}, {12, "notes"}}
	for i, w := range wantCols {
		if i >= len(rep.Errors) {
			t.Fatalf("only %d errors: %v", len(rep.Errors), rep.Errors)
		}
		if e := rep.Errors[i]; e.Line != w.line || e.Column != w.col {
			t.Errorf("error %d = line %d column %q (%s), want line %d column %q", i, e.Line, e.Column, e.Reason, w.line, w.col)
		}
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "acled_bad.report.golden.csv", buf.Bytes())
}

func TestOpenErrors(t *testing.T) {
	data := open(t, "acled_syria_synthetic.csv")
	header, body, _ := bytes.Cut(data, []byte("\n"))
	semi := bytes.ReplaceAll(header, []byte(","), []byte(";"))
	tab := bytes.ReplaceAll(header, []byte(","), []byte("\t"))
	noGeo := bytes.Replace(bytes.Replace(header, []byte("latitude,longitude,"), nil, 1), []byte(",fatalities"), nil, 1)
	tests := []struct {
		name string
		in   []byte
		opts Options
		want string // in the message; "" means it opens
	}{
		{"comma", data, Options{}, ""},
		{"missing columns", append(append(noGeo, '\n'), body...), Options{}, "lacks required columns: latitude, longitude, fatalities"},
		{"semicolons", append(append(semi, '\n'), body...), Options{}, "separated by semicolons"},
		{"semicolons allowed", append(semi, '\n'), Options{Comma: ';'}, ""},
		{"tabs", append(tab, '\n'), Options{}, "separated by tabs"},
		{"empty", nil, Options{}, "is empty"},
		{"utf-16", append([]byte{0xFF, 0xFE}, header...), Options{}, "UTF-16"},
		{"windows-1252 strict", append(append(header, '\n'), []byte("SYR1,2016-02-28,x\xe9\n")...), Options{StrictUTF8: true}, "not UTF-8 (byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewACLEDReader(bytes.NewReader(tt.in), tt.opts)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an %s error containing %q", err, domain.EINVALID, tt.want)
			}
		})
	}
}

// TestWindows1252 checks that a file saved by Excel on Windows is decoded,
// with a warning, and that a BOM is skipped.
func TestWindows1252(t *testing.T) {
	data := open(t, "acled_syria_synthetic.csv")
	cp := bytes.Replace(data, []byte("Daraa Al Balad"), []byte("Dar\xe2a Al Balad"), 1)
	recs, rep := readAll(t, NewACLEDReader, cp, Options{})
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "Windows-1252") {
		t.Errorf("warnings = %q, want one about Windows-1252", rep.Warnings)
	}
	if got, want := recs[0].Incident.Location, "Darâa Al Balad"; got != want {
		t.Errorf("location = %q, want %q", got, want)
	}
	bom := append([]byte("\xef\xbb\xbf"), data...)
	recs, rep = readAll(t, NewACLEDReader, bom, Options{})
	if len(recs) != 40 || len(rep.Warnings) != 0 {
		t.Errorf("with BOM: %d records, warnings %q; want 40 and none", len(recs), rep.Warnings)
	}
	// Bad bytes after the sniffed start reject only their row.
	late := append(append([]byte{}, data...), bytes.Repeat([]byte(" "), sniffSize)...)
	late = append(late, []byte("\nSYR99,2016-02-28,2016,1,,Battles,Armed clash,A\xff,,,B,,,,,,,,,,,,1,1,1,,,,0,,\n")...)
	_, rep = readAll(t, NewACLEDReader, late, Options{})
	if n := len(rep.Errors); n == 0 || rep.Errors[n-1].Column != "actor1" || rep.Errors[n-1].Reason != "is not valid UTF-8" {
		t.Errorf("errors = %v, want the last to be actor1: is not valid UTF-8", rep.Errors)
	}
}

func TestProgress(t *testing.T) {
	data := open(t, "airwars_syria_incidents_flat.csv")
	var calls int
	var last int64
	opts := Options{Size: int64(len(data)), Progress: func(read, total int64) {
		calls++
		if read < last || total != int64(len(data)) {
			t.Errorf("progress(%d, %d) after %d, want rising counts of %d", read, total, last, len(data))
		}
		last = read
	}}
	readAll(t, NewAirwarsReader, data, opts)
	if last != int64(len(data)) || calls < 2 {
		t.Errorf("progress ended at %d after %d calls, want %d over several calls", last, calls, len(data))
	}
}

func TestAllStopsEarly(t *testing.T) {
	r, err := NewACLEDReader(bytes.NewReader(open(t, "acled_syria_synthetic.csv")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range r.All() {
		n++
		if n == 3 {
			break
		}
	}
	if rep := r.Report(); n != 3 || rep.Rows != 3 {
		t.Errorf("read %d rows after stopping at %d, want 3", rep.Rows, n)
	}
	if _, err := r.Next(); err != nil {
		t.Errorf("Next after break = %v, want the fourth record", err)
	}
}

// reverseColumns rewrites a CSV with its columns in reverse order.
func reverseColumns(tb testing.TB, data []byte) []byte {
	tb.Helper()
	t, err := openTable(bytes.NewReader(data), "test", nil, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	rev := func(ss []string) []string {
		r := make([]string, len(ss))
		for i, s := range ss {
			r[len(ss)-1-i] = s
		}
		return r
	}
	w.Write(rev(t.header))
	for {
		rw, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			tb.Fatal(err)
		}
		w.Write(rev(rw.fields))
	}
	w.Flush()
	return out.Bytes()
}
