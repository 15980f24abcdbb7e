package corpus

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OIDs, from RFC 5652, RFC 8017, RFC 5758, NIST CSOR and Authenticode.
var (
	oidData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidMSIndirectData = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}
	oidContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidRSAEncryption  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
)

// hashAlg is a digest algorithm a module signature can name.
type hashAlg struct {
	name     string
	oid      asn1.ObjectIdentifier // digestAlgorithm
	ecdsaOID asn1.ObjectIdentifier // signatureAlgorithm for ECDSA keys
	sum      func([]byte) []byte
}

var hashes = map[string]hashAlg{
	"md5": {"md5", asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}, nil,
		func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
	"sha1": {"sha1", asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1},
		func(b []byte) []byte { s := sha1.Sum(b); return s[:] }},
	"sha224": {"sha224", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1},
		func(b []byte) []byte { s := sha256.Sum224(b); return s[:] }},
	"sha256": {"sha256", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2},
		func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
	"sha384": {"sha384", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3},
		func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }},
	"sha512": {"sha512", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4},
		func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }},
	"sha3-256": {"sha3-256", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 10},
		func(b []byte) []byte { s := sha3.Sum256(b); return s[:] }},
	"sha3-384": {"sha3-384", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 11},
		func(b []byte) []byte { s := sha3.Sum384(b); return s[:] }},
	"sha3-512": {"sha3-512", asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 12},
		func(b []byte) []byte { s := sha3.Sum512(b); return s[:] }},
}

// authAttrs selects the signed attributes of a SignerInfo.
type authAttrs int

const (
	noAttrs          authAttrs = iota
	attrsFull                  // contentType and messageDigest, what CMS without CMS_NOATTR writes
	attrsNoMsgDigest           // contentType only: incomplete
)

// signerSpec is one SignerInfo.
type signerSpec struct {
	signer       *Signer
	hash         string
	skid         bool // sid is [0] subjectKeyIdentifier (SignerInfo v3) instead of issuerAndSerialNumber
	attrs        authAttrs
	corruptSig   bool                  // flip a bit of the signature value
	sigAlg       asn1.ObjectIdentifier // overrides the signatureAlgorithm OID
	sinfoVersion int                   // overrides the SignerInfo version
}

// encoding selects how the three outer headers (ContentInfo, [0], SignedData) are encoded.
type encoding int

const (
	der        encoding = iota
	berIndef            // indefinite lengths, end-of-contents octets
	berLongLen          // definite lengths in a non-minimal 4-byte long form
)

// msgSpec is one PKCS#7 SignedData message.
type msgSpec struct {
	signers      []signerSpec
	certs        [][]byte              // certificates embedded in the message, DER
	eContentType asn1.ObjectIdentifier // default data
	outerType    asn1.ObjectIdentifier // ContentInfo contentType, default signedData
	embedContent bool                  // the module inside eContent: not detached
	version      int                   // overrides the SignedData version
	enc          encoding
}

func addOID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	b.AddASN1ObjectIdentifier(oid)
}

func addAlgID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addOID(b, oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

// digestInfo is the DER DigestInfo RSASSA-PKCS1-v1_5 signs (RFC 8017 9.2), with
// NULL parameters as the kernel's hash prefixes (crypto/rsa-pkcs1pad.c,
// crypto/rsassa-pkcs1.c) expect.
func digestInfo(h hashAlg, digest []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgID(b, h.oid, true)
		b.AddASN1OctetString(digest)
	})
	return b.Bytes()
}

// sign signs digest (of the message, or of the signed attributes) with s's key.
func sign(s *Signer, h hashAlg, digest []byte) ([]byte, error) {
	switch k := s.Key.(type) {
	case *rsa.PrivateKey:
		di, err := digestInfo(h, digest)
		if err != nil {
			return nil, err
		}
		// Hash 0: sign the DigestInfo as given (deterministic, any hash).
		return rsa.SignPKCS1v15(nil, k, crypto.Hash(0), di)
	case *ecdsa.PrivateKey:
		return ecdsa.SignASN1(rand.Reader, k, digest)
	}
	return nil, fmt.Errorf("key %s: unsupported key type %T", s.Name, s.Key)
}

func (sp signerSpec) signatureAlgorithm(h hashAlg) (asn1.ObjectIdentifier, bool, error) {
	if sp.sigAlg != nil {
		return sp.sigAlg, true, nil
	}
	switch sp.signer.Key.(type) {
	case *rsa.PrivateKey:
		return oidRSAEncryption, true, nil
	case *ecdsa.PrivateKey:
		if h.ecdsaOID == nil {
			return nil, false, fmt.Errorf("no ECDSA signature algorithm with %s", h.name)
		}
		return h.ecdsaOID, false, nil
	}
	return nil, false, fmt.Errorf("key %s: unsupported key type %T", sp.signer.Name, sp.signer.Key)
}

// signedAttrs returns the DER SET OF Attribute (tag SET, as signed).
func signedAttrs(which authAttrs, digest []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addOID(b, oidContentType)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addOID(b, oidData) })
		})
		if which == attrsFull {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addOID(b, oidMessageDigest)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) })
			})
		}
	})
	return b.Bytes()
}

// signerInfo builds one SignerInfo over content.
func (sp signerSpec) build(content []byte) (version int, digestOID asn1.ObjectIdentifier, out []byte, err error) {
	h, ok := hashes[sp.hash]
	if !ok {
		return 0, nil, nil, fmt.Errorf("unknown hash %q", sp.hash)
	}
	digest := h.sum(content)
	var attrs []byte
	toSign := digest
	if sp.attrs != noAttrs {
		attrs, err = signedAttrs(sp.attrs, digest)
		if err != nil {
			return 0, nil, nil, err
		}
		toSign = h.sum(attrs)
	}
	sig, err := sign(sp.signer, h, toSign)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("sign with %s: %w", sp.signer.Name, err)
	}
	if sp.corruptSig {
		sig = append([]byte(nil), sig...)
		sig[len(sig)/2] ^= 0x01
	}
	sigAlg, null, err := sp.signatureAlgorithm(h)
	if err != nil {
		return 0, nil, nil, err
	}
	version = 1
	if sp.skid {
		version = 3
	}
	sinfoVersion := version
	if sp.sinfoVersion != 0 {
		sinfoVersion = sp.sinfoVersion
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(int64(sinfoVersion))
		if sp.skid {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(sp.signer.Cert.SubjectKeyId)
			})
		} else {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(sp.signer.Cert.RawIssuer)
				b.AddASN1BigInt(sp.signer.Cert.SerialNumber)
			})
		}
		addAlgID(b, h.oid, false)
		if attrs != nil {
			// [0] IMPLICIT: the SET's contents under a context tag.
			s := cryptobyte.String(attrs)
			var inner cryptobyte.String
			if !s.ReadASN1(&inner, cbasn1.SET) {
				b.SetError(errors.New("re-reading signed attributes"))
				return
			}
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(inner) })
		}
		addAlgID(b, sigAlg, null)
		b.AddASN1OctetString(sig)
	})
	out, err = b.Bytes()
	return version, h.oid, out, err
}

// build returns the PKCS#7 ContentInfo for content.
func (m msgSpec) build(content []byte) ([]byte, error) {
	eType := m.eContentType
	if eType == nil {
		eType = oidData
	}
	outer := m.outerType
	if outer == nil {
		outer = oidSignedData
	}
	version := 1
	var infos [][]byte
	var digestOIDs []asn1.ObjectIdentifier
	for i, sp := range m.signers {
		v, oid, info, err := sp.build(content)
		if err != nil {
			return nil, fmt.Errorf("signer %d: %w", i+1, err)
		}
		if v > version {
			version = v
		}
		infos = append(infos, info)
		dup := false
		for _, o := range digestOIDs {
			dup = dup || o.Equal(oid)
		}
		if !dup {
			digestOIDs = append(digestOIDs, oid)
		}
	}
	if m.version != 0 {
		version = m.version
	}
	// SignedData's contents (the fields, without the SEQUENCE header).
	var sd cryptobyte.Builder
	sd.AddASN1Int64(int64(version))
	sd.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, oid := range digestOIDs {
			addAlgID(b, oid, false)
		}
	})
	sd.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addOID(b, eType)
		if m.embedContent {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(content)
			})
		}
	})
	if len(m.certs) > 0 {
		sd.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			for _, c := range m.certs {
				b.AddBytes(c)
			}
		})
	}
	sd.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, info := range infos {
			b.AddBytes(info)
		}
	})
	fields, err := sd.Bytes()
	if err != nil {
		return nil, err
	}
	var oidB cryptobyte.Builder
	addOID(&oidB, outer)
	oidDER, err := oidB.Bytes()
	if err != nil {
		return nil, err
	}
	signedData := wrap(m.enc, 0x30, fields)
	explicit := wrap(m.enc, 0xa0, signedData)
	return wrap(m.enc, 0x30, append(oidDER, explicit...)), nil
}

// wrap puts a tag and a length of the chosen encoding in front of contents.
func wrap(enc encoding, tag byte, contents []byte) []byte {
	var out []byte
	switch enc {
	case berIndef:
		out = append(out, tag, 0x80)
		out = append(out, contents...)
		return append(out, 0, 0)
	case berLongLen:
		n := len(contents)
		out = append(out, tag, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		return append(out, contents...)
	}
	n := len(contents)
	out = append(out, tag)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, contents...)
}
