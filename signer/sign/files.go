package sign

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Files writes output files safely and keeps track of the temporary files it
// has in flight, so that a signal handler can remove them (Abort). A nil
// *Files writes the same way without tracking. Create one per command run.
type Files struct {
	mu      sync.Mutex
	temps   map[string]bool
	aborted bool
	// trace, when set (tests), is told of each step: "create", "sync",
	// "rename", "syncdir", with the file concerned and its mode.
	trace func(step, path string, mode os.FileMode)
}

// NewFiles returns a tracker for one command run.
func NewFiles() *Files { return &Files{temps: map[string]bool{}} }

// ErrAborted is returned for writes started after Abort.
var ErrAborted = errors.New("interrupted")

func (f *Files) step(step, path string, mode os.FileMode) {
	if f != nil && f.trace != nil {
		f.trace(step, path, mode)
	}
}

// create makes the temporary file next to path, mode 0600 from its first
// byte (os.CreateTemp opens with O_CREATE|O_EXCL and 0600), and registers it.
func (f *Files) create(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if f != nil {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.aborted {
			return nil, ErrAborted
		}
	}
	t, err := os.CreateTemp(dir, "."+base+".modsign-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file next to %s: %w", path, err)
	}
	if f != nil {
		f.temps[t.Name()] = true
	}
	f.step("create", t.Name(), 0o600)
	return t, nil
}

func (f *Files) forget(tmp string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.temps, tmp)
}

// Abort removes every temporary file in flight and makes further writes
// fail. It keeps the tracker locked: call it only right before the process
// exits (from a SIGINT/SIGTERM handler), so that no worker can create a
// temporary file after the clean-up. It returns the number of files removed.
func (f *Files) Abort() int {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	f.aborted = true
	n := 0
	for t := range f.temps {
		if os.Remove(t) == nil {
			n++
		}
		delete(f.temps, t)
	}
	return n
}

// Write writes data to path through a temporary file in the same directory:
// created with mode 0600, written, given its final mode, fsync'ed, renamed
// over path, and the directory fsync'ed, so that readers and a crash see
// either the old file or the complete new one. With keepMode, an existing
// path keeps its permission bits; otherwise the file gets mode (use
// keepMode=false and 0600 for private keys: an older file's mode is never
// copied onto a key).
func (f *Files) Write(path string, data []byte, mode os.FileMode, keepMode bool) error {
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		if keepMode {
			mode = fi.Mode().Perm()
		}
	}
	t, err := f.create(path)
	if err != nil {
		return err
	}
	tmp := t.Name()
	ok := false
	defer func() {
		if !ok {
			t.Close()
			os.Remove(tmp)
			f.forget(tmp)
		}
	}()
	if _, err := t.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if mode != 0o600 {
		if err := t.Chmod(mode); err != nil {
			return fmt.Errorf("setting the mode of %s: %w", tmp, err)
		}
	}
	if err := t.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	f.step("sync", tmp, mode)
	if err := t.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", tmp, path, err)
	}
	ok = true
	f.forget(tmp)
	f.step("rename", path, mode)
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("syncing the directory of %s: %w", path, err)
	}
	f.step("syncdir", filepath.Dir(path), 0)
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// WriteFileAtomic is (*Files)(nil).Write(path, data, mode, true): a safe
// write without signal tracking; an existing file keeps its permission bits.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	return (*Files)(nil).Write(path, data, mode, true)
}

// lockedFile is a module opened for signing in place under an exclusive
// advisory lock (flock), so that two signers of one file take turns.
type lockedFile struct {
	f    *os.File
	data []byte
}

// lockInPlace opens path, takes an exclusive flock on it (waiting for
// another signer to finish) and reads it. A signer that replaced the file
// while we waited renamed a new inode over the path, so after the lock the
// path must still name the locked inode; otherwise it starts over on the new
// file (and sees the signature the other signer appended).
func lockInPlace(path string) (*lockedFile, error) {
	for i := 0; i < 100; i++ {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading module: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			data, err := io.ReadAll(f)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("reading module: %w", err)
			}
			return &lockedFile{f: f, data: data}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("%s keeps being replaced by another process; not signing it", path)
}

func (l *lockedFile) unlock() { l.f.Close() }

// LockForUpdate opens path for an in-place update under an exclusive
// advisory lock (see lockInPlace) and returns its contents and the unlock
// function, to call after the new file has been renamed into place.
func LockForUpdate(path string) ([]byte, func(), error) {
	l, err := lockInPlace(path)
	if err != nil {
		return nil, nil, err
	}
	return l.data, l.unlock, nil
}
