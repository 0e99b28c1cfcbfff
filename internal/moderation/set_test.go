package moderation

import (
	"fmt"
	"sync"
	"testing"
)

func TestSetReload(t *testing.T) {
	var s Set
	if hits := s.Match("fuck"); hits != nil {
		t.Fatalf("zero Set matched %v", hits)
	}
	if err := s.Reload([]Word{{"fuck", Block}}); err != nil {
		t.Fatal(err)
	}
	if !s.Apply("f u c k").Blocked {
		t.Fatal("list not in force after Reload")
	}
	if err := s.Reload([]Word{{"ok", Block}, {"", Block}}); err == nil {
		t.Fatal("Reload accepted an empty word")
	}
	if !s.Apply("fuck").Blocked {
		t.Fatal("a failed Reload replaced the list in force")
	}
}

// TestSetConcurrentReload swaps lists while readers match; run with -race. Every verdict must come
// from one whole list: with list n in force, "wordN" is blocked and the other list's word is not.
func TestSetConcurrentReload(t *testing.T) {
	var s Set
	lists := make([]*Matcher, 2)
	for i := range lists {
		lists[i] = mustMatcher(t, Word{fmt.Sprintf("word%c", 'a'+i), Block})
	}
	s.Store(lists[0])
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				m := s.Matcher()
				a, b := m.Apply("worda").Blocked, m.Apply("wordb").Blocked
				if a == b {
					t.Errorf("one list blocked worda=%v wordb=%v", a, b)
					return
				}
			}
		})
	}
	for i := range 200 {
		s.Store(lists[i%2])
	}
	close(stop)
	wg.Wait()
}
