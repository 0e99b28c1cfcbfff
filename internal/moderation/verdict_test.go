package moderation

import (
	"fmt"
	"slices"
	"testing"
)

func TestApply(t *testing.T) {
	m := mustMatcher(t,
		Word{"fuck", Block},
		Word{"shit", Replace},
		Word{"shithead", Replace},
		Word{"headache", Replace},
		Word{"damn", Review},
		Word{"法轮", Replace},
	)
	tests := []struct {
		name, text string
		blocked    bool
		want       string
		review     int
	}{
		{"clean", "hello there", false, "hello there", 0},
		{"block", "oh f.u.c.k", true, "oh f.u.c.k", 0},
		{"replace keeps the rest", "you shit!", false, "you ***!", 0},
		{"replace masks the spelling used", "you s h i t!", false, "you ***!", 0},
		{"replace full-width", "ｓｈｉｔ ok", false, "*** ok", 0},
		{"overlapping replaces merge", "shitheadache", false, "***", 0},
		{"adjacent replaces stay apart", "shit shit", false, "*** ***", 0},
		{"cjk replace", "学习法 轮功", false, "学习***功", 0},
		{"review only", "damn it", false, "damn it", 1},
		{"all three", "damn shit fuck", true, "damn *** fuck", 1},
		{"word at both ends", "shit middle shit", false, "*** middle ***", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := m.Apply(tt.text)
			if v.Blocked != tt.blocked || v.Text != tt.want || len(v.Review) != tt.review {
				t.Fatalf("Apply(%q) = blocked %v, text %q, %d review; want %v, %q, %d",
					tt.text, v.Blocked, v.Text, len(v.Review), tt.blocked, tt.want, tt.review)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		spans []Span
		want  string
	}{
		{nil, "0123456789"},
		{[]Span{{0, 10}}, "***"},
		{[]Span{{2, 4}}, "01***456789"},
		{[]Span{{6, 8}, {2, 4}}, "01***45***89"},
		{[]Span{{2, 6}, {3, 5}}, "01***6789"},
		{[]Span{{2, 5}, {4, 7}, {6, 8}}, "01***89"},
		{[]Span{{2, 4}, {4, 6}}, "01******6789"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.spans), func(t *testing.T) {
			if got := mask("0123456789", slices.Clone(tt.spans)); got != tt.want {
				t.Fatalf("mask(%v) = %q, want %q", tt.spans, got, tt.want)
			}
		})
	}
}
