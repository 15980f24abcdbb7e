package cms

import (
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
)

// SignedAttributes returns the signed attributes OpenSSL's CMS writes for a
// module signature when it cannot leave them out (sign-file with ML-DSA and
// OpenSSL 3.5/3.6, CMS_NOSMIMECAP and CMS_NO_SIGNING_TIME): contentType
// pkcs7-data and the messageDigest of the module, in DER SET OF order, as the
// [0] IMPLICIT field of the SignerInfo. The signature covers the same bytes
// with the tag changed to SET (0x31); see SignedAttributesToSign.
func SignedAttributes(digest []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		// DER sorts SET OF by encoding: contentType (30 18 ...) before messageDigest (30 4f/3f/2f ...).
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidAttrContentType)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(OIDData) })
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidAttrMessageDigest)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
		})
	})
	return b.Bytes()
}

// SignedAttributesToSign returns what the signature over signed attributes
// covers: their DER with the [0] IMPLICIT tag replaced by SET OF (RFC 5652 5.4).
func SignedAttributesToSign(signedAttrs []byte) []byte {
	out := append([]byte{}, signedAttrs...)
	if len(out) > 0 {
		out[0] = 0x31
	}
	return out
}
