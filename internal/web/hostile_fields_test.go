package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// TestHostileFields sends each hostile string in every free-text field of
// every write the desk takes (JSON and forms), then reads every GET route:
// nothing may fail with a 5xx, no page may carry the markup unescaped, and
// the tamper-evident log must still vouch for every row, so no string
// changed anything but the record it was written to.
func TestHostileFields(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testHostileFields(t, e.Open(t)) })
	}
}

func testHostileFields(t *testing.T, db *store.DB) {
	ts := newServer(t, db)
	ctx := context.Background()
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	send := func(method, path, ct, body string) (int, []byte) {
		t.Helper()
		resp, data := do(t, method, ts.URL+path, ct, []byte(body), true)
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s %.300s = %d %s", method, path, body, resp.StatusCode, data)
		}
		return resp.StatusCode, data
	}
	mustSend := func(method, path, body string) []byte {
		t.Helper()
		status, data := send(method, path, "application/json", body)
		if status >= 300 {
			t.Fatalf("%s %s = %d %s", method, path, status, data)
		}
		return data
	}
	mustSend("POST", "/api/v1/agreements", `{"slug":"coh","name":"Cessation of hostilities","time_zone":"Asia/Damascus",
		"start":"2016-02-26T22:00:00Z","prohibited_acts":["Shelling/artillery/missile attack"],"country":"Syria",
		"exclusion_authority":"UN Security Council"}`)
	mustSend("POST", "/api/v1/parties", `{"slug":"ypg","name":"YPG","kind":"armed_group"}`)
	newIncident := func() domain.Incident {
		var in domain.Incident
		json.Unmarshal(mustSend("POST", "/api/v1/incidents", `{"sub_event_type":"Shelling/artillery/missile attack",
			"occurred_at":"2016-02-28T09:00:00Z","location":"Kafr Nabl","point":{"lat":35.61,"lon":36.56}}`), &in)
		return in
	}

	stored := 0
	// The crawl below reads the records that carry the script tag.
	script := slices.Index(hostile, "<script>alert('x')</script>")
	var scriptIncident, scriptReconciliation string
	for i, h := range hostile {
		in := newIncident()
		if i == script {
			scriptIncident = strconv.FormatInt(in.ID, 10)
		}
		var rc struct{ Tracking string }
		json.Unmarshal(mustSend("POST", "/api/v1/messages", `{"body":"report `+strconv.Itoa(i)+`"}`), &rc)
		m, err := db.MessageByTracking(ctx, rc.Tracking)
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(in.ID, 10)
		for _, rq := range []struct{ method, path, body string }{
			{"POST", "/api/v1/parties", fmt.Sprintf(`{"slug":"p%d","name":%s,"kind":"armed_group","sponsor":%[2]s,"aliases":[{"name":%[2]s,"lang":"ar"}]}`, i, q(h))},
			{"POST", "/api/v1/parties", fmt.Sprintf(`{"slug":%s,"name":"x","kind":"armed_group"}`, q(h))},
			{"POST", "/api/v1/agreements", fmt.Sprintf(`{"slug":"a%d","name":%s,"time_zone":"Asia/Damascus","start":"2016-02-26T22:00:00Z",
				"prohibited_acts":["Shelling/artillery/missile attack"],"country":%[2]s,"exclusion_authority":%[2]s,"text":%[2]s,"source":%[2]s}`, i, q(h))},
			{"POST", "/api/v1/agreements", fmt.Sprintf(`{"slug":"b%d","name":"x","time_zone":%s,"start":"2016-02-26T22:00:00Z","prohibited_acts":[%[2]s],"country":"Syria","exclusion_authority":"x"}`, i, q(h))},
			{"POST", "/api/v1/agreements/coh/statuses", fmt.Sprintf(`{"party":"ypg","kind":"designated","designator":%s,"valid_from":"2016-02-27T00:00:00Z","source":%[1]s,"note":%[1]s}`, q(h))},
			{"POST", "/api/v1/agreements/coh/statuses", fmt.Sprintf(`{"party":%s,"kind":"committed","valid_from":"2016-02-27T00:00:00Z"}`, q(h))},
			{"POST", "/api/v1/agreements/coh/commitments", fmt.Sprintf(`{"party":"ypg","through":%s,"valid_from":"2016-02-27T00:00:00Z","source":%[1]s,"note":%[1]s}`, q(h))},
			{"POST", "/api/v1/agreements/coh/commitments", fmt.Sprintf(`{"party":%s,"valid_from":"2016-02-27T00:00:00Z"}`, q(h))},
			{"POST", "/api/v1/incidents", fmt.Sprintf(`{"sub_event_type":"Shelling/artillery/missile attack","occurred_at":"2016-02-28T09:00:00Z",
				"location":%s,"admin1":%[1]s,"admin2":%[1]s,"summary":%[1]s,"sources":[{"kind":"media","url":"https://example.org/%d","publisher":%[1]s,"note":%[1]s}]}`, q(h), i)},
			{"POST", "/api/v1/incidents", fmt.Sprintf(`{"sub_event_type":%s,"occurred_at":"2016-02-28T09:00:00Z"}`, q(h))},
			{"POST", "/api/v1/incidents/" + id + "/grade", fmt.Sprintf(`{"grade":"fair","note":%s,"version":%d}`, q(h), in.Version)},
			{"POST", "/api/v1/inbox/" + strconv.FormatInt(m.ID, 10) + "/transitions", fmt.Sprintf(`{"to":"rejected","reason":"spam","note":%s,"version":1}`, q(h))},
			{"POST", "/api/v1/articles", fmt.Sprintf(`{"title":%s,"text":%s,"date":"2016-02-24","source":%[1]s,"url":"https://example.org/a%[3]d"}`,
				q(h), q("The ministry spokesman said "+h+" on Tuesday, and that air strikes had decreased."), i)},
			{"POST", "/api/v1/claims/check", fmt.Sprintf(`{"actor":%s,"text":%[1]s}`, q(h))},
			{"POST", "/api/v1/session", fmt.Sprintf(`{"name":%s,"password":%[1]s}`, q(h))},
		} {
			if status, _ := send(rq.method, rq.path, "application/json", rq.body); status < 300 {
				stored++
			}
		}
		// A reconciliation with the string in every text field, moved
		// along its timeline with it as the note.
		var rec domain.Reconciliation
		json.Unmarshal(mustSend("POST", "/api/v1/reconciliations", fmt.Sprintf(`{"agreement":"coh","settlement":%s,"admin1":%[1]s,
			"admin2":%[1]s,"signed_at":"2016-02-28T10:00:00Z","summary":%[1]s,
			"signatories":[{"name":%[1]s,"role":"community"},{"party_id":1,"name":%[1]s,"role":"armed_group"}],
			"terms":[{"kind":"other","text":%[1]s}],"sources":[{"url":"https://example.org/r%d","publisher":%[1]s,"note":%[1]s},
			{"message_id":%[3]d,"note":%[1]s}]}`, q(h), i, m.ID)), &rec)
		if i == script {
			scriptReconciliation = strconv.FormatInt(rec.ID, 10)
		}
		rcPath := "/api/v1/reconciliations/" + strconv.FormatInt(rec.ID, 10)
		for _, rq := range []struct{ method, path, body string }{
			{"POST", rcPath + "/status", fmt.Sprintf(`{"state":"in_force","at":"2016-02-29T10:00:00Z","note":%s,"version":1}`, q(h))},
			{"POST", rcPath + "/status", fmt.Sprintf(`{"state":%s,"at":"2016-02-29T10:00:00Z","version":2}`, q(h))},
			{"POST", "/api/v1/reconciliations", fmt.Sprintf(`{"agreement":%s,"settlement":"x","admin1":"x","signed_at":"2016-02-28T10:00:00Z",
				"signatories":[{"name":"x","role":%[1]s}],"terms":[{"kind":%[1]s}],"sources":[{"url":%[1]s}]}`, q(h))},
			{"GET", "/api/v1/reconciliations?agreement=coh&admin1=" + url.QueryEscape(h) + "&party=" + url.QueryEscape(h), ""},
		} {
			if status, _ := send(rq.method, rq.path, "application/json", rq.body); status < 300 && rq.method == "POST" {
				stored++
			}
		}
		form := "application/x-www-form-urlencoded"
		send("POST", "/desk/incidents/"+id+"/grade", form, url.Values{"version": {"2"}, "grade": {"weak"}, "note": {h}}.Encode())
		// The desk's reconciliation forms, once with the string in every
		// text field and once in every field the form itself decodes.
		send("POST", "/desk/reconciliations", form, url.Values{"agreement": {"coh"}, "settlement": {h}, "admin1": {h}, "admin2": {h},
			"signed_on": {"2016-02-28"}, "summary": {h}, "signatory_party": {"", "1"}, "signatory_name": {h, h},
			"signatory_role": {"community", "armed_group"}, "term_kind": {"other"}, "term_text": {h},
			"source_message": {strconv.FormatInt(m.ID, 10), ""}, "source_url": {"", "https://example.org/f" + strconv.Itoa(i)},
			"source_publisher": {h, h}, "source_note": {h, h}, "message": {h}}.Encode())
		send("POST", "/desk/reconciliations", form, url.Values{"agreement": {h}, "settlement": {"x"}, "admin1": {"x"},
			"signed_on": {h}, "signed_time": {h}, "time_precision": {h}, "lat": {h}, "lon": {h}, "geoname_id": {h},
			"signatory_party": {h}, "signatory_name": {"x"}, "signatory_role": {h}, "term_kind": {h}, "source_message": {h},
			"source_url": {h}, "message": {h}}.Encode())
		send("POST", "/desk/reconciliations", form, url.Values{"agreement": {"coh"}, "settlement": {"x"}, "admin1": {"x"},
			"signed_on": {"2016-02-28"}, "signatory_name": {"x"}, "signatory_role": {h}}.Encode())
		send("POST", "/desk/reconciliations/"+strconv.FormatInt(rec.ID, 10)+"/status", form,
			url.Values{"state": {"broken"}, "on": {"2016-03-01"}, "note": {h}, "version": {"2"}}.Encode())
		send("POST", "/desk/reconciliations/"+strconv.FormatInt(rec.ID, 10)+"/status", form,
			url.Values{"state": {h}, "on": {h}, "time": {h}, "note": {h}, "version": {h}}.Encode())
		send("GET", "/desk/reconciliations/new?message="+url.QueryEscape(h), "", "")
		send("GET", "/desk/reconciliations?state="+url.QueryEscape(h)+"&admin1="+url.QueryEscape(h)+"&since="+url.QueryEscape(h), "", "")
		// The party page's commitment form.
		send("POST", "/desk/parties/ypg/commitments", form, url.Values{"agreement": {"coh"}, "through": {h}, "valid_on": {"2016-02-27"},
			"source": {h}, "note": {h}}.Encode())
		send("POST", "/desk/parties/ypg/commitments", form, url.Values{"agreement": {h}, "through": {h}, "valid_on": {h},
			"valid_time": {h}}.Encode())
		send("POST", "/desk/login", form, url.Values{"name": {h}, "password": {h}, "token": {h}, "next": {h}}.Encode())
		send("POST", "/report", form, url.Values{"name": {h}, "contact": {h}, "body": {h}}.Encode())
	}
	if stored < 6*len(hostile) {
		t.Errorf("only %d hostile writes were stored; the test no longer reaches the store", stored)
	}

	// Every page and answer that could show them.
	param := regexp.MustCompile(`\{[^}]+\}`)
	escaped := 0
	shown := map[string]bool{} // the patterns whose page showed the script tag escaped
	for _, rt := range (&web.Server{}).Routes() {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		if method != "GET" || strings.HasSuffix(pattern, "/stream") {
			continue
		}
		path := param.ReplaceAllStringFunc(pattern, func(p string) string {
			switch p {
			case "{$}":
				return ""
			case "{slug}":
				if strings.Contains(pattern, "agreements") {
					return "a" + strconv.Itoa(script)
				}
				return "p" + strconv.Itoa(script)
			case "{file}":
				return "2016-02-28.html"
			case "{date}":
				return "2016-02-28"
			}
			if strings.Contains(pattern, "/reconciliations/") {
				return scriptReconciliation
			}
			return scriptIncident
		})
		if strings.HasSuffix(path, "/") {
			continue
		}
		{
			req, _ := http.NewRequest("GET", ts.URL+path+"?agreement=coh", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Errorf("GET %s = %d %.300s", path, resp.StatusCode, data)
			}
			if resp.StatusCode == 200 && strings.Contains(string(data), "&lt;script&gt;alert") {
				escaped++
				shown[pattern] = true
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				for _, raw := range []string{"<script>alert", "<img src=x"} {
					if strings.Contains(string(data), raw) {
						t.Errorf("GET %s shows %q unescaped", path, raw)
					}
				}
			}
		}
	}

	if escaped < 3 {
		t.Errorf("only %d pages showed the script tag escaped; the crawl no longer reaches the hostile records", escaped)
	}
	for _, p := range []string{"/desk/reconciliations", "/desk/reconciliations/{id}", "/desk/bulletins/{date}"} {
		if !shown[p] {
			t.Errorf("GET %s did not show the hostile record's script tag escaped; the crawl no longer reaches it", p)
		}
	}

	// Nothing changed but what was written through the desk, and logged.
	l, err := db.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx, "test/log")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&ledger.Verifier{LatestOnly: true}).Verify(cp, snap.Entries, snap.Records)
	if err != nil || !rep.OK() {
		t.Errorf("verify after hostile input: %v %+v", err, rep)
	}
}
