package app

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/moderation/abuse"
	"github.com/switchboard/switchboard/internal/notices"
)

// freeze acts on an abuse finding: keep the evidence, suspend the app (or freeze the account of
// account-wide credentials), drop cached credentials so the next request sees it, and tell the
// owner and the operator. Every step tolerates having been done before.
func (s *Server) freeze(ctx context.Context, f abuse.Finding) {
	log := s.Log.With("owner", f.OwnerSID, "account", f.AccountSID, "kind", f.Kind)
	log.Warn("abuse detected: freezing", "reason", f.Reason)
	id, err := abuse.Save(ctx, s.DB, f)
	if err != nil {
		log.Error("save abuse finding", "err", err)
	}
	reason := "abuse detection (" + id + "): " + f.Reason
	if strings.HasPrefix(f.OwnerSID, "AP") {
		err = s.Apps.Suspend(ctx, f.OwnerSID, reason)
		if errors.Is(err, apps.ErrAppWrongState) {
			err = nil // already suspended
		}
	} else {
		err = s.Accounts.Freeze(ctx, f.OwnerSID, reason)
		if errors.Is(err, accounts.ErrWrongState) {
			err = nil
		}
	}
	if err != nil {
		log.Error("freeze after abuse finding", "err", err)
	}
	s.Auth.Forget(f.AccountSID)
	s.Audit.Record(ctx, audit.Entry{AccountSID: f.AccountSID, ActorKind: "system", ActorID: "abuse-detection",
		Action: "abuse.freeze", Target: f.OwnerSID, Detail: f.Reason})
	body := f.Reason + ". Requests that change anything are refused until an operator reviews the case; contact support with reference " + id + "."
	if _, err := s.Notices.Post(ctx, f.AccountSID, notices.Abuse, "Frozen for unusual traffic: "+f.OwnerSID, body); err != nil {
		log.Error("abuse notice", "err", err)
	}
}

// unfreeze records an operator's decision on an owner's open findings and lets the detectors
// judge it afresh.
func (s *Server) unfreeze(ctx context.Context, ownerSID, operatorID, reason string) {
	if err := abuse.Resolve(ctx, s.DB, ownerSID, operatorID, reason, s.Clock.Now()); err != nil {
		s.Log.Error("resolve abuse findings", "owner", ownerSID, "err", err)
	}
	if s.abuse != nil {
		s.abuse.Release(ownerSID)
	}
}
