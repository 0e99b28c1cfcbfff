package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/notices"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// emit queues a platform event for the webhook endpoints of one app, or of every app of the
// account when appSID is empty, through q: inside the caller's transaction, the deliveries commit
// with the change that caused them. The event id makes it idempotent: emitting it again (after a
// crash, from another node) delivers nothing twice.
func (s *Server) emit(ctx context.Context, q store.Querier, accountSID, appSID, typ, id string, payload any, at time.Time) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event %s payload: %w", typ, err)
	}
	targets := []string{appSID}
	if appSID == "" {
		targets = targets[:0]
		list, err := s.Apps.List(ctx, accountSID, "", 1000)
		if err != nil {
			return fmt.Errorf("event %s targets: %w", typ, err)
		}
		for _, a := range list {
			targets = append(targets, a.SID)
		}
	}
	for _, app := range targets {
		ev := webhooks.Event{ID: id + ":" + app, Type: typ, AccountSID: accountSID, AppSID: app, Payload: body, OccurredAt: at}
		if _, err := s.Webhooks.Enqueue(ctx, q, ev); err != nil {
			return err
		}
	}
	s.dispatcher.Wake()
	return nil
}

type noticeEvent struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// noticePosted sends every notice to the account's webhooks as "notice.created", in the
// transaction that writes the notice.
func (s *Server) noticePosted(ctx context.Context, q store.Querier, n notices.Notice) error {
	return s.emit(ctx, q, n.AccountSID, "", "notice.created", n.ID, noticeEvent{ID: n.ID, Kind: string(n.Kind), Title: n.Title, Body: n.Body}, n.CreatedAt)
}

// endpointDisabled tells the owner that an endpoint failing for five days was switched off.
func (s *Server) endpointDisabled(ctx context.Context, e webhooks.Endpoint) {
	s.Notices.Post(ctx, e.AccountSID, notices.Webhook, "Webhook endpoint disabled after failing for 5 days",
		"Endpoint "+e.ID+" ("+e.URL+") failed every delivery since "+e.FailingSince.Format(time.RFC3339)+". Fix it and enable it again; deliveries since then are in its log and can be replayed.")
}
