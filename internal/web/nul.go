package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// A NUL character is never text a desk means to keep, and the engines
// disagree about it: SQLite stores it, PostgreSQL refuses the whole
// statement. So it is refused where input enters, in JSON bodies, forms,
// query strings and paths, naming where it was, and both engines see the
// same requests.

const nulMessage = "holds a NUL character, which no text may contain"

// refuseNUL answers 400 for a request whose path or query holds a NUL
// before any handler can look it up.
func (s *Server) refuseNUL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.IndexByte(r.URL.Path, 0) >= 0 {
			s.error(w, r, domain.FieldErrorf("path", nulMessage))
			return
		}
		if strings.Contains(r.URL.RawQuery, "%00") {
			if name, ok := nulValue(r.URL.Query()); ok {
				s.error(w, r, domain.FieldErrorf(name, nulMessage))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// nulValue finds a form or query field whose name or a value holds a NUL.
func nulValue(v url.Values) (string, bool) {
	for name, vs := range v {
		if strings.IndexByte(name, 0) >= 0 {
			return strings.ReplaceAll(name, "\x00", `\0`), true
		}
		for _, s := range vs {
			if strings.IndexByte(s, 0) >= 0 {
				return name, true
			}
		}
	}
	return "", false
}

// nulField finds the field of a JSON document whose string holds a NUL
// (written \u0000, since JSON admits no raw control character), as a
// dotted path of object keys ("aliases.name"). It only walks the document
// when the escape is in it at all, so ordinary bodies cost one scan.
func nulField(data []byte) (string, bool) {
	if !bytes.Contains(data, []byte(`\u0000`)) {
		return "", false
	}
	type frame struct {
		object, wantKey bool
		key             string
	}
	var stack []frame
	path := func() string {
		var keys []string
		for _, f := range stack {
			if f.object && f.key != "" {
				keys = append(keys, f.key)
			}
		}
		if len(keys) == 0 {
			return "body"
		}
		return strings.Join(keys, ".")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // malformed: the decoder proper will say where
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, frame{object: t == '{', wantKey: t == '{'})
				continue
			default:
				stack = stack[:top]
				top--
			}
		case string:
			if strings.IndexByte(t, 0) >= 0 {
				if top >= 0 && stack[top].object && stack[top].wantKey {
					stack[top].key = strings.ReplaceAll(t, "\x00", `\0`)
				}
				return path(), true
			}
			if top >= 0 && stack[top].object && stack[top].wantKey {
				stack[top].key, stack[top].wantKey = t, false
				continue
			}
		}
		if top < 0 {
			return "", false
		}
		if stack[top].object {
			stack[top].wantKey = true
		}
	}
}
