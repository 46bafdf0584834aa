package geo

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// latinArticles are the forms the Arabic article al- takes in Latin
// transliteration, sun-letter assimilations included (ash-Sham, ad-Dana).
var latinArticles = map[string]bool{
	"al": true, "el": true, "ul": true, "il": true,
	"ad": true, "ed": true, "adh": true, "an": true, "en": true,
	"ar": true, "er": true, "as": true, "es": true, "ash": true, "esh": true,
	"at": true, "et": true, "ath": true, "az": true, "ez": true,
}

// sunLetters are the consonants the article assimilates to, so that
// "Deir Ezzor" loses its article as "Deir ez-Zor" does.
const sunLetters = "tdrzsln"

// Fold returns name as a careful reader would compare it: lower case, without
// diacritics, ayn and hamza marks or tashkeel, Arabic letter variants unified
// (أ إ آ ٱ → ا, ة → ه, ى → ي), the article dropped, and words separated by
// one space. Two spellings that Fold equally differ only in presentation.
func Fold(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r), r == 'ـ': // diacritics, tashkeel, tatweel
			continue
		case strings.ContainsRune("'’‘`´ʼʻʿʾ\u02bc\u02bfءٴ", r):
			continue // ayn and hamza marks carry no letter of their own
		case r == 'ٱ':
			r = 'ا'
		case r == 'ة' || r == 'ۀ' || r == 'ە':
			r = 'ه'
		case r == 'ى' || r == 'ی' || r == 'ې':
			r = 'ي'
		case r == 'ک':
			r = 'ك'
		case r == 'ı':
			r = 'i'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			r = ' '
		}
		b.WriteRune(r)
	}
	words := strings.Fields(b.String())
	out := words[:0]
	for i, w := range words {
		switch {
		case latinArticles[w] && i < len(words)-1:
			continue
		case strings.HasPrefix(w, "ال") && utf8.RuneCountInString(w) > 3:
			w = strings.TrimPrefix(w, "ال")
		case i > 0 && len(w) > 4 && (w[0] == 'a' || w[0] == 'e') &&
			w[1] == w[2] && strings.IndexByte(sunLetters, w[1]) >= 0:
			w = w[2:] // "ezzor" → "zor"
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// arabicLatin transliterates Arabic letters into the key alphabet, so that
// an Arabic spelling lands near the Latin ones. Short vowels are not
// written in Arabic, which costs an edit or two; the fuzzy match absorbs it.
var arabicLatin = map[rune]string{
	'ا': "a", 'ب': "b", 'ت': "t", 'ث': "t", 'ج': "j", 'ح': "h", 'خ': "h",
	'د': "d", 'ذ': "z", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "S", 'ص': "s",
	'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "j", 'ف': "f", 'ق': "k",
	'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'و': "u", 'ي': "i",
	'پ': "b", 'چ': "S", 'ژ': "j", 'گ': "j", 'ڤ': "w",
}

// latinFolds are the transliteration pairs that writers swap freely, applied
// in order: digraphs first so "kh" is not read as k + h.
var latinFolds = strings.NewReplacer(
	"sch", "S", "dj", "j", "sh", "S", "ch", "S", "kh", "h", "gh", "j",
	"dh", "z", "th", "t", "ph", "f", "ck", "k",
	"ee", "i", "oo", "u", "ou", "u",
)

var latinLetters = strings.NewReplacer(
	"q", "k", "c", "k", "g", "j", "v", "w", "x", "ks", "e", "a", "o", "u", "y", "i",
)

// Key returns the match key of name: Fold, then Arabic letters
// transliterated and the common transliteration pairs merged (kh/h, q/k,
// j/dj/g, sh/ch, dh/z, th/t, ou/u, ee/i, e/a, o/u, y/i, w/v), a final h after a
// vowel dropped (Jableh, Jabla), doubled letters folded and the words run
// together. "Khmeimim" and "Hmeimim" share the key "hmaimim".
func Key(name string) string {
	return keyOfFolded(Fold(name))
}

func keyOfFolded(folded string) string {
	var b strings.Builder
	for _, w := range strings.Fields(folded) {
		var t strings.Builder
		arabic := false
		for _, r := range w {
			if s, ok := arabicLatin[r]; ok {
				t.WriteString(s)
				arabic = true
			} else {
				t.WriteRune(r)
			}
		}
		s := t.String()
		if arabic {
			// Final ه is almost always ta marbuta, read as a vowel.
			if strings.HasSuffix(s, "h") && len(s) > 2 {
				s = s[:len(s)-1] + "a"
			}
		} else {
			s = latinLetters.Replace(latinFolds.Replace(s))
		}
		if n := len(s); n > 2 && s[n-1] == 'h' && strings.IndexByte("aiu", s[n-2]) >= 0 {
			s = s[:n-1]
		}
		b.WriteString(s)
	}
	return squeeze(b.String())
}

// squeeze folds runs of one letter into a single letter: doubled consonants
// (shadda) and long vowels are written either way.
func squeeze(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var last rune = -1
	for _, r := range s {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

// Similarity returns how alike two keys are, from 0 to 1: one minus the
// optimal-string-alignment distance (edits and adjacent swaps) over the
// longer length. Swaps count once because typists transpose letters.
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1
	}
	return 1 - float64(osaDistance(ra, rb))/float64(n)
}

// osaDistance is the Damerau–Levenshtein distance restricted to adjacent
// transpositions of untouched letters, in three rolling rows.
func osaDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
