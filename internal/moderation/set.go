package moderation

import "sync/atomic"

// Set holds the keyword list in force. Readers take the current Matcher without locking; a reload
// builds a whole new Matcher off to the side and swaps it in, so a message is always checked
// against one complete list, never half of an old one and half of a new one. The zero Set is
// ready to use and matches nothing.
type Set struct {
	current atomic.Pointer[Matcher]
}

// Matcher returns the list in force, nil (which matches nothing) before the first Store.
func (s *Set) Matcher() *Matcher { return s.current.Load() }

// Store puts m in force and returns the list it replaced.
func (s *Set) Store(m *Matcher) *Matcher { return s.current.Swap(m) }

// Reload builds a matcher for words and puts it in force. On error the list in force is kept, so a
// bad entry in an edited list never switches filtering off.
func (s *Set) Reload(words []Word) error {
	m, err := NewMatcher(words)
	if err != nil {
		return err // NewMatcher's error names the entry; there is nothing to add
	}
	s.Store(m)
	return nil
}

// Match is Matcher().Match.
func (s *Set) Match(text string) []Hit { return s.Matcher().Match(text) }

// Apply is Matcher().Apply.
func (s *Set) Apply(text string) Verdict { return s.Matcher().Apply(text) }
