package apps

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// ErrSMPPCredentials is a wrong system_id or password at an SMPP bind.
var ErrSMPPCredentials = errs.Coded(errs.Unauthenticated, errs.CodeWrongSecret, "wrong SMPP system_id or password")

// smppHash hashes an SMPP password with the app it belongs to. The password is random (8 of 62
// characters, about 48 bits) and binds are rate limited by the session, so a fast hash is enough.
func smppHash(appSID, password string) []byte {
	h := sha256.Sum256([]byte(appSID + "\x00" + password))
	return h[:]
}

// SetSMPPPassword issues a new SMPP password for an app (shown once); the old one stops working.
func (s *Service) SetSMPPPassword(ctx context.Context, accountSID, appSID string) (systemID, password string, err error) {
	a, err := s.Get(ctx, accountSID, appSID)
	if err != nil {
		return "", "", err
	}
	password = sid.Secret(8)
	_, err = s.db.Write().ExecContext(ctx, `INSERT INTO smpp_credentials (app_sid, password_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (app_sid) DO UPDATE SET password_hash = excluded.password_hash, created_at = excluded.created_at`,
		a.SID, smppHash(a.SID, password), store.Micro(s.clock.Now()))
	if err != nil {
		return "", "", fmt.Errorf("set smpp password: %w", err)
	}
	return a.AppKey, password, nil
}

// CheckSMPP authenticates an SMPP bind: system_id is the App Key.
func (s *Service) CheckSMPP(ctx context.Context, systemID, password string) (*App, error) {
	a, _, err := getAppAnyAccount(ctx, s.db.Read(), "app_key", systemID)
	if err != nil {
		return nil, ErrSMPPCredentials
	}
	var hash []byte
	err = s.db.Read().QueryRowContext(ctx, `SELECT password_hash FROM smpp_credentials WHERE app_sid = $1`, a.SID).Scan(&hash)
	if store.NoRows(err) {
		return nil, ErrSMPPCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("check smpp password: %w", err)
	}
	if subtle.ConstantTimeCompare(smppHash(a.SID, password), hash) != 1 {
		return nil, ErrSMPPCredentials
	}
	return a, nil
}
