package moderation

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// The generated corpus stands in for a real operator list and real traffic: Latin words built from
// syllables (so they share prefixes the way real words do), CJK words drawn from the same pool of
// ideographs the text uses (so most CJK text runes are in the alphabet, the automaton's slow case),
// and text that mixes both with spaces and punctuation and contains a few listed words.

const (
	latinLetters = "abcdefghijklmnopqrstuvwxyz"
	cjkPoolSize  = 3000
)

func cjkPool(rng *rand.Rand) []rune {
	pool := make([]rune, cjkPoolSize)
	for i := range pool {
		pool[i] = 0x4E00 + rune(rng.IntN(0x9FA5-0x4E00))
	}
	return pool
}

var syllables = []string{"ka", "ro", "ti", "ne", "mu", "sa", "lo", "vi", "de", "pa", "qu", "ex", "st",
	"ch", "th", "ing", "er", "on", "ar", "an", "is", "ba", "go", "fu", "ck", "sh", "it", "wo", "ra", "le"}

func latinWord(rng *rand.Rand, minLen, maxLen int) string {
	n := minLen + rng.IntN(maxLen-minLen+1)
	var b strings.Builder
	for b.Len() < n {
		if rng.IntN(3) == 0 {
			b.WriteByte(latinLetters[rng.IntN(len(latinLetters))])
		} else {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
	}
	return b.String()[:n]
}

func cjkWord(rng *rand.Rand, pool []rune, minLen, maxLen int) string {
	n := minLen + rng.IntN(maxLen-minLen+1)
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = pool[rng.IntN(len(pool))]
	}
	return string(rs)
}

// corpusWords returns n distinct-ish words, about two thirds Latin, with all three actions.
func corpusWords(seed uint64, n int) []Word {
	rng := rand.New(rand.NewPCG(seed, 1))
	pool := cjkPool(rng)
	words := make([]Word, n)
	for i := range words {
		var text string
		if i%3 == 2 {
			text = cjkWord(rng, pool, 2, 4)
		} else {
			text = latinWord(rng, 5, 10)
		}
		action := Replace
		switch i % 10 {
		case 0:
			action = Block
		case 1:
			action = Review
		}
		words[i] = Word{Text: text, Action: action}
	}
	return words
}

// corpusText returns about size bytes of mixed text that contains some of words.
func corpusText(seed uint64, size int, words []Word) string {
	rng := rand.New(rand.NewPCG(seed, 2))
	pool := cjkPool(rand.New(rand.NewPCG(seed, 1))) // the same pool the words came from
	punct := []string{" ", " ", " ", ", ", ". ", "! ", "，", "。", "、", "？"}
	var b strings.Builder
	for b.Len() < size {
		switch k := rng.IntN(100); {
		case k < 2 && len(words) > 0:
			b.WriteString(words[rng.IntN(len(words))].Text)
		case k < 55:
			b.WriteString(latinWord(rng, 2, 8))
		default:
			b.WriteString(cjkWord(rng, pool, 1, 6))
		}
		b.WriteString(punct[rng.IntN(len(punct))])
	}
	s := b.String()[:size]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
