package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// newSecret returns 256 random bits, URL-safe base64: unguessable, and safe
// in a cookie or a header without escaping.
func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret returns the hex SHA-256 of a session ID or API token, which is
// what the store keeps. A plain hash suffices (no salt, no argon2): the
// secret has 256 random bits, so there is no dictionary to guess from, and
// lookup by digest must be fast.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
