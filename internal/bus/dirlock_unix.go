//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package bus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/switchboard/switchboard/internal/errs"
)

// lockDir takes an exclusive advisory lock on dir for as long as the process holds it, so a second
// Switchboard started on the same data directory fails at once instead of corrupting JetStream's
// files. The kernel releases the lock when the process dies, so a crash never leaves it stale.
func lockDir(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, "switchboard.lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("bus: open lock %s: %w", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errs.Newf(errs.Conflict, "bus: %s is in use by another process", dir)
		}
		return nil, fmt.Errorf("bus: lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}
