package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/pkcs11"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// softHSM is a SoftHSM2 token created by a test in its own temporary directory.
type softHSM struct {
	lib, conf, label, pin string
}

// softHSMLibs are where Debian puts SoftHSM2's PKCS#11 library.
var softHSMLibs = []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"}

// newSoftHSM initialises a fresh token; SOFTHSM2_CONF points at it for the
// rest of the test. A missing softhsm2 skips the test, or fails it under CI.
func newSoftHSM(t *testing.T) *softHSM {
	t.Helper()
	if !pkcs11.Available {
		t.Fatal("this test binary was built without cgo, so it cannot load a PKCS#11 library")
	}
	util := oracle.Find(t, "softhsm2-util", "`apt-get install softhsm2`")
	h := &softHSM{label: "modsign-test", pin: "4321"}
	for _, l := range softHSMLibs {
		if _, err := os.Stat(l); err == nil {
			h.lib = l
		}
	}
	if h.lib == "" {
		oracle.Find(t, softHSMLibs[0], "`apt-get install softhsm2`")
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "tokens"), 0o700)
	h.conf = write(t, filepath.Join(dir, "softhsm2.conf"), []byte(fmt.Sprintf(
		"directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", dir)))
	t.Setenv("SOFTHSM2_CONF", h.conf)
	if out, err := exec.Command(util, "--init-token", "--free", "--label", h.label, "--pin", h.pin, "--so-pin", "87654321").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	return h
}

// importKey imports a private key file (converted to PKCS#8) into the token.
func (h *softHSM) importKey(t *testing.T, keyFile, label, hexID string) {
	t.Helper()
	k, err := keys.LoadSigner(keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	p8 := write(t, filepath.Join(t.TempDir(), "k.p8.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if out, err := exec.Command(oracle.Find(t, "softhsm2-util", "`apt-get install softhsm2`"), "--import", p8, "--token", h.label, "--label", label, "--id", hexID, "--pin", h.pin).CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util --import: %v\n%s", err, out)
	}
}

func (h *softHSM) uri(object string) string {
	return fmt.Sprintf("pkcs11:token=%s;object=%s?module-path=%s", h.label, object, h.lib)
}

// signFileOracles are the kernel's sign-file builds this machine has:
// bookworm's 6.1 (OpenSSL 3.0) on the host, sid's 7.2 (OpenSSL 3.6) in the chroot.
func signFileOracles(t *testing.T) []string {
	var out []string
	if _, err := os.Stat(signFile); err == nil {
		out = append(out, signFile)
	}
	m, _ := filepath.Glob("/usr/lib/linux-kbuild-7.*/scripts/sign-file")
	out = append(out, m...)
	if len(out) == 0 {
		if oracle.Required() {
			t.Fatalf("no sign-file oracle under CI: install linux-kbuild-6.1 (host) or linux-kbuild-7.2 (chroot)")
		}
		t.Skip("!!! SKIPPING: no sign-file oracle (linux-kbuild-6.1 or linux-kbuild-7.2)")
	}
	return out
}

// TestPKCS11ImportedKeyMatchesSignFile: an RSA key imported into a SoftHSM2
// token signs byte-identically to sign-file with the same key as a file,
// through `modsign sign` and the `sign-file` drop-in; and where OpenSSL's
// pkcs11-provider is installed, sign-file itself signs through the same URI
// with the same bytes.
func TestPKCS11ImportedKeyMatchesSignFile(t *testing.T) {
	oracles := signFileOracles(t)
	h := newSoftHSM(t)
	tmp := t.TempDir()
	k := key("test-only-rsa4096.pem")
	h.importKey(t, k, "imported", "01")
	mod := write(t, filepath.Join(tmp, "m.ko"), read(t, testModule))
	env := map[string]string{"KBUILD_SIGN_PIN": h.pin}
	compared := 0
	for _, hash := range []string{"sha256", "sha512"} {
		for _, keyID := range []bool{false, true} {
			name := fmt.Sprintf("%s/keyid=%v", hash, keyID)
			ref := filepath.Join(tmp, "ref.ko")
			args := []string{hash, k, k, mod, ref}
			if keyID {
				args = append([]string{"-k"}, args...)
			}
			if out, err := exec.Command(oracles[0], args...).CombinedOutput(); err != nil {
				t.Fatalf("%s: sign-file: %v\n%s", name, err, out)
			}
			want := read(t, ref)
			got := filepath.Join(tmp, "got.ko")
			sArgs := []string{"sign", "--key", h.uri("imported"), "--cert", k, "--hash", hash, "--out", got, mod}
			if keyID {
				sArgs = append(sArgs, "--keyid")
			}
			if code, _, stderr := runCLI(t, env, sArgs...); code != 0 {
				t.Fatalf("%s: modsign sign with the token: %s", name, stderr)
			}
			if !bytes.Equal(read(t, got), want) {
				t.Errorf("%s: token signature differs from sign-file's with the key file", name)
			}
			// The drop-in, with the library from the environment and the id instead of the label.
			sfEnv := map[string]string{"KBUILD_SIGN_PIN": h.pin, "MODSIGN_PKCS11_MODULE": h.lib}
			sfArgs := []string{hash, "pkcs11:token=" + h.label + ";id=%01", k, mod, got}
			if keyID {
				sfArgs = append([]string{"-k"}, sfArgs...)
			}
			if code, _, stderr := runCLI(t, sfEnv, append([]string{"sign-file"}, sfArgs...)...); code != 0 {
				t.Fatalf("%s: modsign sign-file with the token: %s", name, stderr)
			}
			if !bytes.Equal(read(t, got), want) {
				t.Errorf("%s: modsign sign-file through the token differs from sign-file", name)
			}
			compared += 2
		}
	}
	t.Logf("%d token signatures byte-identical to %s with the key file", compared, oracles[0])

	// sign-file itself through OpenSSL's pkcs11-provider, with the same URI.
	provider := ""
	if m, _ := filepath.Glob("/usr/lib/*/ossl-modules/pkcs11.so"); len(m) > 0 {
		provider = m[0]
	}
	if osr, _ := os.ReadFile("/etc/os-release"); provider == "" && bytes.Contains(osr, []byte("sid")) && oracle.Required() {
		t.Fatal("ORACLE MISSING: OpenSSL's pkcs11-provider (`apt-get install pkcs11-provider`), needed to compare with sid's sign-file through a pkcs11: URI")
	}
	for _, o := range oracles {
		if provider == "" || !strings.Contains(o, "linux-kbuild-7") {
			t.Logf("sign-file %s with a pkcs11: URI: not tried (needs sid's sign-file and pkcs11-provider; provider %q)", o, provider)
			continue
		}
		// sign-file loads the provider by name; its library and the token PIN come from an
		// OpenSSL configuration (with KBUILD_SIGN_PIN alone, provider 1.3 prompts on the
		// terminal instead and ends up with the public key).
		pinFile := write(t, filepath.Join(tmp, "pin"), []byte(h.pin))
		cnf := write(t, filepath.Join(tmp, "openssl.cnf"), []byte(fmt.Sprintf(`openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
pkcs11 = pkcs11_sect
[default_sect]
activate = 1
[pkcs11_sect]
pkcs11-module-path = %s
pkcs11-module-token-pin = file:%s
activate = 1
`, h.lib, pinFile)))
		ref := filepath.Join(tmp, "provider.ko")
		cmd := exec.Command(o, "sha512", "pkcs11:token="+h.label+";object=imported;type=private", k, mod, ref)
		cmd.Env = append(os.Environ(), "OPENSSL_CONF="+cnf, "SOFTHSM2_CONF="+h.conf)
		cmd.Stdin = nil
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s through pkcs11-provider: %v\n%s", o, err, out)
		}
		got := filepath.Join(tmp, "got-provider.ko")
		if code, _, stderr := runCLI(t, env, "sign", "--key", h.uri("imported"), "--cert", k, "--out", got, mod); code != 0 {
			t.Fatal(stderr)
		}
		if !bytes.Equal(read(t, got), read(t, ref)) {
			t.Errorf("modsign through the token differs from %s through pkcs11-provider with the same URI", o)
		} else {
			t.Logf("byte-identical to %s through OpenSSL's pkcs11-provider (%s)", o, provider)
		}
	}
}

// TestPKCS11GeneratedKey: `modsign keygen` makes a non-extractable key pair
// inside the token and a certificate signed there; modules signed with it
// verify, the certificate is found in the token, and a tampered module is refused.
func TestPKCS11GeneratedKey(t *testing.T) {
	h := newSoftHSM(t)
	tmp := t.TempDir()
	pinFile := write(t, filepath.Join(tmp, "pin"), []byte(h.pin+"\n"))
	for _, typ := range []string{"rsa2048", "ecdsa-p384"} {
		uri := h.uri("gen-" + typ)
		cert := filepath.Join(tmp, typ+".crt")
		if code, _, stderr := runCLI(t, nil, "keygen", "--cn", "HSM "+typ, "--type", typ, "--key", uri, "--pin-file", pinFile, "--cert", cert, "--store-cert"); code != 0 {
			t.Fatalf("%s: keygen in the token: %s", typ, stderr)
		}
		// The key is in the token, sensitive and not extractable; no key file was written.
		pin := h.pin
		k, err := pkcs11.Open(uri, pkcs11.Options{PIN: &pin})
		if err != nil {
			t.Fatal(err)
		}
		extractable, sensitive, err := k.Extractable()
		k.Close()
		if err != nil || extractable || !sensitive {
			t.Errorf("%s: CKA_EXTRACTABLE=%v CKA_SENSITIVE=%v (%v); want a non-extractable, sensitive key", typ, extractable, sensitive, err)
		}
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			if bytes.Contains(read(t, filepath.Join(tmp, e.Name())), []byte("PRIVATE KEY")) {
				t.Errorf("%s: keygen in a token wrote a private key to %s", typ, e.Name())
			}
		}
		// Sign without --cert: the certificate comes from the token; the PIN from pin-source.
		out := filepath.Join(tmp, typ+".ko")
		if code, _, stderr := runCLI(t, nil, "sign", "--key", uri+"&pin-source="+pinFile, "--out", out, testModule); code != 0 {
			t.Fatalf("%s: sign: %s", typ, stderr)
		}
		c, err := keys.LoadCertificate(cert)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sign.Verify(read(t, out), []*x509.Certificate{c}); err != nil {
			t.Errorf("%s: the token's signature does not verify: %v", typ, err)
		}
		bad := read(t, out)
		bad[200] ^= 1
		if _, err := sign.Verify(bad, []*x509.Certificate{c}); err == nil {
			t.Errorf("%s: a tampered module verified", typ)
		}
		// A second keygen with the same label is refused.
		if code, _, stderr := runCLI(t, map[string]string{"KBUILD_SIGN_PIN": h.pin}, "keygen", "--cn", "x", "--type", typ, "--key", uri, "--cert", filepath.Join(tmp, "x.crt")); code == 0 || !strings.Contains(stderr, "already holds") {
			t.Errorf("%s: keygen over an existing key: exit %d, %s", typ, code, stderr)
		}
	}
}

// TestPKCS11Errors: missing and wrong PINs, unknown objects, no library, a
// PIN in the URI that must not be echoed, and a key that does not match the certificate.
func TestPKCS11Errors(t *testing.T) {
	h := newSoftHSM(t)
	k := key("test-only-rsa2048.pem")
	h.importKey(t, k, "imported", "02")
	out := filepath.Join(t.TempDir(), "out.ko")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"no PIN", nil, []string{"--key", h.uri("imported"), "--cert", k}, []string{"requires a PIN", "KBUILD_SIGN_PIN"}},
		{"wrong PIN", map[string]string{"KBUILD_SIGN_PIN": "0000"}, []string{"--key", h.uri("imported"), "--cert", k}, []string{"refused the PIN"}},
		{"unknown object", map[string]string{"KBUILD_SIGN_PIN": h.pin}, []string{"--key", h.uri("nothere"), "--cert", k}, []string{"no private key matches", "object=imported"}},
		{"no library", map[string]string{"KBUILD_SIGN_PIN": h.pin}, []string{"--key", "pkcs11:token=" + h.label + ";object=imported", "--cert", k}, []string{"no PKCS#11 library", "module-path"}},
		{"unknown token", map[string]string{"KBUILD_SIGN_PIN": h.pin}, []string{"--key", "pkcs11:token=other;object=imported?module-path=" + h.lib, "--cert", k}, []string{"no token matches", "modsign-test"}},
		{"pin-value not echoed", nil, []string{"--key", h.uri("nothere") + "&pin-value=" + h.pin, "--cert", k}, []string{"pin-value=REDACTED"}},
		{"wrong certificate", map[string]string{"KBUILD_SIGN_PIN": h.pin}, []string{"--key", h.uri("imported"), "--cert", key("test-only-other-rsa2048.pem")}, []string{"does not match"}},
		{"no certificate in the token", map[string]string{"KBUILD_SIGN_PIN": h.pin}, []string{"--key", h.uri("imported")}, []string{"holds no certificate", "--cert"}},
		{"bad URI", nil, []string{"--key", "pkcs11:tokne=x;object=y", "--cert", k}, []string{"unknown path attribute \"tokne\""}},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, c.env, append(append([]string{"sign"}, c.args...), "--out", out, testModule)...)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1; %s", c.name, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, stderr, w)
			}
		}
		if strings.Contains(stderr, "pin-value="+h.pin) {
			t.Errorf("%s: the PIN was printed: %s", c.name, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s: %s was written", c.name, out)
		}
	}
}
