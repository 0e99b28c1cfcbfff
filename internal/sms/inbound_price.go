package sms

import (
	"context"
	"errors"
	"fmt"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// InboundMeter is the meter of inbound messages in billing. Inbound messages are free until the
// operator publishes a rate card for it (product sms, dimension country: the country of the
// number that received the message, the home country for short codes and sender ids); then each
// segment is charged at its price, in the message's own transaction.
const InboundMeter = "sms.inbound"

// inboundKey is the ledger key of an inbound message's charge.
func inboundKey(sid string) string { return "sms:" + sid + ":inbound" }

// chargeInbound prices m by the rate card of InboundMeter, if one is in force, and charges it in q
// (cash may fall to the account's arrears limit, as for post-paid usage: a message that has
// arrived cannot be refused). An account that cannot pay even that gets the message free rather
// than lose it; the warning says so.
func (s *Service) chargeInbound(ctx context.Context, q store.Querier, m *Message, n *Number) error {
	if s.rating == nil {
		return nil
	}
	country := s.home
	if n.Kind == NumberPhone {
		if p, err := phonenumbers.Parse(n.Number, ""); err == nil {
			if r := phonenumbers.GetRegionCodeForNumber(p); r != "" && r != "ZZ" {
				country = r
			}
		}
	}
	amount, _, err := s.rating.Price(ctx, Product, InboundMeter, map[string]string{"country": country}, int64(m.Segments), m.CreatedAt)
	if errors.Is(err, rating.ErrNoRate) || (err == nil && amount <= 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sms: price inbound message: %w", err)
	}
	// A failed ledger operation may have written part of itself: it runs in a savepoint of its own.
	if _, err := q.ExecContext(ctx, `SAVEPOINT sms_inbound_charge`); err != nil {
		return fmt.Errorf("sms: savepoint: %w", err)
	}
	_, err = s.ledger.In(q).Charge(ctx, inboundKey(m.SID), m.AccountSID, Product, amount, ledger.FloorArrears)
	if err != nil {
		if _, rerr := q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT sms_inbound_charge`); rerr != nil {
			return fmt.Errorf("sms: rollback to savepoint: %w (after %w)", rerr, err)
		}
		if errs.KindOf(err) != errs.InsufficientFunds {
			return fmt.Errorf("sms: charge inbound message: %w", err)
		}
		s.log.WarnContext(ctx, "sms: inbound message kept free: the account cannot pay for it", "sid", m.SID, "account", m.AccountSID, "price", amount)
		amount = 0
	}
	if _, err := q.ExecContext(ctx, `RELEASE SAVEPOINT sms_inbound_charge`); err != nil {
		return fmt.Errorf("sms: release savepoint: %w", err)
	}
	m.Price, m.Charged = amount, amount
	return nil
}
