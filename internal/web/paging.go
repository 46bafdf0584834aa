package web

import (
	"context"
	"net/http"

	"github.com/trucedesk/truce/internal/domain"
)

// firstError returns the first non-nil error: query parameters are parsed
// together and the first bad one is reported.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// partyParam resolves a party slug given as a filter; an empty slug is no
// filter (0), an unknown one a field error naming the parameter.
func (s *Server) partyParam(ctx context.Context, name, slug string) (int64, error) {
	if slug == "" {
		return 0, nil
	}
	p, err := s.Store.PartyBySlug(ctx, slug)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return 0, domain.FieldErrorf(name, "no party %q", slug)
	}
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// writePage answers a keyset-paged list: the items under name and, when the
// page is full, next_after, the cursor of the following page.
func writePage[T any](w http.ResponseWriter, name string, items []T, limit int, cursor func(T) int64) {
	writeJSON(w, http.StatusOK, pageOf(name, items, limit, cursor))
}

func pageOf[T any](name string, items []T, limit int, cursor func(T) int64) map[string]any {
	page := map[string]any{name: nonNil(items)}
	if len(items) == limit && limit > 0 {
		page["next_after"] = cursor(items[len(items)-1])
	}
	return page
}

// writeCountedPage answers a keyset-paged list with the total its filter
// matches, both read with the same filter so that they agree.
func writeCountedPage[T, F any](s *Server, w http.ResponseWriter, r *http.Request, name string, f F, limit int,
	list func(context.Context, F) ([]T, error), count func(context.Context, F) (int, error), cursor func(T) int64) {
	items, err := list(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	total, err := count(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := pageOf(name, items, limit, cursor)
	page["total"] = total
	writeJSON(w, http.StatusOK, page)
}
