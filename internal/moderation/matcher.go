package moderation

import "unicode/utf8"

// MaxWordRunes is the longest word, in normalised runes, a list may hold. It bounds the window the
// scanner keeps to find where a hit started, which lets that window live on the stack.
const MaxWordRunes = 64 // a power of two: the window index is a mask

// Matcher finds every occurrence of a fixed set of words in a text, in one pass over the text. It is
// immutable once built and safe for concurrent use; a nil *Matcher matches nothing.
//
// The automaton works on symbol classes, not runes: each distinct rune of the word list gets a small
// class number and every other rune gets class 0, which sends the automaton straight back to its
// root without a look-up. For the whole BMP, normalisation and classing are precomputed into one
// two-level table (pages that are all "dropped" or all "class 0" are shared), so the hot loop does
// one table load per rune instead of folding it and never touches a Go map for ordinary text.
//
// States are numbered breadth first, so the shallow states that nearly every step visits sit
// together at the start of each array and stay in cache.
type Matcher struct {
	words   []Word  // by word id, after de-duplication
	lengths []int32 // normalised runes per word id

	bmp    [256]*[256]int32 // raw BMP rune -> class of its folded form, or -1 when it is dropped
	astral map[rune]int32   // folded rune above the BMP -> class; those are rare enough for a map

	root   []int32 // class -> state: the root's transitions, dense because every scan passes there
	states []state // 0 is the root
	edges  []edge  // children of each non-root state, contiguous and sorted by class

	// asciiNext holds complete transitions (failure links already followed) on the ASCII classes,
	// in rows of asciiClasses entries. Latin text is almost all ASCII letters, and this turns each
	// of its steps into one load instead of a search and a walk up the failure chain.
	//
	// Every state entered by an ASCII symbol owns a row (rowOwner maps it back to the state), as
	// does every state with an ASCII child; the others (CJK states) share their failure state's
	// row. An entry is the row offset of the target state, with reportBit set when that state has
	// words to report. An ASCII step always lands on a state entered by ASCII (or the root), so
	// the row it lands on names the state exactly; a run of ASCII steps therefore follows row
	// offsets alone, through 4-byte entries, and looks the state up only when it must: to report
	// a hit or to take a non-ASCII step.
	asciiNext []uint32
	rowOwner  []int32 // row index (offset / asciiClasses) -> the state that owns the row
}

// state is one node of the trie with its Aho–Corasick links.
type state struct {
	edgeLo, edgeN int32 // this state's children are edges[edgeLo : edgeLo+edgeN]
	fail          int32 // longest proper suffix that is also a trie path
	word          int32 // word id ending exactly here, or -1
	dict          int32 // nearest state on the fail chain that ends a word, or 0
	report        int32 // this state if it ends a word, else dict: where reporting starts
	ascii         int32 // offset of this state's row in asciiNext; beside report, so a non-ASCII
	// step finds both in the cache line it has just loaded
}

type edge struct {
	class, next int32
}

// Classes 1 to 36 are reserved for the ASCII symbols 0-9 and a-z, so that the rows of asciiNext
// can be indexed by class directly.
const asciiClasses = 1 + 10 + 26

// reportBit marks an asciiNext entry whose target state has words to report.
const reportBit = 1 << 31

// asciiClass is the reserved class of a folded ASCII symbol.
func asciiClass(r rune) int32 {
	if r <= '9' {
		return 1 + r - '0'
	}
	return 11 + r - 'a'
}

// step is the automaton's transition on the sparse edges: follow failure links until a state has a
// child for class c.
func (m *Matcher) step(s, c int32) int32 {
	for s != 0 {
		st := &m.states[s]
		if next := m.child(st, c); next != 0 {
			return next
		}
		s = st.fail
	}
	return m.root[c]
}

// linearEdges is how many children a state may have before finding one switches from a scan to a
// binary search.
const linearEdges = 8

// child returns the state reached from st on class c, or 0.
func (m *Matcher) child(st *state, c int32) int32 {
	edges := m.edges[st.edgeLo : st.edgeLo+st.edgeN]
	if len(edges) <= linearEdges {
		for _, e := range edges {
			if e.class >= c {
				if e.class == c {
					return e.next
				}
				return 0
			}
		}
		return 0
	}
	lo, hi := 0, len(edges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if edges[mid].class < c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(edges) && edges[lo].class == c {
		return edges[lo].next
	}
	return 0
}

// class returns the class of r, -1 when r is dropped and 0 when no word uses it.
func (m *Matcher) class(r rune) int32 {
	if r <= 0xFFFF {
		return m.bmp[r>>8][r&0xFF]
	}
	switch f := fold(r); {
	case f == drop:
		return -1
	case f <= 0xFFFF: // a styled letter folding to ASCII: f is its own fold, so the table has it
		return m.bmp[f>>8][f&0xFF]
	default:
		return m.astral[f]
	}
}

// Len is the number of distinct words the matcher holds.
func (m *Matcher) Len() int {
	if m == nil {
		return 0
	}
	return len(m.words)
}

// Match returns every occurrence of every word in text, overlapping ones included, in the order in
// which they end. It allocates only for the hits it returns.
func (m *Matcher) Match(text string) []Hit {
	if m == nil || len(m.words) == 0 {
		return nil
	}
	var hits []Hit
	// starts[k % MaxWordRunes] is where the k-th kept rune began in text: a hit of n runes ending
	// at the k-th started where the (k-n+1)-th did.
	var starts [MaxWordRunes]int
	kept := 0
	// row is the current state's row offset; s is the current state, or -1 after ASCII steps,
	// when it is rowOwner[row/asciiClasses] and is looked up only if needed.
	s, row := int32(0), uint32(0)
	for i := 0; i < len(text); {
		start := i
		var c int32
		switch b := text[i]; {
		case b < utf8.RuneSelf:
			c = m.bmp[0][b]
			i++
		case b&0xF0 == 0xE0 && i+2 < len(text) && text[i+1]&0xC0 == 0x80 && text[i+2]&0xC0 == 0x80:
			// Three-byte sequences (CJK, kana, Hangul, most punctuation) decoded inline: the
			// library decoder is not inlined and would cost a call per CJK character.
			r := rune(b&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
			if r < 0x800 || (r >= 0xD800 && r <= 0xDFFF) {
				r = utf8.RuneError // overlong or surrogate: invalid, as the library decoder says
			}
			c = m.bmp[r>>8][r&0xFF]
			i += 3
		default:
			r, size := utf8.DecodeRuneInString(text[i:])
			c = m.class(r)
			i += size
		}
		if c < 0 {
			continue
		}
		starts[kept&(MaxWordRunes-1)] = start
		kept++
		switch {
		case c == 0:
			s, row = 0, 0
			continue
		case c < asciiClasses:
			row = m.asciiNext[row+uint32(c)]
			if row&reportBit == 0 {
				s = -1
				continue
			}
			row &^= reportBit
			s = m.rowOwner[row/asciiClasses]
		default:
			if s < 0 {
				s = m.rowOwner[row/asciiClasses]
			}
			s = m.step(s, c)
			row = uint32(m.states[s].ascii)
		}
		for t := m.states[s].report; t != 0; t = m.states[t].dict {
			id := m.states[t].word
			first := kept - int(m.lengths[id])
			hits = append(hits, Hit{Word: m.words[id], Start: starts[first&(MaxWordRunes-1)], End: i})
		}
	}
	return hits
}
