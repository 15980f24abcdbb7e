package cms

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"os"
	"testing"

	"go.mozilla.org/pkcs7"

	"github.com/rules-modsign/rules_modsign/signer/keys"
)

func load(t testing.TB) (*rsa.PrivateKey, *x509.Certificate, []byte) {
	t.Helper()
	const p = "../testdata/keys/test-only-rsa2048.pem"
	k, err := keys.LoadSigner(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := keys.LoadCertificate(p)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../testdata/modules/nhc_hop.ko")
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey), c, mod
}

func signWith(t testing.TB, k *rsa.PrivateKey, c *x509.Certificate, mod []byte, hashName string, skid bool) []byte {
	t.Helper()
	h, _ := HashByName(hashName)
	d := h.Hash.New()
	d.Write(mod)
	sig, err := rsa.SignPKCS1v15(nil, k, h.Hash, d.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	sid := SignerID{RawIssuer: c.RawIssuer}
	sid.RawSerial, _ = keys.RawSerial(c)
	if skid {
		sid = SignerID{SKID: c.SubjectKeyId}
	}
	der, err := Encode(h, sid, OIDRSAEncryption, sig)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestMozillaPKCS7ParsesAndVerifiesOurOutput uses go.mozilla.org/pkcs7 as an
// independent parser and verifier of the issuer+serial form.
func TestMozillaPKCS7ParsesAndVerifiesOurOutput(t *testing.T) {
	k, c, mod := load(t)
	for _, h := range []string{"sha256", "sha384", "sha512"} {
		der := signWith(t, k, c, mod, h, false)
		p7, err := pkcs7.Parse(der)
		if err != nil {
			t.Fatalf("%s: pkcs7.Parse: %v", h, err)
		}
		if len(p7.Certificates) != 0 || len(p7.Content) != 0 || len(p7.Signers) != 1 {
			t.Fatalf("%s: certs=%d content=%d signers=%d, want 0/0/1", h, len(p7.Certificates), len(p7.Content), len(p7.Signers))
		}
		s := p7.Signers[0]
		if s.IssuerAndSerialNumber.SerialNumber.Cmp(c.SerialNumber) != 0 || !bytes.Equal(s.IssuerAndSerialNumber.IssuerName.FullBytes, c.RawIssuer) {
			t.Errorf("%s: signer identifier does not name the certificate", h)
		}
		if !s.DigestEncryptionAlgorithm.Algorithm.Equal(OIDRSAEncryption) || len(s.AuthenticatedAttributes) != 0 {
			t.Errorf("%s: sig alg %v, %d signed attributes", h, s.DigestEncryptionAlgorithm.Algorithm, len(s.AuthenticatedAttributes))
		}
		p7.Content = mod
		p7.Certificates = []*x509.Certificate{c}
		if err := p7.Verify(); err != nil {
			t.Errorf("%s: pkcs7 Verify: %v", h, err)
		}
		p7.Content = append([]byte{1}, mod...)
		if err := p7.Verify(); err == nil {
			t.Errorf("%s: pkcs7 verified a signature over different content", h)
		}
	}
}

// TestMozillaPKCS7CannotExpressSignFile documents why this package exists:
// pkcs7's signer embeds the certificate and adds signed attributes, both of
// which sign-file leaves out (and Linux refuses signed attributes on modules).
func TestMozillaPKCS7CannotExpressSignFile(t *testing.T) {
	k, c, mod := load(t)
	sd, err := pkcs7.NewSignedData(mod)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA512)
	if err := sd.AddSigner(c, k, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Certificates) == 0 || msg.Signers[0].SignedAttrs == nil {
		t.Errorf("pkcs7 now omits certs (%d) or signed attributes (%v): reconsider using it", len(msg.Certificates), msg.Signers[0].SignedAttrs != nil)
	}
	if bytes.Equal(der, signWith(t, k, c, mod, "sha512", false)) {
		t.Error("pkcs7 output equals ours: reconsider using it")
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	k, c, mod := load(t)
	for _, skid := range []bool{false, true} {
		for _, h := range SigningHashes() {
			der := signWith(t, k, c, mod, h, skid)
			msg, err := Parse(der)
			if err != nil {
				t.Fatalf("%s skid=%v: %v", h, skid, err)
			}
			want := 1
			if skid {
				want = 3
			}
			s := msg.Signers[0]
			hh, _ := HashByName(h)
			if msg.Version != want || s.Version != want || !msg.ContentType.Equal(OIDData) || msg.HasContent ||
				!s.DigestAlgorithm.Equal(hh.OID) || !s.SignatureAlgorithm.Equal(OIDRSAEncryption) || s.SignedAttrs != nil ||
				len(msg.DigestAlgorithms) != 1 || len(msg.Certificates) != 0 {
				t.Errorf("%s skid=%v: parsed %+v / %+v", h, skid, msg, s)
			}
			if skid && !bytes.Equal(s.SID.SKID, c.SubjectKeyId) {
				t.Errorf("SKID %x, want %x", s.SID.SKID, c.SubjectKeyId)
			}
			if !skid && !bytes.Equal(s.SID.RawIssuer, c.RawIssuer) {
				t.Errorf("issuer mismatch")
			}
			d := hh.Hash.New()
			d.Write(mod)
			if err := rsa.VerifyPKCS1v15(&k.PublicKey, hh.Hash, d.Sum(nil), s.Signature); err != nil {
				t.Errorf("%s: signature in parsed message does not verify: %v", h, err)
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	k, c, mod := load(t)
	good := signWith(t, k, c, mod, "sha256", false)
	data, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 3})
	cases := []struct {
		name string
		der  []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"trailing byte", append(append([]byte{}, good...), 0), ErrMalformed},
		{"truncated", good[:len(good)-1], ErrMalformed},
		{"OID only", data, ErrMalformed},
		{"envelopedData", bytes.Replace(good, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03}, 1), ErrNotSignedData},
		{"SignedData version 2", bytes.Replace(good, []byte{0x02, 0x01, 0x01, 0x31}, []byte{0x02, 0x01, 0x02, 0x31}, 1), ErrVersion},
		{"SignerInfo version 3 in v1", func() []byte {
			b := append([]byte{}, good...)
			i := bytes.LastIndex(b[:100], []byte{0x02, 0x01, 0x01, 0x30})
			b[i+2] = 3
			return b
		}(), ErrVersionMismatch},
		{"content type signedData", bytes.Replace(good, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x05}, 1), ErrContentType},
	}
	for _, cs := range cases {
		if _, err := Parse(cs.der); !errors.Is(err, cs.want) {
			t.Errorf("%s: Parse = %v, want %v", cs.name, err, cs.want)
		}
	}
}

func TestHashByName(t *testing.T) {
	for in, want := range map[string]string{"sha512": "sha512", "SHA384": "sha384", "sha3_256": "sha3-256", "sha3-512": "sha3-512"} {
		if h, ok := HashByName(in); !ok || h.Name != want {
			t.Errorf("HashByName(%q) = %v, %v", in, h.Name, ok)
		}
	}
	for _, bad := range []string{"md5", "", "sha513", "blake2b"} {
		if _, ok := HashByName(bad); ok {
			t.Errorf("HashByName(%q) accepted", bad)
		}
	}
	if !crypto.SHA3_256.Available() {
		t.Error("SHA3-256 not linked in")
	}
}

// FuzzParse checks the PKCS#7 parser never panics, and that anything it
// accepts with one signer re-encodes to a message that parses the same way.
func FuzzParse(f *testing.F) {
	k, c, mod := load(f)
	f.Add(signWith(f, k, c, mod, "sha256", false))
	f.Add(signWith(f, k, c, mod, "sha512", true))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		msg, err := Parse(der)
		if err != nil {
			return
		}
		s := msg.Signers[0]
		h, ok := HashByOID(s.DigestAlgorithm)
		if !ok || len(s.SID.RawSerial) == 0 && !s.SID.IsSKID() {
			return
		}
		re, err := Encode(h, s.SID, s.SignatureAlgorithm, s.Signature)
		if err != nil {
			return
		}
		msg2, err := Parse(re)
		if err != nil {
			t.Fatalf("re-encoded message does not parse: %v", err)
		}
		if !bytes.Equal(msg2.Signers[0].Signature, s.Signature) {
			t.Fatal("signature changed in round trip")
		}
	})
}
