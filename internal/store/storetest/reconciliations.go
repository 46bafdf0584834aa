package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// RunReconciliations runs the contract of the reconciliation store; open
// returns a fresh, empty, migrated store.
func RunReconciliations(t *testing.T, open func(testing.TB) domain.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, domain.Store)
	}{
		{"RoundTrip", testReconciliationRoundTrip},
		{"Invalid", testReconciliationInvalid},
		{"Timeline", testReconciliationTimeline},
		{"Filters", testReconciliationFilters},
		{"Update", testReconciliationUpdate},
		{"MessageLinks", testMessageReconciliationLinks},
		{"FromMessage", testReconciliationFromMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// NewReconciliation returns a valid reconciliation of agreement a, signed at
// at, by the armed group party with a named community as co-signatory. The
// names are made up: the desk records no historical reconciliation that its
// sources do not give.
func NewReconciliation(agreementID, party int64, settlement, admin1 string, at time.Time) *domain.Reconciliation {
	return &domain.Reconciliation{
		AgreementID: agreementID, Settlement: settlement, Admin1: admin1, SignedAt: at, CreatedBy: "monitor",
		Signatories: []domain.Signatory{
			{PartyID: party, Role: domain.SignatoryArmedGroup},
			{Name: "Elders of " + settlement, Role: domain.SignatoryCommunity},
		},
		Terms: []domain.Term{{Kind: domain.TermHeavyWeapons, Text: "heavy weapons handed over within a week"}},
	}
}

func createReconciliation(t *testing.T, s domain.Store, rc *domain.Reconciliation) *domain.Reconciliation {
	t.Helper()
	if err := s.CreateReconciliation(ctx, rc); err != nil {
		t.Fatalf("CreateReconciliation(%s): %v", rc.Settlement, err)
	}
	return rc
}

func testReconciliationRoundTrip(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	ids := parties(t, s, "local-brigade", "guarantor")
	if err := s.PutPlaces(ctx, []*domain.Place{{GeonameID: 170000, Name: "Testville", Point: domain.Point{Lat: 33.5, Lon: 36.4},
		FeatureClass: "P", Admin1: "Rif Dimashq"}}); err != nil {
		t.Fatal(err)
	}
	m := submit(t, s, 0, NewMessage("the town signed", t0))[0].Message
	rc := NewReconciliation(a.ID, ids[0], "Testville", "Rif Dimashq", time.Date(2016, 2, 28, 14, 30, 0, 0, time.FixedZone("Damascus", 7200)))
	rc.GeonameID, rc.Admin2 = 170000, "Test district"
	rc.Signatories = append(rc.Signatories, domain.Signatory{PartyID: ids[1], Role: domain.SignatoryGuarantor})
	rc.Terms = append(rc.Terms, domain.Term{Kind: domain.TermHumanitarianAccess})
	rc.Sources = []domain.RecordLink{{MessageID: m.ID}, {URL: "https://example.org/bulletin", Publisher: "Reconciliation Centre"}}
	rc.Summary = "اتفاق مصالحة — the town joins the cessation"
	createReconciliation(t, s, rc)
	if rc.ID == 0 || rc.Version != 1 || rc.State != domain.ReconciliationSigned || len(rc.Statuses) != 1 {
		t.Fatalf("created = id %d version %d state %q statuses %d; want an ID, version 1, signed, one status",
			rc.ID, rc.Version, rc.State, len(rc.Statuses))
	}
	if rc.Point == nil || *rc.Point != (domain.Point{Lat: 33.5, Lon: 36.4}) {
		t.Errorf("point = %v, want the gazetteer's 33.5,36.4", rc.Point)
	}
	got, err := s.Reconciliation(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rc, got); diff != "" {
		t.Errorf("read back (-stored +read):\n%s", diff)
	}
	if got.SignedAt.Location() != time.UTC || !got.SignedAt.Equal(time.Date(2016, 2, 28, 12, 30, 0, 0, time.UTC)) {
		t.Errorf("signed_at = %v, want 2016-02-28 12:30 UTC", got.SignedAt)
	}
	if _, err := s.Reconciliation(ctx, rc.ID+100); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown ID: got %v, want not found", err)
	}
}

func testReconciliationInvalid(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	party := parties(t, s, "local-brigade")[0]
	at := t0.Add(36 * time.Hour)
	tests := []struct {
		name, field string
		edit        func(*domain.Reconciliation)
	}{
		{"no agreement", "agreement_id", func(rc *domain.Reconciliation) { rc.AgreementID = 0 }},
		{"unknown agreement", "agreement_id", func(rc *domain.Reconciliation) { rc.AgreementID = a.ID + 99 }},
		{"no settlement", "settlement", func(rc *domain.Reconciliation) { rc.Settlement = "  " }},
		{"settlement with a newline", "settlement", func(rc *domain.Reconciliation) { rc.Settlement = "Test\nville" }},
		{"no governorate", "admin1", func(rc *domain.Reconciliation) { rc.Admin1 = "" }},
		{"no date", "signed_at", func(rc *domain.Reconciliation) { rc.SignedAt = time.Time{} }},
		{"signed in the future", "signed_at", func(rc *domain.Reconciliation) { rc.SignedAt = time.Now().Add(48 * time.Hour) }},
		{"bad precision", "time_precision", func(rc *domain.Reconciliation) { rc.TimePrecision = 7 }},
		{"bad point", "point.lat", func(rc *domain.Reconciliation) { rc.Point = &domain.Point{Lat: 91} }},
		{"unknown gazetteer place", "geoname_id", func(rc *domain.Reconciliation) { rc.GeonameID = 42 }},
		{"no signatories", "signatories", func(rc *domain.Reconciliation) { rc.Signatories = nil }},
		{"unknown role", "signatories.role", func(rc *domain.Reconciliation) { rc.Signatories[0].Role = "spoiler" }},
		{"signatory with neither party nor name", "signatories.party_id", func(rc *domain.Reconciliation) {
			rc.Signatories[1].Name = ""
		}},
		{"unknown party", "signatories.party_id", func(rc *domain.Reconciliation) { rc.Signatories[0].PartyID = party + 99 }},
		{"signatory twice", "signatories", func(rc *domain.Reconciliation) {
			rc.Signatories = append(rc.Signatories, rc.Signatories[0])
		}},
		{"unknown term", "terms.kind", func(rc *domain.Reconciliation) { rc.Terms[0].Kind = "amnesty-ish" }},
		{"other term without text", "terms.text", func(rc *domain.Reconciliation) { rc.Terms[0] = domain.Term{Kind: domain.TermOther} }},
		{"source with nothing", "sources.url", func(rc *domain.Reconciliation) { rc.Sources = []domain.RecordLink{{Note: "heard it"}} }},
		{"source not a web URL", "sources.url", func(rc *domain.Reconciliation) {
			rc.Sources = []domain.RecordLink{{URL: "javascript:alert(1)"}}
		}},
		{"unknown message", "sources.message_id", func(rc *domain.Reconciliation) { rc.Sources = []domain.RecordLink{{MessageID: 999}} }},
		{"NUL in the summary", "summary", func(rc *domain.Reconciliation) { rc.Summary = "a\x00b" }},
		{"invalid UTF-8", "settlement", func(rc *domain.Reconciliation) { rc.Settlement = "\xff" }},
		{"no recorder", "created_by", func(rc *domain.Reconciliation) { rc.CreatedBy = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := NewReconciliation(a.ID, party, "Testville", "Daraa", at)
			tt.edit(rc)
			err := s.CreateReconciliation(ctx, rc)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tt.field {
				t.Errorf("got %v (field %q), want invalid naming %q", err, domain.ErrorField(err), tt.field)
			}
		})
	}
	if n, err := s.CountReconciliations(ctx, domain.ReconciliationFilter{}); err != nil || n != 0 {
		t.Errorf("after refusals: %d stored (%v), want none", n, err)
	}
}

func testReconciliationTimeline(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	party := parties(t, s, "local-brigade")[0]
	signed := t0.Add(30 * time.Hour)
	rc := createReconciliation(t, s, NewReconciliation(a.ID, party, "Testville", "Homs", signed))
	change := func(version int, state domain.ReconciliationState, at time.Time) (*domain.Reconciliation, error) {
		return s.ChangeReconciliationState(ctx, domain.ReconciliationChange{ID: rc.ID, Version: version, State: state,
			At: at, Note: "reported by the guarantor", Actor: "monitor"})
	}
	steps := []struct {
		name    string
		version int
		state   domain.ReconciliationState
		at      time.Time
		code    string
		field   string
	}{
		{"before the signing", 1, domain.ReconciliationInForce, signed.Add(-time.Hour), domain.EINVALID, "at"},
		{"back to signed", 1, domain.ReconciliationSigned, signed.Add(time.Hour), domain.EINVALID, "state"},
		{"unknown state", 1, "paused", signed.Add(time.Hour), domain.EINVALID, "state"},
		{"in the future", 1, domain.ReconciliationInForce, time.Now().Add(72 * time.Hour), domain.EINVALID, "at"},
		{"no version", 0, domain.ReconciliationInForce, signed.Add(time.Hour), domain.EINVALID, "version"},
		{"in force", 1, domain.ReconciliationInForce, signed.Add(24 * time.Hour), "", ""},
		{"stale version", 1, domain.ReconciliationBroken, signed.Add(48 * time.Hour), domain.ECONFLICT, ""},
		{"broken", 2, domain.ReconciliationBroken, signed.Add(48 * time.Hour), "", ""},
		{"broken is final", 3, domain.ReconciliationInForce, signed.Add(72 * time.Hour), domain.ECONFLICT, ""},
		{"withdrawn after broken", 3, domain.ReconciliationWithdrawn, signed.Add(72 * time.Hour), domain.ECONFLICT, ""},
	}
	for _, st := range steps {
		got, err := change(st.version, st.state, st.at)
		if domain.ErrorCode(err) != st.code && !(st.code == "" && err == nil) || domain.ErrorField(err) != st.field {
			t.Fatalf("%s: got %v (field %q), want code %q field %q", st.name, err, domain.ErrorField(err), st.code, st.field)
		}
		if err == nil && (got.State != st.state || got.Version != st.version+1) {
			t.Errorf("%s: state %q version %d, want %q %d", st.name, got.State, got.Version, st.state, st.version+1)
		}
	}
	got, err := s.Reconciliation(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var timeline []string
	for _, st := range got.Statuses {
		timeline = append(timeline, string(st.State)+"@"+st.At.Format("02T15"))
	}
	want := []string{"signed@28T06", "in_force@29T06", "broken@01T06"}
	if diff := cmp.Diff(want, timeline); diff != "" || got.State != domain.ReconciliationBroken || got.Version != 3 {
		t.Errorf("timeline (-want +got):\n%s state %q version %d", diff, got.State, got.Version)
	}
	for _, tt := range []struct {
		at   time.Time
		want domain.ReconciliationState
	}{
		{signed, ""}, {signed.Add(time.Second), domain.ReconciliationSigned}, {signed.Add(25 * time.Hour), domain.ReconciliationInForce},
		{signed.Add(49 * time.Hour), domain.ReconciliationBroken},
	} {
		if s := got.StateBefore(tt.at); s != tt.want {
			t.Errorf("StateBefore(%v) = %q, want %q", tt.at, s, tt.want)
		}
	}
}

func testReconciliationFilters(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	other := &domain.Agreement{Slug: "other", Name: "Other", TimeZone: "UTC", Start: t0}
	if err := s.CreateAgreement(ctx, other); err != nil {
		t.Fatal(err)
	}
	ids := parties(t, s, "brigade-a", "brigade-b")
	day := func(d int) time.Time { return time.Date(2016, 2, d, 10, 0, 0, 0, time.UTC) }
	mk := func(agreement, party int64, name, admin1 string, d int) *domain.Reconciliation {
		return createReconciliation(t, s, NewReconciliation(agreement, party, name, admin1, day(d)))
	}
	r1 := mk(a.ID, ids[0], "One", "Daraa", 27)
	r2 := mk(a.ID, ids[1], "Two", "Homs", 28)
	r3 := mk(a.ID, ids[0], "Three", "Homs", 28)
	r4 := mk(other.ID, ids[1], "Four", "Homs", 29)
	if _, err := s.ChangeReconciliationState(ctx, domain.ReconciliationChange{ID: r2.ID, Version: 1,
		State: domain.ReconciliationInForce, At: day(29), Actor: "m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeReconciliationState(ctx, domain.ReconciliationChange{ID: r3.ID, Version: 1,
		State: domain.ReconciliationInForce, At: day(28).Add(time.Hour), Actor: "m"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    domain.ReconciliationFilter
		want []*domain.Reconciliation
	}{
		{"all", domain.ReconciliationFilter{}, []*domain.Reconciliation{r1, r2, r3, r4}},
		{"agreement", domain.ReconciliationFilter{AgreementID: a.ID}, []*domain.Reconciliation{r1, r2, r3}},
		{"governorate", domain.ReconciliationFilter{Admin1: "Homs"}, []*domain.Reconciliation{r2, r3, r4}},
		{"party", domain.ReconciliationFilter{PartyID: ids[0]}, []*domain.Reconciliation{r1, r3}},
		{"signed window", domain.ReconciliationFilter{Since: day(28).Add(-time.Hour), Until: day(29).Add(-time.Hour)}, []*domain.Reconciliation{r2, r3}},
		{"state now", domain.ReconciliationFilter{State: domain.ReconciliationInForce}, []*domain.Reconciliation{r2, r3}},
		{"still signed now", domain.ReconciliationFilter{State: domain.ReconciliationSigned}, []*domain.Reconciliation{r1, r4}},
		{"in force at the end of 28 Feb", domain.ReconciliationFilter{State: domain.ReconciliationInForce, AsOf: time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC)},
			[]*domain.Reconciliation{r3}},
		{"signed, not yet in force, at the end of 28 Feb", domain.ReconciliationFilter{State: domain.ReconciliationSigned,
			AsOf: time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC)}, []*domain.Reconciliation{r1, r2}},
		{"any state at the end of 27 Feb", domain.ReconciliationFilter{AsOf: time.Date(2016, 2, 28, 0, 0, 0, 0, time.UTC)}, []*domain.Reconciliation{r1}},
		{"page", domain.ReconciliationFilter{AfterID: r1.ID, Limit: 2}, []*domain.Reconciliation{r2, r3}},
		{"together", domain.ReconciliationFilter{AgreementID: a.ID, Admin1: "Homs", PartyID: ids[1]}, []*domain.Reconciliation{r2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Reconciliations(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			names := func(rs []*domain.Reconciliation) string {
				var out []string
				for _, r := range rs {
					out = append(out, r.Settlement)
				}
				return strings.Join(out, ",")
			}
			if names(got) != names(tt.want) {
				t.Errorf("got %s, want %s", names(got), names(tt.want))
			}
			for _, r := range got {
				if len(r.Signatories) != 2 || len(r.Statuses) == 0 {
					t.Errorf("%s listed with %d signatories and %d statuses", r.Settlement, len(r.Signatories), len(r.Statuses))
				}
			}
			n, err := s.CountReconciliations(ctx, tt.f)
			if want := len(tt.want); tt.f.Limit == 0 && (err != nil || n != want) {
				t.Errorf("count = %d, %v; want %d", n, err, want)
			}
		})
	}
}

func testReconciliationUpdate(t *testing.T, s domain.Store) {
	a := seedAgreement(t, s)
	ids := parties(t, s, "brigade-a", "brigade-b")
	signed := t0.Add(30 * time.Hour)
	rc := createReconciliation(t, s, NewReconciliation(a.ID, ids[0], "Testvile", "Homs", signed))
	edit := *rc
	edit.Settlement, edit.Admin2 = "Testville", "Test district"
	edit.Signatories = []domain.Signatory{{PartyID: ids[1], Role: domain.SignatoryArmedGroup}}
	edit.SignedAt = signed.Add(-time.Hour)
	if err := s.UpdateReconciliation(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	got, err := s.Reconciliation(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Settlement != "Testville" || len(got.Signatories) != 1 || got.Signatories[0].PartyID != ids[1] ||
		!got.Statuses[0].At.Equal(edit.SignedAt) || got.CreatedBy != rc.CreatedBy {
		t.Errorf("after update: %+v", got)
	}
	if diff := cmp.Diff(&edit, got); diff != "" {
		t.Errorf("returned and stored differ (-returned +stored):\n%s", diff)
	}
	stale := *rc
	if err := s.UpdateReconciliation(ctx, &stale); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("stale update: got %v, want conflict", err)
	}
	got, err = s.ChangeReconciliationState(ctx, domain.ReconciliationChange{ID: rc.ID, Version: 2,
		State: domain.ReconciliationInForce, At: signed.Add(time.Hour), Actor: "m"})
	if err != nil {
		t.Fatal(err)
	}
	late := *got
	late.SignedAt = signed.Add(2 * time.Hour)
	if err := s.UpdateReconciliation(ctx, &late); domain.ErrorField(err) != "signed_at" {
		t.Errorf("signing moved after the timeline's next status: got %v, want invalid signed_at", err)
	}
	moved := *got
	moved.AgreementID = a.ID + 1
	if err := s.UpdateReconciliation(ctx, &moved); domain.ErrorField(err) != "agreement_id" {
		t.Errorf("moved to another agreement: got %v, want invalid agreement_id", err)
	}
	missing := *got
	missing.ID = rc.ID + 100
	if err := s.UpdateReconciliation(ctx, &missing); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown ID: got %v, want not found", err)
	}
}
