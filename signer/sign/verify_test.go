package sign

import (
	"crypto/x509"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

func wantErrno(t *testing.T, name string, err error, want Errno) {
	t.Helper()
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Errorf("%s: Verify = %v, want %s", name, err, want)
		return
	}
	if ve.Errno != want {
		t.Errorf("%s: Verify = %v, want %s", name, err, want)
	}
}

func TestVerifyKernelRules(t *testing.T) {
	key, cert := loadKey(t, "test-only-rsa2048.pem")
	_, other := loadKey(t, "test-only-other-rsa2048.pem")
	ecKey, ecCert := loadKey(t, "test-only-ecdsa-p384.pem")
	trusted := []*x509.Certificate{other, cert, ecCert}
	mod := mustRead(t, testModule)
	sign := func(hash string, keyID bool) []byte {
		s, err := NewSigner(key, cert, Options{Hash: hash, KeyID: keyID})
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := s.SignBytes(mod, false)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Accepted; SHA-3 only from 7.x (6.1's pkcs7_sig_note_digest_algo does not know it).
	for _, h := range []string{"sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512"} {
		for _, kid := range []bool{false, true} {
			signed := sign(h, kid)
			v, err := VerifyLine("7.2", signed, trusted)
			if err != nil {
				t.Errorf("%s keyid=%v: %v", h, kid, err)
			} else if v.Signer != cert || v.Hash != h || v.BySKID != kid {
				t.Errorf("%s keyid=%v: verified as %+v", h, kid, v)
			}
			_, err = Verify(signed, trusted)
			if strings.HasPrefix(h, "sha3-") {
				wantErrno(t, h+" on 6.1", err, ENOPKG)
			} else if err != nil {
				t.Errorf("%s keyid=%v on 6.1: %v", h, kid, err)
			}
		}
	}
	good := sign("sha512", false)
	trailerAt := len(good) - len(modsig.Magic) - modsig.TrailerSize
	sigStart := trailerAt - int(binary.BigEndian.Uint32(good[trailerAt+8:]))
	edit := func(f func([]byte) []byte) []byte { return f(append([]byte{}, good...)) }
	withP7 := func(p7 []byte) []byte { return modsig.Append(mod, p7) }

	sm, _ := modsig.Split(good)
	msg, _ := cms.Parse(sm.Signature)
	si := msg.Signers[0]
	h, _ := cms.HashByName("sha512")

	cases := []struct {
		name string
		data []byte
		want Errno
	}{
		{"unsigned", mod, ENODATA},
		{"empty", nil, ENODATA},
		// module_sig_check compares info->len > markerlen: the marker alone is unsigned.
		{"marker only", []byte(modsig.Magic), ENODATA},
		{"sig_len too large", edit(func(b []byte) []byte { binary.BigEndian.PutUint32(b[trailerAt+8:], 1<<30); return b }), EBADMSG},
		{"id_type X509", edit(func(b []byte) []byte { b[trailerAt+2] = 1; return b }), ENOPKG},
		{"nonzero hash field", edit(func(b []byte) []byte { b[trailerAt+1] = 6; return b }), EBADMSG},
		{"garbage PKCS#7", edit(func(b []byte) []byte { b[sigStart] = 0x31; return b }), EBADMSG},
		{"module tampered", edit(func(b []byte) []byte { b[100] ^= 1; return b }), EKEYREJECTED},
		// rsa-pkcs1pad returns EINVAL for a value that does not decrypt to
		// 00 01 ..., but pkcs7_validate_trust_one turns every failure of
		// verify_signature() with a trusted key into EKEYREJECTED.
		{"signature corrupted", edit(func(b []byte) []byte { b[trailerAt-5] ^= 0x55; return b }), EKEYREJECTED},
		{"unknown signer", func() []byte {
			k4, c4 := loadKey(t, "test-only-rsa4096.pem")
			s4, _ := NewSigner(k4, c4, Options{Hash: "sha256"})
			b, _, _ := s4.SignBytes(mod, false)
			return b
		}(), ENOKEY},
		{"wrong key for signer", func() []byte {
			// The signerInfo names the trusted "other" cert, but our key signed it.
			serial, _ := rawSerialOf(other)
			p7, _ := cms.Encode(h, cms.SignerID{RawIssuer: other.RawIssuer, RawSerial: serial}, cms.OIDRSAEncryption, si.Signature)
			return withP7(p7)
		}(), EKEYREJECTED},
		{"truncated RSA signature", withP7(mustEncode(t, h, si.SID, cms.OIDRSAEncryption, si.Signature[1:])), EKEYREJECTED},
		{"RSA sig with ECDSA OID", withP7(mustEncode(t, h, si.SID, cms.OIDECDSAWithSHA512, si.Signature)), EKEYREJECTED},
		{"sha*WithRSAEncryption OID (what go.mozilla.org/pkcs7 writes)", withP7(mustEncode(t, h, si.SID, []int{1, 2, 840, 113549, 1, 1, 13}, si.Signature)), ENOPKG},
		{"md2 digest", withP7(mustEncode(t, cms.Hash{OID: []int{1, 2, 840, 113549, 2, 2}}, si.SID, cms.OIDRSAEncryption, si.Signature)), ENOPKG},
	}
	for _, c := range cases {
		_, err := Verify(c.data, trusted)
		wantErrno(t, c.name, err, c.want)
	}
	// Without the signer's cert trusted: ENOKEY, which enforcement turns into EKEYREJECTED.
	_, err := Verify(good, []*x509.Certificate{other})
	wantErrno(t, "untrusted", err, ENOKEY)
	if ENOKEY.Enforced() != EKEYREJECTED || EBADMSG.Enforced() != EBADMSG {
		t.Error("Enforced mapping wrong")
	}
	// ECDSA: a signature by another curve key is refused.
	s, _ := NewSigner(ecKey, ecCert, Options{Hash: "sha384"})
	ecSigned, _, _ := s.SignBytes(mod, false)
	if _, err := Verify(ecSigned, trusted); err != nil {
		t.Errorf("ECDSA: %v", err)
	}
	ecSigned[50] ^= 1
	_, err = Verify(ecSigned, trusted)
	wantErrno(t, "ECDSA tampered", err, EKEYREJECTED)
}

func mustEncode(t *testing.T, h cms.Hash, sid cms.SignerID, alg []int, sig []byte) []byte {
	t.Helper()
	b, err := cms.Encode(h, sid, alg, sig)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rawSerialOf(c *x509.Certificate) ([]byte, error) { return keys.RawSerial(c) }

// TestVerifyOpenSSLMessages feeds messages made by `openssl cms` that the
// kernel refuses for modules: signed attributes and attached content.
func TestVerifyOpenSSLMessages(t *testing.T) {
	openssl := requireTool(t, "openssl")
	_, cert := loadKey(t, "test-only-rsa2048.pem")
	tmp := t.TempDir()
	p7 := filepath.Join(tmp, "sig.p7")
	kp := keyPath("test-only-rsa2048.pem")
	cases := []struct {
		name string
		args []string
		want Errno
	}{
		{"signed attributes", []string{"-nocerts", "-md", "sha256"}, EKEYREJECTED},
		// verify_pkcs7_message_sig: pkcs7_supply_detached_data fails, EBADMSG.
		{"attached content", []string{"-nocerts", "-noattr", "-nodetach", "-md", "sha256"}, EBADMSG},
		{"like sign-file", []string{"-nocerts", "-noattr", "-md", "sha256"}, ""},
	}
	mod := mustRead(t, testModule)
	for _, c := range cases {
		args := append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-in", testModule, "-signer", kp, "-inkey", kp, "-out", p7}, c.args...)
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: openssl: %v\n%s", c.name, err, out)
		}
		b, _ := os.ReadFile(p7)
		_, err := Verify(modsig.Append(mod, b), []*x509.Certificate{cert})
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantErrno(t, c.name, err, c.want)
	}
}
