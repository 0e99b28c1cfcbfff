package moderation

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The benchmarks share one corpus: 10,000 words and 10 KB of mixed Latin/CJK text. Compare
// BenchmarkMatch10KBText10KWords with the baselines measured in the same run:
//   - BenchmarkNormalizeOnly: decoding and folding every rune, the floor any matcher pays;
//   - BenchmarkContainsLoop: the naive filter, one strings.Contains per word over pre-normalised text.

const benchWords, benchTextBytes = 10_000, 10 << 10

func benchCorpus(b *testing.B) (*Matcher, []Word, string) {
	b.Helper()
	words := corpusWords(42, benchWords)
	m, err := NewMatcher(words)
	if err != nil {
		b.Fatal(err)
	}
	return m, words, corpusText(42, benchTextBytes, words)
}

func BenchmarkMatch10KBText10KWords(b *testing.B) {
	m, _, text := benchCorpus(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var hits int
	for b.Loop() {
		hits = len(m.Match(text))
	}
	b.ReportMetric(float64(hits), "hits/op")
}

func BenchmarkApply10KBText10KWords(b *testing.B) {
	m, _, text := benchCorpus(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		m.Apply(text)
	}
}

func BenchmarkNormalizeOnly(b *testing.B) {
	_, _, text := benchCorpus(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var kept int
	for b.Loop() {
		kept = foldAll(text)
	}
	b.ReportMetric(float64(kept), "runes/op")
}

// foldAll decodes and folds every rune of text and counts those kept.
func foldAll(text string) int {
	kept := 0
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		i += size
		if fold(r) != drop {
			kept++
		}
	}
	return kept
}

// BenchmarkMatchVsNormalize alternates Match and the fold-only loop in every iteration and reports
// each one's time and their ratio. On a shared, noisy machine the ratio of two measurements taken
// a microsecond apart is steadier than either figure from separate benchmarks.
func BenchmarkMatchVsNormalize(b *testing.B) {
	m, _, text := benchCorpus(b)
	var matchNS, foldNS time.Duration
	for b.Loop() {
		t0 := time.Now()
		m.Match(text)
		t1 := time.Now()
		foldAll(text)
		t2 := time.Now()
		matchNS += t1.Sub(t0)
		foldNS += t2.Sub(t1)
	}
	b.ReportMetric(float64(matchNS.Nanoseconds())/float64(b.N), "match-ns/op")
	b.ReportMetric(float64(foldNS.Nanoseconds())/float64(b.N), "normalize-ns/op")
	b.ReportMetric(float64(matchNS)/float64(foldNS), "match/normalize")
}

func BenchmarkContainsLoop(b *testing.B) {
	_, words, text := benchCorpus(b)
	norm := Normalize(text).Text
	needles := make([]string, len(words))
	for i, w := range words {
		needles[i] = Normalize(w.Text).Text
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		found := 0
		for _, n := range needles {
			if strings.Contains(norm, n) {
				found++
			}
		}
	}
}

func BenchmarkNewMatcher10KWords(b *testing.B) {
	words := corpusWords(42, benchWords)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewMatcher(words); err != nil {
			b.Fatal(err)
		}
	}
}
