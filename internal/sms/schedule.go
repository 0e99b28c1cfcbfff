package sms

import "context"

// Scheduled messages (SendRequest.SendAt) are accepted like any other: checked, priced, their
// price reserved and their outbox entry written in the send's transaction, with the entry due at
// SendAt instead of at once and the reservation kept until the message's validity after it. So a
// scheduled message is paid for when it is accepted and cannot fail later for want of money; the
// worker claims it when it is due like any message, and Cancel gives the reservation back.
// Frequency limits count it when it is accepted.

// Cancel stops a scheduled message before it is sent (as Twilio's update with Status=canceled):
// it ends canceled, its outbox entry is removed and its reservation released, so it costs
// nothing. A message that is not scheduled, or that the worker took first, is refused with
// ErrNotScheduled.
func (s *Service) Cancel(ctx context.Context, accountSID, sid string) (*Message, error) {
	m, err := getMessage(ctx, s.db.Read(), accountSID, sid)
	if err != nil {
		return nil, err
	}
	if m.Status != Scheduled {
		return nil, ErrNotScheduled
	}
	moved, err := s.change(ctx, accountSID, sid, []Status{Scheduled}, Canceled, 0, "")
	if err != nil {
		return nil, err
	}
	return s.answer(ctx, accountSID, moved, ErrNotScheduled)
}

// answer is what a request that moved a message (Cancel, Reject) returns: the message as it is
// now, with its history, or as the move left it when it was deleted meanwhile; refused when the
// move found the message no longer in its status (a concurrent request got there first: only
// the one whose UPDATE moved it is told it did).
func (s *Service) answer(ctx context.Context, accountSID string, moved *Message, refused error) (*Message, error) {
	if moved == nil {
		return nil, refused
	}
	if m, err := s.Get(ctx, accountSID, moved.SID); err == nil {
		return m, nil
	}
	return moved, nil
}
