// Package cms encodes and parses the PKCS#7 / CMS SignedData messages that
// Linux appends to kernel modules.
//
// Why not go.mozilla.org/pkcs7: sign-file (scripts/sign-file.c, OpenSSL CMS
// with CMS_NOCERTS|CMS_NOATTR|CMS_DETACHED|CMS_BINARY and optionally
// CMS_USE_KEYID) emits a SignedData that pkcs7 cannot express:
//   - pkcs7 always embeds the signer certificate; sign-file embeds none;
//   - pkcs7 can only name the signer by issuer and serial number; sign-file -k
//     names it by subjectKeyIdentifier (CMS version 3);
//   - pkcs7 writes sha*WithRSAEncryption as the signature algorithm; sign-file
//     writes rsaEncryption, and Linux's pkcs7_sig_note_pkey_algo() only knows
//     rsaEncryption and ecdsa-with-*, so the kernel would refuse it (ENOPKG);
//   - pkcs7 always adds signed attributes, which Linux refuses for modules.
//
// So the message is built by hand with golang.org/x/crypto/cryptobyte, byte
// for byte as OpenSSL 3 serialises it. go.mozilla.org/pkcs7 is still used in
// the tests, as an independent parser of what this package writes.
package cms

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers.
var (
	OIDData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	// OIDMSIndirectData is Authenticode's content type; the kernel parses it but refuses it for modules.
	OIDMSIndirectData = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}

	OIDRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}

	OIDECDSAWithSHA1     = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	OIDECDSAWithSHA224   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	OIDECDSAWithSHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDECDSAWithSHA384   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	OIDECDSAWithSHA512   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	OIDECDSAWithSHA3_256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 10}
	OIDECDSAWithSHA3_384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 11}
	OIDECDSAWithSHA3_512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 12}
)

// Hash describes a digest algorithm usable for module signatures.
type Hash struct {
	Name string // sign-file / kernel name, e.g. "sha512"
	OID  asn1.ObjectIdentifier
	Hash crypto.Hash
	// ECDSA is the ecdsa-with-* signature algorithm OpenSSL pairs with this digest.
	ECDSA asn1.ObjectIdentifier
	// MinLinux is the first Linux release whose PKCS#7 parser accepts the digest.
	MinLinux string
}

var hashes = []Hash{
	{"sha1", asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1, OIDECDSAWithSHA1, "4.3"},
	{"sha224", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224, OIDECDSAWithSHA224, "4.3"},
	{"sha256", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256, OIDECDSAWithSHA256, "4.3"},
	{"sha384", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384, OIDECDSAWithSHA384, "4.3"},
	{"sha512", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512, OIDECDSAWithSHA512, "4.3"},
	{"sha3-256", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}, crypto.SHA3_256, OIDECDSAWithSHA3_256, "6.7"},
	{"sha3-384", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}, crypto.SHA3_384, OIDECDSAWithSHA3_384, "6.7"},
	{"sha3-512", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}, crypto.SHA3_512, OIDECDSAWithSHA3_512, "6.7"},
}

// SigningHashes lists the digest names modsign signs with (sha1 is verify-only).
func SigningHashes() []string {
	var out []string
	for _, h := range hashes {
		if h.Name != "sha1" {
			out = append(out, h.Name)
		}
	}
	return out
}

// HashByName looks a digest up by its sign-file name ("sha512", "sha3-256", ...).
// Upper case and the OpenSSL spellings "SHA512" / "sha3_256" are accepted too.
func HashByName(name string) (Hash, bool) {
	n := []byte(name)
	for i, c := range n {
		if c >= 'A' && c <= 'Z' {
			n[i] = c + 'a' - 'A'
		}
		if c == '_' {
			n[i] = '-'
		}
	}
	for _, h := range hashes {
		if h.Name == string(n) {
			return h, true
		}
	}
	return Hash{}, false
}

// HashByOID looks a digest up by its object identifier.
func HashByOID(oid asn1.ObjectIdentifier) (Hash, bool) {
	for _, h := range hashes {
		if h.OID.Equal(oid) {
			return h, true
		}
	}
	return Hash{}, false
}

// IsECDSASigOID reports whether oid is one of the ecdsa-with-* algorithms.
// Linux 6.1 knows ecdsa-with-SHA1/224/256/384/512; 6.7+ adds the SHA-3 ones.
func IsECDSASigOID(oid asn1.ObjectIdentifier) bool {
	for _, h := range hashes {
		if h.ECDSA.Equal(oid) {
			return true
		}
	}
	return false
}

// SignerID names the certificate whose key made the signature: either by
// issuer and serial number (sign-file's default) or by subjectKeyIdentifier (sign-file -k).
type SignerID struct {
	// RawIssuer is the DER Name (the full SEQUENCE) copied from the certificate.
	RawIssuer []byte
	// RawSerial is the content octets of the certificate's serialNumber INTEGER.
	RawSerial []byte
	// SKID, when set, selects the subjectKeyIdentifier form.
	SKID []byte
}

// IsSKID reports whether the signer is named by subjectKeyIdentifier.
func (s SignerID) IsSKID() bool { return s.SKID != nil }

// SignerInfo is one parsed signerInfo.
type SignerInfo struct {
	Version            int
	SID                SignerID
	DigestAlgorithm    asn1.ObjectIdentifier
	SignedAttrs        []byte // raw [0] IMPLICIT SET, nil if absent
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
}

// SignedData is a parsed PKCS#7 SignedData message.
type SignedData struct {
	Version          int
	DigestAlgorithms []asn1.ObjectIdentifier
	ContentType      asn1.ObjectIdentifier
	Content          []byte // encapsulated content, nil when detached
	HasContent       bool
	Certificates     [][]byte // raw DER certificates, if any were embedded
	Signers          []SignerInfo
}

// Encode builds the DER SignedData exactly as sign-file (OpenSSL 3 CMS) does:
// no certificates, no signed attributes, detached data, one signer.
//
// sigAlg is OIDRSAEncryption (encoded with NULL parameters) or an ecdsa-with-*
// OID (encoded without parameters), as OpenSSL does.
func Encode(h Hash, sid SignerID, sigAlg asn1.ObjectIdentifier, signature []byte) ([]byte, error) {
	return EncodeSigned(h, sid, sigAlg, nil, signature)
}

// EncodeSigned is Encode with optional signed attributes: signedAttrs, when
// not nil, is the DER [0] IMPLICIT SET written between the digest and the
// signature algorithms (see SignedAttributes).
func EncodeSigned(h Hash, sid SignerID, sigAlg asn1.ObjectIdentifier, signedAttrs, signature []byte) ([]byte, error) {
	version := int64(1)
	if sid.IsSKID() {
		version = 3
	} else if len(sid.RawIssuer) == 0 || len(sid.RawSerial) == 0 {
		return nil, errors.New("cms: signer identifier needs an issuer and a serial number, or a subjectKeyIdentifier")
	}
	digestAlg := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(h.OID)
		})
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(version)
				b.AddASN1(cbasn1.SET, digestAlg)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(OIDData)
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(version)
						if sid.IsSKID() {
							b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(sid.SKID)
							})
						} else {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddBytes(sid.RawIssuer)
								b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) {
									b.AddBytes(sid.RawSerial)
								})
							})
						}
						digestAlg(b)
						if signedAttrs != nil {
							b.AddBytes(signedAttrs)
						}
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(sigAlg)
							if sigAlg.Equal(OIDRSAEncryption) {
								b.AddASN1NULL()
							}
						})
						b.AddASN1OctetString(signature)
					})
				})
			})
		})
	})
	return b.Bytes()
}

// Parse errors. The kernel maps these to errnos: ErrMalformed is EBADMSG,
// ErrNotSignedData, ErrVersion, ErrContentType and ErrNoSigners are EINVAL,
// ErrVersionMismatch is EBADMSG.
var (
	ErrMalformed       = errors.New("malformed PKCS#7 message")
	ErrNotSignedData   = errors.New("PKCS#7 content type is not signedData")
	ErrVersion         = errors.New("unsupported SignedData or SignerInfo version")
	ErrVersionMismatch = errors.New("SignedData and SignerInfo versions do not match")
	ErrContentType     = errors.New("unsupported encapsulated content type")
	ErrNoSigners       = errors.New("PKCS#7 message has no signerInfo")
)

func malformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }

// Parse decodes a DER SignedData message, following the structure Linux's
// crypto/asymmetric_keys/pkcs7.asn1 accepts (SET or SEQUENCE forms of the
// digestAlgorithms and signerInfos, optional certificates and CRLs, optional
// signed and unsigned attributes). BER indefinite lengths are not accepted.
func Parse(der []byte) (*SignedData, error) {
	in := cryptobyte.String(der)
	var ci cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, malformed("not a DER SEQUENCE (ContentInfo)")
	}
	if !in.Empty() {
		return nil, malformed("trailing data after the ContentInfo")
	}
	if !ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, malformed("ContentInfo has no contentType")
	}
	if !oid.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w (it is %s)", ErrNotSignedData, oid)
	}
	var explicit, sd cryptobyte.String
	if !ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, malformed("ContentInfo has no [0] content")
	}
	if !explicit.ReadASN1(&sd, cbasn1.SEQUENCE) || !explicit.Empty() {
		return nil, malformed("SignedData is not a SEQUENCE")
	}
	out := &SignedData{}
	if !sd.ReadASN1Integer(&out.Version) {
		return nil, malformed("SignedData version is not a small INTEGER")
	}
	if out.Version != 1 && out.Version != 3 {
		return nil, fmt.Errorf("%w: SignedData version %d", ErrVersion, out.Version)
	}
	var algs cryptobyte.String
	var tag cbasn1.Tag
	if !sd.ReadAnyASN1(&algs, &tag) || (tag != cbasn1.SET && tag != cbasn1.SEQUENCE) {
		return nil, malformed("digestAlgorithms is not a SET")
	}
	for !algs.Empty() {
		o, err := readAlgorithm(&algs)
		if err != nil {
			return nil, fmt.Errorf("digestAlgorithms: %w", err)
		}
		out.DigestAlgorithms = append(out.DigestAlgorithms, o)
	}
	var eci cryptobyte.String
	if !sd.ReadASN1(&eci, cbasn1.SEQUENCE) {
		return nil, malformed("encapContentInfo is not a SEQUENCE")
	}
	if !eci.ReadASN1ObjectIdentifier(&out.ContentType) {
		return nil, malformed("encapContentInfo has no contentType")
	}
	if !out.ContentType.Equal(OIDData) && !out.ContentType.Equal(OIDMSIndirectData) {
		return nil, fmt.Errorf("%w: %s", ErrContentType, out.ContentType)
	}
	if !eci.Empty() {
		var content cryptobyte.String
		if !eci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !eci.Empty() {
			return nil, malformed("encapContentInfo content is not [0] EXPLICIT")
		}
		out.Content = []byte(content)
		out.HasContent = true
	}
	// Optional certificates: [0] IMPLICIT SET OF or [2] IMPLICIT SEQUENCE OF.
	for _, t := range []cbasn1.Tag{cbasn1.Tag(0).Constructed().ContextSpecific(), cbasn1.Tag(2).Constructed().ContextSpecific()} {
		if sd.PeekASN1Tag(t) {
			var certs cryptobyte.String
			sd.ReadASN1(&certs, t)
			for !certs.Empty() {
				var c cryptobyte.String
				if !certs.ReadASN1Element(&c, cbasn1.SEQUENCE) {
					return nil, malformed("embedded certificate is not a SEQUENCE")
				}
				out.Certificates = append(out.Certificates, []byte(c))
			}
			break
		}
	}
	// Optional CRLs: [1] or [3].
	for _, t := range []cbasn1.Tag{cbasn1.Tag(1).Constructed().ContextSpecific(), cbasn1.Tag(3).Constructed().ContextSpecific()} {
		if sd.PeekASN1Tag(t) {
			sd.SkipASN1(t)
			break
		}
	}
	var sis cryptobyte.String
	if !sd.ReadAnyASN1(&sis, &tag) || (tag != cbasn1.SET && tag != cbasn1.SEQUENCE) {
		return nil, malformed("signerInfos is not a SET")
	}
	if !sd.Empty() {
		return nil, malformed("trailing data in SignedData")
	}
	for !sis.Empty() {
		var si cryptobyte.String
		if !sis.ReadASN1(&si, cbasn1.SEQUENCE) {
			return nil, malformed("signerInfo is not a SEQUENCE")
		}
		s, err := parseSignerInfo(si, out.Version)
		if err != nil {
			return nil, err
		}
		out.Signers = append(out.Signers, s)
	}
	if len(out.Signers) == 0 {
		return nil, ErrNoSigners
	}
	return out, nil
}

func readAlgorithm(s *cryptobyte.String) (asn1.ObjectIdentifier, error) {
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return nil, malformed("AlgorithmIdentifier is not a SEQUENCE")
	}
	if !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, malformed("AlgorithmIdentifier has no OID")
	}
	if !alg.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&params, &tag) || !alg.Empty() {
			return nil, malformed("AlgorithmIdentifier has trailing data")
		}
	}
	return oid, nil
}

func parseSignerInfo(si cryptobyte.String, sdVersion int) (SignerInfo, error) {
	var s SignerInfo
	if !si.ReadASN1Integer(&s.Version) {
		return s, malformed("signerInfo version is not a small INTEGER")
	}
	switch s.Version {
	case 1:
		if sdVersion != 1 {
			return s, ErrVersionMismatch
		}
	case 3:
		if sdVersion == 1 {
			return s, ErrVersionMismatch
		}
	default:
		return s, fmt.Errorf("%w: SignerInfo version %d", ErrVersion, s.Version)
	}
	switch {
	case si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, name cryptobyte.String
		si.ReadASN1(&ias, cbasn1.SEQUENCE)
		if !ias.ReadASN1Element(&name, cbasn1.SEQUENCE) {
			return s, malformed("issuerAndSerialNumber has no issuer Name")
		}
		var serial cryptobyte.String
		if !ias.ReadASN1(&serial, cbasn1.INTEGER) || !ias.Empty() {
			return s, malformed("issuerAndSerialNumber has no serialNumber")
		}
		s.SID.RawIssuer = []byte(name)
		s.SID.RawSerial = []byte(serial)
	case si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var skid cryptobyte.String
		si.ReadASN1(&skid, cbasn1.Tag(0).ContextSpecific())
		s.SID.SKID = append([]byte{}, skid...)
	default:
		return s, malformed("signerInfo has no signer identifier")
	}
	oid, err := readAlgorithm(&si)
	if err != nil {
		return s, fmt.Errorf("signerInfo digestAlgorithm: %w", err)
	}
	s.DigestAlgorithm = oid
	if si.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var attrs cryptobyte.String
		si.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific())
		s.SignedAttrs = []byte(attrs)
	} else if si.PeekASN1Tag(cbasn1.Tag(2).Constructed().ContextSpecific()) {
		var attrs cryptobyte.String
		si.ReadASN1Element(&attrs, cbasn1.Tag(2).Constructed().ContextSpecific())
		s.SignedAttrs = []byte(attrs)
	}
	if oid, err = readAlgorithm(&si); err != nil {
		return s, fmt.Errorf("signerInfo signatureAlgorithm: %w", err)
	}
	s.SignatureAlgorithm = oid
	var sig cryptobyte.String
	if !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return s, malformed("signerInfo signature is not an OCTET STRING")
	}
	s.Signature = []byte(sig)
	for _, t := range []cbasn1.Tag{cbasn1.Tag(1).Constructed().ContextSpecific(), cbasn1.Tag(3).Constructed().ContextSpecific()} {
		if si.PeekASN1Tag(t) {
			si.SkipASN1(t)
			break
		}
	}
	if !si.Empty() {
		return s, malformed("trailing data in signerInfo")
	}
	return s, nil
}
