package sign

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha3"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// Signing outside the build: `modsign digest` hands an outside signer (an
// HSM, a release service, `openssl pkeyutl`) only what it must sign, and
// `modsign attach` wraps the signature it returns into the kernel's format.
// No private key is needed on the machine that builds the modules.

// Attacher wraps signatures made elsewhere into module signatures. It knows
// only the signer's certificate; it is safe for concurrent use.
type Attacher struct {
	arch   modsig.Arch
	cert   *x509.Certificate
	hash   cms.Hash
	sid    cms.SignerID
	sigAlg asn1.ObjectIdentifier
	mldsa  *mldsa.PublicKey // the certificate's key, when it is ML-DSA
}

// NewAttacher prepares an Attacher for the certificate's key, with the same
// hash and signer-identifier options as NewSigner.
func NewAttacher(cert *x509.Certificate, opts Options) (*Attacher, error) {
	h, ok := cms.HashByName(opts.Hash)
	if !ok || h.Name == "sha1" {
		return nil, fmt.Errorf("unsupported hash %q (supported: %v)", opts.Hash, cms.SigningHashes())
	}
	if !h.Hash.Available() {
		return nil, fmt.Errorf("hash %s is not available in this build", h.Name)
	}
	arch, err := lookupArch(opts.Arch)
	if err != nil {
		return nil, err
	}
	a := &Attacher{cert: cert, hash: h, arch: arch}
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey:
		a.sigAlg = cms.OIDRSAEncryption
	case *ecdsa.PublicKey:
		a.sigAlg = h.ECDSA
	default:
		pub, err := mldsa.CertPublicKey(cert)
		if err != nil {
			return nil, fmt.Errorf("certificate %q holds a %T key; Linux accepts RSA, ECDSA and (7.0+) ML-DSA module signatures", cert.Subject.CommonName, cert.PublicKey)
		}
		a.sigAlg, a.mldsa = pub.Params.OID, pub
	}
	if opts.KeyID {
		if len(cert.SubjectKeyId) == 0 {
			return nil, fmt.Errorf("certificate %q has no subjectKeyIdentifier, so it cannot be named by key ID", cert.Subject.CommonName)
		}
		a.sid.SKID = cert.SubjectKeyId
	} else {
		serial, err := keys.RawSerial(cert)
		if err != nil {
			return nil, fmt.Errorf("certificate %q: %w", cert.Subject.CommonName, err)
		}
		a.sid.RawIssuer = cert.RawIssuer
		a.sid.RawSerial = serial
	}
	return a, nil
}

// Hash returns the digest the attacher expects signatures over.
func (a *Attacher) Hash() cms.Hash { return a.hash }

// ToBeSigned returns what the outside signer must sign for the module data:
// the module's digest (an RSA signer makes PKCS#1 v1.5 over it, as
// `openssl pkeyutl -sign -pkeyopt digest:sha512` does; an ECDSA signer
// signs it as a prehashed message). A signed module is refused unless
// replace is set, in which case the old signature is ignored. arch is the
// architecture the module must be built for ("" = x86_64).
func ToBeSigned(data []byte, hash, arch string, replace bool) ([]byte, error) {
	h, ok := cms.HashByName(hash)
	if !ok || h.Name == "sha1" {
		return nil, fmt.Errorf("unsupported hash %q (supported: %v)", hash, cms.SigningHashes())
	}
	a, err := lookupArch(arch)
	if err != nil {
		return nil, err
	}
	module, err := prepare(data, replace, a)
	if err != nil {
		return nil, err
	}
	d := h.Hash.New()
	d.Write(module)
	return d.Sum(nil), nil
}

// ErrBadSignature is returned when a signature does not verify against the
// certificate and the module.
var ErrBadSignature = errors.New("the signature does not verify with the certificate's key over this module")

// Attach checks sig against the module and the certificate, and returns the
// module with the kernel's signature appended, plus the PKCS#7 message.
//
// sig is either a raw signature over the module digest (RSA PKCS#1 v1.5 over
// the DigestInfo, as `openssl pkeyutl -sign -pkeyopt digest:HASH` makes it,
// or a DER ECDSA-Sig-Value), which is wrapped into the same PKCS#7 message
// sign-file would write, or a complete DER PKCS#7/CMS SignedData, which is
// appended verbatim like `sign-file -s` does.
func (a *Attacher) Attach(data, sig []byte, replace bool) (signed, p7 []byte, err error) {
	module, err := prepare(data, replace, a.arch)
	if err != nil {
		return nil, nil, err
	}
	if msg, perr := cms.Parse(sig); perr == nil {
		// A whole SignedData (sign-file -s): the kernel's rules decide.
		out := modsig.Append(module, sig)
		if _, err := Verify(out, []*x509.Certificate{a.cert}); err != nil {
			return nil, nil, fmt.Errorf("the PKCS#7 message (%d signer(s)) is not accepted for this module and certificate: %w", len(msg.Signers), err)
		}
		return out, sig, nil
	}
	d := a.hash.Hash.New()
	d.Write(module)
	digest := d.Sum(nil)
	if a.mldsa != nil {
		return a.attachMLDSA(module, digest, sig)
	}
	switch pub := a.cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if len(sig) != pub.Size() {
			return nil, nil, fmt.Errorf("%w: a raw RSA-%d signature is %d bytes, this one is %d (a PEM, base64 or hex file must be decoded to binary first)",
				ErrBadSignature, pub.N.BitLen(), pub.Size(), len(sig))
		}
		if err := rsa.VerifyPKCS1v15(pub, a.hash.Hash, digest, sig); err != nil {
			return nil, nil, fmt.Errorf("%w (RSA PKCS#1 v1.5, %s; was the digest signed with -pkeyopt digest:%s, and the right module?)", ErrBadSignature, a.hash.Name, a.hash.Name)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, digest, sig) {
			return nil, nil, fmt.Errorf("%w (ECDSA %s over %s; the signature must be a DER ECDSA-Sig-Value)", ErrBadSignature, pub.Curve.Params().Name, a.hash.Name)
		}
	default:
		return nil, nil, fmt.Errorf("unsupported public key type %T", pub)
	}
	p7, err = cms.Encode(a.hash, a.sid, a.sigAlg, sig)
	if err != nil {
		return nil, nil, err
	}
	return modsig.Append(module, p7), p7, nil
}

// ListEntry is one line of a digest or signature list.
type ListEntry struct {
	// Kind is what Data holds: "digest:HASH" in a digest list (the module
	// digest to sign), "sig" in a signature list.
	Kind string
	Data []byte
	// Name is the module's name as given to `modsign digest`, usually a file name.
	Name string
}

// DigestListHeader starts every digest list; it documents the format for the
// person who runs the outside signer.
const DigestListHeader = `# modsign digest list v1: KIND HEX NAME per line.
# KIND digest:HASH: HEX is the module's HASH digest; sign it as a prehashed
#   message, e.g. xxd -r -p <<<HEX | openssl pkeyutl -sign -inkey KEY -pkeyopt digest:HASH
# KIND mu:mldsa44|mldsa65|mldsa87: HEX is the FIPS 204 external mu of the module (the pure
#   form, the module itself signed); sign it as mu, e.g. openssl pkeyutl -sign -inkey KEY
#   -pkeyopt mu:1 [-pkeyopt deterministic:1] (OpenSSL 3.5+), or sign the module itself.
# KIND signed-attrs:sha512: HEX is the DER SET of signed attributes an ML-DSA key signs as
#   a message (openssl pkeyutl -sign -rawin).
# Return a signature list: one "sig HEX NAME" line per module (HEX: the raw signature).
`

// WriteList writes entries as "KIND HEX NAME" lines after header.
func WriteList(w io.Writer, header string, entries []ListEntry) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(header)
	for _, e := range entries {
		if strings.ContainsAny(e.Name, "\n\r") || strings.ContainsAny(e.Kind, " \t\n") {
			return fmt.Errorf("module name %q cannot be written to a list (it contains a line break)", e.Name)
		}
		fmt.Fprintf(bw, "%s %s %s\n", e.Kind, hex.EncodeToString(e.Data), e.Name)
	}
	return bw.Flush()
}

// ParseList reads a digest or signature list. Blank lines and lines starting
// with '#' are skipped; every other line must be "KIND HEX NAME".
func ParseList(data []byte) ([]ListEntry, error) {
	var out []ListEntry
	seen := map[string]int{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		l := strings.TrimRight(string(line), "\r")
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.SplitN(l, " ", 3)
		if len(f) != 3 || f[2] == "" {
			return nil, fmt.Errorf("line %d: want \"KIND HEX NAME\", got %q", i+1, l)
		}
		b, err := hex.DecodeString(f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %s is not hex: %w", i+1, f[2], err)
		}
		if prev, dup := seen[f[2]]; dup {
			return nil, fmt.Errorf("line %d: %s is listed twice (first on line %d)", i+1, f[2], prev)
		}
		seen[f[2]] = i + 1
		out = append(out, ListEntry{Kind: f[0], Data: b, Name: f[2]})
	}
	return out, nil
}

func lookupArch(name string) (modsig.Arch, error) {
	if name == "" {
		name = "x86_64"
	}
	return modsig.LookupArch(name)
}

// ToBeSignedAttrs returns the signed attributes an outside ML-DSA signer
// signs for the module data (their DER SET, with a messageDigest of the
// given hash, which must be sha512 for Linux), the form sign-file makes with
// OpenSSL 3.x; Linux 7.x takes it with CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA.
func ToBeSignedAttrs(data []byte, hash, arch string, replace bool) ([]byte, error) {
	if h, ok := cms.HashByName(hash); !ok || h.Name != "sha512" {
		return nil, fmt.Errorf("ML-DSA signed attributes use sha512 (Linux takes no other digest for ML-DSA), not %s", hash)
	}
	d, err := ToBeSigned(data, hash, arch, replace)
	if err != nil {
		return nil, err
	}
	attrs, err := cms.SignedAttributes(d)
	if err != nil {
		return nil, err
	}
	return cms.SignedAttributesToSign(attrs), nil
}

// ToBeSignedMu returns what an outside ML-DSA signer signs for the pure form
// (the module itself signed, no signed attributes; what `modsign sign` makes
// and every 7.x kernel with CONFIG_CRYPTO_MLDSA accepts): the external μ of
// the module for the certificate's key, 64 bytes whatever the module's size.
// The signature over μ is the signature over the module.
func ToBeSignedMu(data []byte, pub *mldsa.PublicKey, arch string, replace bool) ([]byte, error) {
	a, err := lookupArch(arch)
	if err != nil {
		return nil, err
	}
	module, err := prepare(data, replace, a)
	if err != nil {
		return nil, err
	}
	return ExternalMu(pub, module), nil
}

// MuSize is the size of an ML-DSA external μ (FIPS 204's message representative).
const MuSize = 64

// ExternalMu returns FIPS 204's message representative μ of a pure ML-DSA
// signature (empty context) over msg: SHAKE256(tr ‖ 0x00 ‖ 0x00 ‖ msg, 64),
// tr = SHAKE256(pk, 64) (FIPS 204 Algorithms 2 and 7, "external μ"). Signing
// μ gives the same signature as signing msg itself, so a signer that takes μ
// (OpenSSL 3.5+: `openssl pkeyutl -sign -pkeyopt mu:1`, HSMs with external-μ
// ML-DSA) needs 64 bytes instead of the whole module.
//
// It lives here rather than in package mldsa so that the key scanner, which
// the kernel builds run and which imports mldsa, does not change with it.
func ExternalMu(pub *mldsa.PublicKey, msg []byte) []byte {
	tr := sha3.SumSHAKE256(pub.Bytes(), 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0}) // pure ML-DSA, context of length 0
	h.Write(msg)
	mu := make([]byte, MuSize)
	h.Read(mu)
	return mu
}

// attachMLDSA takes a raw ML-DSA signature (FIPS 204, empty context) either
// over the module itself (pure mode) or over the signed attributes
// ToBeSignedAttrs gives (with a sha512 attacher), whichever it verifies as.
func (a *Attacher) attachMLDSA(module, digest, sig []byte) (signed, p7 []byte, err error) {
	if a.mldsa.Verify(module, sig) {
		p7, err = cms.Encode(a.hash, a.sid, a.sigAlg, sig)
	} else if a.hash.Name == "sha512" {
		attrs, aerr := cms.SignedAttributes(digest)
		if aerr != nil {
			return nil, nil, aerr
		}
		if !a.mldsa.Verify(cms.SignedAttributesToSign(attrs), sig) {
			return nil, nil, fmt.Errorf("%w (%s, neither over the module itself nor over its SHA-512 signed attributes)", ErrBadSignature, a.mldsa.Params.Display)
		}
		p7, err = cms.EncodeSigned(a.hash, a.sid, a.sigAlg, attrs, sig)
	} else {
		return nil, nil, fmt.Errorf("%w (%s over the module itself; signed attributes would need --hash sha512)", ErrBadSignature, a.mldsa.Params.Display)
	}
	if err != nil {
		return nil, nil, err
	}
	return modsig.Append(module, p7), p7, nil
}
