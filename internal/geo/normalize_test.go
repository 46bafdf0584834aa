package geo_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/geo"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"‘Ayn Ḩalāqīm", "ayn halaqim"},
		{"Al-Qāmishlī", "qamishli"},
		{"Deir ez-Zor", "deir zor"},
		{"Deir Ezzor", "deir zor"},
		{"Jisr-Ash-Shugur", "jisr shugur"},
		{"Ma'arat al-Numan", "maarat numan"},
		{"As", "as"}, // an article alone is a name
		{"إدلب", "ادلب"},
		{"حَمَاة", "حماه"},
		{"ٱلْمَالِكِيَّة", "مالكيه"},
		{"ﺣَﻠَﺐ", "حلب"},    // presentation forms, as in Airwars' data
		{"الرقـــة", "رقه"}, // tatweel
		{"مستشفى", "مستشفي"},
		{"  Tall  Rif‘at ", "tall rifat"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := geo.Fold(tc.in); got != tc.want {
				t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestKeySame lists spellings that must share a key: the variants one
// village takes across five messages.
func TestKeySame(t *testing.T) {
	for _, group := range [][]string{
		{"Khmeimim", "Hmeimim", "Hmeymim", "HMEIMIM"},
		{"Deir ez-Zor", "Deir Ezzor", "Deir el-Zor", "Dayr az Zor"},
		{"Al-Hasakeh", "Hassakah", "Al Hasakah", "El Hassakeh"},
		{"Jableh", "Jablah", "Djableh", "Gableh"},
		{"Raqqa", "Ar-Raqqah", "Al-Rakka"},
		{"Kobani", "Kubani", "كوباني"},
		{"Tal Rifaat", "Tall Rif‘at", "Tell Rifat"},
		{"Sweida", "Swaida", "Sweyda"},
		{"Qamishli", "Kamishli", "Qamishly"},
		{"Jisr al-Shughur", "Jisr ash-Shugur", "Jisr el-Chughour"},
		{"Douma", "Duma"},
		{"Dhiban", "Ziban"},
		{"Zabadani", "Az-Zabadani", "Zabadany"},
		{"حماة", "حماه", "حَمَاةُ"},
		{"أريحا", "اريحا", "آريحا"},
		{"الأتارب", "الاتارب", "أتارب"},
	} {
		t.Run(group[0], func(t *testing.T) {
			want := geo.Key(group[0])
			for _, s := range group[1:] {
				if got := geo.Key(s); got != want {
					t.Errorf("Key(%q) = %q, want %q as for %q", s, got, want, group[0])
				}
			}
		})
	}
}

// TestKeyDifferent guards against folding so hard that distinct places
// merge.
func TestKeyDifferent(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"Hama", "Homs"},
		{"Sarmin", "Sarmada"},
		{"Kafr Nabl", "Kafr Taal"},
		{"Al Bab", "Babila"},
		{"Shahba", "Sahba"},
		{"Idlib", "Ariha"},
	} {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			if ka, kb := geo.Key(tc.a), geo.Key(tc.b); ka == kb {
				t.Errorf("Key(%q) = Key(%q) = %q, want different keys", tc.a, tc.b, ka)
			}
		})
	}
}

func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		a, b     string
		min, max float64
	}{
		{"hmaimim", "hmaimim", 1, 1},
		{"hmaimim", "humaimim", 0.87, 0.88}, // one insertion in eight
		{"sarmin", "sarmni", 0.83, 0.84},    // one transposition in six
		{"hmimim", "hmaimim", 0.85, 0.86},   // Arabic omits the short vowel
		{"idlib", "hama", 0, 0.3},           // unrelated
		{"", "", 1, 1},                      // nothing equals nothing
		{"حلب", "حلبا", 0.74, 0.76},         // runes, not bytes
	} {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			got := geo.Similarity(tc.a, tc.b)
			if got < tc.min || got > tc.max {
				t.Errorf("Similarity(%q, %q) = %.3f, want in [%.2f, %.2f]", tc.a, tc.b, got, tc.min, tc.max)
			}
			if rev := geo.Similarity(tc.b, tc.a); rev != got {
				t.Errorf("Similarity is not symmetric: %.3f one way, %.3f the other", got, rev)
			}
		})
	}
}
