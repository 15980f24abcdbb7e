package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// TestMain lets the tests run this test binary as modsign itself
// (MODSIGN_TEST_AS_MAIN=1), so signal handling is tested on a real process
// under go test and bazel test alike.
func TestMain(m *testing.M) {
	if os.Getenv("MODSIGN_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestKeygenRefusesOneFileForTwoOutputs (#16: keygen --key x.pem --cert x.pem
// exited 0 and overwrote the key with the certificate).
func TestKeygenRefusesOneFileForTwoOutputs(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "x.pem")
	code, _, e := runCLI(t, nil, "keygen", "--cn", "K", "--type", "ecdsa-p256", "--key", x, "--cert", x)
	if code != 2 || !strings.Contains(e, "name the same file") || !strings.Contains(e, x) {
		t.Errorf("--key x --cert x: exit %d %s", code, e)
	}
	if _, err := os.Stat(x); !errors.Is(err, os.ErrNotExist) {
		t.Error("keygen wrote x.pem although it refused")
	}
	// Different names, one inode: a hard link, and ./ spellings.
	a := filepath.Join(dir, "a.pem")
	os.WriteFile(a, []byte("keep"), 0o600)
	b := filepath.Join(dir, "b.pem")
	if err := os.Link(a, b); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{a, b}, {a, filepath.Join(dir, ".", "a.pem")}} {
		code, _, e = runCLI(t, nil, "keygen", "--cn", "K", "--type", "ecdsa-p256", "--key", pair[0], "--cert", pair[1])
		if code != 2 || !strings.Contains(e, "name the same file") {
			t.Errorf("--key %s --cert %s: exit %d %s", pair[0], pair[1], code, e)
		}
	}
	der := filepath.Join(dir, "c.der")
	code, _, e = runCLI(t, nil, "keygen", "--cn", "K", "--type", "ecdsa-p256", "--key", filepath.Join(dir, "k.pem"), "--cert", der, "--der", der)
	if code != 2 || !strings.Contains(e, "--cert") || !strings.Contains(e, "--der") {
		t.Errorf("--cert c --der c: exit %d %s", code, e)
	}
	if string(read(t, a)) != "keep" {
		t.Error("the refused run changed a.pem")
	}
}

// TestKeygenOverAWorldReadableFile (#16: keygen copied the old file's 0644
// onto the new key).
func TestKeygenOverAWorldReadableFile(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "k.pem")
	os.WriteFile(k, []byte("old"), 0o644)
	os.Chmod(k, 0o644)
	if code, _, e := runCLI(t, nil, "keygen", "--cn", "K", "--type", "ecdsa-p256", "--key", k, "--cert", filepath.Join(dir, "c.pem")); code != 0 {
		t.Fatal(e)
	}
	fi, _ := os.Stat(k)
	if fi.Mode().Perm() != 0o600 || !strings.Contains(string(read(t, k)), "PRIVATE KEY") {
		t.Errorf("key mode %o", fi.Mode().Perm())
	}
}

// TestSIGTERMRemovesTemporaryFiles (#16: SIGTERM during a batch of large
// modules left .modsign-* files): modsign exits 143, no temporary file is
// left, and every module is either untouched or completely signed.
func TestSIGTERMRemovesTemporaryFiles(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mod := read(t, testModule)
	k := key("test-only-rsa2048.pem")
	for attempt, size := 0, 16<<20; attempt < 6; attempt, size = attempt+1, size*2 {
		dir := t.TempDir()
		big := append(append([]byte{}, mod...), make([]byte, size)...)
		var mods []string
		for i := 0; i < 6; i++ {
			mods = append(mods, write(t, filepath.Join(dir, "m"+string(rune('a'+i))+".ko"), big))
		}
		cmd := exec.Command(self, append([]string{"sign", "-q", "-j", "2", "--key", k}, mods...)...)
		cmd.Env = append(os.Environ(), "MODSIGN_TEST_AS_MAIN=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		signalled := false
		var werr error
	poll:
		for {
			select {
			case werr = <-done:
				break poll
			default:
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.modsign-*")); len(tmps) > 0 && !signalled {
				cmd.Process.Signal(syscall.SIGTERM)
				signalled = true
			}
			time.Sleep(200 * time.Microsecond)
		}
		if !signalled {
			continue // the batch finished before a temporary file was seen: bigger modules
		}
		var ee *exec.ExitError
		if !errors.As(werr, &ee) || ee.ExitCode() != 143 || !strings.Contains(stderr.String(), "interrupted by terminated") {
			t.Fatalf("after SIGTERM: %v, stderr %q", werr, stderr.String())
		}
		if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.modsign-*")); len(tmps) > 0 {
			t.Fatalf("temporary files left after SIGTERM: %v", tmps)
		}
		for _, m := range mods {
			data := read(t, m)
			if bytes.Equal(data, big) {
				continue
			}
			sm, err := modsig.Split(data)
			if err != nil || !bytes.Equal(sm.Module, big) {
				t.Errorf("%s is neither untouched nor completely signed: %v", m, err)
			}
		}
		return
	}
	t.Fatal("never saw a temporary file while signing 6 modules of up to 512 MiB")
}
