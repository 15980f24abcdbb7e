package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/internal/oracle"
)

func td(name string) string { return filepath.Join("..", "testdata", "keys", name) }

func TestLoadEncodings(t *testing.T) {
	ref, err := LoadSigner(td("test-only-rsa2048.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	pin := &PIN{Value: []byte("test-pin")}
	for _, c := range []struct {
		file string
		pin  *PIN
	}{
		{"test-only-rsa2048-pkcs1.key", nil},
		{"test-only-rsa2048.key.der", nil},
		{"test-only-rsa2048-encrypted.key", pin},
		{"test-only-rsa2048-traditional-encrypted.key", pin},
	} {
		k, err := LoadSigner(td(c.file), c.pin)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !k.(*rsa.PrivateKey).Equal(ref) {
			t.Errorf("%s: different key", c.file)
		}
	}
	for _, f := range []string{"test-only-rsa2048-encrypted.key", "test-only-rsa2048-traditional-encrypted.key"} {
		if _, err := LoadSigner(td(f), nil); !errors.Is(err, ErrNeedPIN) {
			t.Errorf("%s without PIN: %v", f, err)
		}
		if _, err := LoadSigner(td(f), &PIN{Value: []byte("wrong")}); !errors.Is(err, ErrWrongPIN) {
			t.Errorf("%s with wrong PIN: %v", f, err)
		}
	}
	ec, err := LoadSigner(td("test-only-ecdsa-p384.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ec.(*ecdsa.PrivateKey); !ok {
		t.Errorf("EC key loaded as %T", ec)
	}
	cder, err := LoadCertificate(td("test-only-rsa2048.crt.der"))
	if err != nil {
		t.Fatal(err)
	}
	cpem, err := LoadCertificate(td("test-only-rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !cder.Equal(cpem) {
		t.Error("DER and PEM certificates differ")
	}
	if err := CheckMatch(ref, cpem); err != nil {
		t.Error(err)
	}
	other, _ := LoadCertificate(td("test-only-other-rsa2048.pem"))
	if err := CheckMatch(ref, other); err == nil {
		t.Error("mismatched key and certificate accepted")
	}
	if err := CheckMatch(ec, cpem); err == nil {
		t.Error("EC key matched an RSA certificate")
	}
	// A certificate is not a key, and a key file is not a certificate.
	if _, err := LoadSigner(td("test-only-rsa2048.crt.der"), nil); err == nil {
		t.Error("DER certificate accepted as a key")
	}
	if _, err := LoadCertificate(td("test-only-rsa2048-pkcs1.key")); err == nil {
		t.Error("key accepted as a certificate")
	}
}

func TestRawSerialMatchesOpenSSL(t *testing.T) {
	c, _ := LoadCertificate(td("test-only-rsa2048.pem"))
	raw, err := RawSerial(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimLeft(raw, "\x00"), c.SerialNumber.Bytes()) {
		t.Errorf("raw serial %x, serial %x", raw, c.SerialNumber.Bytes())
	}
}

// TestSelfSignLikeGenkey checks the generated certificate against what the
// kernel's x509.genkey asks of OpenSSL, using OpenSSL itself to read it.
func TestSelfSignLikeGenkey(t *testing.T) {
	for _, typ := range []string{"ecdsa-p256", "ecdsa-p384", "rsa2048"} {
		key, err := GenerateKey(typ, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := SelfSign(key, CertOptions{CommonName: "Out of tree build key", Days: 36500, CodeSigning: typ == "ecdsa-p384"}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckMatch(key, c); err != nil {
			t.Fatal(err)
		}
		if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
			t.Errorf("%s: not self-signed: %v", typ, err)
		}
		if c.IsCA || !c.BasicConstraintsValid || c.KeyUsage != x509.KeyUsageDigitalSignature || len(c.SubjectKeyId) != 20 ||
			!bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId) || c.Subject.CommonName != "Out of tree build key" {
			t.Errorf("%s: extensions wrong: %+v", typ, c)
		}
		if (typ == "ecdsa-p384") != (len(c.ExtKeyUsage) == 1 && c.ExtKeyUsage[0] == x509.ExtKeyUsageCodeSigning) {
			t.Errorf("%s: EKU %v", typ, c.ExtKeyUsage)
		}
		if c.NotAfter.Sub(c.NotBefore).Hours() != 36500*24 {
			t.Errorf("validity %v", c.NotAfter.Sub(c.NotBefore))
		}
		for _, e := range c.Extensions {
			crit := e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 19})
			if e.Critical != crit {
				t.Errorf("%s: extension %v critical=%v", typ, e.Id, e.Critical)
			}
		}
		openssl := oracle.Find(t, "openssl", "`apt-get install openssl`")
		p := filepath.Join(t.TempDir(), "c.pem")
		os.WriteFile(p, MarshalCertPEM(der), 0o644)
		out, err := exec.Command(openssl, "x509", "-in", p, "-noout", "-text", "-nameopt", "multiline,show_type").CombinedOutput()
		if err != nil {
			t.Fatalf("openssl x509: %v\n%s", err, out)
		}
		text := string(out)
		for _, want := range []string{"X509v3 Basic Constraints: critical", "CA:FALSE", "Digital Signature",
			"X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier", "UTF8STRING:Out of tree build key"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: openssl x509 -text lacks %q:\n%s", typ, want, text)
			}
		}
		// SKID "by hash": SHA-1 of the subjectPublicKey bits, as OpenSSL computes it.
		skid := regexp.MustCompile(`Subject Key Identifier: *\n *([0-9A-F:]+)`).FindStringSubmatch(text)
		if skid == nil || strings.ReplaceAll(skid[1], ":", "") != strings.ToUpper(hex.EncodeToString(c.SubjectKeyId)) {
			t.Errorf("%s: SKID mismatch: openssl %v, ours %x", typ, skid, c.SubjectKeyId)
		}
	}
}

// TestBlacklistFormat checks the CONFIG_SYSTEM_BLACKLIST_HASH_LIST file
// against the rules of the kernel's certs/check-blacklist-hashes.awk and the
// hash against one computed independently with openssl (the method of the
// kernel's tools/certs/print-cert-tbs-hash.sh).
func TestBlacklistFormat(t *testing.T) {
	var certs []*x509.Certificate
	files := []string{"test-only-rsa2048.pem", "test-only-ecdsa-p384.pem", "test-only-rsa4096.pem"}
	for _, f := range files {
		c, err := LoadCertificate(td(f))
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	out, err := BlacklistFile(append(certs, certs[0]))
	if err != nil {
		t.Fatal(err)
	}
	items := strings.Split(string(out), ",")
	// rsa2048 and rsa4096 are signed with SHA-256: one entry each. The P-384
	// certificate is signed with ecdsa-with-SHA384: its SHA-384 entry (6.1)
	// and its SHA-256 entry (7.x). The repeated certificate adds nothing.
	if len(items) != 4 {
		t.Fatalf("want 4 entries (duplicate dropped), got %q", out)
	}
	item := regexp.MustCompile(`^[ \t\n\r]*"([^"]*)"[ \t\n\r]*$`)
	entry := regexp.MustCompile(`^(tbs|bin):([0-9a-f]+)$`)
	var got []string
	for i, it := range items {
		m := item.FindStringSubmatch(it)
		if m == nil {
			t.Fatalf("item %d %q is not a string", i, it)
		}
		e := entry.FindStringSubmatch(m[1])
		if e == nil || e[1] != "tbs" || len(e[2]) > 128 || len(e[2])%2 != 0 {
			t.Fatalf("item %d %q is not a valid tbs hash", i, m[1])
		}
		got = append(got, e[2])
	}
	for i, f := range files {
		want := []string{opensslTBSHash(t, td(f), "")}
		if i == 1 {
			want = append(want, opensslTBSHash(t, td(f), "-sha256"))
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: the list %q lacks the tbs hash %s openssl computes", f, got, w)
			}
		}
	}
	if !strings.HasSuffix(string(out), "\"\n") {
		t.Errorf("file must end with the last string (certs/Makefile appends \", NULL\"): %q", out)
	}
}

// TestBlacklistModuleHashes checks bin: entries: the SHA-256 of the whole
// file, parsed back by ParseBlacklist, after the certificates' tbs: entries.
func TestBlacklistModuleHashes(t *testing.T) {
	c, err := LoadCertificate(td("test-only-rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	// The FIPS 180-2 test vector: SHA-256("abc").
	entry := ModuleHashEntry([]byte("abc"))
	if entry != "bin:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("ModuleHashEntry = %q", entry)
	}
	out, err := BlacklistFile([]*x509.Certificate{c}, entry, entry)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := ParseBlacklist(out)
	if err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	tbs, _ := BlacklistEntry(c)
	if len(bl) != 2 || !bl[tbs] || !bl[entry] || !strings.HasSuffix(string(out), `"`+entry+`"`+"\n") {
		t.Errorf("blacklist %q", out)
	}
	if _, err := BlacklistFile(nil, "tbs:00"); err == nil {
		t.Error("a module hash entry without bin: was accepted")
	}
	if _, err := BlacklistFile(nil); err == nil {
		t.Error("an empty blacklist was accepted")
	}
}

// opensslTBSHash hashes the TBSCertificate with digest ("-sha256"), or with
// the certificate's own signature digest when digest is "".
func opensslTBSHash(t *testing.T, certFile, digest string) string {
	openssl := oracle.Find(t, "openssl", "`apt-get install openssl`")
	tmp := t.TempDir()
	der := filepath.Join(tmp, "c.der")
	if out, err := exec.Command(openssl, "x509", "-in", certFile, "-outform", "DER", "-out", der).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	parse, err := exec.Command(openssl, "asn1parse", "-inform", "DER", "-in", der).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(parse), "\n")
	// Line 2 is the TBSCertificate, line 7 the signature algorithm.
	var off, hl, l int
	if _, err := fmtSscanf(lines[1], &off, &hl, &l); err != nil {
		t.Fatalf("asn1parse line %q: %v", lines[1], err)
	}
	alg := lines[6][strings.LastIndex(lines[6], ":")+1:]
	md := map[string]string{"sha256WithRSAEncryption": "sha256", "ecdsa-with-SHA384": "sha384", "ecdsa-with-SHA256": "sha256", "sha512WithRSAEncryption": "sha512"}[strings.TrimSpace(alg)]
	if md == "" {
		t.Fatalf("unknown signature algorithm %q", alg)
	}
	raw, _ := os.ReadFile(der)
	tbs := filepath.Join(tmp, "tbs")
	os.WriteFile(tbs, raw[off:off+hl+l], 0o644)
	if digest == "" {
		digest = "-" + md
	}
	sum, err := exec.Command(openssl, "dgst", digest, "-r", tbs).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(sum))[0]
}

var asn1ParseLine = regexp.MustCompile(`^\s*(\d+):d=\s*\d+\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+cons:\s*SEQUENCE`)

func fmtSscanf(line string, off, hl, l *int) (int, error) {
	m := asn1ParseLine.FindStringSubmatch(line)
	if m == nil {
		return 0, errors.New("no match")
	}
	for i, p := range []*int{off, hl, l} {
		n := 0
		for _, c := range m[i+1] {
			n = n*10 + int(c-'0')
		}
		*p = n
	}
	return 3, nil
}
