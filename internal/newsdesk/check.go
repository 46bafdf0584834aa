package newsdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// Recheck checks a stored claim again against the records as they are now
// and stores the new result.
func (d *Desk) Recheck(ctx context.Context, claimID int64, by string) (*domain.StoredClaim, error) {
	c, err := d.Store.StoredClaim(ctx, claimID)
	if err != nil {
		return nil, err
	}
	e, err := d.env(ctx)
	if err != nil {
		return nil, err
	}
	r, err := d.check(ctx, e, c.Claim, by)
	if err != nil {
		return nil, err
	}
	if err := d.Store.SetClaimCheck(ctx, claimID, r); err != nil {
		return nil, err
	}
	c.Check = r
	return c, nil
}

// check decides a claim with stats.CheckClaim against the desk's records:
// incidents for strikes, shelling, attacks and fatalities (the actor as
// alleged perpetrator, its units included), incidents judged violations
// under the agreement for violations, and the messages the desk received
// for messages.
//
// Zero days are only zeros where the desk was recording: the data are
// taken to cover the days from the desk's first record of that kind (the
// earliest incident, or message) to now. A window before the desk existed
// is "not testable", never a fall to zero.
func (d *Desk) check(ctx context.Context, e *env, c domain.Claim, by string) (*domain.ClaimCheckResult, error) {
	now := d.Now()
	res := &domain.ClaimCheckResult{CheckedAt: now, CheckedBy: by}
	notTestable := func(format string, args ...any) (*domain.ClaimCheckResult, error) {
		res.Verdict, res.Reason = domain.VerdictNotTestable, fmt.Sprintf(format, args...)
		res.Sentence = "The claim cannot be tested: " + res.Reason + "."
		return res, nil
	}
	if c.WindowStart.IsZero() || c.WindowEnd.IsZero() {
		return notTestable("the article gives no date, so the claim's days are unknown")
	}
	w, need, err := d.span(c, e.loc)
	if err != nil {
		return notTestable("its window is not a span of days (%s)", domain.ErrorMessage(err))
	}
	from, to := need.From.In(e.loc), need.To.In(e.loc)

	var events []stats.Event
	var first time.Time // the desk's first record of this kind in or before need
	checked := c
	unresolved := func() bool { return checked.Actor != "" && checked.ActorPartyID == 0 }
	switch c.Metric {
	case domain.MetricMessages:
		// A messages claim is about messages received by the speaker's
		// side; the desk can only count what it received itself, from
		// whoever sent it.
		checked.Actor, checked.ActorPartyID = "", 0
		if events, first, err = d.messageEvents(ctx, from, to); err != nil {
			return nil, err
		}
	default:
		if unresolved() {
			break // CheckClaim says why
		}
		if c.Metric == domain.MetricViolations && e.agreement == nil {
			return notTestable("the desk holds no agreement, so no incident is judged a violation")
		}
		if events, first, err = d.incidentEvents(ctx, e, c, from, to); err != nil {
			return nil, err
		}
	}
	cover := stats.Window{From: need.From, To: max(need.To, stats.DayOf(now, e.loc)+1)}
	if first.IsZero() && !unresolved() {
		kind := "incidents"
		if c.Metric == domain.MetricMessages {
			kind = "messages"
		}
		if w.From.In(e.loc).After(now) || w.To.In(e.loc).After(now) {
			// CheckClaim says it is not over yet.
			cover.From = need.From
		} else {
			res, err := notTestable("the desk holds no %s on or before %s, so it has nothing to count the claim against", kind, need.To-1)
			if err == nil && kind == "incidents" {
				err = d.addVDCContext(ctx, e, c, res)
			}
			return res, err
		}
	} else if !first.IsZero() && stats.DayOf(first, e.loc) > need.From {
		cover.From = stats.DayOf(first, e.loc)
	}
	b, err := stats.NewBucketer(e.loc, cover, stats.KeyNone)
	if err != nil {
		return nil, err
	}
	keep, _, err := stats.MetricFilter(c.Metric)
	if err != nil {
		return nil, err
	}
	for i := range events {
		if keep(&events[i]) {
			b.Add(&events[i])
		}
	}
	cc, err := stats.CheckClaim(checked, b.Series()[0], e.loc, now, d.Options)
	if err != nil {
		return notTestable("%s", domain.ErrorMessage(err))
	}
	cc.Claim = c
	detail, err := json.Marshal(cc)
	if err != nil {
		return nil, fmt.Errorf("encode check: %w", err)
	}
	res.Verdict, res.Reason, res.Sentence, res.P, res.Detail = domain.ClaimVerdict(cc.Verdict), cc.Reason, cc.Sentence, cc.P, detail
	if math.IsNaN(res.P) || math.IsInf(res.P, 0) {
		res.P = 0
	}
	if res.Verdict == domain.VerdictNotTestable && !unresolved() && c.Metric != domain.MetricMessages {
		return res, d.addVDCContext(ctx, e, c, res)
	}
	return res, nil
}

// incidentEvents returns the events of the incidents in [from, to) that the
// claim's actor (or anyone, for a claim without an actor) is alleged to have
// perpetrated, and the instant of the desk's first incident: before from if
// there is any, else the earliest in range.
func (d *Desk) incidentEvents(ctx context.Context, e *env, c domain.Claim, from, to time.Time) ([]stats.Event, time.Time, error) {
	var first time.Time
	if n, err := d.Store.CountIncidents(ctx, domain.IncidentFilter{Until: from}); err != nil {
		return nil, first, err
	} else if n > 0 {
		first = from.Add(-time.Nanosecond)
	}
	var events []stats.Event
	var ids []int64
	f := domain.IncidentFilter{Since: from, Until: to, Limit: 1000}
	for {
		ins, err := d.Store.Incidents(ctx, f)
		if err != nil {
			return nil, first, err
		}
		for _, in := range ins {
			if first.IsZero() || in.OccurredAt.Before(first) {
				first = in.OccurredAt
			}
			perp, ok := e.perpetrator(in, c.ActorPartyID)
			if !ok {
				continue
			}
			events = append(events, stats.Event{At: in.OccurredAt, Weight: float64(in.Fatalities.Best),
				Perpetrator: perp, Admin1: in.Admin1, Type: in.SubEventType})
			ids = append(ids, in.ID)
		}
		if len(ins) < f.Limit {
			break
		}
		f.AfterID = ins[len(ins)-1].ID
	}
	if c.Metric == domain.MetricViolations && len(ids) > 0 {
		vs, err := d.Store.VerdictsOf(ctx, e.agreement.ID, ids)
		if err != nil {
			return nil, first, err
		}
		outcome := make(map[int64]string, len(vs))
		for _, v := range vs {
			outcome[v.IncidentID] = v.Outcome
		}
		for i := range events {
			events[i].Verdict = outcome[ids[i]]
		}
	}
	return events, first, nil
}

// perpetrator returns the slug an incident is counted under for actor: the
// actor's own when it or one of its units is an alleged perpetrator, any
// perpetrator's (or none) when the claim names no actor.
func (e *env) perpetrator(in *domain.Incident, actor int64) (string, bool) {
	if actor == 0 {
		if len(in.Perpetrators) > 0 {
			return e.slugs[in.Perpetrators[0]], true
		}
		return "", true
	}
	for _, p := range in.Perpetrators {
		if e.parties.Within(p, actor) {
			return e.slugs[actor], true
		}
	}
	return "", false
}

// messageEvents returns one event per message received in [from, to), and
// the instant of the desk's first message.
func (d *Desk) messageEvents(ctx context.Context, from, to time.Time) ([]stats.Event, time.Time, error) {
	var first time.Time
	if old, err := d.Store.Messages(ctx, domain.MessageFilter{Until: from, Limit: 1}); err != nil {
		return nil, first, err
	} else if len(old) > 0 {
		first = from.Add(-time.Nanosecond)
	}
	var events []stats.Event
	f := domain.MessageFilter{Since: from, Until: to, Limit: 1000}
	for {
		ms, err := d.Store.Messages(ctx, f)
		if err != nil {
			return nil, first, err
		}
		for _, m := range ms {
			if first.IsZero() || m.ReceivedAt.Before(first) {
				first = m.ReceivedAt
			}
			events = append(events, stats.Event{At: m.ReceivedAt, Weight: 1})
		}
		if len(ms) < f.Limit {
			break
		}
		f.AfterID = ms[len(ms)-1].ID // newest first: the next page has smaller IDs
	}
	return events, first, nil
}

// addVDCContext gives a claim the desk's own records cannot test the
// context a journalist can still quote: the Violations Documentation
// Center's daily deaths across Syria over the claim's window and baseline,
// compared with the same tests. VDC attributes deaths to no party and no
// weapon, so the comparison is context beside the verdict, never the
// verdict; a claim about messages or violations gets none.
func (d *Desk) addVDCContext(ctx context.Context, e *env, c domain.Claim, res *domain.ClaimCheckResult) error {
	switch c.Metric {
	case domain.MetricStrikes, domain.MetricShelling, domain.MetricAttacks, domain.MetricFatalities:
	default:
		return nil
	}
	if c.Direction == domain.DirectionCount {
		return nil // a count of the actor's own acts has no proxy in all deaths
	}
	cc, err := d.vdcCheck(ctx, e, c)
	if err != nil || cc == nil || cc.Test == nil {
		return err
	}
	t := cc.Test
	res.Sentence += fmt.Sprintf(" For context, the Violations Documentation Center recorded %s deaths across Syria over %s "+
		"(%.1f a day) against %.1f a day in the %s days before: rate ratio %.2f, %.0f%% interval %.2f–%.2f, two-sided p = %.2g "+
		"(%s). VDC does not say who caused these deaths or how, so this is not a test of the claim.",
		fmtCount(t.CountA), cc.Window, t.RateA, t.RateB, fmtCount(t.DaysB), t.Ratio, 100*t.Level, t.Low, t.High, t.PTwoSided, t.Method)
	detail := map[string]any{}
	if len(res.Detail) > 0 {
		if err := json.Unmarshal(res.Detail, &detail); err != nil {
			return fmt.Errorf("decode check: %w", err)
		}
	}
	detail["context"] = map[string]any{"series": analysis.SeriesVDC, "region": "", "check": cc}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("encode context: %w", err)
	}
	res.Detail = b
	return nil
}

// vdcCheck runs the claim's comparison over the VDC country totals, or
// returns nil when the series does not cover its window and baseline.
func (d *Desk) vdcCheck(ctx context.Context, e *env, c domain.Claim) (*stats.ClaimCheck, error) {
	proxy := c
	proxy.Actor, proxy.ActorPartyID, proxy.Metric = "", 0, domain.MetricFatalities
	_, need, err := d.span(c, e.loc)
	if err != nil {
		return nil, nil
	}
	rows, err := d.Store.DailyCounts(ctx, analysis.SeriesVDC, need.From.String(), (need.To - 1).String())
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	// The VDC lists a day only when it recorded deaths, so a gap inside the
	// series is a zero; but days before its first row or after its last are
	// unknown, and the series must reach both ends of the span.
	var first, last string
	for _, r := range rows {
		if r.Region != "" {
			continue
		}
		if first == "" || r.Day < first {
			first = r.Day
		}
		last = max(last, r.Day)
	}
	if first == "" || first > need.From.String() || last < (need.To-1).String() {
		return nil, nil
	}
	series, err := stats.FromDailyCounts(rows, need)
	if err != nil {
		return nil, nil // a malformed published series is no context
	}
	i := slices.IndexFunc(series, func(s stats.Series) bool { return s.Key == "" })
	if i < 0 {
		return nil, nil
	}
	cc, err := stats.CheckClaim(proxy, series[i], e.loc, d.Now(), d.Options)
	if err != nil || cc.Verdict == stats.NotTestable {
		return nil, nil
	}
	return cc, nil
}

// fmtCount writes a whole count without a decimal point.
func fmtCount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// span returns the claim's window in local days and the days its check
// needs: the window and its baseline (the claim's own, or the desk's
// default of 14 days) before it.
func (d *Desk) span(c domain.Claim, loc *time.Location) (w, need stats.Window, err error) {
	if w, err = stats.WindowOf(c.WindowStart, c.WindowEnd, loc); err != nil {
		return w, need, err
	}
	days := d.Options.BaselineDays
	if days == 0 {
		days = 14
	}
	if c.Baseline > 0 {
		days = int(math.Ceil(c.Baseline.Hours() / 24))
	}
	return w, stats.Window{From: w.From - stats.Day(days), To: w.To}, nil
}
