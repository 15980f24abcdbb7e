package mldsa

import (
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CertOptions describe a self-signed module signing certificate.
type CertOptions struct {
	CommonName  string
	Days        int
	CodeSigning bool      // extendedKeyUsage codeSigning (CONFIG_CHECK_CODESIGN_EKU)
	NotBefore   time.Time // zero means now
}

var (
	oidCommonName        = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidBasicConstraints  = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidSubjectKeyID      = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID    = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCodeSigningKeyUse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
)

// SelfSign makes the X.509 v3 certificate the kernel's x509.genkey describes
// (basicConstraints critical CA:FALSE, keyUsage digitalSignature,
// subjectKeyIdentifier=hash, authorityKeyIdentifier=keyid, CN as a
// UTF8String), with an ML-DSA key and an ML-DSA signature (RFC 9881: the
// signature algorithm is the key's id-ml-dsa-* OID, without parameters).
// It returns the DER.
func SelfSign(k *PrivateKey, opts CertOptions, random io.Reader) ([]byte, error) {
	if opts.CommonName == "" {
		return nil, errors.New("certificate needs a common name")
	}
	if opts.Days <= 0 {
		return nil, fmt.Errorf("validity must be at least one day, got %d", opts.Days)
	}
	spki, err := MarshalSPKI(k.pub)
	if err != nil {
		return nil, err
	}
	skid := sha1.Sum(k.pub.raw) // RFC 5280 4.2.1.2 method (1)
	serial := make([]byte, 20)
	if _, err := io.ReadFull(random, serial); err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	serial[0] &= 0x7f
	serial[0] |= 0x40
	notBefore := opts.NotBefore
	if notBefore.IsZero() {
		notBefore = time.Now()
	}
	notBefore = notBefore.UTC().Truncate(time.Second)
	notAfter := notBefore.Add(time.Duration(opts.Days) * 24 * time.Hour)

	name := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidCommonName)
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(opts.CommonName)) })
				})
			})
		})
	}
	alg := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(k.Params.OID) })
	}
	ext := func(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value func(*cryptobyte.Builder)) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			if critical {
				b.AddASN1Boolean(true)
			}
			b.AddASN1(cbasn1.OCTET_STRING, value)
		})
	}
	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(serial) })
		alg(b)
		name(b)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, notBefore)
			addTime(b, notAfter)
		})
		name(b)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				ext(b, oidBasicConstraints, true, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(*cryptobyte.Builder) {})
				})
				ext(b, oidKeyUsage, false, func(b *cryptobyte.Builder) {
					b.AddASN1BitString([]byte{0x80}) // digitalSignature
				})
				if opts.CodeSigning {
					ext(b, oidExtKeyUsage, false, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidCodeSigningKeyUse) })
					})
				}
				ext(b, oidSubjectKeyID, false, func(b *cryptobyte.Builder) { b.AddASN1OctetString(skid[:]) })
				ext(b, oidAuthorityKeyID, false, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(skid[:]) })
					})
				})
			})
		})
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encoding the TBSCertificate: %w", err)
	}
	sig, err := k.Sign(nil, tbsDER, nil)
	if err != nil {
		return nil, err
	}
	var cert cryptobyte.Builder
	cert.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		alg(b)
		b.AddASN1BitString(sig)
	})
	return cert.Bytes()
}

// addTime writes UTCTime before 2050 and GeneralizedTime from 2050, as RFC 5280 requires.
func addTime(b *cryptobyte.Builder, t time.Time) {
	if t.Year() < 2050 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
}
