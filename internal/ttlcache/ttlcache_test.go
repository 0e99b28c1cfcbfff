package ttlcache

import (
	"sync"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	c := New[string, int](50*time.Millisecond, 2)
	if _, ok := c.Get("a"); ok {
		t.Fatal("empty cache answered")
	}
	c.Put("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %d %v", v, ok)
	}
	c.Clear()
	if _, ok := c.Get("a"); ok {
		t.Fatal("answer survived Clear")
	}
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3) // past max: the others go
	if _, ok := c.Get("a"); ok {
		t.Fatal("cache grew past its bound")
	}
	if v, ok := c.Get("c"); !ok || v != 3 {
		t.Fatalf("newest entry lost: %d %v", v, ok)
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok := c.Get("c"); ok {
		t.Fatal("answer outlived its TTL")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New[int, int](time.Minute, 100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.Put(i%150, g)
				c.Get(i % 150)
				if i%100 == 0 {
					c.Clear()
				}
			}
		})
	}
	wg.Wait()
}
