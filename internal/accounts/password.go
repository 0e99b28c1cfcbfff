package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option scaled down to the OWASP minimum:
// 19 MiB, 2 passes). Each hash holds its parameters, so raising them later keeps old hashes valid.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Hasher hashes and checks passwords with at most a fixed number running at once. Each argon2id
// run allocates argonMemory; without the bound a login flood would allocate without limit.
type Hasher struct {
	slots chan struct{}
}

// NewHasher allows n concurrent hashes (n*19 MiB of memory at most).
func NewHasher(n int) *Hasher {
	return &Hasher{slots: make(chan struct{}, max(n, 1))}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ErrHasherBusy.Wrap(ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC-style encoding of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("accounts: malformed password hash")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("accounts: malformed password hash parameters: %w", err)
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("accounts: malformed password hash encoding")
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CheckPassword enforces the password rule: 10–128 characters, not only letters or only digits.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 10 || n > 128 {
		return ErrWeakPassword.WithField("password")
	}
	var letters, others int
	for _, r := range pw {
		if unicode.IsLetter(r) {
			letters++
		} else {
			others++
		}
	}
	if letters == 0 || others == 0 {
		return ErrWeakPassword.WithField("password")
	}
	return nil
}
