package moderation

import (
	"fmt"

	"github.com/switchboard/switchboard/internal/errs"
)

// Action is what happens to a message that contains a word.
type Action string

// The actions, from the strongest to the weakest. When two list entries normalise to the same word,
// the stronger action wins, so a word listed twice can never be weakened by its second entry.
const (
	// Block refuses the whole message.
	Block Action = "block"
	// Replace delivers the message with the word masked as "***".
	Replace Action = "replace"
	// Review delivers the message unchanged and flags it for an operator to look at.
	Review Action = "review"
)

// Errors of list entries. They carry a code so that copies made with WithField still match with
// errors.Is.
var (
	// ErrUnknownAction is returned for an action other than block, replace or review.
	ErrUnknownAction = errs.Coded(errs.Invalid, errs.CodeInvalidParameter,
		"moderation: action must be block, replace or review")
	// ErrEmptyWord is returned for a word that has no letters or digits left after
	// normalisation: it would match everywhere or nowhere, and either is a list mistake.
	ErrEmptyWord = errs.Coded(errs.Invalid, errs.CodeInvalidParameter,
		"moderation: word has no letters or digits")
	// ErrWordTooLong is returned for a word longer than MaxWordRunes after normalisation.
	ErrWordTooLong = errs.Coded(errs.Invalid, errs.CodeInvalidParameter,
		fmt.Sprintf("moderation: word is longer than %d characters", MaxWordRunes))
)

// ParseAction reads an action as stored or sent by the API.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Block, Replace, Review:
		return a, nil
	}
	return "", ErrUnknownAction.WithField("action")
}

// rank orders actions by strength; 0 means unknown.
func (a Action) rank() int {
	switch a {
	case Block:
		return 3
	case Replace:
		return 2
	case Review:
		return 1
	}
	return 0
}

// Word is one entry of a keyword list.
type Word struct {
	Text   string // as the operator typed it; normalised when the matcher is built
	Action Action
}

// Hit is one occurrence of a word in a text.
type Hit struct {
	Word Word
	// Start and End are byte offsets into the original text, covering everything from the first to
	// the last character of the match, including any separators the sender put between them.
	Start, End int
}
