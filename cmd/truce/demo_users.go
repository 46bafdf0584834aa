package main

import (
	"context"
	"fmt"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
)

// demoPassword is the password of the demo's accounts. The demo serves on
// localhost with a throwaway database; never reuse it.
const demoPassword = "ceasefire-2016"

func init() {
	demoSteps = append(demoSteps, demoStep{"users", installUsers})
}

// installUsers creates one account per role, so the desk can be seen as each
// of them sees it: the liaison speaks for the Southern Front.
func installUsers(ctx context.Context, s domain.Store, sc *scenario.Scenario, partyIDs map[string]int64) (string, error) {
	users, ok := s.(auth.UserStore)
	if !ok {
		return "", fmt.Errorf("the store keeps no users")
	}
	hash, err := auth.HashPassword(demoPassword, auth.DefaultParams)
	if err != nil {
		return "", err
	}
	for _, u := range []*auth.User{
		{Name: "cochair", FullName: "Co-chair of the task force", Role: auth.RoleCoChair},
		{Name: "monitor", FullName: "Desk monitor", Role: auth.RoleMonitor},
		{Name: "liaison", FullName: "Liaison officer, Southern Front", Role: auth.RoleLiaison, PartyID: partyIDs[scenario.SlugSouthern]},
		{Name: "observer", FullName: "NGO observer", Role: auth.RoleObserver},
	} {
		u.PasswordHash = hash
		if err := users.CreateUser(ctx, u); err != nil {
			return "", fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	return fmt.Sprintf("cochair, monitor, liaison (Southern Front), observer; password %q", demoPassword), nil
}
