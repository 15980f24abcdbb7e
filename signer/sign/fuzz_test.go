package sign

import (
	"crypto/rsa"
	"crypto/x509"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// FuzzVerify feeds arbitrary files to Verify. It must never panic, must
// always return a kernel errno on refusal, and must only accept a module
// whose signature an independent check (crypto/rsa) also accepts.
func FuzzVerify(f *testing.F) {
	key, cert := loadKey(f, "test-only-rsa2048.pem")
	ecKey, ecCert := loadKey(f, "test-only-ecdsa-p384.pem")
	mod := mustRead(f, testModule)[:512] // keep the corpus small; Verify does not need ELF
	for _, o := range []Options{{Hash: "sha256"}, {Hash: "sha512", KeyID: true}} {
		s, err := NewSigner(key, cert, o)
		if err != nil {
			f.Fatal(err)
		}
		p7, err := s.PKCS7(mod)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(modsig.Append(mod, p7))
		f.Add(p7)
	}
	s, _ := NewSigner(ecKey, ecCert, Options{Hash: "sha384"})
	p7, _ := s.PKCS7(mod)
	f.Add(modsig.Append(mod, p7))
	f.Add(mod)
	f.Add([]byte(modsig.Magic))
	trusted := []*x509.Certificate{cert, ecCert}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The input as a whole file, and as a PKCS#7 message behind a valid
		// trailer (which reaches the parser and the crypto far more often).
		check(t, data, trusted)
		check(t, modsig.Append(mod, data), trusted)
	})
}

func check(t *testing.T, data []byte, trusted []*x509.Certificate) {
	{
		v, err := Verify(data, trusted)
		if err != nil {
			ve, ok := err.(*VerifyError)
			if !ok || ve.Errno == "" {
				t.Fatalf("refusal without an errno: %v", err)
			}
			return
		}
		sm, err := modsig.Split(data)
		if err != nil {
			t.Fatalf("accepted a module whose trailer does not split: %v", err)
		}
		msg, err := cms.Parse(sm.Signature)
		if err != nil {
			t.Fatalf("accepted an unparsable message: %v", err)
		}
		if pub, ok := v.Signer.PublicKey.(*rsa.PublicKey); ok {
			h, _ := cms.HashByName(v.Hash)
			d := h.Hash.New()
			d.Write(sm.Module)
			okAny := false
			for _, si := range msg.Signers {
				if rsa.VerifyPKCS1v15(pub, h.Hash, d.Sum(nil), si.Signature) == nil {
					okAny = true
				}
			}
			if !okAny {
				t.Fatal("Verify accepted a signature crypto/rsa rejects")
			}
		}
	}
}
