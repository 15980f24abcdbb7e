package sign

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a batch-signing child process for
// TestSIGKILLMidBatch.
func TestMain(m *testing.M) {
	if dir := os.Getenv("MODSIGN_TEST_BATCH_CHILD"); dir != "" {
		os.Exit(batchChild(dir))
	}
	os.Exit(m.Run())
}

func batchChild(dir string) int {
	key, cert := loadKey(nopTB{}, "test-only-rsa4096.pem")
	s, err := NewSigner(key, cert, Options{Hash: "sha512"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.ko"))
	var jobs []Job
	for _, p := range paths {
		jobs = append(jobs, Job{In: p, Out: p})
	}
	for _, r := range s.SignFiles(jobs, BatchOptions{Workers: 2}) {
		if r.Err != nil {
			fmt.Fprintln(os.Stderr, r.Err)
			return 1
		}
	}
	return 0
}

// nopTB lets the helpers run outside a test (in the child process).
type nopTB struct{ testing.TB }

func (nopTB) Helper()                   {}
func (nopTB) Fatal(a ...any)            { fmt.Fprintln(os.Stderr, a...); os.Exit(3) }
func (nopTB) Fatalf(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...); os.Exit(3) }

// TestSIGKILLMidBatch kills a batch while it is writing and checks that every
// module is either exactly the original or exactly the fully signed module.
func TestSIGKILLMidBatch(t *testing.T) {
	dir := t.TempDir()
	orig := mustRead(t, testModule)
	key, cert := loadKey(t, "test-only-rsa4096.pem")
	s, err := NewSigner(key, cert, Options{Hash: "sha512"})
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := s.SignBytes(orig, false)
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	for i := 0; i < n; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%03d.ko", i)), orig, 0o644)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "MODSIGN_TEST_BATCH_CHILD="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until some modules are signed, then kill it mid-flight.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if countSigned(t, dir, len(orig)) >= n/10 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	if err == nil {
		t.Fatalf("child finished before it could be killed; stderr: %s", stderr.String())
	}
	signed, untouched, temps := 0, 0, 0
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !strings.HasSuffix(e.Name(), ".ko") {
			temps++ // a temporary file the killed process could not remove
			continue
		}
		got := mustRead(t, p)
		switch {
		case bytes.Equal(got, orig):
			untouched++
		case bytes.Equal(got, want):
			signed++
		default:
			t.Errorf("%s is neither the original nor the signed module (%d bytes)", e.Name(), len(got))
		}
	}
	t.Logf("after SIGKILL: %d signed, %d untouched, %d leftover temporary files", signed, untouched, temps)
	if signed == 0 || untouched == 0 {
		t.Errorf("the kill did not land mid-batch (signed=%d untouched=%d); the test proved nothing", signed, untouched)
	}
}

func countSigned(t *testing.T, dir string, origLen int) int {
	entries, _ := os.ReadDir(dir)
	c := 0
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ".ko") && fi.Size() != int64(origLen) {
			c++
		}
	}
	return c
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFileAtomic(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	os.Chmod(p, 0o640)
	if err := WriteFileAtomic(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("existing mode not kept: %v", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("content %q", b)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
