package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
)

// FuzzDecodeMessage feeds the strict JSON decoder of intake arbitrary bodies:
// it must never panic, and must either decode or answer with a user error.
func FuzzDecodeMessage(f *testing.F) {
	f.Add([]byte(`{"sender":{"kind":"public"},"body":"قصف"}`))
	f.Add([]byte(`{"body":"a","attachments":[{"name":"x","size":1}]}`))
	f.Add([]byte(`{"body":`))
	f.Add([]byte("{\"body\":\"\xff\"}"))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/messages", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var req messageRequest
		err := decodeJSON(httptest.NewRecorder(), r, maxRequestBytes, &req)
		if err != nil {
			if code := domain.ErrorCode(err); code == domain.EINTERNAL {
				t.Fatalf("decode %q: internal error %v", body, err)
			}
			return
		}
		m := &domain.Message{Channel: domain.ChannelAPI, Sender: req.Sender, Body: req.Body, Attachments: req.Attachments}
		_ = m.Validate()
	})
}
