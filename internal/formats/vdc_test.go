package formats

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// ochaAdmin1 are the NAME_EN values of OCHA's syr_admin1.geojson (2016).
var ochaAdmin1 = []string{"Al-Hasakeh", "Aleppo", "Ar-Raqqa", "As-Sweida", "Damascus", "Dar'a", "Deir-ez-Zor",
	"Hama", "Homs", "Idleb", "Lattakia", "Quneitra", "Rural Damascus", "Tartous"}

func TestReadVDCDaily(t *testing.T) {
	counts, rep, err := ReadVDCDaily(bytes.NewReader(open(t, "casualties_by_province_by_day.csv")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 2687 || rep.Accepted != 2687 || rep.Rejected != 0 {
		t.Errorf("report = %d rows, %d accepted, %d rejected; want 2687, 2687, 0", rep.Rows, rep.Accepted, rep.Rejected)
	}
	if len(counts) != 2687*14 {
		t.Errorf("%d counts, want %d", len(counts), 2687*14)
	}
	regions := map[string]bool{}
	for _, c := range counts {
		regions[c.Region] = true
	}
	var got []string
	for r := range regions {
		got = append(got, r)
	}
	sort.Strings(got)
	if diff := cmp.Diff(ochaAdmin1, got); diff != "" {
		t.Errorf("regions (-OCHA +got):\n%s", diff)
	}
	// The file's second row: 2011-03-18, three deaths in Daraa.
	want := domain.DailyCount{Series: "vdc-deaths", Region: "Dar'a", Day: "2011-03-18", Value: 3}
	found := false
	for _, c := range counts[14:28] {
		if c == want {
			found = true
		}
	}
	if !found {
		t.Errorf("counts for 2011-03-18 = %v, want to include %v", counts[14:28], want)
	}
}

func TestReadVDCDailyBad(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string
		want     []RowError
		n        int
	}{
		{"unknown column", "day,Aleppo,Atlantis\n2016-01-01,1,2\n", `"atlantis" is not a Syrian governorate`, nil, 0},
		{"bad cells", "day,Aleppo,Hama\n2016-01-01,1,2\n2016-01-02,x,2\n2016-13-01,1,1\n2016-01-04,1,-1\n2016-01-05,2.0,1\n",
			"", []RowError{
				{Line: 3, Column: "aleppo", Reason: `"x" is not a count`},
				{Line: 4, Column: "day", Reason: `"2016-13-01" is not a date (want 2016-02-28 or 28 February 2016)`},
				{Line: 5, Column: "hama", Reason: `"-1" is not a count`},
			}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts, rep, err := ReadVDCDaily(strings.NewReader(tt.in), Options{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rep.Errors); diff != "" {
				t.Errorf("row errors (-want +got):\n%s", diff)
			}
			if len(counts) != tt.n {
				t.Errorf("%d counts, want %d (bad rows dropped whole)", len(counts), tt.n)
			}
		})
	}
}

func TestGovernorate(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Damascus Suburbs", "Rural Damascus", true},
		{"Rif Dimashq", "Rural Damascus", true},
		{"Lattakia", "Lattakia", true},
		{"Sweida", "As-Sweida", true},
		{"Al Suwayda", "As-Sweida", true},
		{"Hasakeh", "Al-Hasakeh", true},
		{"Hasakah Governorate", "Al-Hasakeh", true},
		{"Raqqa", "Ar-Raqqa", true},
		{"Deir Ezzor", "Deir-ez-Zor", true},
		{"Tartous", "Tartous", true},
		{"Idlib", "Idleb", true},
		{"Daraa", "Dar'a", true},
		{"Aleppo governorate", "Aleppo", true},
		{"Ma'arat al-Numan", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Governorate(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Governorate(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
