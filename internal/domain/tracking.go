package domain

import (
	"crypto/rand"
	"strings"
)

// Tracking numbers look like TRC-7K3M-Q9XD-A4RW: eleven random symbols of
// Crockford's base-32 alphabet (no I, L, O or U, so nothing reads as a
// number or a rude word) and a Luhn mod 32 check symbol. 55 random bits keep
// them unguessable; the check symbol catches a misheard symbol or two swapped
// neighbours before a lookup is wasted.
const (
	trackingPrefix   = "TRC"
	trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	trackingRandom   = 11
)

// NewTrackingNumber returns a fresh random tracking number.
func NewTrackingNumber() string {
	var raw [trackingRandom]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	sym := make([]byte, 0, trackingRandom+1)
	for _, b := range raw {
		sym = append(sym, trackingAlphabet[b&31])
	}
	sym = append(sym, luhnCheck(sym))
	return trackingPrefix + "-" + string(sym[0:4]) + "-" + string(sym[4:8]) + "-" + string(sym[8:12])
}

// NormalizeTracking turns what a person typed or read out into the canonical
// form, or returns false if it cannot be a tracking number. It forgives case,
// spaces and dashes, a missing prefix, and the letters Crockford maps to
// digits (O→0, I and L→1).
func NormalizeTracking(s string) (string, bool) {
	s = strings.ToUpper(s)
	s = strings.TrimPrefix(strings.TrimSpace(s), trackingPrefix)
	sym := make([]byte, 0, trackingRandom+1)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '-', '\t':
			continue
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if strings.IndexByte(trackingAlphabet, c) < 0 || len(sym) == trackingRandom+1 {
			return "", false
		}
		sym = append(sym, c)
	}
	if len(sym) != trackingRandom+1 || luhnCheck(sym[:trackingRandom]) != sym[trackingRandom] {
		return "", false
	}
	return trackingPrefix + "-" + string(sym[0:4]) + "-" + string(sym[4:8]) + "-" + string(sym[8:12]), true
}

// luhnCheck computes the Luhn mod N check symbol over the alphabet.
func luhnCheck(sym []byte) byte {
	const n = len(trackingAlphabet)
	factor, sum := 2, 0
	for i := len(sym) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(trackingAlphabet, sym[i])
		addend = addend/n + addend%n
		sum += addend
		if factor == 2 {
			factor = 1
		} else {
			factor = 2
		}
	}
	return trackingAlphabet[(n-sum%n)%n]
}
