package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestMessageLinkUpgrade stores messages under the schema before messages
// could be linked to reconciliations (11), then upgrades: their ledger
// leaves, logged without a reconciliation_id, still verify, and so does a
// link made after the upgrade.
func TestMessageLinkUpgrade(t *testing.T) {
	for _, e := range ledgerEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn, _, _ := e.dsn(t)
			db := openStore(t, dsn)
			must(t, db.MigrateDownTo(ctx, 11))
			t0 := time.Date(2016, 2, 28, 9, 0, 0, 0, time.UTC)
			old := []*domain.Message{
				submit(t, db, storetest.NewMessage("قصف على تلبيسة", t0)),
				submit(t, db, storetest.NewMessage("The notables of Testville signed", t0.Add(time.Minute))),
			}
			db.Close()

			db = openStore(t, dsn)
			if v, newest, err := db.SchemaVersion(ctx); err != nil || v != newest || v < 12 {
				t.Fatalf("schema %d of %d after the upgrade (%v)", v, newest, err)
			}
			if problems, _ := verifyProblems(t, db); len(problems) != 0 {
				t.Fatalf("messages logged before the upgrade: problems %v", problems)
			}
			a := &domain.Agreement{Slug: "coh", Name: "CoH", TimeZone: "Asia/Damascus", Start: t0.Add(-48 * time.Hour)}
			must(t, db.CreateAgreement(ctx, a))
			rc := &domain.Reconciliation{AgreementID: a.ID, Settlement: "Testville", Admin1: "Homs", SignedAt: t0, CreatedBy: "m",
				Signatories: []domain.Signatory{{Name: "Elders of Testville", Role: domain.SignatoryCommunity}}}
			m, _, err := db.CreateReconciliationFromMessage(ctx, rc, domain.Transition{MessageID: old[1].ID, Version: 1, Actor: "m"})
			must(t, err)
			if m.ReconciliationID != rc.ID {
				t.Errorf("the message is linked to %d, want %d", m.ReconciliationID, rc.ID)
			}
			if problems, _ := verifyProblems(t, db); len(problems) != 0 {
				t.Errorf("after a link: problems %v", problems)
			}
		})
	}
}
