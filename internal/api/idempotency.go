package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/store"
)

// Idempotency-Key rules: keys are kept 24 hours; the same key with the same request replays the
// stored response; with a different request it is refused; a duplicate that arrives while the
// first is still running waits for it (up to idemWait) instead of executing twice.
const (
	idemTTL  = 24 * time.Hour
	idemWait = 10 * time.Second
	// idemAbandoned is when a key still "running" is taken to belong to a request whose node died:
	// no request outlives the server's 60 s write timeout.
	idemAbandoned = 2 * time.Minute
	maxIdemKey    = 255
)

var (
	errIdemMismatch = errs.Coded(errs.Conflict, errs.CodeIdempotencyMismatch, "Idempotency-Key was already used with a different request")
	errIdemRunning  = errs.Coded(errs.Conflict, errs.CodeIdempotencyInProgress, "a request with this Idempotency-Key is still running; retry later")
)

type idempotency struct {
	db    *store.DB
	clock clock.Clock
}

type idemRow struct {
	hash        []byte
	state       string
	status      int
	contentType string
	body        []byte
	created     int64
}

func (s *idempotency) serve(w *recorder, r *http.Request, account string, next httpx.HandlerFunc) error {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxIdemKey {
		return errs.InvalidField("Idempotency-Key", "Idempotency-Key must be at most 255 characters")
	}
	body, err := readBody(r)
	if err != nil {
		return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "could not read the request body").Wrap(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
	ctx := r.Context()
	claimed, err := s.claim(ctx, account, key, sum[:])
	if err != nil {
		return err
	}
	if !claimed {
		return s.replay(w, r, account, key, sum[:])
	}
	w.buf = &bytes.Buffer{}
	herr := next(w, r)
	if herr != nil {
		info := httpx.Describe(herr)
		if info.Status >= 500 {
			// A server failure is not an answer: free the key so a retry can execute.
			s.release(context.WithoutCancel(ctx), account, key)
			return herr
		}
		httpx.WriteError(w, r, herr)
	}
	if err := s.finish(context.WithoutCancel(ctx), account, key, w.status, w.Header().Get("Content-Type"), w.buf.Bytes()); err != nil {
		httpx.Info(ctx).Log().Error("store idempotent response", "err", err)
	}
	return nil
}

// claim inserts the key as running; false means it exists already. An expired key is replaced.
func (s *idempotency) claim(ctx context.Context, account, key string, hash []byte) (bool, error) {
	now := s.clock.Now()
	q := s.db.Write()
	if _, err := q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE account_sid = $1 AND idem_key = $2
		AND (created_at < $3 OR (state = 'running' AND created_at < $4))`,
		account, key, store.Micro(now.Add(-idemTTL)), store.Micro(now.Add(-idemAbandoned))); err != nil {
		return false, fmt.Errorf("idempotency: expire: %w", err)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO idempotency_keys (account_sid, idem_key, request_hash, state, created_at) VALUES ($1, $2, $3, 'running', $4)`,
		account, key, hash, store.Micro(now))
	if store.IsUniqueViolation(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("idempotency: claim: %w", err)
	}
	return true, nil
}

func (s *idempotency) get(ctx context.Context, account, key string) (*idemRow, error) {
	var row idemRow
	err := s.db.Read().QueryRowContext(ctx, `SELECT request_hash, state, status_code, content_type, body, created_at FROM idempotency_keys
		WHERE account_sid = $1 AND idem_key = $2`, account, key).Scan(&row.hash, &row.state, &row.status, &row.contentType, &row.body, &row.created)
	if err != nil {
		return nil, fmt.Errorf("idempotency: read: %w", err)
	}
	return &row, nil
}

func (s *idempotency) replay(w *recorder, r *http.Request, account, key string, hash []byte) error {
	deadline := time.Now().Add(idemWait)
	for {
		row, err := s.get(r.Context(), account, key)
		if store.NoRows(err) { // released after a server failure: treat as new
			return errIdemRunning
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(row.hash, hash) {
			return errIdemMismatch
		}
		if row.state == "done" {
			w.replayed = true
			if row.contentType != "" {
				w.Header().Set("Content-Type", row.contentType)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Length", strconv.Itoa(len(row.body)))
			w.WriteHeader(row.status)
			w.Write(row.body)
			return nil
		}
		if time.Now().After(deadline) {
			return errIdemRunning
		}
		select {
		case <-r.Context().Done():
			return errIdemRunning
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *idempotency) finish(ctx context.Context, account, key string, status int, ct string, body []byte) error {
	_, err := s.db.Write().ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', status_code = $1, content_type = $2, body = $3
		WHERE account_sid = $4 AND idem_key = $5`, status, ct, body, account, key)
	return err
}

func (s *idempotency) release(ctx context.Context, account, key string) {
	s.db.Write().ExecContext(ctx, `DELETE FROM idempotency_keys WHERE account_sid = $1 AND idem_key = $2 AND state = 'running'`, account, key)
}

// purgeIdempotencyKeys deletes keys past their 24 hours.
func purgeIdempotencyKeys(ctx context.Context, db *store.DB, now time.Time) (int64, error) {
	res, err := db.Write().ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, store.Micro(now.Add(-idemTTL)))
	if err != nil {
		return 0, fmt.Errorf("idempotency: purge: %w", err)
	}
	return res.RowsAffected()
}

// PurgeIdempotencyKeys deletes Idempotency-Keys older than 24 hours.
func (a *API) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	return purgeIdempotencyKeys(ctx, a.DB, a.Clock.Now())
}
