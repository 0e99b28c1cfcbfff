package moderation

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
)

// MaxWordRunes is the longest word, in normalised runes, a list may hold. It bounds the window the
// scanner keeps to find where a hit started, which lets that window live on the stack.
const MaxWordRunes = 64

// ErrWordTooLong is returned for a word longer than MaxWordRunes after normalisation.
var ErrWordTooLong = errs.Newf(errs.Invalid, "moderation: word is longer than %d characters", MaxWordRunes)

// Matcher finds every occurrence of a fixed set of words in a text, in one pass over the text. It is
// immutable once built and safe for concurrent use; a nil *Matcher matches nothing.
//
// The automaton works on symbol classes, not runes: each distinct rune of the word list gets a small
// class number and every other rune gets class 0, which sends the automaton straight back to its
// root without a look-up. Runes are classed through a table for ASCII and two-level pages for the
// rest of the BMP, so the hot loop never touches a Go map for ordinary text.
type Matcher struct {
	words   []Word  // by word id, after de-duplication
	lengths []int32 // normalised runes per word id

	ascii  [utf8.RuneSelf]int32 // raw ASCII byte -> class, or -1 when the byte is dropped
	pages  [256]*[256]int32     // BMP rune -> class, one page per high byte, nil page = class 0
	astral map[rune]int32       // the rare rest

	root   []int32 // class -> state: the root's transitions, dense because every scan passes there
	states []state // 0 is the root
	edges  []edge  // children of each non-root state, contiguous and sorted by class
}

// state is one node of the trie with its Aho–Corasick links, laid out so that one step touches one
// cache line.
type state struct {
	edgeLo, edgeN int32 // this state's children are edges[edgeLo : edgeLo+edgeN]
	fail          int32 // longest proper suffix that is also a trie path
	word          int32 // word id ending exactly here, or -1
	dict          int32 // nearest state on the fail chain that ends a word, or 0
	report        int32 // this state if it ends a word, else dict: where reporting starts
}

type edge struct {
	class, next int32
}

// linearEdges is how many children a state may have before finding one switches from a scan to a
// binary search.
const linearEdges = 8

// NewMatcher builds the automaton for words. Words that normalise to the same text are merged and
// keep the strongest action. An error names the first bad entry by index.
func NewMatcher(words []Word) (*Matcher, error) {
	m := &Matcher{root: []int32{0}, states: []state{{word: -1}}}
	seen := make(map[string]int32, len(words))
	var trieEdges []trieEdge
	children := make(map[uint64]int32)
	classes := make(map[rune]int32)

	for i, w := range words {
		if w.Action.rank() == 0 {
			return nil, fmt.Errorf("moderation: word %d (%q): %w", i, w.Text, ErrUnknownAction)
		}
		norm := Normalize(w.Text).Text
		if norm == "" {
			return nil, fmt.Errorf("moderation: word %d (%q): %w", i, w.Text, ErrEmptyWord)
		}
		if n := utf8.RuneCountInString(norm); n > MaxWordRunes {
			return nil, fmt.Errorf("moderation: word %d (%q): %w", i, w.Text, ErrWordTooLong)
		}
		if id, dup := seen[norm]; dup {
			if w.Action.rank() > m.words[id].Action.rank() {
				m.words[id] = w
			}
			continue
		}
		id := int32(len(m.words))
		seen[norm] = id
		m.words = append(m.words, w)
		m.lengths = append(m.lengths, int32(utf8.RuneCountInString(norm)))

		s := int32(0)
		for _, r := range norm {
			c, ok := classes[r]
			if !ok {
				c = int32(len(classes) + 1)
				classes[r] = c
			}
			key := uint64(s)<<32 | uint64(c)
			next, ok := children[key]
			if !ok {
				next = int32(len(m.states))
				m.states = append(m.states, state{word: -1})
				children[key] = next
				trieEdges = append(trieEdges, trieEdge{s, edge{c, next}})
			}
			s = next
		}
		m.states[s].word = id
	}

	m.setClasses(classes)
	m.setEdges(trieEdges, len(classes)+1)
	m.setLinks()
	return m, nil
}

type trieEdge struct {
	from int32
	edge
}

// setClasses fills the rune -> class tables from the classes the words use.
func (m *Matcher) setClasses(classes map[rune]int32) {
	for b := range m.ascii {
		f := foldASCII(rune(b))
		if f == drop {
			m.ascii[b] = -1
			continue
		}
		m.ascii[b] = classes[f]
	}
	for r, c := range classes {
		switch {
		case r < utf8.RuneSelf:
			// covered by m.ascii: folded ASCII symbols are their own raw bytes
		case r <= 0xFFFF:
			page := m.pages[r>>8]
			if page == nil {
				page = new([256]int32)
				m.pages[r>>8] = page
			}
			page[r&0xFF] = c
		default:
			if m.astral == nil {
				m.astral = make(map[rune]int32)
			}
			m.astral[r] = c
		}
	}
}

// setEdges lays the trie's edges out: the root's as a dense table, every other state's as a sorted
// run of m.edges.
func (m *Matcher) setEdges(trieEdges []trieEdge, nclasses int) {
	m.root = make([]int32, nclasses)
	slices.SortFunc(trieEdges, func(a, b trieEdge) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.class, b.class))
	})
	m.edges = make([]edge, 0, len(trieEdges))
	for _, e := range trieEdges {
		if e.from == 0 {
			m.root[e.class] = e.next
			continue
		}
		st := &m.states[e.from]
		if st.edgeN == 0 {
			st.edgeLo = int32(len(m.edges))
		}
		st.edgeN++
		m.edges = append(m.edges, e.edge)
	}
}

// setLinks computes failure and dictionary links breadth first, so a state's fail target (always
// shallower) is final before the state is looked at.
func (m *Matcher) setLinks() {
	queue := make([]int32, 0, len(m.states))
	for _, s := range m.root {
		if s != 0 {
			queue = append(queue, s) // fail = 0 already
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		su := &m.states[u]
		if w := m.states[su.fail]; w.word >= 0 {
			su.dict = su.fail
		} else {
			su.dict = w.dict
		}
		su.report = su.dict
		if su.word >= 0 {
			su.report = u
		}
		for _, e := range m.edges[su.edgeLo : su.edgeLo+su.edgeN] {
			m.states[e.next].fail = m.step(su.fail, e.class)
			queue = append(queue, e.next)
		}
	}
}

// step is the automaton's transition: follow fail links until a state has a child for class c.
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

// class returns the class of a folded non-ASCII rune, 0 when no word uses it.
func (m *Matcher) class(r rune) int32 {
	if r < utf8.RuneSelf {
		return m.ascii[r]
	}
	if r <= 0xFFFF {
		if page := m.pages[r>>8]; page != nil {
			return page[r&0xFF]
		}
		return 0
	}
	return m.astral[r]
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
	s := int32(0)
	for i := 0; i < len(text); {
		start := i
		var c int32
		if b := text[i]; b < utf8.RuneSelf {
			i++
			c = m.ascii[b]
			if c < 0 {
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			f := fold(r)
			if f == drop {
				continue
			}
			c = m.class(f)
		}
		starts[kept%MaxWordRunes] = start
		kept++
		if c == 0 {
			s = 0
			continue
		}
		s = m.step(s, c)
		for t := m.states[s].report; t != 0; t = m.states[t].dict {
			id := m.states[t].word
			first := kept - int(m.lengths[id])
			hits = append(hits, Hit{Word: m.words[id], Start: starts[first%MaxWordRunes], End: i})
		}
	}
	return hits
}
