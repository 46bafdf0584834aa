package auth_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/auth"
)

// cheap are parameters for tests that hash many times; the cost is not what
// they test.
var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// TestReferenceVector checks our encoding against the argon2 reference
// implementation's test.c: argon2id, v=19, t=2, m=2^16, p=1, "password",
// "somesalt".
func TestReferenceVector(t *testing.T) {
	key, _ := hex.DecodeString("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7")
	encoded := "$argon2id$v=19$m=65536,t=2,p=1$" + base64.RawStdEncoding.EncodeToString([]byte("somesalt")) +
		"$" + base64.RawStdEncoding.EncodeToString(key)
	for _, tt := range []struct {
		pw   string
		want bool
	}{
		{"password", true},
		{"Password", false},
		{"password ", false},
		{"", false},
	} {
		ok, err := auth.VerifyPassword(tt.pw, encoded)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tt.want {
			t.Errorf("VerifyPassword(%q, reference) = %v, want %v", tt.pw, ok, tt.want)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	const pw = "correct horse battery staple"
	h1, err := auth.HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := auth.HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal (%s): the salt is not random", h1)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the given parameters", h1)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"right", pw, true},
		{"wrong", "correct horse battery stapler", false},
		{"case", "Correct horse battery staple", false},
		{"prefix", pw[:10], false},
		{"empty", "", false},
		{"too long", strings.Repeat("x", auth.MaxPasswordBytes+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range []string{h1, h2} {
				ok, err := auth.VerifyPassword(tt.pw, h)
				if err != nil {
					t.Fatal(err)
				}
				if ok != tt.want {
					t.Errorf("VerifyPassword = %v, want %v", ok, tt.want)
				}
			}
		})
	}
}

func TestDefaultParamsHash(t *testing.T) {
	h, err := auth.HashPassword("a password of some length", auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=65536,t=1,p=2$"; !strings.HasPrefix(h, want) {
		t.Errorf("default hash %q does not start %q", h, want)
	}
	if ok, err := auth.VerifyPassword("a password of some length", h); !ok || err != nil {
		t.Errorf("VerifyPassword(default) = %v, %v", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery staple", cheap)
	if err != nil {
		t.Fatal(err)
	}
	stronger := cheap
	stronger.Time = 2
	tests := []struct {
		name    string
		encoded string
		params  auth.Params
		want    bool
	}{
		{"same", h, cheap, false},
		{"more passes", h, stronger, true},
		{"defaults", h, auth.DefaultParams, true},
		{"unreadable", "$2a$10$bcrypt", cheap, true},
		{"empty", "", cheap, true},
	}
	for _, tt := range tests {
		if got := auth.NeedsRehash(tt.encoded, tt.params); got != tt.want {
			t.Errorf("%s: NeedsRehash = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParsePHC(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	good := "$argon2id$v=19$m=65536,t=3,p=4$" + salt + "$" + key
	got, err := auth.ParsePHC(good)
	if err != nil {
		t.Fatal(err)
	}
	want := &auth.PHC{
		Params: auth.Params{Memory: 65536, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32},
		Salt:   []byte("0123456789abcdef"), Key: []byte("0123456789abcdef0123456789abcdef"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParsePHC (-want +got):\n%s", diff)
	}
	if got.String() != good {
		t.Errorf("String() = %q, want %q", got.String(), good)
	}

	bad := []struct{ name, s string }{
		{"empty", ""},
		{"argon2i", "$argon2i$v=19$m=65536,t=3,p=4$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=65536,t=3,p=4$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=65536,t=3,p=4$" + salt + "$" + key},
		{"no version", "$argon2id$m=65536,t=3,p=4$" + salt + "$" + key},
		{"reordered", "$argon2id$v=19$t=3,m=65536,p=4$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=065536,t=3,p=4$" + salt + "$" + key},
		{"sign", "$argon2id$v=19$m=+65536,t=3,p=4$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=65536,t=0,p=4$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=65536,t=3,p=0$" + salt + "$" + key},
		{"256 threads", "$argon2id$v=19$m=65536,t=3,p=256$" + salt + "$" + key},
		{"too little memory", "$argon2id$v=19$m=31,t=1,p=4$" + salt + "$" + key},
		{"4 GiB of memory", "$argon2id$v=19$m=4194304,t=1,p=4$" + salt + "$" + key},
		{"overflow", "$argon2id$v=19$m=4294967296,t=1,p=4$" + salt + "$" + key},
		{"a minute of passes", "$argon2id$v=19$m=65536,t=1000,p=4$" + salt + "$" + key},
		{"extra parameter", "$argon2id$v=19$m=65536,t=3,p=4,keyid=x$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=65536,t=3,p=4$" + salt + "==$" + key},
		{"url base64", "$argon2id$v=19$m=65536,t=3,p=4$" + strings.ReplaceAll(salt, "+", "-") + "_$" + key},
		{"short salt", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$" + key},
		{"short key", "$argon2id$v=19$m=65536,t=3,p=4$" + salt + "$a2V5a2V5a2V5"},
		{"no key", "$argon2id$v=19$m=65536,t=3,p=4$" + salt},
		{"trailing field", good + "$x"},
		{"no leading dollar", good[1:]},
		{"newline in key", "$argon2id$v=19$m=65536,t=3,p=4$" + salt + "$" + key[:10] + "\r\n" + key[10:]},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := auth.ParsePHC(tt.s); err == nil {
				t.Errorf("ParsePHC(%q) = %+v, want an error", tt.s, h)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{"elevenchars", false},
		{"twelve chars", true},
		{"كلمة مرور طويلة", true}, // counted in characters, not bytes
		{"пароль", false},         // 12 bytes, 6 characters
		{strings.Repeat("x", auth.MaxPasswordBytes), true},
		{strings.Repeat("x", auth.MaxPasswordBytes+1), false},
		{"invalid utf8 \xff\xfe padding", false},
	}
	for _, tt := range tests {
		if err := auth.CheckPassword(tt.pw); (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%.20q) = %v, want ok %v", tt.pw, err, tt.ok)
		}
	}
}
