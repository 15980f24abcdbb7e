package keyscan

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type testKey struct {
	name string
	priv any
}

// encoded holds an RSA and an EC test key and their DER encodings.
type encoded struct {
	rsa         *rsa.PrivateKey
	ec          *ecdsa.PrivateKey
	pkcs8, sec1 []byte
}

func encodedKeys(t *testing.T) encoded {
	t.Helper()
	keys := testKeys(t)
	e := encoded{rsa: keys[0].priv.(*rsa.PrivateKey), ec: keys[1].priv.(*ecdsa.PrivateKey)}
	var err error
	if e.sec1, err = x509.MarshalECPrivateKey(e.ec); err != nil {
		t.Fatal(err)
	}
	if e.pkcs8, err = x509.MarshalPKCS8PrivateKey(e.rsa); err != nil {
		t.Fatal(err)
	}
	return e
}

func testKeys(t *testing.T) []testKey {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return []testKey{{"rsa", rk}, {"p384", ek}, {"p256", e2}, {"ed25519", edk}}
}

func pemOf(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func certPEM(t *testing.T, priv any) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "keyscan test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	var pub any
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		pub = &p.PublicKey
	case *ecdsa.PrivateKey:
		pub = &p.PublicKey
	case ed25519.PrivateKey:
		pub = p.Public()
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf(t, "CERTIFICATE", der)
}

// casName lays a blob out the way bazel-remote's uncompressed storage mode does.
func casName(content []byte) string {
	sum := sha256.Sum256(content)
	h := hex.EncodeToString(sum[:])
	return filepath.Join("cas.v2", h[:2], h+"-0123456789.v1")
}

func randBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeBlob stores content as a plain CAS blob and returns its relative path.
func writeBlob(t *testing.T, dir string, content []byte) string {
	t.Helper()
	rel := casName(content)
	writeFile(t, filepath.Join(dir, rel), content)
	return filepath.ToSlash(rel)
}

func loadOne(t *testing.T, name string, data []byte) Key {
	t.Helper()
	keys, err := ParseKeys(name, data)
	if err != nil {
		t.Fatalf("ParseKeys(%s): %v", name, err)
	}
	if len(keys) != 1 {
		t.Fatalf("ParseKeys(%s): %d keys, want 1", name, len(keys))
	}
	return keys[0]
}

// encodings lists the distinct encodings of a key's needles (sorted).
func encodings(k Key) []string {
	var out []string
	for _, n := range k.Needles {
		if len(out) == 0 || out[len(out)-1] != n.Encoding {
			out = append(out, n.Encoding)
		}
	}
	return out
}

func TestNeedlesPerAlgorithm(t *testing.T) {
	want := map[string][]string{
		"rsa": {"der-pkcs1", "der-pkcs8", "frag-raw-rsa-d", "frag-raw-rsa-dp", "frag-raw-rsa-dq", "frag-raw-rsa-p", "frag-raw-rsa-q",
			"pem-line", "pem-pkcs1", "pem-pkcs8", "raw-rsa-d", "raw-rsa-dp", "raw-rsa-dq", "raw-rsa-p", "raw-rsa-q"},
		"p384":    {"der-pkcs8", "der-sec1", "frag-raw-ec-scalar", "pem-line", "pem-pkcs8", "pem-sec1", "raw-ec-scalar"},
		"p256":    {"der-pkcs8", "der-sec1", "frag-raw-ec-scalar", "pem-line", "pem-pkcs8", "pem-sec1", "raw-ec-scalar"},
		"ed25519": {"der-pkcs8", "frag-raw-ed25519-seed", "pem-line", "pem-pkcs8", "raw-ed25519-seed"},
	}
	for _, tk := range testKeys(t) {
		der, err := x509.MarshalPKCS8PrivateKey(tk.priv)
		if err != nil {
			t.Fatal(err)
		}
		k := loadOne(t, tk.name, pemOf(t, "PRIVATE KEY", der))
		got := encodings(k)
		// The EC scalar may have a leading zero byte, which adds an unpadded form.
		got2 := strings.Join(got, ",")
		got2 = strings.ReplaceAll(got2, ",raw-ec-scalar-unpadded", "")
		if got2 != strings.Join(want[tk.name], ",") {
			t.Errorf("%s: needles %v, want %v", tk.name, got, want[tk.name])
		}
	}
}

// Every needle of every key, alone in a blob of random bytes, is found and
// named by its own encoding, at the offset where it was put.
func TestFindsEveryEncoding(t *testing.T) {
	for _, tk := range testKeys(t) {
		der, err := x509.MarshalPKCS8PrivateKey(tk.priv)
		if err != nil {
			t.Fatal(err)
		}
		k := loadOne(t, tk.name, pemOf(t, "PRIVATE KEY", der))
		for _, n := range k.Needles {
			t.Run(tk.name+"/"+n.Encoding, func(t *testing.T) {
				dir := t.TempDir()
				prefix := randBytes(t, 1000)
				content := append(append(append([]byte{}, prefix...), n.Bytes...), randBytes(t, 333)...)
				rel := writeBlob(t, dir, content)
				writeBlob(t, dir, randBytes(t, 5000)) // a clean blob next to it
				rep, err := ScanStorage(dir, []Key{k})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Blobs != 2 || rep.DigestsVerified != 2 || rep.Inconclusive() {
					t.Fatalf("blobs %d, verified %d, inconclusive %v", rep.Blobs, rep.DigestsVerified, rep.Inconclusive())
				}
				found := false
				for _, m := range rep.Keys[0].Matches {
					if m.Blob != rel {
						t.Errorf("match in the clean blob %s", m.Blob)
					}
					if m.Encoding == n.Encoding {
						found = true
						if m.Offset != int64(len(prefix)) {
							t.Errorf("offset %d, want %d", m.Offset, len(prefix))
						}
					}
				}
				if !found {
					t.Fatalf("%s not found; matches %+v", n.Encoding, rep.Keys[0].Matches)
				}
			})
		}
	}
}

// The key file's own forms: PKCS#1 and SEC1 PEM files, DER files, and the
// kernel's combined key+certificate PEM.
func TestKeyFileForms(t *testing.T) {
	e := encodedKeys(t)
	rk, ek, sec1, pkcs8 := e.rsa, e.ec, e.sec1, e.pkcs8
	cases := map[string][]byte{
		"pkcs1.pem":    pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)),
		"sec1.pem":     pemOf(t, "EC PRIVATE KEY", sec1),
		"pkcs8.der":    pkcs8,
		"pkcs1.der":    x509.MarshalPKCS1PrivateKey(rk),
		"sec1.der":     sec1,
		"combined.pem": append(pemOf(t, "PRIVATE KEY", pkcs8), certPEM(t, rk)...),
		"certfirst.pem": append(append(certPEM(t, ek), []byte("junk between blocks\n")...),
			pemOf(t, "EC PRIVATE KEY", sec1)...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			writeFile(t, path, data)
			ks, err := LoadKeyFile(name, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(ks) != 1 || ks[0].File != path {
				t.Fatalf("got %d keys (file %q)", len(ks), ks[0].File)
			}
			// The file's own bytes, uploaded as they are, must be found.
			store := filepath.Join(dir, "store")
			writeBlob(t, store, append(randBytes(t, 77), data...))
			rep, err := ScanStorage(store, ks)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Keys[0].Matches) == 0 {
				t.Fatal("the key file's own bytes were not found")
			}
		})
	}
}

// A certificate is public: a blob holding only the certificate must not match.
func TestCertificateIsNotAMatch(t *testing.T) {
	for _, tk := range testKeys(t) {
		der, err := x509.MarshalPKCS8PrivateKey(tk.priv)
		if err != nil {
			t.Fatal(err)
		}
		k := loadOne(t, tk.name, pemOf(t, "PRIVATE KEY", der))
		dir := t.TempDir()
		c := certPEM(t, tk.priv)
		b, _ := pem.Decode(c)
		writeBlob(t, dir, c)
		writeBlob(t, dir, b.Bytes)
		rep, err := ScanStorage(dir, []Key{k})
		if err != nil {
			t.Fatal(err)
		}
		if n := rep.TotalMatches(); n != 0 {
			t.Errorf("%s: %d matches in public certificate blobs: %+v", tk.name, n, rep.Keys[0].Matches)
		}
	}
}

// Needles that straddle the scanner's chunk boundary are found exactly once.
func TestChunkBoundary(t *testing.T) {
	rk := testKeys(t)[0].priv.(*rsa.PrivateKey)
	k := loadOne(t, "rsa", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)))
	var pemNeedle []byte
	for _, n := range k.Needles {
		if n.Encoding == "pem-pkcs1" {
			pemNeedle = n.Bytes
		}
	}
	for _, at := range []int{chunkSize - len(pemNeedle)/2, chunkSize - len(pemNeedle), chunkSize, 2*chunkSize - 1} {
		dir := t.TempDir()
		content := make([]byte, 2*chunkSize+len(pemNeedle)+10)
		copy(content[at:], pemNeedle)
		writeBlob(t, dir, content)
		rep, err := ScanStorage(dir, []Key{k})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range rep.Keys[0].Matches {
			if m.Encoding == "pem-pkcs1" {
				n++
				if m.Offset != int64(at) {
					t.Errorf("at %d: offset %d", at, m.Offset)
				}
			}
		}
		if n != 1 {
			t.Errorf("needle at %d found %d times, want 1", at, n)
		}
		if rep.Bytes != int64(len(content)) {
			t.Errorf("bytes scanned %d, want %d", rep.Bytes, len(content))
		}
	}
}

func TestLayoutKindsAndInconclusive(t *testing.T) {
	rk := testKeys(t)[0].priv.(*rsa.PrivateKey)
	k := loadOne(t, "rsa", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)))
	dir := t.TempDir()
	writeBlob(t, dir, []byte("plain cas blob"))
	writeFile(t, filepath.Join(dir, "ac.v2", "ab", "abcd-1"), x509.MarshalPKCS1PrivateKey(rk))
	writeFile(t, filepath.Join(dir, "raw.v2", "cd", "cdef-1"), []byte("raw"))
	writeFile(t, filepath.Join(dir, "lost+found"), []byte("other"))
	rep, err := ScanStorage(dir, []Key{k})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Kinds) != "map[ac:1 cas:1 other:1 raw:1]" {
		t.Errorf("kinds %v", rep.Kinds)
	}
	if len(rep.Keys[0].Matches) == 0 || rep.Keys[0].Matches[0].Kind != KindAC {
		t.Errorf("the key in the AC blob was not found: %+v", rep.Keys[0].Matches)
	}
	if rep.Inconclusive() {
		t.Error("inconclusive without reason")
	}

	// A zstd casblob (header with compression type 1) cannot be searched.
	hdr := make([]byte, 4+4+8+1+4)
	binary.LittleEndian.PutUint32(hdr, casblobMagic)
	hdr[casblobCompressionAt] = 1
	writeFile(t, filepath.Join(dir, "cas.v2", "ef", "ef01-100-1"), append(hdr, randBytes(t, 50)...))
	// An identity casblob can.
	hdr2 := append([]byte{}, hdr...)
	hdr2[casblobCompressionAt] = 0
	writeFile(t, filepath.Join(dir, "cas.v2", "ef", "ef02-100-1"), append(hdr2, []byte("plain")...))
	// A plain CAS blob whose content does not match its name.
	writeFile(t, filepath.Join(dir, "cas.v2", "00", strings.Repeat("0", 64)+"-1.v1"), []byte("tampered"))
	rep, err = ScanStorage(dir, []Key{k})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Inconclusive() || len(rep.Compressed) != 1 || len(rep.DigestMismatches) != 1 {
		t.Errorf("compressed %v, mismatches %v", rep.Compressed, rep.DigestMismatches)
	}
}

func TestBadKeyFiles(t *testing.T) {
	rk := testKeys(t)[0].priv.(*rsa.PrivateKey)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"cert-only": {certPEM(t, rk), "no private key found"},
		"garbage":   {[]byte("hello"), "not a PKCS#8"},
		"truncated": {[]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"), "malformed PEM"},
		"encrypted": {pemOf(t, "ENCRYPTED PRIVATE KEY", []byte("x")), "encrypted"},
		"bad-der":   {pemOf(t, "PRIVATE KEY", []byte("not der")), "PRIVATE KEY block"},
	}
	for name, c := range cases {
		dir := t.TempDir()
		path := filepath.Join(dir, name)
		writeFile(t, path, c.data)
		_, err := LoadKeyFile(name, path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want it to name %s and say %q", name, err, path, c.want)
		}
	}
	if _, err := LoadKeyFile("missing", filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := ScanStorage(t.TempDir(), nil); err == nil {
		t.Error("Scan without keys: no error")
	}
	if _, err := ScanStorage(filepath.Join(t.TempDir(), "nope"), []Key{{Name: "x"}}); err == nil {
		t.Error("Scan of a missing directory: no error")
	}
}

// Reports never contain the secret bytes.
func TestReportHasNoSecrets(t *testing.T) {
	rk := testKeys(t)[0].priv.(*rsa.PrivateKey)
	k := loadOne(t, "rsa", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)))
	dir := t.TempDir()
	writeBlob(t, dir, x509.MarshalPKCS1PrivateKey(rk))
	rep, err := ScanStorage(dir, []Key{k})
	if err != nil {
		t.Fatal(err)
	}
	s := fmt.Sprintf("%+v", rep)
	for _, n := range k.Needles {
		if bytes.Contains([]byte(s), n.Bytes) || strings.Contains(s, hex.EncodeToString(n.Bytes)) {
			t.Errorf("report contains %s", n.Encoding)
		}
	}
}

// Bazel's disk-cache layout, also the storage of Bazel's remote worker (tools/remote_exec):
// cas/ab/<sha256> is verified against its name, ac/ab/<sha256> is an action result.
func TestDiskCacheLayout(t *testing.T) {
	rk := testKeys(t)[0].priv.(*rsa.PrivateKey)
	k := loadOne(t, "rsa", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)))
	dir := t.TempDir()
	blob := x509.MarshalPKCS1PrivateKey(rk)
	sum := fmt.Sprintf("%x", sha256.Sum256(blob))
	writeFile(t, filepath.Join(dir, "engine", "cas", sum[:2], sum), blob)
	ac := strings.Repeat("a", 64)
	writeFile(t, filepath.Join(dir, "engine", "ac", "aa", ac), []byte("action result"))
	// Not the layout: a name that is no digest, a digest in the wrong directory.
	writeFile(t, filepath.Join(dir, "engine", "cas", "ab", "abc"), []byte("x"))
	writeFile(t, filepath.Join(dir, "engine", "cas", "zz", sum), blob)
	rep, err := ScanStorage(dir, []Key{k})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Kinds) != "map[ac:1 cas:1 other:2]" {
		t.Errorf("kinds %v", rep.Kinds)
	}
	if rep.DigestsVerified != 1 || rep.Inconclusive() {
		t.Errorf("verified %d, inconclusive %v", rep.DigestsVerified, rep.Inconclusive())
	}
	if len(rep.Keys[0].Matches) == 0 {
		t.Error("the key in the CAS blob was not found")
	}
	// A CAS blob whose content does not match its name makes the scan inconclusive.
	writeFile(t, filepath.Join(dir, "engine", "cas", "bb", strings.Repeat("b", 64)), []byte("tampered"))
	if rep, err = ScanStorage(dir, []Key{k}); err != nil || len(rep.DigestMismatches) != 1 {
		t.Errorf("mismatches %v, err %v", rep.DigestMismatches, err)
	}
}
