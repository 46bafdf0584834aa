package scenario

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/trucedesk/truce/internal/domain"
)

// mustLoad loads the scenario or stops the test.
func mustLoad(tb testing.TB) *Scenario {
	tb.Helper()
	s, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return s
}

func TestDamascusOffset(t *testing.T) {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"start of the cessation", time.Date(2016, 2, 27, 0, 0, 0, 0, loc), "+02:00"},
		{"commitment deadline", time.Date(2016, 2, 26, 12, 0, 0, 0, loc), "+02:00"},
		{"after the 2016 spring change", time.Date(2016, 3, 26, 12, 0, 0, 0, loc), "+03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.at.Format("-07:00"); got != tt.want {
				t.Errorf("offset of %v = %s, want %s", tt.at, got, tt.want)
			}
		})
	}
}

func TestAgreement(t *testing.T) {
	a := mustLoad(t).Agreement
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{
		{"start", a.Start, time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC)},
		{"commit by", a.CommitBy, time.Date(2016, 2, 26, 10, 0, 0, 0, time.UTC)},
		// Replaced by the 9 September arrangement at sunset on 12 September
		// (Damascus was on summer time, UTC+3).
		{"end", a.End, time.Date(2016, 9, 12, 16, 0, 0, 0, time.UTC)},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got.UTC(), c.want)
		}
	}
	if a.Country != "Syria" || len(a.Scope) != 0 {
		t.Errorf("scope = %q %v, want the whole of Syria", a.Country, a.Scope)
	}
	for _, act := range []string{domain.SubAirStrike, domain.SubShelling, domain.SubClash} {
		if !contains(a.ProhibitedActs, act) {
			t.Errorf("prohibited acts lack %q", act)
		}
	}
	if a.ExclusionAuthority != "UN Security Council" {
		t.Errorf("exclusion authority = %q", a.ExclusionAuthority)
	}
	if !strings.Contains(a.Source, "22 February 2016") || !strings.Contains(a.Source, "2268") {
		t.Errorf("source %q should name the joint statement and resolution 2268", a.Source)
	}
}

func TestParties(t *testing.T) {
	s := mustLoad(t)
	slugs := map[string]*domain.Party{}
	for _, p := range s.Parties {
		if err := p.Validate(); err != nil {
			t.Errorf("party %q: %v", p.Slug, err)
		}
		if slugs[p.Slug] != nil {
			t.Errorf("slug %q is used twice", p.Slug)
		}
		slugs[p.Slug] = p
		for _, a := range p.Aliases {
			if !contains([]string{"en", "ar", "ru", "tr", "ku", "fa"}, a.Lang) {
				t.Errorf("party %q: alias %q has language %q", p.Slug, a.Name, a.Lang)
			}
		}
	}
	for child, parent := range s.Parents {
		if slugs[child] == nil || slugs[parent] == nil {
			t.Errorf("parent relation %q → %q names an unknown party", child, parent)
		}
		// Walk up: a cycle would never reach a root.
		seen := map[string]bool{}
		for p := child; p != ""; p = s.Parents[p] {
			if seen[p] {
				t.Errorf("parent relations of %q form a cycle", child)
				break
			}
			seen[p] = true
		}
	}
	tests := []struct {
		slug  string
		kind  domain.PartyKind
		alias string // a name the desk must recognise
	}{
		{SlugSyria, domain.KindState, "الجيش العربي السوري"},
		{SlugRussia, domain.KindState, "ВКС России"},
		{SlugISIL, domain.KindArmedGroup, "داعش"},
		{SlugISIL, domain.KindArmedGroup, "Daesh"},
		{SlugNusra, domain.KindArmedGroup, "جبهة النصرة"},
		{SlugYPG, domain.KindArmedGroup, "YPG"},
		{SlugSDF, domain.KindCoalition, "قسد"},
		{SlugCoalition, domain.KindCoalition, "U.S.-led Coalition"},
		{SlugTurkey, domain.KindState, "Turkish Military"},
		{SlugCivilians, domain.KindCivilians, "Civilians (Syria)"},
	}
	for _, tt := range tests {
		t.Run(tt.slug+"/"+tt.alias, func(t *testing.T) {
			p := slugs[tt.slug]
			if p == nil {
				t.Fatalf("no party %q", tt.slug)
			}
			if p.Kind != tt.kind {
				t.Errorf("kind = %q, want %q", p.Kind, tt.kind)
			}
			if !contains(p.Names(), tt.alias) {
				t.Errorf("names %q lack %q", p.Names(), tt.alias)
			}
		})
	}
	if s.Parents[SlugUS] != SlugCoalition || s.Parents[SlugYPG] != SlugSDF {
		t.Errorf("parents = %v, want the US in the coalition and the YPG in the SDF", s.Parents)
	}
}

func TestStatuses(t *testing.T) {
	s := mustLoad(t)
	known := map[string]bool{}
	for _, p := range s.Parties {
		known[p.Slug] = true
	}
	type key struct {
		slug       string
		kind       domain.StatusKind
		designator string
	}
	rows := map[key]domain.PartyStatus{}
	for _, st := range s.Statuses {
		if !known[st.PartySlug] {
			t.Errorf("status %q names unknown party %q", st.Status.Kind, st.PartySlug)
		}
		if st.Status.AgreementID != 0 || st.Status.PartyID != 0 {
			t.Errorf("status of %q has IDs set; the caller resolves them", st.PartySlug)
		}
		if err := st.Resolve(1, 2).Validate(); err != nil {
			t.Errorf("status of %q: %v", st.PartySlug, err)
		}
		if st.Status.Source == "" {
			t.Errorf("status %q of %q has no source", st.Status.Kind, st.PartySlug)
		}
		rows[key{st.PartySlug, st.Status.Kind, st.Status.Designator}] = st.Status
	}
	start := s.Agreement.Start
	tests := []struct {
		name string
		key  key
		// The row must hold at this instant.
		by time.Time
	}{
		{"government via Russia", key{SlugSyria, domain.StatusCommitted, GuarantorRussia}, s.Agreement.CommitBy},
		{"Southern Front via the US", key{SlugSouthern, domain.StatusCommitted, GuarantorUS}, s.Agreement.CommitBy},
		{"ISIL excluded", key{SlugISIL, domain.StatusExcluded, ExclusionAuthority}, start},
		{"Nusra excluded", key{SlugNusra, domain.StatusExcluded, ExclusionAuthority}, start},
		{"Turkey designates the YPG", key{SlugYPG, domain.StatusDesignated, "Turkey"}, start},
		{"Turkey designates the PYD", key{SlugPYD, domain.StatusDesignated, "Turkey"}, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, ok := rows[tt.key]
			if !ok {
				t.Fatalf("no row %+v", tt.key)
			}
			if row.ValidFrom.After(tt.by) {
				t.Errorf("valid from %v, want by %v", row.ValidFrom, tt.by)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	s := mustLoad(t)
	govs := map[string]*domain.Region{}
	var districts int
	for _, r := range s.Regions {
		switch r.Level {
		case 1:
			govs[r.PCode] = r
		case 2:
			districts++
		default:
			t.Errorf("region %s has level %d", r.PCode, r.Level)
		}
		if r.NameAR == "" {
			t.Errorf("region %s has no Arabic name", r.PCode)
		}
		g, err := geojson.UnmarshalGeometry(r.Geometry)
		if err != nil {
			t.Errorf("region %s geometry: %v", r.PCode, err)
			continue
		}
		switch g.Geometry().(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			t.Errorf("region %s geometry is a %s", r.PCode, g.Geometry().GeoJSONType())
		}
	}
	if len(govs) != 14 {
		t.Errorf("got %d governorates, want 14", len(govs))
	}
	for i := 1; i <= 14; i++ {
		if pc := fmt.Sprintf("SY%02d", i); govs[pc] == nil {
			t.Errorf("no governorate %s", pc)
		}
	}
	if districts != 62 {
		t.Errorf("got %d districts, want 62", districts)
	}
	for _, r := range s.Regions {
		if r.Level == 2 && (govs[r.Parent] == nil || !strings.HasPrefix(r.PCode, r.Parent)) {
			t.Errorf("district %s has parent %q", r.PCode, r.Parent)
		}
	}
	// The other sources' names must map onto the OCHA names.
	names := map[string]bool{}
	for _, g := range govs {
		names[g.Name] = true
	}
	for col, name := range vdcColumns {
		if !names[name] {
			t.Errorf("VDC column %q maps to %q, not an OCHA governorate", col, name)
		}
	}
	for gn, pc := range geonamesAdmin1 {
		if govs[pc] == nil {
			t.Errorf("GeoNames %q maps to %q, not an OCHA pcode", gn, pc)
		}
	}
}

func TestPlaces(t *testing.T) {
	s := mustLoad(t)
	govs := map[string]bool{}
	for _, r := range s.Regions {
		if r.Level == 1 {
			govs[r.Name] = true
		}
	}
	byName := map[string]*domain.Place{}
	noDistrict := 0
	for _, p := range s.Places {
		if err := p.Point.Validate(); err != nil {
			t.Errorf("place %q: %v", p.Name, err)
		}
		if !govs[p.Admin1] {
			t.Errorf("place %q has governorate %q", p.Name, p.Admin1)
		}
		if p.Admin2 == "" {
			noDistrict++
		}
		byName[p.Name] = p
	}
	if len(s.Places) != 282 {
		t.Errorf("got %d places, want 281 from GeoNames and Hmeimim", len(s.Places))
	}
	// Every place should find its district, coastal and border towns too.
	if noDistrict > 0 {
		t.Errorf("%d places have no district", noDistrict)
	}
	tests := []struct {
		name, nameAR, admin1, admin2, class, code string
	}{
		{"Hmeimim Air Base", "قاعدة حميميم الجوية", "Lattakia", "Jablah", "S", "AIRB"},
		{"Aleppo", "حلب", "Aleppo", "Jebel Saman", "P", "PPLA"},
		{"Damascus", "دمشق", "Damascus", "Damascus", "P", "PPLC"},
		{"Douma", "دوما", "Rural Damascus", "Duma", "P", "PPLA2"},
		{"Ar Rastan", "الرستن", "Homs", "Ar-Rastan", "P", "PPLA2"},
		// On the coast, just outside the simplified boundary.
		{"Tartouss", "طرطوس", "Tartous", "Tartous", "P", "PPLA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := byName[tt.name]
			if p == nil {
				t.Fatalf("no place %q", tt.name)
			}
			got := []string{p.NameAR, p.Admin1, p.Admin2, p.FeatureClass, p.FeatureCode}
			want := []string{tt.nameAR, tt.admin1, tt.admin2, tt.class, tt.code}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	if h := byName["Hmeimim Air Base"]; h != nil && !contains(h.Alternates, "Khmeimim") {
		t.Errorf("Hmeimim alternates %q lack Khmeimim", h.Alternates)
	}
}

func TestCounts(t *testing.T) {
	s := mustLoad(t)
	perDay := map[string]map[string]float64{}
	for _, c := range s.Counts {
		if c.Series != SeriesVDC {
			t.Fatalf("series %q, want %q", c.Series, SeriesVDC)
		}
		if perDay[c.Day] == nil {
			perDay[c.Day] = map[string]float64{}
		}
		perDay[c.Day][c.Region] = c.Value
	}
	if len(perDay) != 366 {
		t.Errorf("got %d days, want every day of 2016", len(perDay))
	}
	tests := []struct {
		day, region string
		want        float64
	}{
		// Figures from the VDC aggregate's rows for these days.
		{"2016-02-27", "Rural Damascus", 25},
		{"2016-02-27", "Ar-Raqqa", 10},
		{"2016-02-27", "Lattakia", 6},
		{"2016-02-27", "", 69},
		{"2016-02-26", "Aleppo", 28},
	}
	for _, tt := range tests {
		t.Run(tt.day+"/"+tt.region, func(t *testing.T) {
			got, ok := perDay[tt.day][tt.region]
			if !ok {
				t.Fatalf("no count")
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for day, regions := range perDay {
		if len(regions) != 15 {
			t.Errorf("%s: got %d regions, want 14 governorates and the total", day, len(regions))
			continue
		}
		sum := 0.0
		for r, v := range regions {
			if r != "" {
				sum += v
			}
		}
		if sum != regions[""] {
			t.Errorf("%s: total %v, governorates sum to %v", day, regions[""], sum)
		}
	}
}

func TestMessages(t *testing.T) {
	s := mustLoad(t)
	known := map[string]bool{}
	for _, p := range s.Parties {
		known[p.Slug] = true
	}
	loc := s.Agreement.Location()
	from := time.Date(2016, 2, 23, 0, 0, 0, 0, loc)
	to := time.Date(2016, 3, 1, 0, 0, 0, 0, loc)
	langs := map[string]bool{}
	seen := map[string]bool{}
	repeats := 0
	if n := len(s.Messages); n < 6 || n > 10 {
		t.Errorf("got %d messages, want 6 to 10", n)
	}
	for i, m := range s.Messages {
		var partyID int64
		if m.PartySlug != "" {
			if !known[m.PartySlug] {
				t.Errorf("message %d names unknown party %q", i, m.PartySlug)
			}
			partyID = 1
		}
		msg := m.Message(partyID)
		if err := msg.Validate(); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
		if m.ReceivedAt.Before(from) || !m.ReceivedAt.Before(to) {
			t.Errorf("message %d received %v, outside 23–29 February 2016", i, m.ReceivedAt)
		}
		if i > 0 && m.ReceivedAt.Before(s.Messages[i-1].ReceivedAt) {
			t.Errorf("message %d is older than message %d", i, i-1)
		}
		if !strings.HasPrefix(m.Note, illustrative) {
			t.Errorf("message %d is not marked illustrative", i)
		}
		k := msg.Sender.Key("") + "\x00" + msg.ContentHash
		if seen[k] {
			repeats++
		}
		seen[k] = true
		langs[m.Language] = true
	}
	if repeats != 1 {
		t.Errorf("got %d repeated messages, want 1", repeats)
	}
	for _, l := range []string{"ar", "ru", "en"} {
		if !langs[l] {
			t.Errorf("no message in %q", l)
		}
	}
}

func TestAirwars(t *testing.T) {
	s := mustLoad(t)
	header, _, ok := bytes.Cut(s.Airwars, []byte("\n"))
	if !ok || !bytes.HasPrefix(header, []byte("airwars_id,incident_code,incident_date,")) {
		t.Fatalf("header = %.80q", header)
	}
	// The copy drops victims' names on purpose; only their number is kept.
	if bytes.Contains(header, []byte("victim_names")) || !bytes.Contains(header, []byte("n_victims_listed")) {
		t.Errorf("header %q should list the number of victims, not their names", header)
	}
}

func TestLoadReturnsFreshValues(t *testing.T) {
	a, b := mustLoad(t), mustLoad(t)
	a.Parties[0].Name = "changed"
	a.Regions[0].Geometry[0] = 'x'
	if b.Parties[0].Name == "changed" || b.Regions[0].Geometry[0] == 'x' {
		t.Error("a change to one scenario shows in another")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAttribution(t *testing.T) {
	for _, want := range []string{"OCHA", "GeoNames", "Violations Documentation Center", "Airwars", "UCDP", "CC BY"} {
		if !strings.Contains(Attribution, want) {
			t.Errorf("attribution does not mention %q", want)
		}
	}
}
