package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// statuses maps error codes to HTTP statuses; it is the only such table.
var statuses = map[string]int{
	domain.EINVALID:      http.StatusBadRequest,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.EINTERNAL:     http.StatusInternalServerError,
	codeUnsupportedMedia: http.StatusUnsupportedMediaType,
	auth.ETOOMANY:        http.StatusTooManyRequests,
}

const codeUnsupportedMedia = "unsupported_media_type"

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Field   string `json:"field,omitempty"`
		Message string `json:"message"`
	} `json:"error"`
}

// error answers with err: its code and message if it is a domain error, a
// bare "internal error" otherwise (the details go to the log only).
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	status := statuses[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	switch {
	case status >= 500:
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		s.Logger.Info("request refused", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	var limited *auth.LimitError
	switch {
	case status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	case errors.As(err, &limited):
		w.Header().Set("Retry-After", strconv.Itoa(int(limited.RetryAfter.Seconds())+1))
	}
	if status == http.StatusUnauthorized && s.redirectToLogin(w, r) || status == http.StatusForbidden && s.redirectHome(w, r) {
		return
	}
	if wantsHTML(r) {
		s.renderError(w, r, status, domain.ErrorMessage(err))
		return
	}
	var body errorBody
	body.Error.Code, body.Error.Field, body.Error.Message = code, domain.ErrorField(err), domain.ErrorMessage(err)
	writeJSON(w, status, body)
}

// wantsHTML reports whether the request came from a page rather than the API.
func wantsHTML(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/healthz") &&
		!strings.HasPrefix(r.URL.Path, "/readyz")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads a JSON request body into v strictly: the right content
// type, at most max bytes, valid UTF-8, no unknown fields, one value.
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &domain.Error{Code: codeUnsupportedMedia, Message: "the request body must be application/json"}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return domain.Errorf(domain.ETOOLARGE, "the request body is larger than %d bytes", max)
	} else if err != nil {
		return domain.Errorf(domain.EINVALID, "could not read the request body")
	}
	// encoding/json would silently replace invalid UTF-8 with U+FFFD, and
	// the desk must store what it was sent exactly or refuse it.
	if !utf8.Valid(data) {
		return domain.Errorf(domain.EINVALID, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.Errorf(domain.EINVALID, "the request body holds more than one JSON value")
	}
	if field, ok := nulField(data); ok {
		return domain.FieldErrorf(field, nulMessage)
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return domain.Errorf(domain.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		return domain.FieldErrorf(typ.Field, "must be %s, not %s", typ.Type.String(), typ.Value)
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.EINVALID, "the request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EINVALID, "the request body ends in the middle of a JSON value")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return domain.FieldErrorf(name, "unknown field %q", name)
	}
	return domain.Errorf(domain.EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// atoi64 parses a path or query ID.
func atoi64(name, s string) (int64, error) {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 || fmt.Sprint(n) != s {
		return 0, domain.FieldErrorf(name, "%q is not an ID", s)
	}
	return n, nil
}
