package kernel

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"strings"

	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ML-DSA (FIPS 204) module signatures, Linux 7.0 and later (CRYPTO_MLDSA):
//
//   - pkcs7_sig_note_pkey_algo: id-ml-dsa-44/65/87 give pkey_algo "mldsa44" etc.,
//     encoding "raw" and algo_takes_data: ML-DSA signs the data itself.
//   - pkcs7_check_authattrs: without signed attributes, hash_algo becomes
//     "none" and pkcs7_digest hands the module itself to the verifier (the form
//     sign-file makes with OpenSSL 4, RFC 9882 "pure" mode).
//   - With signed attributes (the form sign-file makes with OpenSSL 3.5/3.6,
//     which cannot do CMS_NOATTR with ML-DSA), pkcs7_digest checks the
//     messageDigest attribute against the module's digest, and the signature
//     is over the DER SET of the attributes. pkcs7_verify() refuses signed
//     attributes on module signatures unless the kernel has
//     CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA=y and every signer is ML-DSA.
//   - public_key.c: an ML-DSA key takes only encoding "raw" with hash_algo
//     "none" or "sha512".
//   - x509_cert_parser.c: ML-DSA certificates (key and signature) are parsed too.
//
// Linux 6.1 knows none of this: the OIDs are unknown (ENOPKG).

// mldsaPkey is pkcs7_sig_note_pkey_algo for id-ml-dsa-*.
func (p *Profile) mldsaPkey(oid asn1.ObjectIdentifier) (string, bool, bool) {
	params, ok := mldsa.ByOID(oid)
	if !ok {
		return "", false, false
	}
	return params.Name, !p.is61(), true
}

func isMLDSA(pkey string) bool { return strings.HasPrefix(pkey, "mldsa") }

// mldsaCertKey is x509_extract_key_data for an ML-DSA certificate: Go's
// crypto/x509 leaves PublicKey nil for it.
func mldsaCertKey(c *x509.Certificate) *mldsa.PublicKey {
	if c.PublicKey != nil {
		return nil
	}
	pub, err := mldsa.CertPublicKey(c)
	if err != nil {
		return nil
	}
	return pub
}

// waivesAuthAttrs reports whether pkcs7_verify() lets these signers' signed
// attributes through: CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA and
// every signer with attributes ML-DSA.
func (p *Profile) waivesAuthAttrs(signers []*signer) bool {
	if p.is61() || !p.mldsaAuthAttrs {
		return false
	}
	for _, s := range signers {
		if s.si.SignedAttrs != nil && !isMLDSA(s.pkey) {
			return false
		}
	}
	return true
}

// signedMessage is what the signature of s covers, as pkcs7_digest computes
// it: the module's digest; the module itself for ML-DSA without signed
// attributes; or, with signed attributes, their DER SET (ML-DSA) or its digest,
// once the messageDigest attribute matched the module's digest.
func (r *run) signedMessage(s *signer, module []byte) ([]byte, *Verdict) {
	if s.si.SignedAttrs == nil {
		return digest(s.hash, module), nil
	}
	md, ok := messageDigestAttr(s.si.SignedAttrs)
	if !ok {
		return nil, r.refuse("authattrs-required", "", "signer %d: the signed attributes have no messageDigest", s.index)
	}
	d := digest(s.hash, module)
	if len(md) != len(d) {
		return nil, r.refuse("signature", EBADMSG, "signer %d: the messageDigest attribute is %d bytes, a %s digest %d (pkcs7_digest: Invalid digest size)", s.index, len(md), s.hash, len(d))
	}
	if !bytes.Equal(md, d) {
		return nil, r.refuse("signature", EKEYREJECTED, "signer %d: the messageDigest attribute does not match the module's %s digest (pkcs7_digest: Message digest doesn't match)", s.index, s.hash)
	}
	set := append([]byte{}, s.si.SignedAttrs...)
	set[0] = 0x31 // [0] IMPLICIT becomes SET OF for the signature
	if isMLDSA(s.pkey) {
		return set, nil
	}
	return digest(s.hash, set), nil
}

// messageDigestAttr returns the messageDigest value of DER signed attributes.
func messageDigestAttr(raw []byte) ([]byte, bool) {
	in := cryptobyte.String(raw)
	var attrs cryptobyte.String
	if !in.ReadAnyASN1(&attrs, new(cbasn1.Tag)) {
		return nil, false
	}
	for !attrs.Empty() {
		var attr, vals cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&vals, cbasn1.SET) {
			return nil, false
		}
		if oid.Equal(oidMessageDigest) {
			var v cryptobyte.String
			if vals.ReadASN1(&v, cbasn1.OCTET_STRING) {
				return []byte(v), true
			}
			return nil, false
		}
	}
	return nil, false
}

// mldsaVerify is public_key_verify_signature for an ML-DSA key.
func (r *run) mldsaVerify(k *cert, sigPkey, hash string, sig, msg []byte, what string) *Verdict {
	name := k.c.Subject.CommonName
	if sigPkey != k.pkey {
		if v := r.refuse("key-algo-match", "", "%s: an %s signature but certificate %q holds an %s key", what, sigPkey, name, k.pkey); v != nil {
			return v
		}
		return nil
	}
	if hash != "none" && hash != "sha512" {
		return r.refuse("signature", EINVAL, "%s: ML-DSA takes the data itself or SHA-512 signed attributes, not %s (software_key_determine_akcipher)", what, hash)
	}
	if !k.mldsa.Verify(msg, sig) {
		return r.refuse("signature", "", "%s does not match under %q (%s)", what, name, k.mldsa.Params.Display)
	}
	return nil
}
