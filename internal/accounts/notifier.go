package accounts

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// SentCode is a verification code as the log notifier delivered it.
type SentCode struct {
	Phone   string    `json:"phone"`
	Purpose string    `json:"purpose"`
	Code    string    `json:"code"`
	SentAt  time.Time `json:"sent_at"`
}

// LogNotifier is the embedded default Notifier: it writes codes to the log and keeps the last few
// in memory so the operator can read them (GET /admin/v1/verification-codes) before any SMS
// carrier is connected.
type LogNotifier struct {
	log  *slog.Logger
	mu   sync.Mutex
	last []SentCode
}

// NewLogNotifier returns a notifier that logs to log.
func NewLogNotifier(log *slog.Logger) *LogNotifier { return &LogNotifier{log: log} }

// SendCode logs the code.
func (n *LogNotifier) SendCode(ctx context.Context, phone, purpose, code string) error {
	n.log.InfoContext(ctx, "verification code (log notifier; connect SMS to deliver it)", "phone", phone, "purpose", purpose, "code", code)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.last = append(n.last, SentCode{Phone: phone, Purpose: purpose, Code: code, SentAt: time.Now().UTC()})
	if len(n.last) > 200 {
		n.last = n.last[len(n.last)-200:]
	}
	return nil
}

// Recent returns the codes sent most recently, newest last.
func (n *LogNotifier) Recent() []SentCode {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]SentCode(nil), n.last...)
}
