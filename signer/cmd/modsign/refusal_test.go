package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeKeyPair writes a combined key+certificate PEM for key, made by tmpl
// (self-signed), and returns its path.
func writeKeyPair(t *testing.T, dir, name string, key crypto.Signer, tmpl *x509.Certificate) string {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	if tmpl.Subject.CommonName == "" {
		tmpl.Subject = pkix.Name{CommonName: name}
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	}
	if tmpl.SubjectKeyId == nil {
		tmpl.SubjectKeyId = []byte(name)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	k8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: k8})
	pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	p := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func genRSA(t *testing.T, bits int) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func genEC(t *testing.T, c elliptic.Curve) crypto.Signer {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSignRefusesWhatTheKernelRefuses: modsign sign --kernel LINE refuses keys
// and digests the line's kernel would refuse, names the rule, leaves the
// module alone, and signs anyway with --allow-refused.
func TestSignRefusesWhatTheKernelRefuses(t *testing.T) {
	dir := t.TempDir()
	mod := read(t, testModule)
	p521 := writeKeyPair(t, dir, "p521", genEC(t, elliptic.P521()), &x509.Certificate{})
	rsa2560 := writeKeyPair(t, dir, "rsa2560", genRSA(t, 2560), &x509.Certificate{})
	rsa2048 := key("test-only-rsa2048.pem")
	cases := []struct {
		name, key, hash, line string
		rule                  string // "" = signs
	}{
		{"P-521 for 6.1", p521, "sha512", "6.1", "ecdsa-curve"},
		{"P-521 for 7.2", p521, "sha512", "7.2", ""},
		{"RSA-2560 for 6.1", rsa2560, "sha256", "6.1", "rsa-key-size"},
		{"RSA-2560 for 7.2", rsa2560, "sha256", "7.2", "rsa-key-size"},
		{"SHA3-256 for 6.1", rsa2048, "sha3-256", "6.1", "digest-algo"},
		{"SHA3-256 for 7.2", rsa2048, "sha3-256", "7.2", ""},
	}
	for _, c := range cases {
		m := write(t, filepath.Join(dir, "m.ko"), mod)
		code, _, stderr := runCLI(t, nil, "sign", "--kernel", c.line, "--hash", c.hash, "--key", c.key, m)
		if c.rule == "" {
			if code != 0 {
				t.Errorf("%s: exit %d: %s", c.name, code, stderr)
				continue
			}
			if code, out, _ := runCLI(t, nil, "verify", "--kernel", c.line, "--cert", c.key, m); code != 0 {
				t.Errorf("%s: signed, but verify refuses it: %s", c.name, out)
			}
			continue
		}
		if code != 1 || !strings.Contains(stderr, "[rule "+c.rule+"]") || !strings.Contains(stderr, "Linux "+c.line) || !strings.Contains(stderr, "--allow-refused") {
			t.Errorf("%s: exit %d, want 1 naming rule %s: %s", c.name, code, c.rule, stderr)
		}
		if !bytes.Equal(read(t, m), mod) {
			t.Errorf("%s: the refused module was changed", c.name)
		}
		// The expert override signs, and verify agrees with the refusal.
		code, _, stderr = runCLI(t, nil, "sign", "--kernel", c.line, "--hash", c.hash, "--key", c.key, "--allow-refused", m)
		if code != 0 || !strings.Contains(stderr, "signing anyway") {
			t.Errorf("%s --allow-refused: exit %d: %s", c.name, code, stderr)
		}
		var vr []verifyResult
		code, out, _ := runCLI(t, nil, "verify", "--json", "--kernel", c.line, "--cert", c.key, m)
		if err := jsonUnmarshal(out, &vr); err != nil || code != 1 || len(vr) != 1 || vr[0].OK || vr[0].Rule != c.rule || vr[0].Errno != "EKEYREJECTED" && vr[0].Errno != "EINVAL" {
			t.Errorf("%s: verify of the forced signature: exit %d %s", c.name, code, out)
		}
	}
	// sign-file keeps its kernel command line; MODSIGN_KERNEL opts into the check.
	m := write(t, filepath.Join(dir, "m.ko"), mod)
	if code, _, e := runCLI(t, nil, "sign-file", "sha1", rsa2048, rsa2048, m); code != 0 {
		t.Errorf("sign-file sha1 without MODSIGN_KERNEL: exit %d %s", code, e)
	}
	m = write(t, filepath.Join(dir, "m.ko"), mod)
	code, _, stderr := runCLI(t, map[string]string{"MODSIGN_KERNEL": "7.2"}, "sign-file", "sha1", rsa2048, rsa2048, m)
	if code != 1 || !strings.Contains(stderr, "[rule sign-sha1]") || !bytes.Equal(read(t, m), mod) {
		t.Errorf("sign-file sha1 for 7.2: exit %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, map[string]string{"MODSIGN_KERNEL": "6.1"}, "sign-file", "sha512", rsa2560, rsa2560, m)
	if code != 1 || !strings.Contains(stderr, "[rule rsa-key-size]") || !bytes.Equal(read(t, m), mod) {
		t.Errorf("sign-file RSA-2560 for 6.1: exit %d %s", code, stderr)
	}
}

// TestSignWarnings: expired certificates, certificates without
// digitalSignature and RSA under 2048 bits are signed with a warning.
func TestSignWarnings(t *testing.T) {
	dir := t.TempDir()
	mod := read(t, testModule)
	expired := writeKeyPair(t, dir, "expired", genRSA(t, 2048), &x509.Certificate{
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	noDS := writeKeyPair(t, dir, "nods", genRSA(t, 2048), &x509.Certificate{KeyUsage: x509.KeyUsageCertSign})
	weak := writeKeyPair(t, dir, "weak", genRSA(t, 1024), &x509.Certificate{})
	for _, c := range []struct{ key, want string }{
		{expired, "expired on"},
		{noDS, "without digitalSignature"},
		{weak, "RSA-1024 is too weak"},
	} {
		m := write(t, filepath.Join(dir, "m.ko"), mod)
		code, _, stderr := runCLI(t, nil, "sign", "--key", c.key, m)
		if code != 0 || !strings.Contains(stderr, "modsign: warning: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, want a warning %q: %s", c.key, code, c.want, stderr)
		}
	}
}

// elfObject builds a minimal ELF relocatable object with the given sections.
func elfObject(class64 bool, machine uint16, sections ...string) []byte {
	names := []byte{0}
	offs := []int{0}
	for _, s := range append([]string{".shstrtab"}, sections...) {
		offs = append(offs, len(names))
		names = append(append(names, s...), 0)
	}
	ehsize, shentsize := 52, 40
	if class64 {
		ehsize, shentsize = 64, 64
	}
	shoff := ehsize + len(names)
	nsec := len(offs)
	b := make([]byte, shoff+nsec*shentsize)
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 1, 1, 1
	if class64 {
		b[4] = 2
	}
	le := binary.LittleEndian
	le.PutUint16(b[16:], 1) // ET_REL
	le.PutUint16(b[18:], machine)
	le.PutUint32(b[20:], 1)
	copy(b[ehsize:], names)
	if class64 {
		le.PutUint64(b[40:], uint64(shoff))
		le.PutUint16(b[52:], uint16(ehsize))
		le.PutUint16(b[58:], uint16(shentsize))
		le.PutUint16(b[60:], uint16(nsec))
		le.PutUint16(b[62:], 1)
	} else {
		le.PutUint32(b[32:], uint32(shoff))
		le.PutUint16(b[40:], uint16(ehsize))
		le.PutUint16(b[46:], uint16(shentsize))
		le.PutUint16(b[48:], uint16(nsec))
		le.PutUint16(b[50:], 1)
	}
	for i := 1; i < nsec; i++ {
		sh := b[shoff+i*shentsize:]
		le.PutUint32(sh[0:], uint32(offs[i]))
		typ := uint32(1) // PROGBITS
		if i == 1 {
			typ = 3 // STRTAB
		}
		le.PutUint32(sh[4:], typ)
		if class64 {
			if i == 1 {
				le.PutUint64(sh[24:], uint64(ehsize))
				le.PutUint64(sh[32:], uint64(len(names)))
			}
		} else if i == 1 {
			le.PutUint32(sh[16:], uint32(ehsize))
			le.PutUint32(sh[20:], uint32(len(names)))
		}
	}
	return b
}

// TestSignChecksTheELF: sign and sign-file refuse an ELF32 i386 object and a
// relocatable object without .modinfo, naming the file and the problem.
func TestSignChecksTheELF(t *testing.T) {
	dir := t.TempDir()
	k := key("test-only-rsa2048.pem")
	i386 := write(t, filepath.Join(dir, "i386.ko"), elfObject(false, 3, ".text", ".modinfo"))
	plainO := write(t, filepath.Join(dir, "plain.o"), elfObject(true, 62, ".text"))
	good := write(t, filepath.Join(dir, "good.ko"), elfObject(true, 62, ".text", ".modinfo"))
	for _, c := range []struct {
		file, want string
		args       []string
	}{
		{i386, "ELFCLASS32 ELFDATA2LSB EM_386 object, but the target architecture is x86_64", nil},
		{plainO, "not a kernel module: the ELF object has no .modinfo section", nil},
	} {
		before := read(t, c.file)
		code, _, stderr := runCLI(t, nil, append(append([]string{"sign", "--key", k}, c.args...), c.file)...)
		if code != 1 || !strings.Contains(stderr, c.file) || !strings.Contains(stderr, c.want) {
			t.Errorf("sign %s: exit %d, want %q: %s", c.file, code, c.want, stderr)
		}
		code, _, stderr = runCLI(t, map[string]string{"MODSIGN_ARCH": "x86_64"}, "sign-file", "sha512", k, k, c.file)
		if code != 1 || !strings.Contains(stderr, c.file) || !strings.Contains(stderr, c.want) {
			t.Errorf("sign-file %s: exit %d, want %q: %s", c.file, code, c.want, stderr)
		}
		if !bytes.Equal(read(t, c.file), before) {
			t.Errorf("%s changed", c.file)
		}
	}
	if code, _, e := runCLI(t, nil, "sign", "--key", k, "--arch", "i386", i386); code != 0 {
		t.Errorf("sign --arch i386 of an i386 module: exit %d %s", code, e)
	}
	if code, _, e := runCLI(t, nil, "sign", "--key", k, good); code != 0 {
		t.Errorf("sign of a minimal x86_64 module: exit %d %s", code, e)
	}
	if code, _, e := runCLI(t, nil, "sign", "--key", k, "--arch", "vax", good); code != 2 || !strings.Contains(e, "unknown architecture") {
		t.Errorf("sign --arch vax: exit %d %s", code, e)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestBlacklistRevokesOnBothLines: a certificate signed with SHA-384 has
// different tbs: hashes on 6.1 (its own digest) and 7.x (always SHA-256);
// `modsign blacklist` lists both, so the file revokes it on either line.
func TestBlacklistRevokesOnBothLines(t *testing.T) {
	dir := t.TempDir()
	k := key("test-only-ecdsa-p384.pem")
	m := write(t, filepath.Join(dir, "m.ko"), read(t, testModule))
	if code, _, e := runCLI(t, nil, "sign", "--hash", "sha384", "--key", k, m); code != 0 {
		t.Fatal(e)
	}
	bl := filepath.Join(dir, "bl")
	if code, _, e := runCLI(t, nil, "blacklist", "--out", bl, k); code != 0 {
		t.Fatal(e)
	}
	if n := strings.Count(string(read(t, bl)), "tbs:"); n != 2 {
		t.Errorf("blacklist of an ecdsa-with-SHA384 certificate has %d tbs: entries, want 2", n)
	}
	for _, line := range []string{"6.1", "7.2"} {
		var vr []verifyResult
		code, out, _ := runCLI(t, nil, "verify", "--json", "--kernel", line, "--cert", k, "--blacklist", bl, m)
		if err := jsonUnmarshal(out, &vr); err != nil || code != 1 || len(vr) != 1 || vr[0].Rule != "blacklist-tbs" || vr[0].VerifyErrno != "ENOKEY" {
			t.Errorf("Linux %s: exit %d %s", line, code, out)
		}
	}
}
