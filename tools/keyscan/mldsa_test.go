package keyscan

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/mldsa"
)

// An ML-DSA key file (x509_keypair(key_type = "mldsa65")) is loaded, and its
// seed, expanded key and PKCS#8 are found in a blob; its certificate-free
// public key is not a match.
func TestMLDSAKey(t *testing.T) {
	p, ok := mldsa.ByName("mldsa65")
	if !ok {
		t.Fatal("no mldsa65 parameters")
	}
	priv, err := mldsa.Generate(p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := mldsa.MarshalPKCS8(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "mldsa.key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := LoadKeyFile("mldsa", keyFile)
	if err != nil {
		t.Fatalf("LoadKeyFile: %v", err)
	}
	if len(keys) != 1 || keys[0].Algorithm != "mldsa" {
		t.Fatalf("keys = %+v, want one mldsa key", keys)
	}
	expanded, err := priv.ExpandedKey()
	if err != nil {
		t.Fatal(err)
	}
	spki, err := mldsa.MarshalSPKI(priv.Public().(*mldsa.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		data []byte
		want bool
	}{
		"seed":     {append(append([]byte("blob header "), priv.Seed()...), " trailer"...), true},
		"expanded": {expanded, true},
		"pkcs8":    {der, true},
		"public":   {spki, false},
		"other":    {bytes.Repeat([]byte{0x5a}, 4096), false},
	}
	for name, c := range cases {
		f := filepath.Join(dir, "blob-"+name)
		if err := os.WriteFile(f, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := ScanPaths([]string{f}, keys, false)
		if err != nil {
			t.Fatalf("%s: ScanPaths: %v", name, err)
		}
		if got := rep.TotalMatches() > 0; got != c.want {
			t.Errorf("%s: found = %v, want %v", name, got, c.want)
		}
	}
}
