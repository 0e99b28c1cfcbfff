// Package moderation decides whether user content may go out: keyword lists today, with content
// checks, rate limits and abuse detection to follow.
//
// The keyword filter is built for evasion-resistant matching at message rate. Both the operator's
// words and the text are normalised the same way (case folded, full-width folded to half-width,
// zero-width, control, space, punctuation and symbol characters removed), so "f.u.c.k", "ｆｕｃｋ"
// and "fu\u200Bck" all hit "fuck", and "法 轮" hits "法轮". Matching runs one Aho–Corasick automaton
// over the text in a single pass without allocating, and every hit carries the byte span of the
// original text, so a replace action masks exactly the characters the user typed.
//
// Removing separators everywhere is also what makes words match across word boundaries: "as sad"
// and "class" both contain "ass". That is the right trade for CJK text, which has no spaces, and
// for evasion, but it means short Latin words belong on review rather than block.
//
// A Matcher is immutable once built and safe for concurrent use; a Set holds the current one
// behind an atomic pointer so a list reload never blocks or races with traffic.
package moderation
