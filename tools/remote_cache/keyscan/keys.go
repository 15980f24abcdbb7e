// Package keyscan looks for private key material in a directory of cache blobs.
//
// It is the core of the remote-cache check (tools/remote_cache/check.sh): the
// check runs a real bazel-remote, builds the e2e tree through it, and then
// scans every blob bazel-remote stored (CAS and AC) for the private keys that
// the build used. A key is looked for in every form a careless action could
// upload: its PEM text, its DER encodings (PKCS#1, PKCS#8, SEC1) and its raw
// secret parameters (RSA D, P, Q, Dp, Dq; the EC private scalar; the Ed25519
// seed). Only secret material is used as a needle: a public modulus or public
// point alone never counts, because certificates are meant to be cached.
//
// Reports never contain key bytes, only key names, encoding names, blob paths
// and offsets.
package keyscan

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"sort"
)

// MinNeedleLen is the shortest byte string accepted as evidence of a key.
// Shorter strings (a tiny RSA parameter, say) would match random data.
const MinNeedleLen = 16

// Needle is one encoding of a private key that must not appear in a blob.
type Needle struct {
	// Encoding names the form, for example "pem", "der-pkcs8" or "raw-rsa-d".
	Encoding string
	// Bytes is the secret byte string. Never print it.
	Bytes []byte
}

// Key is a private key to look for, with all its encodings.
type Key struct {
	// Name identifies the key in reports (a label or a file name).
	Name string
	// File is the file the key was read from.
	File string
	// Algorithm is "rsa", "ecdsa" or "ed25519".
	Algorithm string
	Needles   []Needle
}

// LoadKeyFile reads every private key in a PEM or DER file. A file may hold
// several PEM blocks (the kernel's combined key-and-certificate PEM, for
// example); certificates and other public blocks are skipped. It is an error
// if the file holds no private key: a check that silently scanned for nothing
// could never fail.
func LoadKeyFile(name, path string) ([]Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	keys, err := ParseKeys(name, data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	for i := range keys {
		keys[i].File = path
	}
	return keys, nil
}

// ParseKeys extracts the private keys from PEM or DER data.
func ParseKeys(name string, data []byte) ([]Key, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		k, err := parseDER(name, data)
		if err != nil {
			return nil, fmt.Errorf("not PEM, and not a DER private key: %w", err)
		}
		return []Key{*k}, nil
	}
	var keys []Key
	rest := data
	for {
		start := bytes.Index(rest, []byte("-----BEGIN"))
		if start < 0 {
			break
		}
		block, after := pem.Decode(rest[start:])
		if block == nil {
			return nil, fmt.Errorf("malformed PEM block at byte %d", len(data)-len(rest)+start)
		}
		text := rest[start : len(rest)-len(after)]
		rest = after
		switch block.Type {
		case "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY":
			if len(block.Headers) > 0 {
				return nil, fmt.Errorf("%s block is encrypted (legacy PEM encryption); give the decrypted key", block.Type)
			}
			k, err := parseDER(name, block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s block: %w", block.Type, err)
			}
			k.Needles = append(k.Needles, Needle{"pem", bytes.TrimSpace(text)})
			if err := dedupe(k); err != nil {
				return nil, err
			}
			keys = append(keys, *k)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("ENCRYPTED PRIVATE KEY block: encrypted keys cannot be scanned for their parameters; give the decrypted key")
		default:
			// CERTIFICATE, PUBLIC KEY, ...: public, may legitimately be cached.
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no private key found (expected a PEM block RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)")
	}
	if len(keys) > 1 {
		for i := range keys {
			keys[i].Name = fmt.Sprintf("%s#%d", name, i+1)
		}
	}
	return keys, nil
}

func parseDER(name string, der []byte) (*Key, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return fromPrivateKey(name, k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return fromPrivateKey(name, k)
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return fromPrivateKey(name, k)
	}
	return nil, errors.New("not a PKCS#8, PKCS#1 or SEC1 private key")
}

// fromPrivateKey computes every needle for a parsed key.
func fromPrivateKey(name string, priv any) (*Key, error) {
	k := &Key{Name: name}
	add := func(enc string, b []byte) {
		k.Needles = append(k.Needles, Needle{enc, b})
	}
	addPEM := func(enc, typ string, der []byte) {
		add(enc, bytes.TrimSpace(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})))
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding key as PKCS#8: %w", err)
	}
	add("der-pkcs8", pkcs8)
	addPEM("pem-pkcs8", "PRIVATE KEY", pkcs8)
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		k.Algorithm = "rsa"
		pkcs1 := x509.MarshalPKCS1PrivateKey(p)
		add("der-pkcs1", pkcs1)
		addPEM("pem-pkcs1", "RSA PRIVATE KEY", pkcs1)
		add("raw-rsa-d", p.D.Bytes())
		if len(p.Primes) >= 2 {
			add("raw-rsa-p", p.Primes[0].Bytes())
			add("raw-rsa-q", p.Primes[1].Bytes())
		}
		if p.Precomputed.Dp != nil {
			add("raw-rsa-dp", p.Precomputed.Dp.Bytes())
			add("raw-rsa-dq", p.Precomputed.Dq.Bytes())
		}
	case *ecdsa.PrivateKey:
		k.Algorithm = "ecdsa"
		sec1, err := x509.MarshalECPrivateKey(p)
		if err != nil {
			return nil, fmt.Errorf("encoding key as SEC1: %w", err)
		}
		add("der-sec1", sec1)
		addPEM("pem-sec1", "EC PRIVATE KEY", sec1)
		scalar, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("encoding EC private scalar: %w", err)
		}
		add("raw-ec-scalar", scalar)
		// Unpadded big-endian form, as math/big or a naive encoder writes it.
		if short := new(big.Int).SetBytes(scalar).Bytes(); len(short) != len(scalar) {
			add("raw-ec-scalar-unpadded", short)
		}
	case ed25519.PrivateKey:
		k.Algorithm = "ed25519"
		add("raw-ed25519-seed", p.Seed())
	default:
		return nil, fmt.Errorf("unsupported private key type %T", priv)
	}
	return k, dedupe(k)
}

// dedupe drops duplicate needles (the file's own PEM text usually equals one
// of the canonical re-encodings) and refuses needles too short to mean much.
func dedupe(k *Key) error {
	seen := map[string]bool{}
	out := k.Needles[:0]
	for _, n := range k.Needles {
		if len(n.Bytes) < MinNeedleLen {
			return fmt.Errorf("key %s: %s is only %d bytes; too short to search for reliably", k.Name, n.Encoding, len(n.Bytes))
		}
		if seen[string(n.Bytes)] {
			continue
		}
		seen[string(n.Bytes)] = true
		out = append(out, n)
	}
	k.Needles = out
	sort.SliceStable(k.Needles, func(i, j int) bool { return k.Needles[i].Encoding < k.Needles[j].Encoding })
	return nil
}
