package auth_test

import (
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
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

// FuzzClientAddress feeds the address the rate limits and the audit trail
// key on arbitrary peers and X-Forwarded-For headers. The header is the
// client's to write, so it may be believed only through a trusted proxy:
// from any other peer the answer is the peer itself, and what comes back is
// always an address (or the peer's own unparsable text), never a header's
// free text, which would let a client choose its own rate-limit bucket.
// The seed corpus is in testdata/fuzz/FuzzClientAddress.
func FuzzClientAddress(f *testing.F) {
	f.Add("203.0.113.7:5555", "198.51.100.1")
	f.Add("10.0.0.2:443", "198.51.100.1, 10.0.0.9")
	f.Add("[::ffff:10.0.0.2]:443", "2001:db8::1,::ffff:198.51.100.1")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, forwarded string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", forwarded)
		got := auth.ClientAddress(r, trusted)
		peer, err := netip.ParseAddrPort(remote)
		if err != nil {
			if a, err := netip.ParseAddr(remote); err == nil {
				peer = netip.AddrPortFrom(a, 0)
			} else {
				return // not an address at all: whatever it is, it is the peer's
			}
		}
		a, err := netip.ParseAddr(got)
		if err != nil {
			t.Fatalf("ClientAddress(%q, %q) = %q, not an address", remote, forwarded, got)
		}
		trustedPeer := false
		for _, p := range trusted {
			trustedPeer = trustedPeer || p.Contains(peer.Addr().Unmap())
		}
		if !trustedPeer && a != peer.Addr().Unmap() {
			t.Fatalf("ClientAddress(%q, %q) = %q: believed the header of an untrusted peer", remote, forwarded, got)
		}
		if trustedPeer && a != peer.Addr().Unmap() && !slices.ContainsFunc(strings.Split(forwarded, ","), func(hop string) bool {
			h, err := netip.ParseAddr(strings.TrimSpace(hop))
			return err == nil && h.Unmap() == a
		}) {
			t.Fatalf("ClientAddress(%q, %q) = %q: neither the peer nor a forwarded hop", remote, forwarded, got)
		}
		_ = auth.LimitKey(got)
	})
}
