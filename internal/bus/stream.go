package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamConfig describes a stream in names relative to the prefix. It holds only what NATS 2.9
// servers understand, since an external cluster may be that old; the zero values mean file storage,
// limits retention, and no limits.
type StreamConfig struct {
	Name        string   // relative, "EVENTS" for "SB_EVENTS"
	Description string   // shown by the nats CLI
	Subjects    []string // relative, wildcards allowed: "sms.>" captures "sb.sms.>"
	Retention   jetstream.RetentionPolicy
	Storage     jetstream.StorageType
	Discard     jetstream.DiscardPolicy
	MaxAge      time.Duration
	MaxMsgs     int64
	MaxBytes    int64
	MaxMsgSize  int32
	// Duplicates is how long a PublishDurable message id is remembered; the server's default is two
	// minutes, which bounds how late a retried publish is still recognised.
	Duplicates time.Duration
	// Replicas defaults to Config.Replicas.
	Replicas int
}

// EnsureStream creates the stream or brings an existing one to cfg, so every node can call it at
// start-up, in any order and at the same time. Changes the server cannot make in place (storage
// type, retention) are errors, never a silent recreate that would lose messages.
func (b *Bus) EnsureStream(ctx context.Context, cfg StreamConfig) error {
	if len(cfg.Subjects) == 0 {
		return fmt.Errorf("bus: stream %s has no subjects", cfg.Name)
	}
	jcfg := jetstream.StreamConfig{
		Name:        b.StreamName(cfg.Name),
		Description: cfg.Description,
		Retention:   cfg.Retention,
		Storage:     cfg.Storage,
		Discard:     cfg.Discard,
		MaxAge:      cfg.MaxAge,
		MaxMsgs:     orUnlimited(cfg.MaxMsgs),
		MaxBytes:    orUnlimited(cfg.MaxBytes),
		MaxMsgSize:  int32(orUnlimited(int64(cfg.MaxMsgSize))),
		Duplicates:  cfg.Duplicates,
		Replicas:    b.replicas(cfg.Replicas),
		// Spelled out because the server fills in these defaults and an update must match them.
		MaxConsumers:      -1,
		MaxMsgsPerSubject: -1,
	}
	for _, s := range cfg.Subjects {
		jcfg.Subjects = append(jcfg.Subjects, b.Subject(s))
	}
	_, err := b.js.CreateOrUpdateStream(ctx, jcfg)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		// Another node created it between our update and our create.
		_, err = b.js.UpdateStream(ctx, jcfg)
	}
	if err != nil {
		return unavailable("ensure stream "+jcfg.Name, err)
	}
	return nil
}

// orUnlimited turns Go's zero value into NATS's "no limit".
func orUnlimited(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

func (b *Bus) replicas(n int) int {
	if n > 0 {
		return n
	}
	return max(b.cfg.Replicas, 1)
}
