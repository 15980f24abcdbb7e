package mldsa

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"testing"
)

func TestKeysCertsAndSignatures(t *testing.T) {
	for _, p := range All {
		k, err := Generate(p, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := MarshalPKCS8(k)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := ParsePKCS8(der)
		if err != nil || !k2.Equal(k) || !k2.Public().(*PublicKey).Equal(k.Public()) {
			t.Fatalf("%s: PKCS#8 round trip: %v", p.Display, err)
		}
		msg := []byte("a module")
		s1, _ := k.Sign(nil, msg, nil)
		s2, _ := k2.Sign(rand.Reader, msg, nil)
		if !bytes.Equal(s1, s2) {
			t.Errorf("%s: signing is not deterministic", p.Display)
		}
		pub := k.Public().(*PublicKey)
		if !pub.Verify(msg, s1) || pub.Verify([]byte("another module"), s1) {
			t.Errorf("%s: Verify does not tell a good signature from a bad one", p.Display)
		}
		certDER, err := SelfSign(k, CertOptions{CommonName: "ML-DSA test " + p.Name, Days: 30, CodeSigning: true}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(certDER)
		if err != nil {
			t.Fatalf("%s: crypto/x509 cannot parse the certificate: %v", p.Display, err)
		}
		if c.Subject.CommonName != "ML-DSA test "+p.Name || len(c.SubjectKeyId) != 20 || c.IsCA || c.ExtKeyUsage[0] != x509.ExtKeyUsageCodeSigning {
			t.Errorf("%s: certificate fields: CN %q SKID %x CA %v EKU %v", p.Display, c.Subject.CommonName, c.SubjectKeyId, c.IsCA, c.ExtKeyUsage)
		}
		cp, err := CertPublicKey(c)
		if err != nil || !cp.Equal(pub) {
			t.Errorf("%s: CertPublicKey: %v", p.Display, err)
		}
		if err := CheckCertSignature(c, pub); err != nil {
			t.Errorf("%s: %v", p.Display, err)
		}
		other, _ := Generate(p, rand.Reader)
		if err := CheckCertSignature(c, other.Public().(*PublicKey)); err == nil {
			t.Errorf("%s: the certificate verified under another key", p.Display)
		}
	}
}

func TestParseErrors(t *testing.T) {
	k, _ := Generate(All[1], rand.Reader)
	der, _ := MarshalPKCS8(k)
	// An RSA-looking or garbage input is "not ML-DSA", so other parsers get a turn.
	if _, err := ParsePKCS8([]byte{0x30, 0x03, 0x02, 0x01, 0x00}); err == nil {
		t.Error("garbage parsed")
	}
	bad := append([]byte{}, der...)
	bad[len(bad)-1] ^= 1 // another seed: still a key, just another one
	if k2, err := ParsePKCS8(bad); err != nil || k2.Equal(k) {
		t.Errorf("flipped seed: %v", err)
	}
	if _, err := NewKeyFromSeed(All[0], make([]byte, 31)); err == nil {
		t.Error("a 31-byte seed was accepted")
	}
}
