package kernel

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// identity is a key and its certificate.
type identity struct {
	key  crypto.Signer
	cert *x509.Certificate
}

func (id identity) sidIssuer(t testing.TB) cms.SignerID {
	serial, err := keys.RawSerial(id.cert)
	if err != nil {
		t.Fatal(err)
	}
	return cms.SignerID{RawIssuer: id.cert.RawIssuer, RawSerial: serial}
}

func loadIdentity(t testing.TB, name string) identity {
	t.Helper()
	p := filepath.Join("..", "testdata", "keys", name)
	k, err := keys.LoadSigner(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := keys.LoadCertificate(p)
	if err != nil {
		t.Fatal(err)
	}
	return identity{k, c}
}

// certOpts describe a generated certificate.
type certOpts struct {
	cn       string
	key      crypto.Signer
	parent   *identity // nil: self-signed
	sigAlg   x509.SignatureAlgorithm
	extra    []pkix.Extension
	skid     []byte
	noSKID   bool
	keyUsage x509.KeyUsage
	notAfter time.Time
}

func newCert(t testing.TB, o certOpts) identity {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: o.cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  o.parent == nil,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		SignatureAlgorithm:    o.sigAlg,
		ExtraExtensions:       o.extra,
	}
	if o.keyUsage != 0 {
		tmpl.KeyUsage = o.keyUsage
	}
	if !o.notAfter.IsZero() {
		tmpl.NotAfter = o.notAfter
	}
	if o.skid != nil {
		tmpl.SubjectKeyId = o.skid
	} else if !o.noSKID {
		pub, _ := x509.MarshalPKIXPublicKey(o.key.Public())
		sum := sha256.Sum256(pub)
		tmpl.SubjectKeyId = sum[:20]
	}
	parent, signer := tmpl, o.key
	if o.parent != nil {
		parent, signer = o.parent.cert, o.parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, o.key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return identity{o.key, c}
}

func rsaKey(t testing.TB, bits int) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t testing.TB, c elliptic.Curve) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signerSpec is one SignerInfo to build.
type signerSpec struct {
	id        identity
	hash      string // digest name for the digest; "" = sha256
	digestOID asn1.ObjectIdentifier
	sigOID    asn1.ObjectIdentifier // "" = rsaEncryption or ecdsa-with-<hash>
	bySKID    bool
	attrs     [][]byte // DER Attributes; when non-nil the signature covers them
	version   int      // SignerInfo version; 0 = 1 or 3 from bySKID
	sig       []byte   // overrides the signature
	mutateSig func([]byte) []byte
}

// message is a PKCS#7 SignedData to build.
type message struct {
	outerOID  asn1.ObjectIdentifier // default signedData
	version   int                   // default 1, or 3 when a signer uses SKID
	dataType  asn1.ObjectIdentifier // default data
	content   []byte                // attached content, nil = detached
	certs     [][]byte
	signers   []signerSpec
	noSigners bool
}

func hashOf(t testing.TB, name string) (crypto.Hash, asn1.ObjectIdentifier, asn1.ObjectIdentifier) {
	if name == "md5" {
		return crypto.MD5, oidMD5, cms.OIDECDSAWithSHA1
	}
	h, ok := cms.HashByName(name)
	if !ok {
		t.Fatalf("unknown hash %s", name)
	}
	return h.Hash, h.OID, h.ECDSA
}

func (m message) encode(t testing.TB, module []byte) []byte {
	t.Helper()
	version := m.version
	if version == 0 {
		version = 1
		for _, s := range m.signers {
			if s.bySKID {
				version = 3
			}
		}
	}
	dataType := m.dataType
	if dataType == nil {
		dataType = cms.OIDData
	}
	outer := m.outerOID
	if outer == nil {
		outer = cms.OIDSignedData
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(outer)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(int64(version))
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for _, s := range m.signers {
						_, oid, _ := hashOf(t, or(s.hash, "sha256"))
						if s.digestOID != nil {
							oid = s.digestOID
						}
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
					}
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(dataType)
					if m.content != nil {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(m.content)
						})
					}
				})
				if len(m.certs) > 0 {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range m.certs {
							b.AddBytes(c)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					if m.noSigners {
						return
					}
					for _, s := range m.signers {
						addSigner(t, b, s, module)
					}
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func addSigner(t testing.TB, b *cryptobyte.Builder, s signerSpec, module []byte) {
	h, hOID, ecOID := hashOf(t, or(s.hash, "sha256"))
	if s.digestOID != nil {
		hOID = s.digestOID
	}
	sigOID := s.sigOID
	if sigOID == nil {
		if _, ok := s.id.key.(*ecdsa.PrivateKey); ok {
			sigOID = ecOID
		} else {
			sigOID = cms.OIDRSAEncryption
		}
	}
	version := s.version
	if version == 0 {
		version = 1
		if s.bySKID {
			version = 3
		}
	}
	var attrSet []byte
	if s.attrs != nil {
		var ab cryptobyte.Builder
		ab.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, a := range s.attrs {
				b.AddBytes(a)
			}
		})
		attrSet = ab.BytesOrPanic()
	}
	sig := s.sig
	if sig == nil {
		d := h.New()
		if attrSet != nil {
			d.Write(attrSet)
		} else {
			d.Write(module)
		}
		var err error
		sig, err = s.id.key.Sign(rand.Reader, d.Sum(nil), h)
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.mutateSig != nil {
		sig = s.mutateSig(append([]byte{}, sig...))
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(int64(version))
		if s.bySKID {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(s.id.cert.SubjectKeyId) })
		} else {
			sid := s.id.sidIssuer(t)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(sid.RawIssuer)
				b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(sid.RawSerial) })
			})
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(hOID) })
		if attrSet != nil {
			b.AddBytes(append([]byte{0xa0}, attrSet[1:]...))
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(sigOID)
			if sigOID.Equal(cms.OIDRSAEncryption) {
				b.AddASN1NULL()
			}
		})
		b.AddASN1OctetString(sig)
	})
}

// attr encodes one Attribute with the given DER values.
func attr(t testing.TB, oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, v := range values {
				b.AddBytes(v)
			}
		})
	})
	return b.BytesOrPanic()
}

func derOID(oid asn1.ObjectIdentifier) []byte { b, _ := asn1.Marshal(oid); return b }
func derOctets(v []byte) []byte               { b, _ := asn1.Marshal(v); return b }

// goodAttrs are the signed attributes openssl cms writes without -noattr
// (contentType and messageDigest are what the kernel requires).
func goodAttrs(t testing.TB, hash string, module []byte) [][]byte {
	h, _, _ := hashOf(t, hash)
	d := h.New()
	d.Write(module)
	return [][]byte{
		attr(t, oidContentType, derOID(cms.OIDData)),
		attr(t, oidMessageDigest, derOctets(d.Sum(nil))),
	}
}

// signedFile appends a PKCS#7 message to module.
func signedFile(module, p7 []byte) []byte { return modsig.Append(module, p7) }

func readModule(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "modules", "nhc_hop.ko"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }

func derLen(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var lb []byte
	for v := n; v > 0; v >>= 8 {
		lb = append([]byte{byte(v)}, lb...)
	}
	return append([]byte{0x80 | byte(len(lb))}, lb...)
}
