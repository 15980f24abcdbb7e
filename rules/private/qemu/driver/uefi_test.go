package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A Secure Boot guest as Debian's 6.1 reports it, with the MOK "MOK test key"
// (SKID 0a1b2c3d) in .machine. The fake QEMU checks the firmware flags first.
const uefiRun = `case "$*" in *'-machine q35,smm=on'*'property=secure,value=on'*'if=pflash,format=raw,unit=0,readonly=on'*'snapshot=on'*) ;; *) echo "bad args: $*"; exit 4;; esac
echo 'BdsDxe: loading Boot0001'
echo 'MODSIGN-INIT start'
echo 'MODSIGN-LOCKDOWN none [integrity] confidentiality'
echo 'MODSIGN-SIGENFORCE Y'
echo 'MODSIGN-SECUREBOOT 1'
echo 'MODSIGN-KEYRING .machine asymmetric MOK test key: 0a1b2c3d'
echo 'MODSIGN-RESULT module=signed.ko name=hello result=loaded'
echo 'MODSIGN-DONE results=1'`

// writeCert writes a self-signed PEM certificate with CN cn and SKID skid.
func writeCert(t *testing.T, dir, cn string, skid []byte) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<32, 0),
		SubjectKeyId: skid,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, strings.ReplaceAll(cn, " ", "_")+".pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func uefiConfigFor(t *testing.T, qemu string, args ...string) *config {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, n := range []string{"code.fd", "vars.fd", "esp.img"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	t.Setenv("TEST_UNDECLARED_OUTPUTS_DIR", dir)
	t.Setenv("TEST_TMPDIR", dir)
	cfg, err := parseFlags(append([]string{"--qemu", qemu, "--uefi-code", files[0], "--uefi-vars", files[1], "--uefi-disk", files[2]}, args...))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestUEFIRunPasses(t *testing.T) {
	cert := writeCert(t, t.TempDir(), "MOK test key", []byte{0x0a, 0x1b, 0x2c, 0x3d})
	cfg := uefiConfigFor(t, fakeQEMU(t, "exit 3", uefiRun), "--accel", "tcg",
		"--expect-loaded", "signed.ko", "--expect-secure-boot", "--expect-lockdown", "any", "--expect-sig-enforce",
		"--expect-keyring", ".machine="+cert)
	var out bytes.Buffer
	if err := run(cfg, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "PASS: Secure Boot 1, lockdown none [integrity] confidentiality, sig_enforce Y, 1 keyring memberships") {
		t.Errorf("output %q lacks the Secure Boot PASS line", out.String())
	}
	// The varstore copy is gone, the original untouched.
	if m, _ := filepath.Glob(filepath.Join(os.Getenv("TEST_TMPDIR"), "uefi-vars-*")); len(m) != 0 {
		t.Errorf("varstore copies left behind: %q", m)
	}
	if b, _ := os.ReadFile(cfg.uefi.vars); string(b) != "vars.fd" {
		t.Errorf("the varstore input changed: %q", b)
	}
}

func TestUEFIKeyringAndLockdownFailures(t *testing.T) {
	dir := t.TempDir()
	other := writeCert(t, dir, "MOK test key", []byte{0xff, 0xee})
	cfg := uefiConfigFor(t, fakeQEMU(t, "exit 3", strings.Replace(uefiRun, "none [integrity]", "[none] integrity", 1)), "--accel", "tcg",
		"--expect-lockdown", "integrity", "--expect-keyring", ".machine="+other)
	err := run(cfg, &bytes.Buffer{})
	if err == nil {
		t.Fatal("run passed, want failures")
	}
	for _, w := range []string{
		"2 expectation(s) failed",
		"not locked down: MODSIGN-LOCKDOWN [none] integrity confidentiality",
		"certificate MOK_test_key.pem (MOK test key, ffee) is not in the .machine keyring",
		"MODSIGN-KEYRING .machine asymmetric MOK test key: 0a1b2c3d",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

// KVM without SMM support makes QEMU exit at once: the driver boots with TCG.
func TestUEFIKVMExitFallsBackToTCG(t *testing.T) {
	cfg := uefiConfigFor(t, fakeQEMU(t, "echo 'System Management Mode not supported by this hypervisor' >&2; exit 1", uefiRun),
		"--expect-loaded", "signed.ko", "--expect-secure-boot")
	cfg.kvmUsable = func() bool { return true }
	var out bytes.Buffer
	if err := run(cfg, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "falling back to TCG") || !strings.Contains(out.String(), "tcg boot finished") {
		t.Errorf("output %q does not show the fallback", out.String())
	}
}

func TestUEFIFlagErrors(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	os.WriteFile(f, []byte("x"), 0o644)
	notCert := filepath.Join(dir, "not.pem")
	os.WriteFile(notCert, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o644)
	uefi := []string{"--uefi-code", f, "--uefi-vars", f, "--uefi-disk", f}
	for _, args := range [][]string{
		{"--uefi-code", f, "--uefi-vars", f},
		append([]string{"--kernel", f, "--initramfs", f}, uefi...),
		append([]string{"--append", "quiet"}, uefi...),
		append([]string{"--expect-lockdown", "total"}, uefi...),
		append([]string{"--expect-keyring", "machine=" + f}, uefi...),
		append([]string{"--expect-keyring", ".machine=" + filepath.Join(dir, "missing.pem")}, uefi...),
		append([]string{"--expect-keyring", ".machine=" + notCert}, uefi...),
		{"--uefi-code", f, "--uefi-vars", f, "--uefi-disk", filepath.Join(dir, "missing.img")},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}

func TestKeyMatch(t *testing.T) {
	dir := t.TempDir()
	p := writeCert(t, dir, "Out of tree build key", []byte{0xbe, 0x47})
	m, err := keyMatch(p)
	if err != nil || len(m) != 2 || m[0] != "Out of tree build key" || m[1] != "be47" {
		t.Errorf("keyMatch(PEM) = %q, %v", m, err)
	}
	b, _ := os.ReadFile(p)
	blk, _ := pem.Decode(b)
	der := filepath.Join(dir, "c.der")
	os.WriteFile(der, blk.Bytes, 0o644)
	if m2, err := keyMatch(der); err != nil || strings.Join(m2, "|") != strings.Join(m, "|") {
		t.Errorf("keyMatch(DER) = %q, %v", m2, err)
	}
}

func TestExpectDmesg(t *testing.T) {
	run1 := goodRun
	cfg := testConfig(t, fakeQEMU(t, "exit 3", run1), "--accel", "tcg",
		"--expect-rejected", "unsigned.ko=EKEYREJECTED", "--expect-dmesg", "unsigned.ko=Loading of unsigned module is rejected")
	if err := run(cfg, &bytes.Buffer{}); err != nil {
		t.Fatalf("run: %v", err)
	}
	cfg = testConfig(t, fakeQEMU(t, "exit 3", run1), "--accel", "tcg",
		"--expect-dmesg", "unsigned.ko=Loading of module with unavailable key is rejected")
	err := run(cfg, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `no kernel log line contains "Loading of module with unavailable key is rejected"`) {
		t.Fatalf("run = %v, want a kernel log failure", err)
	}
	if _, err := parseFlags([]string{"--kernel", cfg.kernel, "--initramfs", cfg.initramfs, "--expect-dmesg", "unsigned.ko"}); err == nil {
		t.Error("parseFlags accepted --expect-dmesg without text")
	}
}
