package app

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/moderation/abuse"
	"github.com/switchboard/switchboard/internal/notices"
)

// Failed-login storms: this many failed console logins of one account within the window lock
// the account's console logins for stormLock, keep a finding for the operator and tell the owner.
// The account is not frozen: its API credentials keep working, or anyone could cut a developer's
// servers off by typing wrong passwords.
const (
	stormThreshold = 30
	stormWindow    = 10 * time.Minute
	stormLock      = time.Hour
)

// CheckLoginStorms runs one round of the check; each account is reported once per window.
func (s *Server) CheckLoginStorms(ctx context.Context) {
	s.stormMu.Lock()
	defer s.stormMu.Unlock()
	if s.stormReported == nil {
		s.stormReported = map[string]time.Time{}
	}
	reported := s.stormReported
	now := s.Clock.Now()
	storms, err := s.Accounts.FailedLoginStorms(ctx, now.Add(-stormWindow), stormThreshold)
	if err != nil {
		s.Log.Warn("check failed-login storms", "err", err)
		return
	}
	for _, st := range storms {
		if at, ok := reported[st.AccountSID]; ok && now.Sub(at) < stormWindow {
			continue
		}
		reported[st.AccountSID] = now
		if err := s.Accounts.LockLogins(ctx, st.AccountSID, now.Add(stormLock)); err != nil {
			s.Log.Error("lock logins", "account", st.AccountSID, "err", err)
		}
		reason := fmt.Sprintf("%d failed console logins from %d addresses within %s", st.Failures, st.Addresses, stormWindow)
		f := abuse.Finding{OwnerSID: st.AccountSID, AccountSID: st.AccountSID, Kind: "login_storm", At: now, Reason: reason,
			Evidence: map[string]any{"failures": st.Failures, "addresses": st.Addresses, "window_seconds": stormWindow.Seconds()}}
		id, err := abuse.Save(ctx, s.DB, f)
		if err != nil {
			s.Log.Error("save login storm finding", "err", err)
		}
		s.Audit.Record(ctx, audit.Entry{AccountSID: st.AccountSID, ActorKind: "system", ActorID: "abuse-detection", Action: "login.storm", Target: st.AccountSID, Detail: reason})
		s.Notices.Post(ctx, st.AccountSID, notices.Abuse, "Console logins locked for an hour after a password-guessing storm",
			reason+". API credentials are not affected. If this was not you, change your password once the lock ends; reference "+id+".")
	}
}

func (s *Server) runLoginStorms(ctx context.Context) {
	clock.EveryNow(ctx, 30*time.Second, s.CheckLoginStorms)
}
