// Package keyring seals secrets that must be recoverable in plaintext (auth tokens sign callbacks;
// App Secrets verify RongCloud signatures) with AES-256-GCM under a key-encryption key kept outside
// the database, so a database dump alone reveals none of them.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keyring seals and opens values with one key-encryption key.
type Keyring struct {
	aead cipher.AEAD
}

const version byte = 1 // the first byte of every sealed value, so the scheme can change later

// New returns a keyring for a 32-byte key.
func New(key []byte) (*Keyring, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("keyring: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return &Keyring{aead: aead}, nil
}

// Load reads the key from env (base64) when set, else from path; when neither exists it creates
// path with a fresh random key, mode 0600. The key file holds base64 text so it can be copied
// into a secret manager unchanged.
func Load(path, env string) (*Keyring, error) {
	if env != "" {
		return fromText(env, "SWITCHBOARD_KEK")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, os.ErrExist) { // another process won the race; use its key
				return Load(path, "")
			}
			return nil, fmt.Errorf("keyring: create %s: %w", path, err)
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("keyring: write %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("keyring: sync %s: %w", path, err)
		}
		f.Close()
		return New(key)
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: read %s: %w", path, err)
	}
	return fromText(string(b), path)
}

func fromText(s, source string) (*Keyring, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("keyring: %s is not base64: %w", source, err)
	}
	return New(key)
}

// Seal encrypts plaintext bound to aad (the owning row's id, so sealed values cannot be swapped
// between rows).
func (k *Keyring) Seal(plaintext, aad string) []byte {
	nonce := make([]byte, k.aead.NonceSize(), 1+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return k.aead.Seal(out, nonce, []byte(plaintext), []byte(aad))
}

// Open decrypts a value made by Seal with the same aad.
func (k *Keyring) Open(sealed []byte, aad string) (string, error) {
	ns := k.aead.NonceSize()
	if len(sealed) < 1+ns+k.aead.Overhead() || sealed[0] != version {
		return "", errors.New("keyring: sealed value is malformed")
	}
	pt, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(aad))
	if err != nil {
		return "", fmt.Errorf("keyring: open: %w", err)
	}
	return string(pt), nil
}
