package bus

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// KeyValue opens a key-value bucket (relative name, "nonces" for "sb_nonces"), creating it with
// defaults when it does not exist: one value per key, kept on disk, no expiry. Revisions make
// compare-and-set possible (Create, Update with the last revision), which is what the rate limiter and
// the nonce cache build on. A bucket that needs a TTL or memory storage is made with EnsureKeyValue.
func (b *Bus) KeyValue(ctx context.Context, bucket string) (jetstream.KeyValue, error) {
	name := b.BucketName(bucket)
	kv, err := b.js.KeyValue(ctx, name)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = b.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: name, Replicas: b.replicas(0)})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = b.js.KeyValue(ctx, name) // another node made it first
		}
	}
	if err != nil {
		return nil, unavailable("key-value bucket "+name, err)
	}
	return kv, nil
}

// EnsureKeyValue creates the bucket cfg describes or brings it to cfg; cfg.Bucket is relative.
// Options newer than NATS 2.9 (LimitMarkerTTL, Compression) fail on older external servers.
func (b *Bus) EnsureKeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Bucket = b.BucketName(cfg.Bucket)
	cfg.Replicas = b.replicas(cfg.Replicas)
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, unavailable("ensure key-value bucket "+cfg.Bucket, err)
	}
	return kv, nil
}
