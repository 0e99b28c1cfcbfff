package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// responseLogBytes is how much of a receiver's answer the log keeps: enough to see an error
// message, too little to make our database the store of whatever receivers answer.
const responseLogBytes = 1 << 10

// replyBytes bounds the answer to a Twilio-style callback kept for OnTwilioReply (TwiML).
const replyBytes = 64 << 10

// Attempt is one try at a delivery, as logged.
type Attempt struct {
	ID             string
	DeliveryID     string
	AccountSID     string
	EndpointID     string // "" for callbacks
	EventID        string
	Number         int // 1 for the delivery's first attempt
	URL            string
	RequestHeaders http.Header
	RequestBody    []byte
	ResponseStatus int    // 0 when no response arrived
	ResponseBody   []byte // at most the first 1 KB
	Latency        time.Duration
	Error          string // why it failed without a status, e.g. a timeout or a refused address
	CreatedAt      time.Time
}

const attemptColumns = `id, delivery_id, account_sid, endpoint_id, event_id, attempt, url, request_headers,
	request_body, response_status, response_body, latency_us, error, created_at`

// attemptRowsPerInsert bounds one multi-row INSERT (14 parameters a row) well under both
// databases' parameter limits.
const attemptRowsPerInsert = 200

// insertAttempts logs attempts with one statement per attemptRowsPerInsert rows: a dispatcher
// records its attempts in batches, and parsing one statement per row was most of the cost.
func insertAttempts(ctx context.Context, q store.Querier, as []Attempt) error {
	for len(as) > 0 {
		n := min(len(as), attemptRowsPerInsert)
		var sql strings.Builder
		sql.WriteString(`INSERT INTO webhook_attempts (` + attemptColumns + `) VALUES `)
		args := make([]any, 0, n*14)
		for i := range as[:n] {
			a := &as[i]
			headers, err := json.Marshal(a.RequestHeaders)
			if err != nil {
				return fmt.Errorf("insert attempt of %s: %w", a.DeliveryID, err)
			}
			if a.ResponseBody == nil {
				a.ResponseBody = []byte{}
			}
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteByte('(')
			for c := range 14 {
				if c > 0 {
					sql.WriteString(", ")
				}
				sql.WriteString("$" + strconv.Itoa(len(args)+c+1))
			}
			sql.WriteByte(')')
			args = append(args, a.ID, a.DeliveryID, a.AccountSID, a.EndpointID, a.EventID, a.Number, a.URL,
				string(headers), a.RequestBody, a.ResponseStatus, a.ResponseBody, a.Latency.Microseconds(), a.Error,
				store.Micro(a.CreatedAt))
		}
		if _, err := q.ExecContext(ctx, sql.String(), args...); err != nil {
			return fmt.Errorf("insert %d attempts: %w", n, err)
		}
		as = as[n:]
	}
	return nil
}

func scanAttempt(row interface{ Scan(...any) error }) (Attempt, error) {
	var a Attempt
	var headers string
	var latency, created int64
	err := row.Scan(&a.ID, &a.DeliveryID, &a.AccountSID, &a.EndpointID, &a.EventID, &a.Number, &a.URL, &headers,
		&a.RequestBody, &a.ResponseStatus, &a.ResponseBody, &latency, &a.Error, &created)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(headers), &a.RequestHeaders); err != nil {
		return a, fmt.Errorf("attempt %s: headers: %w", a.ID, err)
	}
	a.Latency, a.CreatedAt = time.Duration(latency)*time.Microsecond, store.FromMicro(created)
	return a, nil
}

// AttemptFilter selects logged attempts of one account, newest first.
type AttemptFilter struct {
	AccountSID string
	EndpointID string // optional
	DeliveryID string // optional
	Cursor     string // AttemptPage.Next of the previous page
	Limit      int    // 1..1000; 0 means 100
}

// AttemptPage is one page of the attempt log; Next is empty at the end.
type AttemptPage struct {
	Attempts []Attempt
	Next     string
}

// ListAttempts returns one page of an account's attempt log, per endpoint or per delivery.
func (s *Service) ListAttempts(ctx context.Context, f AttemptFilter) (AttemptPage, error) {
	var err error
	if f.Limit, err = checkPage(f.AccountSID, f.Cursor, attemptPrefix, f.Limit); err != nil {
		return AttemptPage{}, err
	}
	w := store.ByAccount(f.AccountSID)
	if f.EndpointID != "" {
		w.Add("endpoint_id = ?", f.EndpointID)
	}
	if f.DeliveryID != "" {
		w.Add("delivery_id = ?", f.DeliveryID)
	}
	if f.Cursor != "" {
		w.Add("id < ?", f.Cursor)
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+attemptColumns+` FROM webhook_attempts WHERE `+w.String()+
		` ORDER BY id DESC`+w.Limit(f.Limit), w.Args()...)
	if err != nil {
		return AttemptPage{}, fmt.Errorf("webhooks: list attempts of %s: %w", f.AccountSID, err)
	}
	defer rows.Close()
	var p AttemptPage
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return AttemptPage{}, fmt.Errorf("webhooks: list attempts of %s: %w", f.AccountSID, err)
		}
		p.Attempts = append(p.Attempts, a)
	}
	if err := rows.Err(); err != nil {
		return AttemptPage{}, fmt.Errorf("webhooks: list attempts of %s: %w", f.AccountSID, err)
	}
	p.Next = nextCursor(p.Attempts, f.Limit, func(a Attempt) string { return a.ID })
	return p, nil
}

// sweepBatch bounds each retention DELETE, so the sweep never holds SQLite's one writer for long.
const sweepBatch = 1000

// Sweep deletes attempts, and finished deliveries, older than retain, then the events no
// delivery refers to any more. It returns how many attempts and deliveries it deleted. Run it
// daily; pending deliveries, and their events, are never swept.
func (s *Service) Sweep(ctx context.Context, retain time.Duration) (attempts, deliveries int64, err error) {
	cutoff := store.Micro(s.now().Add(-retain))
	attempts, err = s.sweep(ctx, `DELETE FROM webhook_attempts WHERE id IN (
		SELECT id FROM webhook_attempts WHERE created_at < $1 LIMIT $2)`, cutoff)
	if err != nil {
		return attempts, 0, err
	}
	deliveries, err = s.sweep(ctx, `DELETE FROM webhook_deliveries WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)`, cutoff)
	if err != nil {
		return attempts, deliveries, err
	}
	_, err = s.sweep(ctx, sweepEvents, cutoff)
	return attempts, deliveries, err
}

func (s *Service) sweep(ctx context.Context, query string, cutoff int64) (int64, error) {
	var total int64
	for {
		res, err := s.db.Write().ExecContext(ctx, query, cutoff, sweepBatch)
		if err != nil {
			return total, fmt.Errorf("webhooks: retention sweep: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("webhooks: retention sweep: %w", err)
		}
		total += n
		if n < sweepBatch {
			return total, nil
		}
	}
}
