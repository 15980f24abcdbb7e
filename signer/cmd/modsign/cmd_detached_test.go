package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// TestDigestAttachRoundTrip signs outside modsign with `openssl pkeyutl` and
// compares the attached result byte for byte with the kernel's sign-file,
// for RSA-2048 and RSA-4096, three digests, both signer identifiers, one
// module at a time (--out) and many through a digest and signature list.
func TestDigestAttachRoundTrip(t *testing.T) {
	sf := oracle.Find(t, signFile, "`apt-get install linux-kbuild-6.1`")
	openssl := oracle.Find(t, "openssl", "`apt-get install openssl`")
	tmp := t.TempDir()
	// Two different modules in a list: the checked-in one and a copy with other bytes.
	mods := []string{testModule, filepath.Join(tmp, "other.ko")}
	other := read(t, testModule)
	other[len(other)/2] ^= 0xff
	write(t, mods[1], other)
	compared := 0
	for _, k := range []string{key("test-only-rsa2048.pem"), key("test-only-rsa4096.pem")} {
		for _, hash := range []string{"sha256", "sha384", "sha512"} {
			for _, keyID := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/keyid=%v", filepath.Base(k), hash, keyID)
				dir := filepath.Join(tmp, strings.ReplaceAll(name, "/", "_"))
				os.MkdirAll(filepath.Join(dir, "out"), 0o755)
				list := filepath.Join(dir, "digests")
				if code, _, stderr := runCLI(t, nil, "digest", "--hash", hash, "--list", list, mods[0], mods[1]); code != 0 {
					t.Fatalf("%s: digest: %s", name, stderr)
				}
				entries, err := sign.ParseList(read(t, list))
				if err != nil || len(entries) != 2 {
					t.Fatalf("%s: digest list: %v (%d entries)", name, err, len(entries))
				}
				// The outside signer: openssl pkeyutl, one digest at a time.
				var sigs []sign.ListEntry
				for _, en := range entries {
					if en.Kind != "digest:"+hash {
						t.Fatalf("%s: kind %q", name, en.Kind)
					}
					in := write(t, filepath.Join(dir, en.Name+".digest"), en.Data)
					sigFile := filepath.Join(dir, en.Name+".sig")
					if out, err := exec.Command(openssl, "pkeyutl", "-sign", "-inkey", k, "-pkeyopt", "digest:"+hash,
						"-in", in, "-out", sigFile).CombinedOutput(); err != nil {
						t.Fatalf("%s: openssl pkeyutl: %v\n%s", name, err, out)
					}
					sigs = append(sigs, sign.ListEntry{Kind: "sig", Data: read(t, sigFile), Name: en.Name})
				}
				var sl bytes.Buffer
				sign.WriteList(&sl, "# signatures\n", sigs)
				sigList := write(t, filepath.Join(dir, "sigs"), sl.Bytes())
				args := []string{"attach", "--cert", k, "--hash", hash, "--sigs", sigList, "--out-dir", filepath.Join(dir, "out"), mods[0], mods[1]}
				if keyID {
					args = append(args, "--keyid")
				}
				if code, _, stderr := runCLI(t, nil, args...); code != 0 {
					t.Fatalf("%s: attach: %s", name, stderr)
				}
				// One module through --sig/--out, as a release engineer would by hand.
				single := filepath.Join(dir, "single.ko")
				args = []string{"attach", "--cert", k, "--hash", hash, "--sig", filepath.Join(dir, "nhc_hop.ko.sig"), "--out", single, mods[0]}
				if keyID {
					args = append(args, "--keyid")
				}
				if code, _, stderr := runCLI(t, nil, args...); code != 0 {
					t.Fatalf("%s: attach --sig: %s", name, stderr)
				}
				for i, m := range mods {
					ref := filepath.Join(dir, fmt.Sprintf("ref%d.ko", i))
					sfArgs := []string{hash, k, k, m, ref}
					if keyID {
						sfArgs = append([]string{"-k"}, sfArgs...)
					}
					if out, err := exec.Command(sf, sfArgs...).CombinedOutput(); err != nil {
						t.Fatalf("%s: sign-file: %v\n%s", name, err, out)
					}
					got := read(t, filepath.Join(dir, "out", filepath.Base(m)))
					if !bytes.Equal(got, read(t, ref)) {
						t.Errorf("%s: %s: attach differs from sign-file (%d vs %d bytes)", name, filepath.Base(m), len(got), len(read(t, ref)))
					}
					compared++
					if i == 0 && !bytes.Equal(read(t, single), read(t, ref)) {
						t.Errorf("%s: attach --sig differs from sign-file", name)
					}
				}
			}
		}
	}
	t.Logf("%d modules attached from openssl pkeyutl signatures, byte-identical to %s", compared, sf)
}

// TestAttachCMSLikeSignFileS: a complete DER PKCS#7 message (sign-file -d's
// .p7s) is appended verbatim, as sign-file -s does.
func TestAttachCMSLikeSignFileS(t *testing.T) {
	sf := oracle.Find(t, signFile, "`apt-get install linux-kbuild-6.1`")
	tmp := t.TempDir()
	k := key("test-only-rsa2048.pem")
	m := write(t, filepath.Join(tmp, "m.ko"), read(t, testModule))
	if out, err := exec.Command(sf, "-d", "sha256", k, k, m).CombinedOutput(); err != nil {
		t.Fatalf("sign-file -d: %v\n%s", err, out)
	}
	ref := filepath.Join(tmp, "ref.ko")
	if out, err := exec.Command(sf, "-s", m+".p7s", "sha256", k, m, ref).CombinedOutput(); err != nil {
		t.Fatalf("sign-file -s: %v\n%s", err, out)
	}
	got := filepath.Join(tmp, "got.ko")
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", k, "--hash", "sha256", "--sig", m+".p7s", "--out", got, m); code != 0 {
		t.Fatalf("attach: %s", stderr)
	}
	if !bytes.Equal(read(t, got), read(t, ref)) {
		t.Errorf("attach of a PKCS#7 message differs from sign-file -s")
	}
	// A PKCS#7 message from another key is refused, and nothing is written.
	other := key("test-only-other-rsa2048.pem")
	bad := filepath.Join(tmp, "bad.ko")
	code, _, stderr := runCLI(t, nil, "attach", "--cert", other, "--hash", "sha256", "--sig", m+".p7s", "--out", bad, m)
	if code != 1 || !strings.Contains(stderr, "ENOKEY") {
		t.Errorf("attach with the wrong certificate: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Errorf("attach wrote %s although the signature was refused", bad)
	}
}

// TestAttachRefusesBadSignatures: wrong key, tampered module, truncated
// signature, missing list entry, and a signed module; every refusal names the
// file and leaves every input and output untouched.
func TestAttachRefusesBadSignatures(t *testing.T) {
	tmp := t.TempDir()
	mod := read(t, testModule)
	m := write(t, filepath.Join(tmp, "m.ko"), mod)
	k := key("test-only-rsa2048.pem")
	priv, err := keys.LoadSigner(k, nil)
	if err != nil {
		t.Fatal(err)
	}
	dgst := filepath.Join(tmp, "d")
	if code, _, stderr := runCLI(t, nil, "digest", "--out", dgst, m); code != 0 {
		t.Fatal(stderr)
	}
	hs, _ := sign.ToBeSigned(mod, "sha512", "", false)
	if !bytes.Equal(read(t, dgst), hs) {
		t.Fatalf("digest --out wrote %x, want %x", read(t, dgst), hs)
	}
	sig, err := priv.Sign(nil, hs, crypto.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	good := write(t, filepath.Join(tmp, "good.sig"), sig)
	ecKey := key("test-only-ecdsa-p384.pem")
	tampered := write(t, filepath.Join(tmp, "tampered.ko"), append(append([]byte{}, mod[:100]...), append([]byte{mod[100] ^ 1}, mod[101:]...)...))
	cases := []struct {
		name, cert, sig, module, want string
	}{
		{"wrong key", key("test-only-other-rsa2048.pem"), good, m, "does not verify"},
		{"ECDSA certificate, RSA signature", ecKey, good, m, "does not verify"},
		{"tampered module", k, good, tampered, "does not verify"},
		{"truncated", k, write(t, filepath.Join(tmp, "short.sig"), sig[:100]), m, "is 256 bytes, this one is 100"},
		{"hex instead of binary", k, write(t, filepath.Join(tmp, "hex.sig"), []byte(fmt.Sprintf("%x", sig))), m, "decoded to binary"},
	}
	for _, c := range cases {
		out := filepath.Join(tmp, "out.ko")
		code, _, stderr := runCLI(t, nil, "attach", "--cert", c.cert, "--sig", c.sig, "--out", out, c.module)
		if code != 1 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, c.module) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 naming %s and %q", c.name, code, stderr, c.module, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: %s was written", c.name, out)
		}
	}
	// In place: the module is only replaced once the signature checks out.
	if code, _, _ := runCLI(t, nil, "attach", "--cert", k, "--sig", good, tampered); code != 1 {
		t.Errorf("in-place attach to a tampered module succeeded")
	}
	if !bytes.Equal(read(t, m), mod) {
		t.Errorf("a refused attach changed its input")
	}
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", k, "--sig", good, m); code != 0 {
		t.Fatalf("in-place attach: %s", stderr)
	}
	// Now m is signed: digest and attach refuse it without --replace.
	if code, _, stderr := runCLI(t, nil, "digest", m); code != 1 || !strings.Contains(stderr, "already signed") {
		t.Errorf("digest of a signed module: exit %d, %s", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, nil, "digest", "--replace", m); code != 0 || !strings.Contains(stdout, fmt.Sprintf("digest:sha512 %x m.ko", hs)) {
		t.Errorf("digest --replace of a signed module: exit %d, %s%s", code, stdout, stderr)
	}
	// A signature list without the module's entry.
	sl := write(t, filepath.Join(tmp, "sigs"), []byte(fmt.Sprintf("sig %x other.ko\n", sig)))
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", k, "--sigs", sl, "--replace", "--out-dir", tmp, m); code != 1 || !strings.Contains(stderr, "no signature for") {
		t.Errorf("missing list entry: exit %d, %s", code, stderr)
	}
	// A digest list given as signature list.
	dl := filepath.Join(tmp, "dl")
	runCLI(t, nil, "digest", "--replace", "--list", dl, m)
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", k, "--sigs", dl, "--replace", "--out-dir", tmp, m); code != 1 || !strings.Contains(stderr, "digest list") {
		t.Errorf("digest list as signature list: exit %d, %s", code, stderr)
	}
}

// TestAttachECDSA: an ECDSA signature made elsewhere over the digest
// (randomised, as openssl makes it) verifies with the kernel's rules.
func TestAttachECDSA(t *testing.T) {
	openssl := oracle.Find(t, "openssl", "`apt-get install openssl`")
	tmp := t.TempDir()
	k := key("test-only-ecdsa-p384.pem")
	d := filepath.Join(tmp, "d")
	if code, _, stderr := runCLI(t, nil, "digest", "--hash", "sha384", "--out", d, testModule); code != 0 {
		t.Fatal(stderr)
	}
	s := filepath.Join(tmp, "s")
	if out, err := exec.Command(openssl, "pkeyutl", "-sign", "-inkey", k, "-in", d, "-out", s).CombinedOutput(); err != nil {
		t.Fatalf("openssl pkeyutl: %v\n%s", err, out)
	}
	out := filepath.Join(tmp, "signed.ko")
	if code, _, stderr := runCLI(t, nil, "attach", "--cert", k, "--hash", "sha384", "--sig", s, "--out", out, testModule); code != 0 {
		t.Fatalf("attach: %s", stderr)
	}
	cert, _ := keys.LoadCertificate(k)
	if _, err := sign.Verify(read(t, out), []*x509.Certificate{cert}); err != nil {
		t.Errorf("verify refused the attached ECDSA signature: %v", err)
	}
}
