package domain

import "time"

// Metric is what a claim counts.
type Metric string

// The metrics a claim can be checked on.
const (
	MetricStrikes    Metric = "strikes"    // air/drone strikes
	MetricShelling   Metric = "shelling"   // shelling/artillery/missile attacks
	MetricAttacks    Metric = "attacks"    // all violent incidents
	MetricViolations Metric = "violations" // incidents judged violations
	MetricFatalities Metric = "fatalities"
	MetricMessages   Metric = "messages" // messages received by the desk
)

// Direction is which way a claim says a metric moved.
type Direction string

// The directions.
const (
	DirectionDown    Direction = "down"
	DirectionUp      Direction = "up"
	DirectionStopped Direction = "stopped" // "attacks have stopped"
	DirectionSame    Direction = "same"
	DirectionCount   Direction = "count" // "over two dozen messages": a level, not a change
)

// Strength is how strongly a claim states the change.
type Strength string

// The strengths: "significantly", "sharply", "slightly"…
const (
	StrengthNone        Strength = ""
	StrengthSlight      Strength = "slight"
	StrengthSignificant Strength = "significant"
	StrengthSharp       Strength = "sharp"
)

// Claim is a checkable statement: an actor's metric moved in a direction over
// a window, compared with the period before it (Baseline; zero means the
// analysis default, such as the 14 days before the window).
type Claim struct {
	Actor        string        `json:"actor"`                    // as stated: "Russia", "Russian air force"
	ActorPartyID int64         `json:"actor_party_id,omitempty"` // resolved against the registry
	Metric       Metric        `json:"metric"`
	WindowStart  time.Time     `json:"window_start"`
	WindowEnd    time.Time     `json:"window_end"`
	Baseline     time.Duration `json:"baseline,omitempty"`
	Direction    Direction     `json:"direction"`
	Strength     Strength      `json:"strength,omitempty"`
	Value        float64       `json:"value,omitempty"` // for DirectionCount: the level claimed
	Text         string        `json:"text,omitempty"`  // the words it was parsed from
}
