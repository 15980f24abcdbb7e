package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
)

// Distribution kernels ship .ko.xz (Debian, Fedora) and .ko.zst (Ubuntu, Arch): signed, then
// compressed. verify and info read the decompressed module, as the kernel and modinfo do;
// every command that writes a signature refuses a compressed module and leaves it untouched.
func TestCompressedModules(t *testing.T) {
	xz := oracle.Find(t, "xz", "`apt-get install xz-utils`")
	modinfo := oracle.Find(t, "modinfo", "`apt-get install kmod`")
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "m.ko"), read(t, testModule))
	k := key("test-only-rsa4096.pem")
	if code, _, e := runCLI(t, nil, "sign", "--key", k, p); code != 0 {
		t.Fatal(e)
	}
	// Kbuild's modules_install: xz --check=crc32 --lzma2=dict=1MiB, after signing.
	if b, err := exec.Command(xz, "--check=crc32", "--lzma2=dict=1MiB", "-k", p).CombinedOutput(); err != nil {
		t.Fatalf("xz: %v %s", err, b)
	}
	pxz := p + ".xz"
	before := read(t, pxz)

	code, out, e := runCLI(t, nil, "verify", "--cert", k, "--json", pxz)
	var res []verifyResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || !res[0].OK || res[0].Compression != "xz" {
		t.Fatalf("verify of a signed .ko.xz: code %d %s %s", code, out, e)
	}
	// The wrong key is still refused through the compression.
	if code, out, _ := runCLI(t, nil, "verify", "--cert", key("test-only-ecdsa-p384.pem"), pxz); code != 1 || !strings.Contains(out, "ENOKEY") {
		t.Errorf("verify with another key: code %d %s", code, out)
	}

	mi, err := exec.Command(modinfo, pxz).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?ms)^sig_id:.*`).FindString(string(mi))
	if _, got, _ := runCLI(t, nil, "info", pxz); got != want || want == "" {
		t.Errorf("modsign info of the .ko.xz:\n%s\nmodinfo:\n%s", got, want)
	}

	for _, args := range [][]string{
		{"sign", "--key", k, "--replace", pxz},
		{"sign-file", "sha512", k, k, pxz},
		{"digest", pxz},
		{"strip", pxz},
	} {
		code, _, e := runCLI(t, nil, args...)
		if code == 0 || !strings.Contains(e, pxz) || !strings.Contains(e, "compressed") {
			t.Errorf("modsign %s: code %d, stderr %q; want a refusal naming the file and the compression", args[0], code, e)
		}
		if !bytes.Equal(read(t, pxz), before) {
			t.Fatalf("modsign %s changed the compressed module", args[0])
		}
	}
}
