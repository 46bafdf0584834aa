package domain

import (
	"errors"
	"fmt"
)

// Error codes that users may see. Each maps to one HTTP status in the web
// package; anything else is an internal error whose details are logged, not
// shown.
const (
	EINVALID      = "invalid"      // the request or record breaks a rule
	ENOTFOUND     = "not_found"    // no such record
	ECONFLICT     = "conflict"     // a stale version or an illegal state change
	ETOOLARGE     = "too_large"    // a body or attachment over its limit
	EUNAVAILABLE  = "unavailable"  // the store cannot take writes now; retry later
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // credentials fine, permission missing
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is an error meant for the user: a code, a sentence, and, for
// validation failures, the field at fault.
type Error struct {
	Code    string
	Field   string // JSON name of the offending field, if any
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error naming the field at fault.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, hiding internals.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field named by the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
