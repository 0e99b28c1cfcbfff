package moderation

import "sync"

// foldTable is fold precomputed over the BMP. Every matcher starts from its pages and copies only
// the few it has to write, so building a matcher costs in proportion to the word list, not to the
// 65,536 runes of the BMP.
type foldTable struct {
	// base[hi][lo] is -1 when rune hi<<8|lo is dropped and 0 when it is kept: the class table of
	// a matcher with no words. The pages are shared by every matcher and never written.
	base [256]*[256]int32
	// variants lists, for each folded rune, the other BMP runes that fold to it ('K' and 'K' for
	// 'k', 'ａ' for 'a'), so a matcher can give them the same class.
	variants map[rune][]rune
}

// bmpFold returns the table, built on first use. It is immutable from then on, so sharing it
// between matchers and goroutines is safe.
var bmpFold = sync.OnceValue(func() *foldTable {
	t := &foldTable{variants: make(map[rune][]rune)}
	var zero, dropped [256]int32
	for i := range dropped {
		dropped[i] = -1
	}
	for hi := range t.base {
		var page [256]int32
		for lo := range page {
			r := rune(hi<<8 | lo)
			switch f := fold(r); {
			case f == drop:
				page[lo] = -1
			case f != r:
				t.variants[f] = append(t.variants[f], r)
			}
		}
		switch page {
		case zero:
			t.base[hi] = &zero
		case dropped:
			t.base[hi] = &dropped
		default:
			t.base[hi] = &page
		}
	}
	return t
})
