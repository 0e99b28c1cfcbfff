package bus_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
)

func TestKeyValueCompareAndSet(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := t.Context()
		kv, err := b.KeyValue(ctx, "limits")
		if err != nil {
			t.Fatal(err)
		}
		if kv.Bucket() != b.BucketName("limits") {
			t.Fatalf("bucket %q; want %q", kv.Bucket(), b.BucketName("limits"))
		}
		rev, err := kv.Create(ctx, "AC1", []byte("1"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Create(ctx, "AC1", []byte("1")); !errors.Is(err, jetstream.ErrKeyExists) {
			t.Fatalf("second Create = %v; want ErrKeyExists", err)
		}
		rev2, err := kv.Update(ctx, "AC1", []byte("2"), rev)
		if err != nil {
			t.Fatal(err)
		}
		if rev2 <= rev {
			t.Fatalf("revision %d after %d", rev2, rev)
		}
		if _, err := kv.Update(ctx, "AC1", []byte("3"), rev); err == nil {
			t.Fatal("Update with a stale revision succeeded")
		}
		e, err := kv.Get(ctx, "AC1")
		if err != nil {
			t.Fatal(err)
		}
		if string(e.Value()) != "2" || e.Revision() != rev2 {
			t.Fatalf("Get = %q rev %d; want \"2\" rev %d", e.Value(), e.Revision(), rev2)
		}

		again, err := b.KeyValue(ctx, "limits") // opening an existing bucket
		if err != nil {
			t.Fatal(err)
		}
		if e, err := again.Get(ctx, "AC1"); err != nil || string(e.Value()) != "2" {
			t.Fatalf("reopened Get = %v, %v", e, err)
		}
	})
}

func TestEnsureKeyValueTTL(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := t.Context()
		cfg := jetstream.KeyValueConfig{Bucket: "nonces", TTL: 5 * time.Minute, Storage: jetstream.MemoryStorage}
		for range 2 {
			if _, err := b.EnsureKeyValue(ctx, cfg); err != nil {
				t.Fatal(err)
			}
		}
		kv, err := b.KeyValue(ctx, "nonces")
		if err != nil {
			t.Fatal(err)
		}
		st, err := kv.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.TTL() != 5*time.Minute {
			t.Fatalf("TTL %v; want 5m", st.TTL())
		}
	})
}
