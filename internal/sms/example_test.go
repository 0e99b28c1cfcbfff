package sms_test

import (
	"context"
	"log/slog"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Wiring the embedded default: the loopback carrier as the only route, billed on delivery.
func Example() {
	var (
		ctx   = context.Background()
		db    *store.DB // opened and migrated
		b     *bus.Bus
		clk   = clock.System{}
		log   = slog.Default()
		money *ledger.Ledger    // ledger.New(db, clk, log), or a Batcher's Ledger under load
		lists *moderation.Lists // moderation.NewLists(db, b, clk, log)
		appsv *apps.Service     // apps.NewService(db, keys, clk, log)
		hooks *webhooks.Service // webhooks.New(db, ...)
	)
	if db == nil {
		return // the variables above come from the composition root
	}
	lb, err := sms.StartLoopback(ctx, sms.LoopbackConfig{}) // 127.0.0.1, a free port
	if err != nil {
		panic(err)
	}
	svc, err := sms.New(sms.Options{DB: db, Bus: b, Clock: clk, Log: log, Ledger: money, Rating: rating.New(db, clk),
		Moderation: lists, Apps: appsv, Webhooks: hooks,
		Carriers: []sms.Carrier{lb.Carrier("loopback")},
		Routes:   []sms.Route{{Prefix: "", Carrier: "loopback", BillOn: sms.BillOnDelivery}}})
	if err != nil {
		panic(err)
	}
	go svc.Run(ctx) // carriers and the outbox worker
	m, err := svc.Send(ctx, sms.SendRequest{AccountSID: "AC...", AppSID: "AP...", To: "+8613800138000",
		From: "【Acme】", Body: "Your code is 123456", Category: "verification", IdempotencyKey: "req-1"})
	_, _ = m, err
}
