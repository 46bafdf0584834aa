package news

import "testing"

func TestCountryOf(t *testing.T) {
	tests := []struct {
		phrase, want string
	}{
		{"Russia", "Russia"},
		{"Russian Armed Forces", "Russia"},
		{"Syrian government forces", "Syria"},
		{"United States Armed Forces", "United States"},
		{"US military", "United States"},
		{"Turkish Armed Forces", "Turkey"},
		{"Moscow’s", "Russia"},
		{"Syrian Democratic Forces", ""},
		{"Syrian Observatory for Human Rights", ""},
		{"Islamic State", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			got, ok := CountryOf(tt.phrase)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("CountryOf(%q) = %q, %v; want %q", tt.phrase, got, ok, tt.want)
			}
		})
	}
}
