package domain

import (
	"strings"
	"testing"
)

// FuzzNormalizeTracking feeds the tracking-number parser what people type:
// whatever it accepts must be canonical, check out, and normalise to itself.
func FuzzNormalizeTracking(f *testing.F) {
	f.Add("TRC-7K3M-Q9XD-A4RW")
	f.Add("trc 7k3m q9xd a4rw")
	f.Add("OIL-")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeTracking(s)
		if !ok {
			return
		}
		if len(got) != len("TRC-XXXX-XXXX-XXXX") || !strings.HasPrefix(got, "TRC-") {
			t.Fatalf("NormalizeTracking(%q) = %q: not canonical", s, got)
		}
		if again, ok := NormalizeTracking(got); !ok || again != got {
			t.Fatalf("NormalizeTracking(%q) = %q, %v: not a fixed point", got, again, ok)
		}
	})
}

func TestTrackingNumbers(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := NewTrackingNumber()
		if seen[n] {
			t.Fatalf("repeated tracking number %s", n)
		}
		seen[n] = true
		if got, ok := NormalizeTracking(n); !ok || got != n {
			t.Fatalf("NormalizeTracking(%s) = %s, %v", n, got, ok)
		}
	}
	// A fixed number, so the transposition case is deterministic: Luhn mod
	// N misses the swap of 0 and Z, which this number does not contain.
	sym := []byte("7K3MQ9XDA4R")
	n := "TRC-7K3M-Q9XD-A4R" + string(luhnCheck(sym))
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"lower case and spaces", strings.ToLower(strings.ReplaceAll(n, "-", " ")), true},
		{"no prefix", n[4:], true},
		{"one symbol wrong", n[:5] + string(next(n[5])) + n[6:], false},
		{"neighbours swapped", n[:5] + string(n[6]) + string(n[5]) + n[7:], false},
		{"too short", n[:len(n)-1], false},
		{"too long", n + "0", false},
		{"letter U", strings.Replace(n, n[5:6], "U", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := NormalizeTracking(tt.in); ok != tt.ok {
				t.Errorf("NormalizeTracking(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
		})
	}
	// Crockford's forgiving reading: O is 0, I and L are 1.
	zeros := "TRC-0000-0000-0000"
	if got, ok := NormalizeTracking("trc-oooo-OOOO-0000"); !ok || got != zeros {
		t.Errorf("O for 0: got %q %v", got, ok)
	}
}

// next returns another symbol of the alphabet.
func next(c byte) byte {
	i := strings.IndexByte(trackingAlphabet, c)
	return trackingAlphabet[(i+1)%len(trackingAlphabet)]
}
