package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/switchboard/switchboard/internal/notices"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// emit queues a platform event for the webhook endpoints of one app, or of every app of the
// account when appSID is empty. The event id makes it idempotent: emitting it again (after a
// crash, from another node) delivers nothing twice.
func (s *Server) emit(ctx context.Context, accountSID, appSID, typ, id string, payload any, at time.Time) {
	body, err := json.Marshal(payload)
	if err != nil {
		s.Log.Error("event payload", "type", typ, "err", err)
		return
	}
	targets := []string{appSID}
	if appSID == "" {
		targets = targets[:0]
		list, err := s.Apps.List(ctx, accountSID, "", 1000)
		if err != nil {
			s.Log.Error("event targets", "type", typ, "err", err)
			return
		}
		for _, a := range list {
			targets = append(targets, a.SID)
		}
	}
	for _, app := range targets {
		ev := webhooks.Event{ID: id + ":" + app, Type: typ, AccountSID: accountSID, AppSID: app, Payload: body, OccurredAt: at}
		err := s.DB.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			_, err := s.Webhooks.Enqueue(ctx, q, ev)
			return err
		})
		if err != nil {
			s.Log.Error("enqueue event", "type", typ, "app", app, "err", err)
		}
	}
	s.dispatcher.Wake()
}

type noticeEvent struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// noticePosted sends every notice to the account's webhooks as "notice.created".
func (s *Server) noticePosted(ctx context.Context, n notices.Notice) {
	s.emit(ctx, n.AccountSID, "", "notice.created", n.ID, noticeEvent{ID: n.ID, Kind: string(n.Kind), Title: n.Title, Body: n.Body}, n.CreatedAt)
}

// endpointDisabled tells the owner that an endpoint failing for five days was switched off.
func (s *Server) endpointDisabled(ctx context.Context, e webhooks.Endpoint) {
	s.Notices.Post(ctx, e.AccountSID, notices.Webhook, "Webhook endpoint disabled after failing for 5 days",
		"Endpoint "+e.ID+" ("+e.URL+") failed every delivery since "+e.FailingSince.Format(time.RFC3339)+". Fix it and enable it again; deliveries since then are in its log and can be replayed.")
}
