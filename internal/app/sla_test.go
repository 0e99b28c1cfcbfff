package app_test

import (
	"context"
	"testing"
	"time"
)

// TestIncidentRecordedAgain: recording an incident is safe to retry: the same product, start and
// end answers with the incident first recorded instead of a second one.
func TestIncidentRecordedAgain(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	op := s.operator(t)
	end := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	body := map[string]any{"product": "sms", "start": end.Add(-10 * time.Minute), "end": end, "note": "SMSC down"}
	var first, again, other struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	}
	if err := op.Do(ctx, "POST", "/admin/v1/incidents", body, &first); err != nil {
		t.Fatal(err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/incidents", body, &again); err != nil || again.ID != first.ID {
		t.Fatalf("the same incident again: %v, id %s, first %s", err, again.ID, first.ID)
	}
	body["start"] = end.Add(-20 * time.Minute) // overlapping, not the same: a new incident
	if err := op.Do(ctx, "POST", "/admin/v1/incidents", body, &other); err != nil || other.ID == first.ID || other.ID == "" {
		t.Fatalf("an overlapping incident: %v, id %s, first %s", err, other.ID, first.ID)
	}
}
