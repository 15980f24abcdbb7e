package sign

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// Errno is the error a Linux kernel returns from finit_module for a module
// whose signature it does not accept.
type Errno string

// The errnos module signature checking can produce.
const (
	ENODATA      Errno = "ENODATA"      // no signature
	EBADMSG      Errno = "EBADMSG"      // malformed signature or trailer
	ENOPKG       Errno = "ENOPKG"       // unsupported crypto
	ENOKEY       Errno = "ENOKEY"       // signer not among the trusted keys
	EKEYREJECTED Errno = "EKEYREJECTED" // signature does not match, or not acceptable for a module
	EINVAL       Errno = "EINVAL"       // structurally unacceptable message
)

// Explain gives a one-line plain explanation of an errno for module loading.
func (e Errno) Explain() string {
	switch e {
	case ENODATA:
		return "the module is not signed"
	case EBADMSG:
		return "the signature or its trailer is malformed"
	case ENOPKG:
		return "the signature uses crypto the kernel does not support"
	case ENOKEY:
		return "the signing key is not among the trusted certificates"
	case EKEYREJECTED:
		return "the signature does not verify, or is not acceptable for a module"
	case EINVAL:
		return "the PKCS#7 message or the signature value is structurally unacceptable"
	}
	return string(e)
}

// Enforced reports what a kernel with module.sig_enforce=1 (or
// CONFIG_MODULE_SIG_FORCE) returns for this result: ENODATA, ENOPKG and
// ENOKEY turn into EKEYREJECTED there; the others are always fatal.
func (e Errno) Enforced() Errno {
	switch e {
	case ENODATA, ENOPKG, ENOKEY:
		return EKEYREJECTED
	}
	return e
}

// VerifyError is a refusal, carrying the errno the kernel would return.
type VerifyError struct {
	Errno  Errno
	Reason string
}

func (e *VerifyError) Error() string { return fmt.Sprintf("%s: %s", e.Errno, e.Reason) }

func refuse(errno Errno, format string, a ...any) *VerifyError {
	return &VerifyError{Errno: errno, Reason: fmt.Sprintf(format, a...)}
}

// Verified describes an accepted signature.
type Verified struct {
	Signer *x509.Certificate
	Hash   string
	BySKID bool
}

// Verify applies the checks Linux 6.1 makes in module_sig_check(),
// mod_verify_sig(), mod_check_sig() and verify_pkcs7_signature() (PKCS#7
// parsing, pkcs7_verify for VERIFYING_MODULE_SIGNATURE and trust validation
// against a keyring holding the trusted certificates). Beyond 6.1 it accepts
// the SHA-3 digests that Linux 6.7 added.
//
// Known simplifications: only DER (not BER indefinite-length) messages are
// parsed; certificates embedded in the message are ignored (the kernel, too,
// only trusts keys in its keyrings, and sign-file embeds none). The
// module-hash blacklist (Debian's patch) is left to the caller: compare
// keys.ModuleHashEntry(data) with the blacklist, as `modsign verify` does.
func Verify(data []byte, trusted []*x509.Certificate) (*Verified, error) {
	if !modsig.HasMarker(data) {
		return nil, refuse(ENODATA, "no \"~Module signature appended~\" marker at the end of the file")
	}
	sm, err := modsig.Split(data)
	if err != nil {
		switch {
		case errors.Is(err, modsig.ErrNotPKCS7):
			return nil, refuse(ENOPKG, "%v", err)
		default:
			return nil, refuse(EBADMSG, "%v", err)
		}
	}
	msg, err := cms.Parse(sm.Signature)
	if err != nil {
		switch {
		case errors.Is(err, cms.ErrNotSignedData), errors.Is(err, cms.ErrVersion),
			errors.Is(err, cms.ErrContentType), errors.Is(err, cms.ErrNoSigners):
			return nil, refuse(EINVAL, "%v", err)
		default:
			return nil, refuse(EBADMSG, "%v", err)
		}
	}
	// pkcs7_sig_note_digest_algo / pkcs7_sig_note_pkey_algo run while parsing.
	for i, si := range msg.Signers {
		if _, ok := cms.HashByOID(si.DigestAlgorithm); !ok {
			return nil, refuse(ENOPKG, "signer %d: unsupported digest algorithm %s", i+1, si.DigestAlgorithm)
		}
		if !si.SignatureAlgorithm.Equal(cms.OIDRSAEncryption) && !cms.IsECDSASigOID(si.SignatureAlgorithm) {
			return nil, refuse(ENOPKG, "signer %d: unsupported signature algorithm %s (the kernel knows rsaEncryption and ecdsa-with-*)", i+1, si.SignatureAlgorithm)
		}
	}
	// pkcs7_check_authattrs: presence must be consistent across signers.
	for _, si := range msg.Signers[1:] {
		if (si.SignedAttrs != nil) != (msg.Signers[0].SignedAttrs != nil) {
			return nil, refuse(EINVAL, "inconsistently supplied signed attributes")
		}
	}
	// pkcs7_supply_detached_data.
	if msg.HasContent {
		return nil, refuse(EINVAL, "the PKCS#7 message carries its own content; a module signature must be detached")
	}
	// pkcs7_verify(VERIFYING_MODULE_SIGNATURE).
	if !msg.ContentType.Equal(cms.OIDData) {
		return nil, refuse(EKEYREJECTED, "content type is %s, not pkcs7-data", msg.ContentType)
	}
	if msg.Signers[0].SignedAttrs != nil {
		return nil, refuse(EKEYREJECTED, "the signature has signed (authenticated) attributes, which Linux refuses for modules")
	}
	// pkcs7_validate_trust: each signer is looked up in the keyring and
	// checked; ENOKEY/ENOPKG are remembered, any other failure is final.
	cached := refuse(ENOKEY, "no trusted certificate matches the signer")
	var ok *Verified
	for i, si := range msg.Signers {
		h, _ := cms.HashByOID(si.DigestAlgorithm)
		cert, how := findSigner(si, trusted)
		if cert == nil {
			if cached.Errno == ENOKEY {
				cached = refuse(ENOKEY, "signer %d (%s) is not among the %d trusted certificates", i+1, how, len(trusted))
			}
			continue
		}
		d := h.Hash.New()
		d.Write(sm.Module)
		if err := checkSignature(cert, si, h, d.Sum(nil)); err != nil {
			return nil, err
		}
		// Like pkcs7_validate_trust, keep going: a later signer whose key
		// is trusted but whose signature fails still rejects the module.
		if ok == nil {
			ok = &Verified{Signer: cert, Hash: h.Name, BySKID: si.Version == 3}
		}
	}
	if ok != nil {
		return ok, nil
	}
	return nil, cached
}

// findSigner looks the signer up the way the kernel builds its key IDs: a
// version 1 signerInfo names issuer+serial, a version 3 one names the SKID.
func findSigner(si cms.SignerInfo, trusted []*x509.Certificate) (*x509.Certificate, string) {
	if si.Version == 3 {
		for _, c := range trusted {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, si.SID.SKID) {
				return c, fmt.Sprintf("subjectKeyIdentifier %x", si.SID.SKID)
			}
		}
		return nil, fmt.Sprintf("subjectKeyIdentifier %x", si.SID.SKID)
	}
	for _, c := range trusted {
		serial, err := keys.RawSerial(c)
		if err == nil && bytes.Equal(serial, si.SID.RawSerial) && bytes.Equal(c.RawIssuer, si.SID.RawIssuer) {
			return c, ""
		}
	}
	return nil, fmt.Sprintf("issuer %q serial %x", issuerCN(si.SID.RawIssuer), si.SID.RawSerial)
}

func checkSignature(cert *x509.Certificate, si cms.SignerInfo, h cms.Hash, digest []byte) error {
	isRSA := si.SignatureAlgorithm.Equal(cms.OIDRSAEncryption)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if !isRSA {
			return refuse(EKEYREJECTED, "ECDSA signature but certificate %q holds an RSA key", cert.Subject.CommonName)
		}
		return verifyPKCS1(pub, h, digest, si.Signature, cert.Subject.CommonName)
	case *ecdsa.PublicKey:
		if isRSA {
			return refuse(EKEYREJECTED, "RSA signature but certificate %q holds an ECDSA key", cert.Subject.CommonName)
		}
		var sig struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(si.Signature, &sig); err != nil || len(rest) != 0 {
			return refuse(EBADMSG, "ECDSA signature is not a DER SEQUENCE of two INTEGERs")
		}
		n := pub.Curve.Params().N
		if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || sig.R.Cmp(n) >= 0 || sig.S.Cmp(n) >= 0 {
			return refuse(EBADMSG, "ECDSA signature values out of range")
		}
		if !ecdsa.VerifyASN1(pub, digest, si.Signature) {
			return refuse(EKEYREJECTED, "ECDSA signature does not match the module's %s digest under %q", h.Name, cert.Subject.CommonName)
		}
		return nil
	default:
		return refuse(ENOPKG, "certificate %q holds an unsupported %T key", cert.Subject.CommonName, pub)
	}
}

// verifyPKCS1 follows crypto/rsa-pkcs1pad.c's pkcs1pad_verify and its
// completion, so that each failure gets the kernel's errno.
func verifyPKCS1(pub *rsa.PublicKey, h cms.Hash, digest, sig []byte, name string) error {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return refuse(EINVAL, "RSA signature is %d bytes but the key is %d bytes", len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return refuse(EINVAL, "RSA signature value is not smaller than the modulus")
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	// The kernel strips leading zero bytes; a valid block is 00 01 FF..FF 00 DigestInfo.
	if em[0] != 0 || em[1] == 0 {
		return refuse(EINVAL, "RSA signature does not decrypt to a PKCS#1 block under %q (made by another key, or corrupted)", name)
	}
	out := em[1:]
	if out[0] != 0x01 {
		return refuse(EBADMSG, "RSA signature has bad PKCS#1 padding (wrong key?)")
	}
	pos := 1
	for pos < len(out) && out[pos] == 0xff {
		pos++
	}
	if pos < 9 || pos == len(out) || out[pos] != 0 {
		return refuse(EBADMSG, "RSA signature has bad PKCS#1 padding (wrong key?)")
	}
	pos++
	prefix := digestInfoPrefix(h)
	if !bytes.HasPrefix(out[pos:], prefix) {
		return refuse(EBADMSG, "RSA signature's DigestInfo is not for %s", h.Name)
	}
	pos += len(prefix)
	if len(out)-pos != len(digest) {
		return refuse(EKEYREJECTED, "RSA signature's digest has the wrong length")
	}
	if !bytes.Equal(out[pos:], digest) {
		return refuse(EKEYREJECTED, "RSA signature does not match the module's %s digest (the module was changed after signing, or another key signed it)", h.Name)
	}
	return nil
}

// digestInfoPrefix is the DER DigestInfo header for h (RFC 8017 9.2 note 1).
func digestInfoPrefix(h cms.Hash) []byte {
	oid, _ := asn1.Marshal(h.OID)
	algID := append(append([]byte{}, oid...), 0x05, 0x00)
	algSeq := append([]byte{0x30, byte(len(algID))}, algID...)
	n := h.Hash.Size()
	inner := append(algSeq, 0x04, byte(n))
	return append([]byte{0x30, byte(len(inner) + n)}, inner...)
}

// issuerCN extracts the CN from a raw Name, for messages.
func issuerCN(raw []byte) string {
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdn); err != nil {
		return ""
	}
	for _, set := range rdn {
		for _, atv := range set {
			if atv.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 3}) {
				if s, ok := atv.Value.(string); ok {
					return s
				}
			}
		}
	}
	return ""
}
