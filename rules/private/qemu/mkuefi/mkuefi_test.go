package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePE writes a minimal PE32+ image whose certificate table (data
// directory 4) has the given size: 0 is an unsigned image.
func writePE(t *testing.T, path string, certSize uint32) {
	t.Helper()
	var b bytes.Buffer
	dos := make([]byte, 0x40)
	copy(dos, "MZ")
	binary.LittleEndian.PutUint32(dos[0x3c:], 0x40)
	b.Write(dos)
	b.WriteString("PE\x00\x00")
	// COFF header: x86-64, no sections, a PE32+ optional header of 240 bytes.
	coff := make([]byte, 20)
	binary.LittleEndian.PutUint16(coff[0:], 0x8664)
	binary.LittleEndian.PutUint16(coff[16:], 240)
	binary.LittleEndian.PutUint16(coff[18:], 0x22)
	b.Write(coff)
	opt := make([]byte, 240)
	binary.LittleEndian.PutUint16(opt[0:], 0x20b)
	binary.LittleEndian.PutUint32(opt[108:], 16) // NumberOfRvaAndSizes
	// Data directory 4 (security) starts at 112 + 4*8.
	binary.LittleEndian.PutUint32(opt[112+4*8:], 0x200)
	binary.LittleEndian.PutUint32(opt[112+4*8+4:], certSize)
	b.Write(opt)
	b.Write(make([]byte, 4096))
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckSigned(t *testing.T) {
	dir := t.TempDir()
	signed := filepath.Join(dir, "signed.efi")
	writePE(t, signed, 0x300)
	if err := checkSigned(signed, "kernel image"); err != nil {
		t.Errorf("checkSigned(signed) = %v", err)
	}
	unsigned := filepath.Join(dir, "bzImage")
	writePE(t, unsigned, 0)
	err := checkSigned(unsigned, "kernel image")
	if err == nil || !strings.Contains(err.Error(), "kernel image "+unsigned+" is not EFI-signed") {
		t.Errorf("checkSigned(unsigned) = %v, want a not-EFI-signed error naming the file", err)
	}
	text := filepath.Join(dir, "grub.cfg")
	os.WriteFile(text, []byte("set timeout=0\n"), 0o644)
	if err := checkSigned(text, "grub"); err == nil || !strings.Contains(err.Error(), "is not a PE/EFI image") {
		t.Errorf("checkSigned(text) = %v", err)
	}
}

func TestFatSize(t *testing.T) {
	if got := fatSize(1000); got != minFAT32 {
		t.Errorf("fatSize(1000) = %d, want the FAT32 minimum %d", got, minFAT32)
	}
	got := fatSize(100 * mib)
	if got < 100*mib || got%mib != 0 {
		t.Errorf("fatSize(100 MiB) = %d: too small or not whole MiB", got)
	}
}

func TestGrubConfig(t *testing.T) {
	cfg := grubConfig("console=ttyS0 rdinit=/init")
	for _, w := range []string{"set timeout=0", "linux /vmlinuz console=ttyS0 rdinit=/init\n", "initrd /initrd.img\n"} {
		if !strings.Contains(cfg, w) {
			t.Errorf("grub.cfg lacks %q:\n%s", w, cfg)
		}
	}
}

// need returns a tool's path; without it the test is skipped, or fails under
// CI or Bazel, where the tools are provisioned.
func need(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := tool(name, pkg)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" || os.Getenv("TEST_SRCDIR") != "" {
		t.Fatal(err)
	}
	t.Skipf("!!! SKIPPING: %s is missing; install %s to run this test", name, pkg)
	return ""
}

func espInputs(t *testing.T, dir string) espOptions {
	o := espOptions{
		shim: filepath.Join(dir, "shim.efi"), grub: filepath.Join(dir, "grub.efi"),
		kernel: filepath.Join(dir, "vmlinuz"), initramfs: filepath.Join(dir, "initrd"),
		cmdline: defaultCmdline,
	}
	writePE(t, o.shim, 0x100)
	writePE(t, o.grub, 0x100)
	writePE(t, o.kernel, 0x100)
	os.WriteFile(o.initramfs, []byte("initramfs"), 0o644)
	return o
}

func TestBuildESP(t *testing.T) {
	need(t, "mformat", "mtools")
	sfdisk := need(t, "sfdisk", "fdisk")
	mtype := need(t, "mtype", "mtools")
	dir := t.TempDir()
	o := espInputs(t, dir)
	o.out = filepath.Join(dir, "esp.img")
	if err := buildESP(o); err != nil {
		t.Fatalf("buildESP: %v", err)
	}
	dump, err := exec.Command(sfdisk, "--dump", o.out).CombinedOutput()
	if err != nil {
		t.Fatalf("sfdisk --dump: %v\n%s", err, dump)
	}
	if !strings.Contains(string(dump), "label: gpt") || !strings.Contains(string(dump), "start=        2048") || !strings.Contains(string(dump), "type="+espTypeGUID) {
		t.Errorf("partition table:\n%s", dump)
	}
	// The files, read back from the partition at 1 MiB.
	part := o.out + "@@1M"
	for path, want := range map[string]string{
		"::/EFI/debian/grub.cfg": "linux /vmlinuz " + defaultCmdline,
		"::/EFI/BOOT/grub.cfg":   "initrd /initrd.img",
		"::/initrd.img":          "initramfs",
	} {
		out, err := exec.Command(mtype, "-i", part, path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("mtype %s: %v: %q, want %q", path, err, out, want)
		}
	}
	for _, path := range []string{"::/EFI/BOOT/BOOTX64.EFI", "::/EFI/BOOT/grubx64.efi", "::/vmlinuz"} {
		if out, err := exec.Command(mtype, "-i", part, path).Output(); err != nil || !bytes.HasPrefix(out, []byte("MZ")) {
			t.Errorf("mtype %s: %v, %d bytes", path, err, len(out))
		}
	}
	// Deterministic: a second build gives the same bytes.
	first, _ := os.ReadFile(o.out)
	again := filepath.Join(dir, "again.img")
	o.out = again
	if err := buildESP(o); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(again); !bytes.Equal(first, second) {
		t.Error("two builds of the same ESP differ")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

func TestBuildESPRefusesUnsignedKernel(t *testing.T) {
	dir := t.TempDir()
	o := espInputs(t, dir)
	writePE(t, o.kernel, 0)
	o.out = filepath.Join(dir, "esp.img")
	err := buildESP(o)
	if err == nil || !strings.Contains(err.Error(), "is not EFI-signed") {
		t.Fatalf("buildESP = %v, want a not-EFI-signed error", err)
	}
	if _, err := os.Stat(o.out); !os.IsNotExist(err) {
		t.Errorf("output written despite the error: %v", err)
	}
}

func writeCert(t *testing.T, path string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "MOK"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func TestVarsArgsAndCertCheck(t *testing.T) {
	o := varsOptions{template: "T.fd", mok: listFlag{"a.pem", "b.der"}, db: listFlag{"c.pem"}}
	got := strings.Join(varsArgs(o, "out.fd"), " ")
	want := "--input T.fd --output out.fd --add-mok " + shimGUID + " a.pem --add-mok " + shimGUID + " b.der --add-db " + shimGUID + " c.pem"
	if got != want {
		t.Errorf("varsArgs = %q, want %q", got, want)
	}
	dir := t.TempDir()
	cert := filepath.Join(dir, "mok.pem")
	writeCert(t, cert)
	if err := checkCert(cert); err != nil {
		t.Errorf("checkCert(cert) = %v", err)
	}
	key := filepath.Join(dir, "mok.key")
	os.WriteFile(key, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	if err := checkCert(key); err == nil || !strings.Contains(err.Error(), "never the private key") {
		t.Errorf("checkCert(key) = %v", err)
	}
	o = varsOptions{template: filepath.Join(dir, "T.fd"), mok: listFlag{key}, out: filepath.Join(dir, "v.fd")}
	os.WriteFile(o.template, []byte("template"), 0o644)
	if err := buildVars(o); err == nil {
		t.Error("buildVars enrolled a private key")
	}
	if _, err := os.Stat(o.out); !os.IsNotExist(err) {
		t.Errorf("output written despite the error: %v", err)
	}
}

// The real virt-fw-vars enrolls a MOK: its MokList then holds the
// certificate's DER. Debian ships it from trixie on; the chroot has it.
func TestBuildVarsEnrollsMOK(t *testing.T) {
	if _, err := exec.LookPath("virt-fw-vars"); err != nil && os.Getenv("TEST_SRCDIR") == "" {
		t.Skip("!!! SKIPPING: virt-fw-vars (python3-virt-firmware, not in bookworm) is missing; bazel test //rules/private/qemu/mkuefi:mkuefi_test runs this in the chroot")
	}
	template := os.Getenv("OVMF_VARS_TEMPLATE")
	if template == "" {
		for _, p := range []string{"/usr/share/OVMF/OVMF_VARS_4M.ms.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"} {
			if _, err := os.Stat(p); err == nil {
				template = p
				break
			}
		}
	}
	if template == "" {
		t.Skip("!!! SKIPPING: no OVMF varstore template (package ovmf, or set OVMF_VARS_TEMPLATE)")
	}
	dir := t.TempDir()
	cert := filepath.Join(dir, "mok.pem")
	writeCert(t, cert)
	o := varsOptions{template: template, mok: listFlag{cert}, out: filepath.Join(dir, "vars.fd")}
	if err := buildVars(o); err != nil {
		t.Fatalf("buildVars: %v", err)
	}
	out, _ := os.ReadFile(o.out)
	b, _ := os.ReadFile(cert)
	blk, _ := pem.Decode(b)
	if !bytes.Contains(out, blk.Bytes) {
		t.Error("the varstore does not hold the certificate")
	}
	if !bytes.Contains(out, utf16("MokList")) {
		t.Error("the varstore has no MokList variable")
	}
}

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}
