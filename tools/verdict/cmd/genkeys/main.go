// Command genkeys writes the TEST-ONLY keys and certificates of the verdict
// corpus (tools/verdict/testdata/keys). It was run once; its output is checked
// in so that the e2e kernels trust fixed certificates and the corpus is
// reproducible. Rerun it only to change the set, then rebuild the kernels.
//
//	go run ./tools/verdict/cmd/genkeys --out tools/verdict/testdata/keys
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

type spec struct {
	name   string
	cn     string
	kind   string // rsa1024 ... rsa4096, p256, p384, p521
	issuer string // "" for self-signed
	ca     bool
}

var specs = []spec{
	{"rsa1024", "Corpus test-only RSA-1024", "rsa1024", "", false},
	{"rsa2048", "Corpus test-only RSA-2048", "rsa2048", "", false},
	{"rsa2560", "Corpus test-only RSA-2560", "rsa2560", "", false},
	{"rsa3072", "Corpus test-only RSA-3072", "rsa3072", "", false},
	{"rsa4096", "Corpus test-only RSA-4096", "rsa4096", "", false},
	{"p256", "Corpus test-only P-256", "p256", "", false},
	{"p384", "Corpus test-only P-384", "p384", "", false},
	{"p521", "Corpus test-only P-521", "p521", "", false},
	{"ca", "Corpus test-only root CA", "rsa2048", "", true},
	{"intermediate", "Corpus test-only intermediate CA", "rsa2048", "ca", true},
	{"leaf", "Corpus test-only leaf", "rsa2048", "intermediate", false},
	{"untrusted", "Corpus test-only untrusted", "rsa2048", "", false},
	{"revoked", "Corpus test-only revoked", "rsa2048", "", false},
}

func main() {
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genkeys: --out is required")
		os.Exit(2)
	}
	if err := run(*out); err != nil {
		fmt.Fprintf(os.Stderr, "genkeys: %v\n", err)
		os.Exit(1)
	}
}

type made struct {
	key  crypto.Signer
	cert *x509.Certificate
}

func run(dir string) error {
	all := map[string]made{}
	for i, s := range specs {
		key, err := newKey(s.kind)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		spki, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		skid := sha1.Sum(spki)
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(int64(0x1000 + i)),
			Subject:               pkix.Name{CommonName: s.cn, Organization: []string{"rules_modsign test-only"}},
			NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2126, 1, 1, 0, 0, 0, 0, time.UTC),
			SubjectKeyId:          skid[:],
			KeyUsage:              x509.KeyUsageDigitalSignature,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
			BasicConstraintsValid: true,
			IsCA:                  s.ca,
		}
		if s.ca {
			tmpl.KeyUsage |= x509.KeyUsageCertSign
			tmpl.ExtKeyUsage = nil
		}
		parent, signer := tmpl, key
		if s.issuer != "" {
			p, ok := all[s.issuer]
			if !ok {
				return fmt.Errorf("%s: issuer %s not made yet", s.name, s.issuer)
			}
			parent, signer = p.cert, p.key
			tmpl.AuthorityKeyId = p.cert.SubjectKeyId
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
		if err != nil {
			return fmt.Errorf("%s: create certificate: %w", s.name, err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		all[s.name] = made{key, cert}
		p8, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "test-only-"+s.name+".key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "test-only-"+s.name+".crt.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func newKey(kind string) (crypto.Signer, error) {
	switch kind {
	case "rsa1024":
		return rsa.GenerateKey(rand.Reader, 1024)
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "rsa2560":
		return rsa.GenerateKey(rand.Reader, 2560)
	case "rsa3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		return rsa.GenerateKey(rand.Reader, 4096)
	case "p256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	}
	return nil, fmt.Errorf("unknown key kind %q", kind)
}
