package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/trucedesk/truce/internal/domain"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams cost about 50 ms and 64 MiB on a 2-core server: slow enough
// that an offline guesser with a stolen database pays for every guess, fast
// enough that a login does not feel slow. Authenticator bounds how many run
// at once, so a burst of logins cannot exhaust memory. Raising them later is
// safe: hashes made with older parameters are redone at the next login.
var DefaultParams = Params{Memory: 64 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read from a stored hash. A hash in the database is
// data, and a tampered one must not make a login allocate gigabytes or run
// for minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// Limits on passwords. The minimum is in characters, as a person counts
// them; the maximum bounds the work a login request can ask for.
const (
	MinPasswordChars = 12
	MaxPasswordBytes = 1024
)

// PHC is a parsed argon2id hash in the PHC string format:
// $argon2id$v=19$m=65536,t=1,p=2$<salt>$<key>, base64 without padding.
type PHC struct {
	Params
	Salt []byte
	Key  []byte
}

var b64 = base64.RawStdEncoding.Strict()

// String encodes h in the PHC string format.
func (h *PHC) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Memory, h.Time, h.Threads, b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// errPHC is deliberately vague: the parser's input is a stored secret's
// envelope, and the details belong in tests, not in logs.
var errPHC = errors.New("not an argon2id PHC string")

// ParsePHC parses an argon2id hash. It accepts only the canonical form that
// String produces (fields in order, decimal numbers without leading zeros,
// strict unpadded base64), so that parsing and encoding round-trip exactly
// and two spellings of one hash cannot exist.
func ParsePHC(s string) (*PHC, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, errPHC
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("%w: version %q", errPHC, parts[2])
	}
	var h PHC
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return nil, fmt.Errorf("%w: parameters", errPHC)
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return nil, fmt.Errorf("%w: parameter %d is not %s", errPHC, i, name)
		}
		n, err := parseUint(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errPHC, name, err)
		}
		switch name {
		case "m":
			h.Memory = n
		case "t":
			h.Time = n
		case "p":
			if n > 255 {
				return nil, fmt.Errorf("%w: p out of range", errPHC)
			}
			h.Threads = uint8(n)
		}
	}
	var err error
	if h.Salt, err = decodeB64(parts[4]); err != nil {
		return nil, fmt.Errorf("%w: salt", errPHC)
	}
	if h.Key, err = decodeB64(parts[5]); err != nil {
		return nil, fmt.Errorf("%w: key", errPHC)
	}
	h.SaltLen, h.KeyLen = uint32(len(h.Salt)), uint32(len(h.Key))
	if err := h.Params.check(); err != nil {
		return nil, err
	}
	return &h, nil
}

// decodeB64 decodes unpadded standard base64 and insists that it encodes
// back the same: the decoder skips CR and LF, which must not give a second
// spelling of a hash.
func decodeB64(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err == nil && b64.EncodeToString(b) != s {
		err = errors.New("not canonical base64")
	}
	return b, err
}

// parseUint reads a canonical decimal: no sign, no leading zeros, at most
// what fits in 32 bits.
func parseUint(s string) (uint32, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("not a canonical number")
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err
}

// check reports whether p is within the bounds this package will compute.
func (p Params) check() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("%w: p must be at least 1", errPHC)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: t must be 1 to %d", errPHC, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		// argon2 needs at least 8 KiB per lane.
		return fmt.Errorf("%w: m must be 8·p to %d KiB", errPHC, maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt must be %d to %d bytes", errPHC, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key must be %d to %d bytes", errPHC, minKeyLen, maxKeyLen)
	}
	return nil
}

// CheckPassword reports whether pw is acceptable as a new password. Length
// is the only rule: composition rules make passwords harder to remember and
// no harder to guess (NIST SP 800-63B §3.1.1.2).
func CheckPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return domain.FieldErrorf("password", "is not valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return domain.FieldErrorf("password", "must have at least %d characters", MinPasswordChars)
	case len(pw) > MaxPasswordBytes:
		return domain.FieldErrorf("password", "must be at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// HashPassword derives an argon2id hash of pw with a fresh random salt and
// returns it as a PHC string.
func HashPassword(pw string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	if len(pw) > MaxPasswordBytes {
		return "", domain.FieldErrorf("password", "must be at most %d bytes", MaxPasswordBytes)
	}
	h := PHC{Params: p, Salt: make([]byte, p.SaltLen)}
	rand.Read(h.Salt) // never fails: crypto/rand panics rather than return short
	h.Key = argon2.IDKey([]byte(pw), h.Salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return h.String(), nil
}

// VerifyPassword reports whether pw matches the PHC hash encoded. The keys
// are compared in constant time, so the time taken says nothing about how
// much of a guess was right. An error means the stored hash is unreadable.
func VerifyPassword(pw, encoded string) (bool, error) {
	h, err := ParsePHC(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordBytes {
		return false, nil
	}
	key := argon2.IDKey([]byte(pw), h.Salt, h.Time, h.Memory, h.Threads, h.KeyLen)
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// p, or cannot be read: then the password, known at login, is hashed anew.
func NeedsRehash(encoded string, p Params) bool {
	h, err := ParsePHC(encoded)
	return err != nil || h.Params != p
}
