package sign

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

type event struct {
	step string
	mode os.FileMode // the file's mode on disk at that step
}

func traced(t *testing.T) (*Files, *[]event) {
	var mu sync.Mutex
	var evs []event
	f := NewFiles()
	f.trace = func(step, path string, _ os.FileMode) {
		mu.Lock()
		defer mu.Unlock()
		var m os.FileMode
		if fi, err := os.Stat(path); err == nil {
			m = fi.Mode().Perm()
		}
		evs = append(evs, event{step, m})
	}
	return f, &evs
}

// TestSecretNeverTakesAnOldMode: writing a key over a world-readable file
// gives a file that is 0600 from its creation to its rename (#16: keygen used
// to copy the old file's 0644 onto the new key before the rename).
func TestSecretNeverTakesAnOldMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	f, evs := traced(t)
	if err := f.Write(p, []byte("secret"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	for _, e := range *evs {
		if e.step != "syncdir" && e.mode != 0o600 {
			t.Errorf("step %s: the key file had mode %o", e.step, e.mode)
		}
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %o", fi.Mode().Perm())
	}
	// An ordinary output keeps the existing file's mode.
	q := filepath.Join(dir, "mod.ko")
	os.WriteFile(q, []byte("old"), 0o640)
	os.Chmod(q, 0o640)
	if err := f.Write(q, []byte("new"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(q); fi.Mode().Perm() != 0o640 {
		t.Errorf("module mode %o, want the old 0640", fi.Mode().Perm())
	}
}

// TestWriteSyncsBeforeRename: the data is fsync'ed before the rename and the
// directory after it (#16: no fsync before rename).
func TestWriteSyncsBeforeRename(t *testing.T) {
	f, evs := traced(t)
	if err := f.Write(filepath.Join(t.TempDir(), "x"), []byte("data"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range *evs {
		steps = append(steps, e.step)
	}
	if got := strings.Join(steps, ","); got != "create,sync,rename,syncdir" {
		t.Errorf("steps %s, want create,sync,rename,syncdir", got)
	}
}

// TestAbortRemovesTemporaryFiles: the temporary files in flight are removed.
func TestAbortRemovesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	f := NewFiles()
	var temps []string
	for _, n := range []string{"a.ko", "b.ko"} {
		tf, err := f.create(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		tf.Close()
		temps = append(temps, tf.Name())
	}
	if n := f.Abort(); n != 2 {
		t.Errorf("Abort removed %d files, want 2", n)
	}
	for _, p := range temps {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived Abort", p)
		}
	}
}

// TestConcurrentInPlaceSigners: several processes signing one module in
// place take turns on its lock; one signs it, the others see the signature
// and refuse (#16: two signers could both exit 0 while one signature was lost).
func TestConcurrentInPlaceSigners(t *testing.T) {
	key, cert := loadKey(t, "test-only-rsa2048.pem")
	s, err := NewSigner(key, cert, Options{Hash: "sha256"})
	if err != nil {
		t.Fatal(err)
	}
	mod := mustRead(t, testModule)
	dir := t.TempDir()
	for round := 0; round < 20; round++ {
		m := filepath.Join(dir, "m.ko")
		if err := os.WriteFile(m, mod, 0o644); err != nil {
			t.Fatal(err)
		}
		const n = 4
		results := make([]Result, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i] = s.SignFile(Job{In: m, Out: m}, BatchOptions{})
			}(i)
		}
		wg.Wait()
		ok := 0
		for _, r := range results {
			switch {
			case r.Err == nil:
				ok++
			case !errors.Is(r.Err, ErrAlreadySigned):
				t.Errorf("round %d: %v", round, r.Err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d signers succeeded, want exactly 1", round, ok)
		}
		data := mustRead(t, m)
		if bytes.Count(data, []byte(modsig.Magic)) != 1 {
			t.Fatalf("round %d: the module carries %d signatures", round, bytes.Count(data, []byte(modsig.Magic)))
		}
		if _, err := Verify(data, nil); err == nil {
			t.Fatal("verified without trusted keys")
		}
		if _, err := VerifyLine("7.2", data, []*x509.Certificate{cert}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
