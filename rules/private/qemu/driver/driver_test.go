package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeQEMU writes a shell script that stands in for qemu-system-x86_64: with
// "-accel kvm" it runs kvmBody, otherwise tcgBody.
func fakeQEMU(t *testing.T, kvmBody, tcgBody string) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in\n*'-accel kvm'*)\n" + kvmBody + "\n;;\n*)\n" + tcgBody + "\n;;\nesac\n"
	p := filepath.Join(dir, "qemu")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodRun = `echo 'SeaBIOS'
echo 'MODSIGN-INIT start'
echo 'MODSIGN-RESULT module=signed.ko name=hello result=loaded'
echo 'MODSIGN-RESULT module=unsigned.ko name=hello result=EKEYREJECTED errno=129'
echo 'MODSIGN-DMESG module=unsigned.ko <3> Loading of unsigned module is rejected'
echo 'MODSIGN-KEY 1 I------ 1 perm 1f030000 0 0 asymmetri Out of tree build key: be47'
echo 'MODSIGN-DONE results=2'`

func testConfig(t *testing.T, qemu string, args ...string) *config {
	t.Helper()
	dir := t.TempDir()
	k := filepath.Join(dir, "bzImage")
	i := filepath.Join(dir, "initramfs.cpio.gz")
	for _, p := range []string{k, i} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TEST_UNDECLARED_OUTPUTS_DIR", dir)
	cfg, err := parseFlags(append([]string{"--qemu", qemu, "--kernel", k, "--initramfs", i}, args...))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunPasses(t *testing.T) {
	cfg := testConfig(t, fakeQEMU(t, "exit 3", goodRun), "--accel", "tcg",
		"--expect-loaded", "signed.ko", "--expect-rejected", "unsigned=EKEYREJECTED", "--expect-key", "Out of tree build key")
	var out bytes.Buffer
	if err := run(cfg, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "PASS") {
		t.Errorf("output %q lacks PASS", out.String())
	}
	log, err := os.ReadFile(cfg.serialLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "MODSIGN-DONE") {
		t.Errorf("serial log lacks the guest's lines: %q", log)
	}
}

func TestRunFailsAndQuotes(t *testing.T) {
	cfg := testConfig(t, fakeQEMU(t, "exit 3", goodRun), "--accel", "tcg",
		"--expect-loaded", "unsigned.ko")
	err := run(cfg, &bytes.Buffer{})
	if err == nil {
		t.Fatal("run passed, want failure")
	}
	for _, w := range []string{"expected loaded, got EKEYREJECTED", "MODSIGN-RESULT module=unsigned.ko", "Loading of unsigned module is rejected"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestKVMProbeFallsBackToTCG(t *testing.T) {
	cfg := testConfig(t, fakeQEMU(t, "echo SeaBIOS; exec sleep 30", goodRun), "--kvm-probe", "300ms",
		"--expect-loaded", "signed.ko")
	cfg.kvmUsable = func() bool { return true }
	var out bytes.Buffer
	start := time.Now()
	if err := run(cfg, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("fallback took %s", d)
	}
	if !strings.Contains(out.String(), "falling back to TCG") || !strings.Contains(out.String(), "tcg boot finished") {
		t.Errorf("output %q does not show the fallback", out.String())
	}
}

func TestTimeout(t *testing.T) {
	cfg := testConfig(t, fakeQEMU(t, "exit 3", "echo MODSIGN-INIT start; exec sleep 30"), "--accel", "tcg", "--timeout", "500ms")
	start := time.Now()
	err := run(cfg, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("run = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("timeout took %s", d)
	}
}

func TestGuestWithoutDone(t *testing.T) {
	cfg := testConfig(t, fakeQEMU(t, "exit 3", "echo MODSIGN-INIT start; echo 'Kernel panic - not syncing: boom'"), "--accel", "tcg")
	err := run(cfg, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "did not finish") || !strings.Contains(err.Error(), "Kernel panic") {
		t.Fatalf("run = %v, want an unfinished-guest failure quoting the panic", err)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "k")
	os.WriteFile(k, []byte("x"), 0o644)
	for _, args := range [][]string{
		{},
		{"--kernel", k, "--initramfs", filepath.Join(dir, "missing")},
		{"--kernel", k, "--initramfs", k, "--expect-rejected", "hello.ko"},
		{"--kernel", k, "--initramfs", k, "--expect-rejected", "a=EKEYREJECTED", "--expect-loaded", "a"},
		{"--kernel", k, "--initramfs", k, "--accel", "hvf"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}
