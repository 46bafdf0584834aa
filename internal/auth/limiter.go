package auth

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Limiter is an in-memory token-bucket rate limiter keyed by a string: a
// client address for the public form and the API, an account name for
// logins. Each key's bucket holds up to Burst tokens and refills at Rate
// per second; a request takes one token or is refused.
//
// It is per process: several instances behind a load balancer each allow
// the full rate. That is acceptable for slowing abuse, which is its job;
// it is not a quota.
type Limiter struct {
	Rate  float64 // tokens per second
	Burst float64
	// MaxKeys bounds memory: past it, idle keys are forgotten first, then
	// arbitrary ones, so a flood of addresses costs the flooder its own
	// limits, not the server its memory.
	MaxKeys int
	Now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter allowing burst requests at once and one more
// every interval.
func NewLimiter(every time.Duration, burst int, now func() time.Time) *Limiter {
	return &Limiter{Rate: 1 / every.Seconds(), Burst: float64(burst), MaxKeys: 100_000, Now: now}
}

// Allow takes a token from key's bucket. When there is none it reports how
// long until there will be, for a Retry-After header.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = make(map[string]*bucket)
	}
	b := l.buckets[key]
	if b == nil {
		if l.MaxKeys > 0 && len(l.buckets) >= l.MaxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: l.Burst, at: now}
		l.buckets[key] = b
	}
	b.refill(now, l.Rate, l.Burst)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) / l.Rate * float64(time.Second)))
	return false, wait
}

func (b *bucket) refill(now time.Time, rate, burst float64) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(burst, b.tokens+d.Seconds()*rate)
		b.at = now
	}
}

// evict forgets every full bucket (a full bucket is the same as none), and
// if that frees less than a tenth of the room, arbitrary ones too, so the
// next eviction is at least MaxKeys/10 insertions away.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now, l.Rate, l.Burst)
		if b.tokens >= l.Burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.MaxKeys-l.MaxKeys/10 {
			break
		}
		delete(l.buckets, k)
	}
}

// Len returns how many keys the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// ClientAddress returns the address of the client making r. Behind a
// reverse proxy in trusted, it takes the rightmost address in
// X-Forwarded-For that is not itself a trusted proxy: the leftmost entries
// are whatever the client chose to send.
func ClientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !isTrusted(addr, trusted) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a.String()
		}
		addr = a
	}
	return addr.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// LimitKey groups an address for rate limiting: an IPv4 address alone, an
// IPv6 address by its /64, since one subscriber usually holds a whole /64
// and could otherwise step through fresh addresses.
func LimitKey(address string) string {
	a, err := netip.ParseAddr(address)
	if err != nil || a.Is4() {
		return address
	}
	p, _ := a.Prefix(64)
	return p.String()
}
