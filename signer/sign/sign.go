// Package sign signs kernel modules the way scripts/sign-file does and
// verifies them the way Linux does when it loads them.
package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/kernel"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// Signer holds everything needed to sign modules; it is safe for concurrent use.
type Signer struct {
	key    crypto.Signer
	cert   *x509.Certificate
	hash   cms.Hash
	sid    cms.SignerID
	sigAlg asn1.ObjectIdentifier
	random io.Reader
	arch   modsig.Arch
	// mldsa: the key is ML-DSA, which signs the data itself; signedAttrs:
	// sign SHA-512 signed attributes instead of the module (sign-file's form
	// with OpenSSL 3.5/3.6).
	mldsa, signedAttrs bool
}

// Options configure NewSigner.
type Options struct {
	Hash  string // digest name, e.g. "sha512"
	KeyID bool   // name the signer by subjectKeyIdentifier (sign-file -k)
	// SkipMatchCheck disables the key/certificate match check. sign-file has
	// no such check; the sign-file compatible command sets this.
	SkipMatchCheck bool
	// AllowSHA1 permits sha1, which sign-file still accepts and Linux 6.1
	// still verifies (CONFIG_MODULE_SIG_SHA1) but which should not be used.
	AllowSHA1 bool
	// Arch is the architecture modules must be built for ("" = x86_64;
	// see modsig.LookupArch).
	Arch string
	// SignedAttrs makes ML-DSA signatures over signed attributes (contentType
	// and a SHA-512 messageDigest), the form sign-file makes with OpenSSL
	// 3.5/3.6; Linux 7.x takes it only with
	// CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA=y. Without it, ML-DSA
	// signs the module itself (RFC 9882 pure mode, sign-file with OpenSSL 4),
	// which every 7.x kernel with CONFIG_CRYPTO_MLDSA takes.
	SignedAttrs bool
}

// NewSigner prepares a signer from a key and the certificate that names it.
func NewSigner(key crypto.Signer, cert *x509.Certificate, opts Options) (*Signer, error) {
	h, ok := cms.HashByName(opts.Hash)
	if !ok || (h.Name == "sha1" && !opts.AllowSHA1) {
		return nil, fmt.Errorf("unsupported hash %q (supported: %v)", opts.Hash, cms.SigningHashes())
	}
	if !h.Hash.Available() {
		return nil, fmt.Errorf("hash %s is not available in this build", h.Name)
	}
	if !opts.SkipMatchCheck {
		if err := keys.CheckMatch(key, cert); err != nil {
			return nil, err
		}
	}
	// ECDSA signatures are made deterministic (RFC 6979, a nil random
	// source) so that signing is reproducible and Bazel outputs are
	// cacheable; sign-file's ECDSA signatures are randomised, and both kinds
	// verify the same way. RSA PKCS#1 v1.5 is deterministic anyway.
	arch := opts.Arch
	if arch == "" {
		arch = "x86_64"
	}
	a, err := modsig.LookupArch(arch)
	if err != nil {
		return nil, err
	}
	s := &Signer{key: key, cert: cert, hash: h, arch: a}
	// By public key, so that keys held elsewhere (a PKCS#11 token) work too.
	switch pub := key.Public().(type) {
	case *rsa.PublicKey:
		if k, ok := key.(*rsa.PrivateKey); ok {
			k.Precompute()
		}
		s.sigAlg = cms.OIDRSAEncryption
	case *ecdsa.PublicKey:
		s.sigAlg = h.ECDSA
	case *mldsa.PublicKey:
		s.sigAlg, s.mldsa, s.signedAttrs = pub.Params.OID, true, opts.SignedAttrs
		if opts.SignedAttrs && h.Name != "sha512" {
			return nil, fmt.Errorf("%s signatures with signed attributes use SHA-512 (Linux's public_key.c takes no other digest for ML-DSA), not %s", pub.Params.Display, h.Name)
		}
	default:
		return nil, fmt.Errorf("unsupported key type %T (Linux accepts RSA, ECDSA and, from 7.0, ML-DSA module signatures)", key)
	}
	if opts.SignedAttrs && !s.mldsa {
		return nil, errors.New("signed attributes are only made for ML-DSA keys; Linux refuses them on RSA and ECDSA module signatures")
	}
	if opts.KeyID {
		if len(cert.SubjectKeyId) == 0 {
			return nil, fmt.Errorf("certificate %q has no subjectKeyIdentifier, so it cannot be named by key ID; sign without --keyid or add subjectKeyIdentifier=hash to the certificate", cert.Subject.CommonName)
		}
		s.sid.SKID = cert.SubjectKeyId
	} else {
		serial, err := keys.RawSerial(cert)
		if err != nil {
			return nil, fmt.Errorf("certificate %q: %w", cert.Subject.CommonName, err)
		}
		s.sid.RawIssuer = cert.RawIssuer
		s.sid.RawSerial = serial
	}
	return s, nil
}

// Hash returns the digest the signer uses.
func (s *Signer) Hash() cms.Hash { return s.hash }

// PKCS7 returns the detached PKCS#7 signature of module, byte-identical to
// sign-file's for RSA keys (RSA PKCS#1 v1.5 signatures are deterministic).
func (s *Signer) PKCS7(module []byte) ([]byte, error) {
	if s.mldsa {
		return s.pkcs7MLDSA(module)
	}
	d := s.hash.Hash.New()
	d.Write(module)
	sig, err := s.key.Sign(s.random, d.Sum(nil), s.hash.Hash)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return cms.Encode(s.hash, s.sid, s.sigAlg, sig)
}

// ErrAlreadySigned is returned when signing a module that already carries a signature.
var ErrAlreadySigned = errors.New("module is already signed")

// SignBytes checks that data is a module and returns it with a signature
// appended, plus the PKCS#7 message. With replace, an existing signature is
// stripped first; without it, a signed module is refused.
func (s *Signer) SignBytes(data []byte, replace bool) (signed, p7 []byte, err error) {
	module, err := prepare(data, replace, s.arch)
	if err != nil {
		return nil, nil, err
	}
	p7, err = s.PKCS7(module)
	if err != nil {
		return nil, nil, err
	}
	return modsig.Append(module, p7), p7, nil
}

// prepare validates the module and removes an old signature when asked.
func prepare(data []byte, replace bool, arch modsig.Arch) ([]byte, error) {
	module := data
	if modsig.HasMarker(data) {
		if !replace {
			return nil, fmt.Errorf("%w (it ends with \"~Module signature appended~\"); pass --replace to re-sign it, or strip it first with `modsign strip`", ErrAlreadySigned)
		}
		sm, err := modsig.Split(data)
		if err != nil {
			return nil, fmt.Errorf("cannot remove the old signature: %w", err)
		}
		module = sm.Module
	}
	if err := modsig.CheckModule(module, arch); err != nil {
		return nil, err
	}
	return module, nil
}

// CheckModule reports whether data (signed or not) is a module for the
// signer's architecture.
func (s *Signer) CheckModule(data []byte) error {
	_, err := prepare(data, true, s.arch)
	return err
}

// KernelVerdict is what a kernel of profile p, trusting the signer's
// certificate, decides for modules this signer signs: the rules that depend
// on the key, the certificate and the digest (RSA sizes, curves, digests the
// line knows, certificate algorithms), checked on a signature of a probe.
func (s *Signer) KernelVerdict(p *kernel.Profile) (kernel.Verdict, error) {
	probe := []byte("modsign probe: the verdict does not depend on the module's bytes")
	p7, err := s.PKCS7(probe)
	if err != nil {
		return kernel.Verdict{}, err
	}
	return p.Verify(modsig.Append(probe, p7), p.NewKeyring([]*x509.Certificate{s.cert}, nil)), nil
}

// Warnings lists what is legal but unwise about a signing certificate: the
// kernel does not check validity dates or key usage for module signatures,
// but other verifiers (and auditors) do.
func Warnings(key crypto.Signer, cert *x509.Certificate, now time.Time) []string {
	var w []string
	name := cert.Subject.CommonName
	if now.After(cert.NotAfter) {
		w = append(w, fmt.Sprintf("certificate %q expired on %s (Linux does not check, but other verifiers do)", name, cert.NotAfter.Format("2006-01-02")))
	} else if now.Before(cert.NotBefore) {
		w = append(w, fmt.Sprintf("certificate %q is not valid before %s", name, cert.NotBefore.Format("2006-01-02")))
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		w = append(w, fmt.Sprintf("certificate %q has a keyUsage extension without digitalSignature", name))
	}
	if k, ok := key.(*rsa.PrivateKey); ok && k.N.BitLen() < 2048 {
		w = append(w, fmt.Sprintf("RSA-%d is too weak: use at least 2048 bits (the kernel refuses keys under 2048 bits in FIPS mode)", k.N.BitLen()))
	}
	return w
}

// pkcs7MLDSA signs with ML-DSA: the module itself (pure mode), or SHA-512
// signed attributes. circl signs deterministically, so the bytes are
// reproducible; sign-file's (OpenSSL's) ML-DSA signatures are hedged (random)
// and differ on every run, while its signed attributes equal ours.
func (s *Signer) pkcs7MLDSA(module []byte) ([]byte, error) {
	if !s.signedAttrs {
		sig, err := s.key.Sign(nil, module, crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("signing: %w", err)
		}
		return cms.Encode(s.hash, s.sid, s.sigAlg, sig)
	}
	d := s.hash.Hash.New()
	d.Write(module)
	attrs, err := cms.SignedAttributes(d.Sum(nil))
	if err != nil {
		return nil, err
	}
	sig, err := s.key.Sign(nil, cms.SignedAttributesToSign(attrs), crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return cms.EncodeSigned(s.hash, s.sid, s.sigAlg, attrs, sig)
}
