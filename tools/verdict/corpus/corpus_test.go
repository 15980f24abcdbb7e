package corpus

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mozilla.org/pkcs7"
)

func generate(t *testing.T) []Module {
	t.Helper()
	base, err := os.ReadFile(filepath.Join("..", "..", "..", "signer", "testdata", "modules", "nhc_hop.ko"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := LoadKeys(filepath.Join("..", "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	mods, err := Generate(base, ks)
	if err != nil {
		t.Fatal(err)
	}
	return mods
}

func split(t *testing.T, m Module) (mod, p7 []byte) {
	t.Helper()
	d := bytes.TrimSuffix(m.Data, []byte(Marker))
	if len(d) == len(m.Data) || len(d) < 12 {
		t.Fatalf("%s: no marker or trailer", m.Name)
	}
	n := int(binary.BigEndian.Uint32(d[len(d)-4:]))
	d = d[:len(d)-12]
	return d[:len(d)-n], d[len(d)-n:]
}

func TestCorpusShape(t *testing.T) {
	mods := generate(t)
	if len(mods) < 25 {
		t.Fatalf("corpus has %d modules, want at least 25", len(mods))
	}
	seen := map[string]bool{}
	for _, m := range mods {
		if seen[m.Name] || !strings.HasSuffix(m.Name, ".ko") || m.Desc == "" || len(m.Data) == 0 {
			t.Errorf("bad or duplicate entry %q (%q, %d bytes)", m.Name, m.Desc, len(m.Data))
		}
		seen[m.Name] = true
	}
}

// The RSA-signed modules are byte-for-byte reproducible.
func TestDeterministic(t *testing.T) {
	a, b := generate(t), generate(t)
	ecdsaNames := []string{"p256", "p384", "p521", "two-signers-trusted"}
	for i := range a {
		ec := false
		for _, n := range ecdsaNames {
			ec = ec || strings.Contains(a[i].Name, n)
		}
		if !ec && !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Name)
		}
	}
}

// An independent CMS implementation verifies the well-formed signatures, so
// a verdict of "refused" comes from the edge under test, not a bad encoding.
func TestWellFormedVerify(t *testing.T) {
	ks, err := LoadKeys(filepath.Join("..", "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, m := range generate(t) {
		// go.mozilla.org/pkcs7 takes signers by issuer and serial only.
		for _, ok := range []string{"-rsa2048-sha256", "-rsa4096-sha512", "-rsa3072-sha384", "-p256-sha256", "-p384-sha384", "-chain-full", "-signed-attributes.ko", "-rsa1024-sha256", "-rsa2048-sha1", "-two-signers-trusted", "-ber-indefinite"} {
			if !strings.Contains(m.Name, ok) {
				continue
			}
			checked++
			mod, p7 := split(t, m)
			msg, err := pkcs7.Parse(p7)
			if err != nil {
				t.Errorf("%s: parse: %v", m.Name, err)
				continue
			}
			msg.Content = mod
			for _, k := range ks {
				msg.Certificates = append(msg.Certificates, k.Cert)
			}
			if err := msg.Verify(); err != nil {
				t.Errorf("%s: verify: %v", m.Name, err)
			}
		}
	}
	if checked < 11 {
		t.Errorf("checked %d modules, want 11", checked)
	}
}

func TestTamperedDoesNotVerify(t *testing.T) {
	ks, err := LoadKeys(filepath.Join("..", "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range generate(t) {
		if !strings.Contains(m.Name, "tampered-module") {
			continue
		}
		mod, p7 := split(t, m)
		msg, err := pkcs7.Parse(p7)
		if err != nil {
			t.Fatal(err)
		}
		msg.Content = mod
		msg.Certificates = append(msg.Certificates, ks["rsa2048"].Cert)
		if err := msg.Verify(); err == nil {
			t.Errorf("%s verifies", m.Name)
		}
	}
}
