package moderation

import (
	"slices"
	"strings"
)

// Mask is what a replaced word becomes. It has a fixed length so the masked text does not reveal
// how long the word was.
const Mask = "***"

// Verdict is what the keyword list decides about one text.
type Verdict struct {
	// Blocked is true when any block word occurs: the message must be refused.
	Blocked bool
	// Text is the text with every replace word masked; it is the input itself when none occurs.
	Text string
	// Hits holds every occurrence of every word, as Matcher.Match returns them.
	Hits []Hit
	// Review holds the hits whose action is review: deliver, but flag for an operator.
	Review []Hit
}

// Apply matches text and turns the hits into a verdict. Overlapping replace hits are masked as one
// span, so "***" never appears inside a word that was itself masked.
func (m *Matcher) Apply(text string) Verdict {
	v := Verdict{Text: text, Hits: m.Match(text)}
	var replace []Span
	for _, h := range v.Hits {
		switch h.Word.Action {
		case Block:
			v.Blocked = true
		case Replace:
			replace = append(replace, Span{h.Start, h.End})
		case Review:
			v.Review = append(v.Review, h)
		}
	}
	if len(replace) > 0 {
		v.Text = mask(text, replace)
	}
	return v
}

// mask replaces each span of text, after merging overlapping ones, with Mask.
func mask(text string, spans []Span) string {
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	var b strings.Builder
	b.Grow(len(text))
	done := 0 // text[:done] is written or masked
	for i := 0; i < len(spans); {
		start, end := spans[i].Start, spans[i].End
		for i++; i < len(spans) && spans[i].Start < end; i++ {
			end = max(end, spans[i].End)
		}
		b.WriteString(text[done:start])
		b.WriteString(Mask)
		done = end
	}
	b.WriteString(text[done:])
	return b.String()
}
