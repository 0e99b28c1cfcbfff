package sms

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

const messageColumns = `sid, account_sid, app_sid, direction, to_number, from_number, body, category, num_segments,
	encoding, status, price_micros, charged_micros, hold_id, route, bill_on, error_code, error_message,
	carrier_message_id, parts_sent, parts_done, parts_delivered, status_callback, idempotency_key,
	request_hash, created_at, updated_at, sent_at, done_at, free_segments, free_scope, send_at, validity_s, discard_body,
	registered_delivery`

func scanMessage(row interface{ Scan(...any) error }) (*Message, error) {
	var m Message
	var created, updated, sent, done, sendAt, validity, discard int64
	err := row.Scan(&m.SID, &m.AccountSID, &m.AppSID, &m.Direction, &m.To, &m.From, &m.Body, &m.Category,
		&m.Segments, &m.Encoding, &m.Status, &m.Price, &m.Charged, &m.HoldID, &m.Route, &m.BillOn,
		&m.ErrorCode, &m.ErrorMessage, &m.CarrierID, &m.PartsSent, &m.PartsDone, &m.PartsDelivered,
		&m.StatusCallback, &m.IdempotencyKey, &m.requestHash, &created, &updated, &sent, &done,
		&m.FreeSegments, &m.freeScope, &sendAt, &validity, &discard, &m.RegisteredDelivery)
	if err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	m.SentAt, m.DoneAt = store.FromMicro(sent), store.FromMicro(done)
	m.SendAt, m.ValidityPeriod = store.FromMicro(sendAt), time.Duration(validity)*time.Second
	m.DiscardBody = discard == 1
	return &m, nil
}

// statusColumns are the columns of a message that change after it is accepted (status, parts,
// charge, carrier, times; the body by redaction; free segments given back). A status change that
// knows the message returns only these (scanStatus): a change of every message's life returned
// all 34 columns three times, an eighth of the SQLite writer's time.
const statusColumns = `body, status, charged_micros, route, bill_on, error_code, error_message, carrier_message_id,
	parts_sent, parts_done, parts_delivered, updated_at, sent_at, done_at, free_segments`

// scanStatus reads statusColumns over a copy of base, the message as its caller read it.
func scanStatus(row interface{ Scan(...any) error }, base *Message) (*Message, error) {
	m := *base
	var updated, sent, done int64
	err := row.Scan(&m.Body, &m.Status, &m.Charged, &m.Route, &m.BillOn, &m.ErrorCode, &m.ErrorMessage, &m.CarrierID,
		&m.PartsSent, &m.PartsDone, &m.PartsDelivered, &updated, &sent, &done, &m.FreeSegments)
	if err != nil {
		return nil, err
	}
	m.UpdatedAt, m.SentAt, m.DoneAt = store.FromMicro(updated), store.FromMicro(sent), store.FromMicro(done)
	return &m, nil
}

// scanReturned reads what an UPDATE ... RETURNING returnedColumns(base) returns.
func scanReturned(row interface{ Scan(...any) error }, base *Message) (*Message, error) {
	if base == nil {
		return scanMessage(row)
	}
	return scanStatus(row, base)
}

// returnedColumns is what an UPDATE of a message returns: the changing columns when the caller
// holds the message (base), else all of them.
func returnedColumns(base *Message) string {
	if base == nil {
		return messageColumns
	}
	return statusColumns
}

// insertMessageSQL inserts a message from the 35 arguments of messageArgs.
const insertMessageSQL = `INSERT INTO sms_messages (` + messageColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35)`

// messageArgs are m's values for messageColumns, in their order.
func messageArgs(m *Message) []any {
	return []any{m.SID, m.AccountSID, m.AppSID, m.Direction, m.To, m.From, m.Body, string(m.Category), m.Segments,
		string(m.Encoding), string(m.Status), m.Price, m.Charged, m.HoldID, m.Route, string(m.BillOn),
		m.ErrorCode, m.ErrorMessage, m.CarrierID, m.PartsSent, m.PartsDone, m.PartsDelivered,
		m.StatusCallback, m.IdempotencyKey, m.requestHash, store.Micro(m.CreatedAt), store.Micro(m.UpdatedAt),
		store.Micro(m.SentAt), store.Micro(m.DoneAt), m.FreeSegments, m.freeScope,
		store.Micro(m.SendAt), int64(m.ValidityPeriod / time.Second), boolInt(m.DiscardBody), string(m.RegisteredDelivery)}
}

func insertMessage(ctx context.Context, q store.Querier, m *Message) error {
	if _, err := q.ExecContext(ctx, insertMessageSQL, messageArgs(m)...); err != nil {
		return fmt.Errorf("insert sms message %s: %w", m.SID, err)
	}
	return nil
}

// insertAccepted writes a new outbound message with the first step of its history (its status
// at now) and, unless due is zero, its outbox entry, due then. On PostgreSQL one statement
// (data-modifying WITH) writes all three, because each statement is a round trip of the send's
// batch, and an account's sends share one batch at a time (committer); SQLite runs the three.
func insertAccepted(ctx context.Context, q store.Querier, d store.Dialect, m *Message, due, now time.Time) error {
	if d != store.Postgres {
		if err := insertMessage(ctx, q, m); err != nil {
			return err
		}
		if err := insertHistory(ctx, q, m.SID, m.Status, 0, now); err != nil {
			return err
		}
		if due.IsZero() {
			return nil
		}
		return insertOutbox(ctx, q, m.SID, due, now)
	}
	args := append(messageArgs(m), store.Micro(now), actionSubmit, store.Micro(due), !due.IsZero())
	_, err := q.ExecContext(ctx, `WITH m AS (`+insertMessageSQL+` RETURNING sid, status),
		h AS (
			INSERT INTO sms_message_events (message_sid, status, error_code, at) SELECT sid, status, 0, $36 FROM m
			ON CONFLICT (message_sid, status) DO NOTHING
		)
		INSERT INTO sms_outbox (message_sid, action, due_at, created_at) SELECT sid, $37, $38, $36 FROM m WHERE $39`, args...)
	if err != nil {
		return fmt.Errorf("insert sms message %s: %w", m.SID, err)
	}
	return nil
}

// getMessage reads an account's message; account "" reads any (workers and receipts, which act
// for the platform).
func getMessage(ctx context.Context, q store.Querier, account, sid string) (*Message, error) {
	query := `SELECT ` + messageColumns + ` FROM sms_messages WHERE sid = $1`
	args := []any{sid}
	if account != "" {
		query += ` AND account_sid = $2`
		args = append(args, account)
	}
	m, err := scanMessage(q.QueryRowContext(ctx, query, args...))
	if store.NoRows(err) {
		return nil, ErrMessageNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read sms message %s: %w", sid, err)
	}
	return m, nil
}

func getRegisteredDelivery(ctx context.Context, q store.Querier, account, sid string) (RegisteredDelivery, error) {
	var r RegisteredDelivery
	err := q.QueryRowContext(ctx, `SELECT registered_delivery FROM sms_messages WHERE sid = $1 AND account_sid = $2`,
		sid, account).Scan(&r)
	if store.NoRows(err) {
		return "", ErrMessageNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read registered delivery of sms message %s: %w", sid, err)
	}
	return r, nil
}

func insertHistory(ctx context.Context, q store.Querier, sid string, st Status, code int, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sms_message_events (message_sid, status, error_code, at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (message_sid, status) DO NOTHING`, sid, string(st), code, store.Micro(at))
	if err != nil {
		return fmt.Errorf("record status %s of %s: %w", st, sid, err)
	}
	return nil
}

// insertSteps records steps in a message's history, all at at, in one statement.
func insertSteps(ctx context.Context, q store.Querier, sid string, steps []Status, at time.Time) error {
	args := []any{sid, store.Micro(at)}
	rows := make([]string, len(steps))
	for i, st := range steps {
		args = append(args, string(st))
		rows[i] = "($1, $" + strconv.Itoa(len(args)) + ", 0, $2)"
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sms_message_events (message_sid, status, error_code, at)
		VALUES `+strings.Join(rows, ", ")+` ON CONFLICT (message_sid, status) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("record status %v of %s: %w", steps, sid, err)
	}
	return nil
}

// markSubmitted runs update, an UPDATE of message base.SID whose submission was recorded (to sent,
// or at once to delivered) that returns statusColumns, and with it records steps in the message's
// history at now and finishes its submit task. It returns the message as update left it, or an
// error store.NoRows recognises, with nothing written, when update matched no row. On PostgreSQL
// the three are one statement (data-modifying WITH): each is a round trip of the account's batch
// otherwise (see insertAccepted).
func markSubmitted(ctx context.Context, q store.Querier, d store.Dialect, base *Message, update string, args []any, steps []Status, now time.Time) (*Message, error) {
	if d != store.Postgres {
		m, err := scanStatus(q.QueryRowContext(ctx, update, args...), base)
		if err != nil {
			return nil, err
		}
		if err := insertSteps(ctx, q, base.SID, steps, now); err != nil {
			return nil, err
		}
		return m, deleteTask(ctx, q, base.SID, actionSubmit)
	}
	n := len(args)
	all := append(slices.Clip(args), base.SID, store.Micro(now), actionSubmit)
	rows := make([]string, len(steps))
	for i, st := range steps {
		all = append(all, string(st))
		rows[i] = "($" + strconv.Itoa(len(all)) + "::text)"
	}
	return scanStatus(q.QueryRowContext(ctx, `WITH u AS (`+update+`),
		h AS (
			INSERT INTO sms_message_events (message_sid, status, error_code, at)
			SELECT $`+strconv.Itoa(n+1)+`, s.status, 0, $`+strconv.Itoa(n+2)+` FROM u CROSS JOIN (VALUES `+strings.Join(rows, ", ")+`) AS s(status)
			ON CONFLICT (message_sid, status) DO NOTHING
		), o AS (
			DELETE FROM sms_outbox WHERE message_sid = $`+strconv.Itoa(n+1)+` AND action = $`+strconv.Itoa(n+3)+`
				AND EXISTS (SELECT 1 FROM u)
		)
		SELECT `+statusColumns+` FROM u`, all...), base)
}

func listHistory(ctx context.Context, q store.Querier, sid string) ([]StatusChange, error) {
	rows, err := q.QueryContext(ctx, `SELECT status, error_code, at FROM sms_message_events
		WHERE message_sid = $1 ORDER BY at, status`, sid)
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", sid, err)
	}
	defer rows.Close()
	var out []StatusChange
	for rows.Next() {
		var c StatusChange
		var at int64
		if err := rows.Scan(&c.Status, &c.ErrorCode, &at); err != nil {
			return nil, fmt.Errorf("read history of %s: %w", sid, err)
		}
		c.At = store.FromMicro(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// setStatus moves a message from one of the statuses in from to to, records the step and returns
// the message as it now is (one statement: UPDATE ... RETURNING). It returns nil when the message
// was in none of them (another worker or receipt got there first). base is the message as the
// caller read it, or nil when it has not (then the whole row is read back).
func setStatus(ctx context.Context, q store.Querier, sid string, base *Message, from []Status, to Status, code int, msg string, now time.Time) (*Message, error) {
	args := []any{sid, string(to), code, msg, store.Micro(now)}
	marks := make([]string, len(from))
	for i, f := range from {
		args = append(args, string(f))
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	done := ""
	if to.Final() {
		done = ", done_at = $5, body = CASE WHEN discard_body = 1 THEN '' ELSE body END"
	}
	m, err := scanReturned(q.QueryRowContext(ctx, `UPDATE sms_messages SET status = $2, error_code = $3, error_message = $4,
		updated_at = $5`+done+` WHERE sid = $1 AND status IN (`+strings.Join(marks, ", ")+`) RETURNING `+returnedColumns(base), args...), base)
	if store.NoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("set status %s of %s: %w", to, sid, err)
	}
	return m, insertHistory(ctx, q, sid, to, code, now)
}

// statusRun is how many messages one statement of setStatusAll moves. The statement's text is the
// same for every run, short runs padded with empty strings (no message's SID), so one prepared
// statement serves claims of any size.
const statusRun = 64

// setStatusAll is setStatus for many messages at once (a worker's claim): it moves those of sids
// that are in one of the statuses in from to the non-final status to, records the step, and
// returns them as they now are, keyed by SID. Two statements a run of statusRun messages instead
// of two a message.
func setStatusAll(ctx context.Context, q store.Querier, sids []string, from []Status, to Status, now time.Time) (map[string]*Message, error) {
	if to.Final() {
		return nil, fmt.Errorf("set status %s of %d messages: a final status is set one message at a time", to, len(sids))
	}
	out := make(map[string]*Message, len(sids))
	args := []any{string(to), store.Micro(now)}
	marks := make([]string, len(from))
	for i, f := range from {
		args = append(args, string(f))
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	update := `UPDATE sms_messages SET status = $1, error_code = 0, error_message = '', updated_at = $2
		WHERE sid IN (` + placeholders(len(args)+1, statusRun) + `) AND status IN (` + strings.Join(marks, ", ") + `)
		RETURNING ` + messageColumns
	history := `INSERT INTO sms_message_events (message_sid, status, error_code, at)
		SELECT sid, $1, 0, $2 FROM sms_messages WHERE sid IN (` + placeholders(3, statusRun) + `)
		ON CONFLICT (message_sid, status) DO NOTHING`
	for len(sids) > 0 {
		n := min(len(sids), statusRun)
		moved, err := store.QueryAll(ctx, q, func(r store.Scanner) (*Message, error) { return scanMessage(r) },
			update, padded(args, sids[:n])...)
		if err != nil {
			return nil, fmt.Errorf("set status %s of %d messages: %w", to, n, err)
		}
		sids = sids[n:]
		if len(moved) == 0 {
			continue
		}
		ids := make([]string, len(moved))
		for i, m := range moved {
			ids[i] = m.SID
			out[m.SID] = m
		}
		if _, err := q.ExecContext(ctx, history, padded(args[:2], ids)...); err != nil {
			return nil, fmt.Errorf("record status %s of %d messages: %w", to, len(moved), err)
		}
	}
	return out, nil
}

// placeholders is "$first, $first+1, ..." for n parameters.
func placeholders(first, n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(marks, ", ")
}

// padded is args followed by sids and then empty strings, statusRun of them in all.
func padded(args []any, sids []string) []any {
	out := make([]any, 0, len(args)+statusRun)
	out = append(out, args...)
	for i := range statusRun {
		if i < len(sids) {
			out = append(out, sids[i])
		} else {
			out = append(out, "")
		}
	}
	return out
}

// ListFilter selects an account's messages, newest first (Twilio's order).
type ListFilter struct {
	AccountSID string
	To         string    // optional, E.164 or as the account types it
	From       string    // optional
	SentAfter  time.Time // optional, inclusive: Twilio's DateSent>= (and DateSent= with SentBefore)
	SentBefore time.Time // optional, exclusive: Twilio's DateSent<
	Cursor     string    // Page.Next of the previous page
	Limit      int       // 1..1000; 0 means 50
}

// Page is one page of messages; Next is empty after the last page.
type Page struct {
	Messages []*Message
	Next     string
}

var errInvalidCursor = errs.Coded(errs.Invalid, errs.CodeInvalidCursor, "sms: malformed page cursor").WithField("page_token")

// cursor is the position after a message: its creation time and SID (SIDs are random, so time
// orders the list and the SID breaks ties).
func cursorOf(m *Message) string {
	return strconv.FormatInt(store.Micro(m.CreatedAt), 10) + "-" + m.SID
}

func parseCursor(c string) (int64, string, error) {
	t, s, ok := strings.Cut(c, "-")
	us, err := strconv.ParseInt(t, 10, 64)
	if !ok || err != nil || len(s) != 34 {
		return 0, "", errInvalidCursor
	}
	return us, s, nil
}

func listMessages(ctx context.Context, q store.Querier, f ListFilter) ([]*Message, error) {
	where := []string{"account_sid = $1"}
	args := []any{f.AccountSID}
	add := func(cond string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	if f.To != "" {
		add("to_number = ?", f.To)
	}
	if f.From != "" {
		add("from_number = ?", f.From)
	}
	if !f.SentAfter.IsZero() {
		add("sent_at >= ?", store.Micro(f.SentAfter))
	}
	if !f.SentBefore.IsZero() {
		add("sent_at < ? AND sent_at > 0", store.Micro(f.SentBefore))
	}
	if f.Cursor != "" {
		us, sid, err := parseCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		add("(created_at < ? OR (created_at = ? AND sid < ?))", us, us, sid)
	}
	args = append(args, f.Limit)
	rows, err := q.QueryContext(ctx, `SELECT `+messageColumns+` FROM sms_messages WHERE `+
		strings.Join(where, " AND ")+` ORDER BY created_at DESC, sid DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list sms messages: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list sms messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// redactMessage empties the body of a message that has left our hands (sent or final), and
// forgets an inbound one kept for the app's SMPP client, which holds the body too.
func redactMessage(ctx context.Context, q store.Querier, account, sid string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE sms_messages SET body = '', updated_at = $3
		WHERE account_sid = $1 AND sid = $2 AND status IN ('sent', 'delivered', 'undelivered', 'failed', 'canceled', 'received')`,
		account, sid, store.Micro(now))
	if err != nil {
		return fmt.Errorf("redact sms message %s: %w", sid, err)
	}
	if err := inFlightOrMissing(ctx, q, res, account, sid); err != nil {
		return err
	}
	// An inbound message kept for the app's SMPP client carries its body: it goes too.
	if _, err := q.ExecContext(ctx, `DELETE FROM sms_smpp_receipts WHERE message_sid = $1 AND kind = $2`, sid, smppInbound); err != nil {
		return fmt.Errorf("redact sms message %s: forget its smpp delivery: %w", sid, err)
	}
	return nil
}

// deleteMessage removes a final message with its history and parts.
func deleteMessage(ctx context.Context, q store.Querier, account, sid string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM sms_messages
		WHERE account_sid = $1 AND sid = $2 AND status IN ('delivered', 'undelivered', 'failed', 'canceled', 'received')`, account, sid)
	if err != nil {
		return fmt.Errorf("delete sms message %s: %w", sid, err)
	}
	if err := inFlightOrMissing(ctx, q, res, account, sid); err != nil {
		return err
	}
	return deleteMessageDetails(ctx, q, sid)
}

// deleteMessageDetails removes a deleted message's history, parts and waiting SMPP receipt or
// inbound delivery.
func deleteMessageDetails(ctx context.Context, q store.Querier, sid string) error {
	for _, table := range []string{"sms_message_events", "sms_parts", "sms_smpp_receipts"} {
		if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE message_sid = $1`, sid); err != nil {
			return fmt.Errorf("delete sms message %s: %w", sid, err)
		}
	}
	return nil
}

// inFlightOrMissing explains an UPDATE or DELETE guarded by status that touched nothing.
type rowsAffected interface{ RowsAffected() (int64, error) }

func inFlightOrMissing(ctx context.Context, q store.Querier, res rowsAffected, account, sid string) error {
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := getMessage(ctx, q, account, sid); err != nil {
		return err
	}
	return ErrNotFinal
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
