package moderation

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
)

// NewMatcher builds the automaton for words. Words that normalise to the same text are merged and
// keep the strongest action. An error names the first bad entry by index.
func NewMatcher(words []Word) (*Matcher, error) {
	m := &Matcher{}
	t := trie{children: make(map[uint64]int32), classes: make(map[rune]int32), words: []int32{-1}}
	seen := make(map[string]int32, len(words))
	for i, w := range words {
		if w.Action.rank() == 0 {
			return nil, entryError(i, w, ErrUnknownAction)
		}
		norm := Normalize(w.Text).Text
		if norm == "" {
			return nil, entryError(i, w, ErrEmptyWord)
		}
		n := utf8.RuneCountInString(norm)
		if n > MaxWordRunes {
			return nil, entryError(i, w, ErrWordTooLong)
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
		m.lengths = append(m.lengths, int32(n))
		t.insert(norm, id)
	}
	m.setClasses(t.classes)
	edges, ends := t.breadthFirst()
	m.setStates(edges, ends, asciiClasses+len(t.classes))
	m.setLinks()
	return m, nil
}

// entryError reports a bad list entry: the message names it by index and text for logs, and the
// field (words[i]) lets the API point at it.
func entryError(i int, w Word, e *errs.Error) error {
	return fmt.Errorf("word %d (%q): %w", i, w.Text, e.WithField(fmt.Sprintf("words[%d]", i)))
}

// trie is the word tree while it is being built, before it is laid out for matching.
type trie struct {
	children map[uint64]int32 // state<<32 | class -> child state
	classes  map[rune]int32
	edges    []trieEdge
	words    []int32 // state -> word id ending there, or -1
}

type trieEdge struct {
	from int32
	edge
}

func (t *trie) insert(norm string, id int32) {
	s := int32(0)
	for _, r := range norm {
		c, ok := t.classes[r]
		if !ok {
			c = int32(asciiClasses + len(t.classes))
			if r < utf8.RuneSelf {
				c = asciiClass(r)
			}
			t.classes[r] = c
		}
		key := uint64(s)<<32 | uint64(c)
		next, ok := t.children[key]
		if !ok {
			next = int32(len(t.words))
			t.words = append(t.words, -1)
			t.children[key] = next
			t.edges = append(t.edges, trieEdge{s, edge{c, next}})
		}
		s = next
	}
	t.words[s] = id
}

// breadthFirst renumbers the states in breadth-first order and returns the edges, sorted by parent
// and class, and the word ending at each state under the new numbers.
func (t *trie) breadthFirst() ([]trieEdge, []int32) {
	slices.SortFunc(t.edges, func(a, b trieEdge) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.class, b.class))
	})
	first := make([]int32, len(t.words)+1) // edges of old state s are t.edges[first[s]:first[s+1]]
	for _, e := range t.edges {
		first[e.from+1]++
	}
	for s := 1; s < len(first); s++ {
		first[s] += first[s-1]
	}
	renumber := make([]int32, len(t.words))
	order := make([]int32, 1, len(t.words)) // old numbers in breadth-first order; root stays 0
	for k := 0; k < len(order); k++ {
		for _, e := range t.edges[first[order[k]]:first[order[k]+1]] {
			renumber[e.next] = int32(len(order))
			order = append(order, e.next)
		}
	}
	words := make([]int32, len(t.words))
	for old, id := range t.words {
		words[renumber[old]] = id
	}
	edges := make([]trieEdge, 0, len(t.edges))
	for _, old := range order {
		for _, e := range t.edges[first[old]:first[old+1]] {
			edges = append(edges, trieEdge{renumber[old], edge{e.class, renumber[e.next]}})
		}
	}
	return edges, words
}

// setClasses fills the rune -> class tables from the classes the words use: the shared fold
// table's pages, with copies of those holding a rune of the list (or a rune folding to one).
func (m *Matcher) setClasses(classes map[rune]int32) {
	ft := bmpFold()
	m.bmp = ft.base
	set := func(r rune, c int32) {
		hi := r >> 8
		if m.bmp[hi] == ft.base[hi] {
			page := *ft.base[hi]
			m.bmp[hi] = &page
		}
		m.bmp[hi][r&0xFF] = c
	}
	for r, c := range classes {
		if r > 0xFFFF {
			if m.astral == nil {
				m.astral = make(map[rune]int32)
			}
			m.astral[r] = c
			continue
		}
		set(r, c)
		for _, v := range ft.variants[r] {
			set(v, c)
		}
	}
}

// setStates lays the states out: the root's edges as a dense table, every other state's as a
// sorted run of m.edges.
func (m *Matcher) setStates(edges []trieEdge, words []int32, nclasses int) {
	m.root = make([]int32, nclasses)
	m.states = make([]state, len(words))
	for s, id := range words {
		m.states[s].word = id
	}
	m.edges = make([]edge, 0, len(edges))
	for _, e := range edges {
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

// setLinks computes failure and dictionary links and the ASCII rows breadth first, so that
// everything a state borrows from its failure state (always shallower) is final when it is needed.
func (m *Matcher) setLinks() {
	next := append([]int32(nil), m.root[:asciiClasses]...) // rows of target states; root's at 0
	m.rowOwner = []int32{0}
	enteredByASCII := make([]bool, len(m.states))
	for _, s := range m.root[:asciiClasses] {
		enteredByASCII[s] = true
	}
	// States are numbered breadth first, so walking them in order is the breadth-first walk.
	for u := 1; u < len(m.states); u++ {
		su := &m.states[u]
		if f := m.states[su.fail]; f.word >= 0 {
			su.dict = su.fail
		} else {
			su.dict = f.dict
		}
		su.report = su.dict
		if su.word >= 0 {
			su.report = int32(u)
		}
		children := m.edges[su.edgeLo : su.edgeLo+su.edgeN]
		su.ascii = m.states[su.fail].ascii
		if enteredByASCII[u] || (len(children) > 0 && children[0].class < asciiClasses) {
			su.ascii = int32(len(next))
			next = append(next, next[m.states[su.fail].ascii:][:asciiClasses]...)
			m.rowOwner = append(m.rowOwner, int32(u))
		}
		for _, e := range children {
			if e.class < asciiClasses {
				next[su.ascii+e.class] = e.next
				enteredByASCII[e.next] = true
			}
			m.states[e.next].fail = m.step(su.fail, e.class)
		}
	}
	// Children of the root fail to the root (their zero value). Pack the entries last, when every
	// state's row and report are known.
	m.asciiNext = make([]uint32, len(next))
	for k, s := range next {
		m.asciiNext[k] = uint32(m.states[s].ascii)
		if m.states[s].report != 0 {
			m.asciiNext[k] |= reportBit
		}
	}
}
