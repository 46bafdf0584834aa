package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{{"GET /api/v1/inbox/stream", Desk, s.handleInboxStream}}
	})
}

// Hub fans out the IDs of messages stored or moved to the desks connected to
// this instance. The store feeds it from every instance (PostgreSQL
// LISTEN/NOTIFY), so a desk sees what arrived anywhere.
type Hub struct {
	mu   sync.Mutex
	subs map[chan []int64]struct{}
}

// Publish hands ids to every subscriber; a subscriber too slow to keep up
// misses the update, and its next poll of the inbox catches up.
func (h *Hub) Publish(ids []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- ids:
		default:
		}
	}
}

func (h *Hub) subscribe() (chan []int64, func()) {
	ch := make(chan []int64, 16)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan []int64]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// handleInboxStream sends server-sent events: "messages" with the IDs of
// messages stored or moved, and a comment every 20 s to keep proxies from
// closing the connection.
func (s *Server) handleInboxStream(w http.ResponseWriter, r *http.Request) {
	if s.Inbox == nil {
		http.Error(w, "live updates are not enabled", http.StatusNotImplemented)
		return
	}
	ch, cancel := s.Inbox.subscribe()
	defer cancel()
	rc := http.NewResponseController(w)
	// The server's write timeout would cut a long-lived stream.
	rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(20 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ids := <-ch:
			data, _ := json.Marshal(ids)
			fmt.Fprintf(w, "event: messages\ndata: %s\n\n", data)
		case <-beat.C:
			fmt.Fprint(w, ": still here\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
