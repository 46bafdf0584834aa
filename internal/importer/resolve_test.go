package importer

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
)

func TestResolver(t *testing.T) {
	r := NewResolver([]*domain.Party{
		{ID: 1, Name: "Islamic State", Aliases: []domain.Alias{{Name: "ISIL"}, {Name: "تنظيم الدولة الإسلامية"}}},
		{ID: 2, Name: "National Defence Forces", Aliases: []domain.Alias{{Name: "NDF"}, {Name: "Shared"}}},
		{ID: 3, Name: "Civilians", Aliases: []domain.Alias{{Name: "shared"}}},
		{ID: 4, Name: "Military Forces of Syria (2000-)"},
	})
	for _, tc := range []struct {
		name string
		want int64
		ok   bool
	}{
		{"Islamic State", 1, true},
		{"ISLAMIC STATE", 1, true},
		{"Islamic State (Syria)", 1, true},
		{"isil", 1, true},
		{"تنظيم الدولة الاسلامية", 1, true}, // hamza folded
		{"NDF: National Defence Forces", 2, true},
		{"Civilians (Syria)", 3, true},
		{"Military Forces of Syria (2000-)", 4, true},
		{"Military Forces of Syria (2000-) (Syria)", 4, true},
		{"Shared", 0, false}, // two parties use it: neither is guessed
		{"Rebel Forces", 0, false},
		{"", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := r.Resolve(tc.name)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Resolve(%q) = %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
			}
		})
	}
}
