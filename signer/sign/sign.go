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
	"os"
	"path/filepath"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// Signer holds everything needed to sign modules; it is safe for concurrent use.
type Signer struct {
	key    crypto.Signer
	hash   cms.Hash
	sid    cms.SignerID
	sigAlg asn1.ObjectIdentifier
	random io.Reader
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
	s := &Signer{key: key, hash: h}
	// By public key, so that keys held elsewhere (a PKCS#11 token) work too.
	switch key.Public().(type) {
	case *rsa.PublicKey:
		if k, ok := key.(*rsa.PrivateKey); ok {
			k.Precompute()
		}
		s.sigAlg = cms.OIDRSAEncryption
	case *ecdsa.PublicKey:
		s.sigAlg = h.ECDSA
	default:
		return nil, fmt.Errorf("unsupported key type %T (Linux accepts RSA and ECDSA module signatures)", key)
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
	module, err := prepare(data, replace)
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
func prepare(data []byte, replace bool) ([]byte, error) {
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
	if err := modsig.CheckELF(module); err != nil {
		return nil, err
	}
	return module, nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory that is renamed into place, so readers (and a crash) see either
// the old file or the complete new one. mode is used when path does not exist
// yet; an existing file keeps its permission bits.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".modsign-*")
	if err != nil {
		return fmt.Errorf("creating temporary file next to %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("setting mode of %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", tmp, path, err)
	}
	ok = true
	return nil
}
