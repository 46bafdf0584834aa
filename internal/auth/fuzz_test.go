package auth_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/auth"
)

// FuzzParsePHC feeds the hash parser arbitrary strings. A stored hash is
// data an attacker with database access could shape, so the parser must
// never panic, must never accept parameters outside its bounds (a login
// must not be made to allocate gigabytes), and what it accepts must encode
// back to exactly the same string: one hash, one spelling.
// The seed corpus is in testdata/fuzz/FuzzParsePHC.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHRzYWx0c2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := auth.ParsePHC(s)
		if err != nil {
			return
		}
		if got := h.String(); got != s {
			t.Fatalf("ParsePHC(%q).String() = %q: not canonical", s, got)
		}
		if h.Memory > 1<<20 || h.Time > 64 || h.Threads == 0 || len(h.Salt) < 8 || len(h.Key) < 16 ||
			len(h.Salt) > 64 || len(h.Key) > 64 {
			t.Fatalf("ParsePHC(%q) accepted out-of-bounds parameters %+v", s, h.Params)
		}
		if int(h.SaltLen) != len(h.Salt) || int(h.KeyLen) != len(h.Key) {
			t.Fatalf("ParsePHC(%q): lengths %d/%d disagree with salt/key %d/%d", s, h.SaltLen, h.KeyLen, len(h.Salt), len(h.Key))
		}
	})
}
