// Package mldsa holds ML-DSA (FIPS 204) keys, certificates and signatures
// for Linux module signing (CONFIG_MODULE_SIG_KEY_TYPE_MLDSA_44/65/87 and
// CONFIG_CRYPTO_MLDSA, Linux 7.0 and later).
//
// Why github.com/cloudflare/circl and not Go 1.27's crypto/mldsa: this
// project builds with Go 1.26 everywhere (the host's Go, the rules_go SDK of
// the Bazel rules, and the users' own SDKs). crypto/mldsa would force a
// toolchain switch (GOTOOLCHAIN=go1.27.x) on every script, the Bazel SDK and
// every user, while circl is a maintained, pure-Go, FIPS 204 final
// implementation that is an ordinary module dependency. Its deterministic
// signing mode keeps signatures, and so Bazel outputs, reproducible.
//
// Go 1.26's crypto/x509 cannot create or use ML-DSA certificates (it parses
// them, leaving PublicKey nil), so certificates are built here with cryptobyte
// and public keys are read from RawSubjectPublicKeyInfo.
package mldsa

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	circl "github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Params is one ML-DSA parameter set.
type Params struct {
	// Name is the key type name modsign and the rules use: "mldsa44", "mldsa65", "mldsa87".
	Name string
	// Display is the FIPS 204 name, e.g. "ML-DSA-65" (OpenSSL's name too).
	Display string
	// OID is id-ml-dsa-* (RFC 9881), used for keys and signatures alike.
	OID    asn1.ObjectIdentifier
	scheme circl.Scheme
}

// All parameter sets, weakest first.
var All = []Params{
	{"mldsa44", "ML-DSA-44", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}, mldsa44.Scheme()},
	{"mldsa65", "ML-DSA-65", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}, mldsa65.Scheme()},
	{"mldsa87", "ML-DSA-87", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}, mldsa87.Scheme()},
}

// ByName looks a parameter set up by "mldsa65", "ML-DSA-65" or "ml-dsa-65".
func ByName(name string) (Params, bool) {
	for _, p := range All {
		if name == p.Name || bytes.EqualFold([]byte(name), []byte(p.Display)) {
			return p, true
		}
	}
	return Params{}, false
}

// ByOID looks a parameter set up by its id-ml-dsa-* OID.
func ByOID(oid asn1.ObjectIdentifier) (Params, bool) {
	for _, p := range All {
		if p.OID.Equal(oid) {
			return p, true
		}
	}
	return Params{}, false
}

// IsOID reports whether oid is one of the id-ml-dsa-* OIDs.
func IsOID(oid asn1.ObjectIdentifier) bool { _, ok := ByOID(oid); return ok }

// PublicKey is an ML-DSA public key.
type PublicKey struct {
	Params Params
	pk     circl.PublicKey
	raw    []byte
}

// Bytes returns the FIPS 204 encoding of the key.
func (k *PublicKey) Bytes() []byte { return append([]byte{}, k.raw...) }

// Equal reports whether other is the same ML-DSA public key.
func (k *PublicKey) Equal(other crypto.PublicKey) bool {
	o, ok := other.(*PublicKey)
	return ok && o.Params.Name == k.Params.Name && bytes.Equal(o.raw, k.raw)
}

// Verify checks a pure ML-DSA signature (empty context) over msg, as Linux's
// crypto/mldsa.c does.
func (k *PublicKey) Verify(msg, sig []byte) bool {
	if len(sig) != k.Params.scheme.SignatureSize() {
		return false
	}
	return k.Params.scheme.Verify(k.pk, msg, sig, nil)
}

// PrivateKey is an ML-DSA private key, kept as its 32-byte seed.
type PrivateKey struct {
	Params Params
	sk     circl.PrivateKey
	seed   []byte
	pub    *PublicKey
}

// NewKeyFromSeed derives a key from its FIPS 204 seed (32 bytes).
func NewKeyFromSeed(p Params, seed []byte) (*PrivateKey, error) {
	if len(seed) != p.scheme.SeedSize() {
		return nil, fmt.Errorf("%s seed is %d bytes, want %d", p.Display, len(seed), p.scheme.SeedSize())
	}
	pk, sk := p.scheme.DeriveKey(seed)
	raw, err := pk.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &PrivateKey{Params: p, sk: sk, seed: append([]byte{}, seed...), pub: &PublicKey{Params: p, pk: pk, raw: raw}}, nil
}

// Generate makes a new key from 32 bytes of random.
func Generate(p Params, random io.Reader) (*PrivateKey, error) {
	seed := make([]byte, p.scheme.SeedSize())
	if _, err := io.ReadFull(random, seed); err != nil {
		return nil, fmt.Errorf("generating an %s seed: %w", p.Display, err)
	}
	return NewKeyFromSeed(p, seed)
}

// Public returns the *PublicKey.
func (k *PrivateKey) Public() crypto.PublicKey { return k.pub }

// Sign makes a pure ML-DSA signature (empty context) over msg itself: opts
// must be crypto.Hash(0), since ML-DSA takes the data, not a digest. Signing
// is deterministic (FIPS 204's deterministic variant, rnd = 0), so a module
// signed twice gets the same bytes and Bazel can cache it; random is ignored.
func (k *PrivateKey) Sign(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, fmt.Errorf("%s signs the message itself, not a %v digest", k.Params.Display, opts.HashFunc())
	}
	return k.Params.scheme.Sign(k.sk, msg, nil), nil
}

// Seed returns a copy of the key's 32-byte FIPS 204 seed: the secret itself.
// Only for code that must recognise the key (tools/keyscan); never log it.
func (k *PrivateKey) Seed() []byte { return append([]byte{}, k.seed...) }

// ExpandedKey returns the FIPS 204 expanded private key derived from the seed.
func (k *PrivateKey) ExpandedKey() ([]byte, error) { return k.sk.MarshalBinary() }

// Equal reports whether other is the same key.
func (k *PrivateKey) Equal(other crypto.PrivateKey) bool {
	o, ok := other.(*PrivateKey)
	return ok && o.Params.Name == k.Params.Name && bytes.Equal(o.seed, k.seed)
}

// MarshalPKCS8 encodes the key as PKCS#8 in RFC 9881's seed form
// (privateKey = [0] IMPLICIT OCTET STRING seed), which OpenSSL 3.5+ reads.
func MarshalPKCS8(k *PrivateKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(k.Params.OID) })
		b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(k.seed) })
		})
	})
	return b.Bytes()
}

// ErrNotMLDSA is returned by ParsePKCS8 and ParseSPKI for other algorithms.
var ErrNotMLDSA = errors.New("not an ML-DSA key")

// ParsePKCS8 decodes an ML-DSA PKCS#8 private key in any of RFC 9881's forms:
// seed, expandedKey, or both (the seed is required: modsign keeps keys as seeds).
func ParsePKCS8(der []byte) (*PrivateKey, error) {
	in := cryptobyte.String(der)
	var seq, alg, priv cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("%w (malformed PKCS#8 PrivateKeyInfo)", ErrNotMLDSA)
	}
	p, ok := ByOID(oid)
	if !ok {
		return nil, ErrNotMLDSA
	}
	if !alg.Empty() {
		return nil, fmt.Errorf("%s AlgorithmIdentifier must have no parameters", p.Display)
	}
	if !seq.ReadASN1(&priv, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("%s PKCS#8: no privateKey OCTET STRING", p.Display)
	}
	var seed, expanded cryptobyte.String
	switch {
	case priv.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		priv.ReadASN1(&seed, cbasn1.Tag(0).ContextSpecific())
	case priv.PeekASN1Tag(cbasn1.SEQUENCE):
		var both cryptobyte.String
		priv.ReadASN1(&both, cbasn1.SEQUENCE)
		if !both.ReadASN1(&seed, cbasn1.OCTET_STRING) || !both.ReadASN1(&expanded, cbasn1.OCTET_STRING) {
			return nil, fmt.Errorf("%s PKCS#8: malformed seed-and-expandedKey form", p.Display)
		}
	case priv.PeekASN1Tag(cbasn1.OCTET_STRING):
		return nil, fmt.Errorf("%s PKCS#8 holds only the expanded key, without its seed; re-export it with the seed (openssl pkey -provparam ml-dsa.output_formats=seed-only)", p.Display)
	default:
		return nil, fmt.Errorf("%s PKCS#8: unknown privateKey form", p.Display)
	}
	k, err := NewKeyFromSeed(p, seed)
	if err != nil {
		return nil, err
	}
	if len(expanded) > 0 {
		if want, _ := k.sk.MarshalBinary(); !bytes.Equal(want, expanded) {
			return nil, fmt.Errorf("%s PKCS#8: the expanded key does not belong to the seed", p.Display)
		}
	}
	return k, nil
}

// MarshalSPKI encodes the public key as a SubjectPublicKeyInfo.
func MarshalSPKI(k *PublicKey) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(k.Params.OID) })
		b.AddASN1BitString(k.raw)
	})
	return b.Bytes()
}

// ParseSPKI decodes an ML-DSA SubjectPublicKeyInfo.
func ParseSPKI(der []byte) (*PublicKey, error) {
	in := cryptobyte.String(der)
	var seq, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var bits asn1.BitString
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("malformed SubjectPublicKeyInfo")
	}
	p, ok := ByOID(oid)
	if !ok {
		return nil, ErrNotMLDSA
	}
	if !alg.Empty() || !seq.ReadASN1BitString(&bits) || bits.BitLength%8 != 0 {
		return nil, fmt.Errorf("malformed %s SubjectPublicKeyInfo", p.Display)
	}
	pk, err := p.scheme.UnmarshalBinaryPublicKey(bits.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s public key: %w", p.Display, err)
	}
	return &PublicKey{Params: p, pk: pk, raw: append([]byte{}, bits.Bytes...)}, nil
}

// CertPublicKey returns the ML-DSA public key of a certificate, or
// ErrNotMLDSA when it holds another kind of key.
func CertPublicKey(cert *x509.Certificate) (*PublicKey, error) {
	return ParseSPKI(cert.RawSubjectPublicKeyInfo)
}

// CheckCertSignature verifies an ML-DSA certificate's own signature with pub
// (its issuer's key), the way x509_check_for_self_signed does.
func CheckCertSignature(cert *x509.Certificate, pub *PublicKey) error {
	in := cryptobyte.String(cert.Raw)
	var seq, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var sig asn1.BitString
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) || !seq.ReadASN1BitString(&sig) {
		return errors.New("malformed certificate")
	}
	if !oid.Equal(pub.Params.OID) {
		return fmt.Errorf("the certificate is signed with %s, not %s", oid, pub.Params.Display)
	}
	if !pub.Verify(cert.RawTBSCertificate, sig.Bytes) {
		return fmt.Errorf("the certificate's %s signature does not verify", pub.Params.Display)
	}
	return nil
}
