package auth_test

import (
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
)

// clock is a settable clock for tests: no sleeps, no timed assertions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2016, 2, 27, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLimiter(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(10*time.Second, 3, c.Now) // burst 3, then one per 10 s
	type step struct {
		advance time.Duration
		key     string
		ok      bool
		retry   time.Duration
	}
	steps := []step{
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", false, 10 * time.Second},
		{0, "b", true, 0}, // another client has its own bucket
		{4 * time.Second, "a", false, 6 * time.Second},
		{6 * time.Second, "a", true, 0},
		{0, "a", false, 10 * time.Second},
		{time.Hour, "a", true, 0}, // refills to the burst, no further
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", false, 10 * time.Second},
	}
	for i, s := range steps {
		c.Advance(s.advance)
		ok, retry := l.Allow(s.key)
		if ok != s.ok || retry != s.retry {
			t.Errorf("step %d: Allow(%q) = %v, %v; want %v, %v", i, s.key, ok, retry, s.ok, s.retry)
		}
	}
}

func TestLimiterBoundsMemory(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(time.Second, 2, c.Now)
	l.MaxKeys = 100
	for i := range 1000 {
		l.Allow(string(rune('a'+i%26)) + time.Duration(i).String())
		if n := l.Len(); n > l.MaxKeys {
			t.Fatalf("after %d keys the limiter holds %d, more than MaxKeys %d", i+1, n, l.MaxKeys)
		}
	}
	// A key that is still limited survives eviction of idle ones when
	// there is room: drain one, refill the others, and add a new key.
	l = auth.NewLimiter(time.Minute, 1, c.Now)
	l.MaxKeys = 3
	l.Allow("busy")
	l.Allow("idle-1")
	l.Allow("idle-2")
	c.Advance(2 * time.Minute) // idle buckets are full again
	l.Allow("busy")            // drained again
	l.Allow("new")
	if ok, _ := l.Allow("busy"); ok {
		t.Error("evicting idle keys also reset a limited one")
	}
}

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"direct", "192.0.2.1:5555", nil, nil, "192.0.2.1"},
		{"forwarded header ignored without trusted proxies", "192.0.2.1:5555", []string{"203.0.113.9"}, nil, "192.0.2.1"},
		{"forwarded header from an untrusted peer", "192.0.2.1:5555", []string{"203.0.113.9"}, proxies, "192.0.2.1"},
		{"behind a trusted proxy", "10.1.1.1:443", []string{"203.0.113.9"}, proxies, "203.0.113.9"},
		{"client-forged leftmost entry", "10.1.1.1:443", []string{"6.6.6.6, 203.0.113.9"}, proxies, "203.0.113.9"},
		{"two trusted hops", "10.1.1.1:443", []string{"203.0.113.9, 10.2.2.2"}, proxies, "203.0.113.9"},
		{"split headers", "10.1.1.1:443", []string{"6.6.6.6", "203.0.113.9"}, proxies, "203.0.113.9"},
		{"garbage in the header", "10.1.1.1:443", []string{"<script>, 203.0.113.9"}, proxies, "203.0.113.9"},
		{"only proxies", "10.1.1.1:443", []string{"10.3.3.3"}, proxies, "10.3.3.3"},
		{"ipv6", "[2001:db8::1]:443", nil, nil, "2001:db8::1"},
		{"mapped ipv4", "[::ffff:192.0.2.1]:80", nil, nil, "192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := auth.ClientAddress(r, tt.trusted); got != tt.want {
				t.Errorf("ClientAddress = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLimitKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := auth.LimitKey(tt.in); got != tt.want {
			t.Errorf("LimitKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
