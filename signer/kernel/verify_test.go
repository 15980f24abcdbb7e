package kernel

import (
	"bytes"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// want is an expected verdict: "OK", or "ERRNO rule" with the errno
// mod_verify_sig returns (before enforcement) and the deciding rule.
type want string

// verdictCase is a module and what each kernel line decides for it.
type verdictCase struct {
	name      string
	data      []byte
	trusted   []*x509.Certificate
	blacklist map[string]bool
	config    string // kernel .config text; "" = every digest built in
	want      map[string]want
}

func onBoth(w want) map[string]want { return map[string]want{"6.1": w, "7.2": w} }

func lines(w61, w72 want) map[string]want { return map[string]want{"6.1": w61, "7.2": w72} }

func (c verdictCase) verdict(p *Profile) Verdict {
	if c.config != "" {
		p = p.WithKernelConfig([]byte(c.config))
	}
	return p.Verify(c.data, p.NewKeyring(c.trusted, c.blacklist))
}

func summary(v Verdict) string {
	if v.OK {
		return "OK"
	}
	return string(v.VerifyErrno) + " " + v.Rule
}

// verdictCases builds the corpus of crafted modules: each rule of each
// profile decides at least one of them.
func verdictCases(t *testing.T) []verdictCase {
	mod := readModule(t)
	rsa2048 := loadIdentity(t, "test-only-rsa2048.pem")
	rsa4096 := loadIdentity(t, "test-only-rsa4096.pem")
	other := loadIdentity(t, "test-only-other-rsa2048.pem")
	p384 := loadIdentity(t, "test-only-ecdsa-p384.pem")
	trusted := []*x509.Certificate{rsa2048.cert, p384.cert}

	one := func(s signerSpec) []byte { return signedFile(mod, message{signers: []signerSpec{s}}.encode(t, mod)) }
	good := one(signerSpec{id: rsa2048, hash: "sha512"})
	trailerAt := len(good) - len(modsig.Magic) - modsig.TrailerSize
	edit := func(f func([]byte) []byte) []byte { return f(append([]byte{}, good...)) }
	withP7 := func(p7 []byte) []byte { return signedFile(mod, p7) }
	goodP7 := good[:trailerAt][len(mod):]

	// Generated keys: the sizes and curves the lines disagree on.
	rsa2560 := newCert(t, certOpts{cn: "RSA-2560 self-signed", key: rsaKey(t, 2560)})
	ca := newCert(t, certOpts{cn: "Chain CA", key: rsaKey(t, 2048)})
	leaf := newCert(t, certOpts{cn: "Chain leaf", key: rsaKey(t, 2048), parent: &ca})
	leaf2560 := newCert(t, certOpts{cn: "CA-issued RSA-2560", key: rsaKey(t, 2560), parent: &ca})
	p521 := newCert(t, certOpts{cn: "P-521", key: ecKey(t, elliptic.P521())})
	p256 := newCert(t, certOpts{cn: "P-256", key: ecKey(t, elliptic.P256())})
	p224 := newCert(t, certOpts{cn: "P-224", key: ecKey(t, elliptic.P224())})
	sha512Signed := newCert(t, certOpts{cn: "Certificate signed with SHA-512", key: rsaKey(t, 2048), sigAlg: x509.SHA512WithRSA})
	pss := newCert(t, certOpts{cn: "RSA-PSS signed", key: rsaKey(t, 2048), sigAlg: x509.SHA256WithRSAPSS})
	// A leaf whose AKID names the CA by issuer+serial and by a wrong keyId.
	akid := func() []byte {
		caSerial, _ := asn1.Marshal(ca.cert.SerialNumber)
		var dn []byte
		dn = append(dn, 0xa4)
		dn = append(dn, derLen(len(ca.cert.RawSubject))...)
		dn = append(dn, ca.cert.RawSubject...)
		names := append([]byte{0xa1}, derLen(len(dn))...)
		names = append(names, dn...)
		kid := append([]byte{0x80, 4}, 1, 2, 3, 4)
		serial := append([]byte{0x82}, caSerial[1:]...)
		body := append(append(kid, names...), serial...)
		return append(append([]byte{0x30}, derLen(len(body))...), body...)
	}()
	badAKID := newCert(t, certOpts{cn: "Leaf with a mismatched AKID", key: rsaKey(t, 2048), parent: &ca,
		extra: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 35}, Value: akid}}})
	// A self-signed certificate whose signature does not verify.
	brokenSelf := func() []byte {
		c := newCert(t, certOpts{cn: "Broken self-signature", key: ecKey(t, elliptic.P256())})
		der := append([]byte{}, c.cert.Raw...)
		// The signature is the last BIT STRING: a DER ECDSA-Sig; flip a bit of s.
		der[len(der)-3] ^= 0x01
		return der
	}()

	blTBS61, blTBS72 := map[string]bool{}, map[string]bool{}
	for _, c := range []*x509.Certificate{rsa2048.cert, sha512Signed.cert} {
		p61, _ := ForLine("6.1")
		p72, _ := ForLine("7.2")
		e61, err := p61.TBSEntry(c)
		if err != nil {
			t.Fatal(err)
		}
		e72, _ := p72.TBSEntry(c)
		blTBS61[e61], blTBS72[e72] = true, true
	}
	blBoth := map[string]bool{}
	for k := range blTBS61 {
		blBoth[k] = true
	}
	for k := range blTBS72 {
		blBoth[k] = true
	}
	binList := map[string]bool{}
	{
		sum := sha256Sum(good)
		binList["bin:"+sum] = true
	}
	attrsSig := func(attrs [][]byte) []byte {
		return one(signerSpec{id: rsa2048, hash: "sha256", attrs: attrs})
	}
	h256 := func() []byte { d := sha256Sum(mod); b, _ := hexDecode(d); return b }()

	big := func() []byte {
		p7 := append(append([]byte{}, goodP7...), make([]byte, 70000)...)
		return withP7(p7)
	}()
	ber := func() []byte {
		// The outer ContentInfo with an indefinite length: BER the kernel takes.
		inner := goodP7[2:]
		if goodP7[1]&0x80 != 0 {
			inner = goodP7[2+int(goodP7[1]&0x7f):]
		}
		p7 := append([]byte{0x30, 0x80}, inner...)
		p7 = append(p7, 0, 0)
		return withP7(p7)
	}()
	berBad := func() []byte {
		// An indefinite length on the primitive OBJECT IDENTIFIER.
		p7 := append([]byte{}, goodP7...)
		i := bytes.Index(p7, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02})
		p7[i+1] = 0x80
		return withP7(p7)
	}()
	notOctets := func() []byte {
		p7 := append([]byte{}, goodP7...)
		// The signature OCTET STRING of 256 bytes: 04 82 01 00 at len-260.
		i := len(p7) - 256 - 4
		if p7[i] != 0x04 {
			t.Fatalf("signature OCTET STRING not where expected: %x", p7[i:i+4])
		}
		p7[i] = 0x03
		return withP7(p7)
	}()
	untrustedP256 := one(signerSpec{id: p256, hash: "sha256"})

	return []verdictCase{
		{name: "RSA-2048 sha512, like sign-file", data: good, trusted: trusted, want: onBoth("OK")},
		{name: "RSA-4096 sha256 by SKID", data: one(signerSpec{id: rsa4096, hash: "sha256", bySKID: true}), trusted: []*x509.Certificate{rsa4096.cert}, want: onBoth("OK")},
		{name: "ECDSA P-384 sha384", data: one(signerSpec{id: p384, hash: "sha384"}), trusted: trusted, want: onBoth("OK")},
		{name: "ECDSA P-256 sha256", data: untrustedP256, trusted: []*x509.Certificate{p256.cert}, want: onBoth("OK")},
		{name: "unsigned", data: mod, trusted: trusted, want: onBoth("ENODATA marker")},
		{name: "the marker alone", data: []byte(modsig.Magic), trusted: trusted, want: onBoth("ENODATA marker")},
		{name: "a trailer too short", data: append(make([]byte, 12), modsig.Magic...), trusted: trusted, want: onBoth("EBADMSG trailer-short")},
		{name: "sig_len too large", data: edit(func(b []byte) []byte { binary.BigEndian.PutUint32(b[trailerAt+8:], 1<<30); return b }), trusted: trusted, want: onBoth("EBADMSG trailer-sig-len")},
		{name: "id_type X509", data: edit(func(b []byte) []byte { b[trailerAt+2] = 1; return b }), trusted: trusted, want: onBoth("ENOPKG trailer-id-type")},
		{name: "non-zero hash field", data: edit(func(b []byte) []byte { b[trailerAt+1] = 6; return b }), trusted: trusted, want: onBoth("EBADMSG trailer-params")},
		{name: "PKCS#7 over 64 KiB", data: big, trusted: trusted, want: onBoth("EMSGSIZE asn1-size")},
		{name: "BER indefinite length", data: ber, trusted: trusted, want: onBoth("OK")},
		{name: "bytes after the ContentInfo", data: withP7(append(append([]byte{}, goodP7...), 1, 2, 3)), trusted: trusted, want: onBoth("OK")},
		{name: "indefinite length on a primitive", data: berBad, trusted: trusted, want: onBoth("EBADMSG asn1-ber")},
		{name: "signature not an OCTET STRING", data: notOctets, trusted: trusted, want: onBoth("EBADMSG asn1-grammar")},
		{name: "ContentInfo is data", data: withP7(message{outerOID: cms.OIDData, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EINVAL pkcs7-content-type")},
		{name: "SignedData version 2", data: withP7(message{version: 2, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EINVAL pkcs7-version")},
		{name: "SKID signer in a version 1 SignedData", data: withP7(message{version: 1, signers: []signerSpec{{id: rsa2048, bySKID: true}}}.encode(t, mod)), trusted: trusted, want: onBoth("EBADMSG pkcs7-version-mismatch")},
		{name: "content type neither data nor Authenticode", data: withP7(message{dataType: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EINVAL pkcs7-data-type")},
		{name: "embedded garbage certificate", data: withP7(message{certs: [][]byte{{0x30, 0x03, 0x02, 0x01, 0x01}}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EBADMSG x509-parse")},
		{name: "embedded RSA-PSS certificate", data: withP7(message{certs: [][]byte{pss.cert.Raw}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("ENOPKG x509-sig-algo")},
		{name: "embedded P-521 certificate", data: withP7(message{certs: [][]byte{p521.cert.Raw}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: lines("ENOPKG ecdsa-curve", "OK")},
		{name: "embedded P-224 certificate", data: withP7(message{certs: [][]byte{p224.cert.Raw}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("ENOPKG ecdsa-curve")},
		{name: "P-521 signer, trusted", data: one(signerSpec{id: p521, hash: "sha512"}), trusted: []*x509.Certificate{p521.cert}, want: lines("ENOKEY ecdsa-curve", "OK")},
		{name: "embedded self-signed certificate with a bad signature", data: withP7(message{certs: [][]byte{brokenSelf}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EKEYREJECTED x509-self-signature")},
		{name: "md2 digest", data: one(signerSpec{id: rsa2048, digestOID: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 2}}), trusted: trusted, want: onBoth("ENOPKG digest-algo")},
		{name: "SHA3-256", data: one(signerSpec{id: rsa2048, hash: "sha3-256"}), trusted: trusted, want: lines("ENOPKG digest-algo", "OK")},
		{name: "ECDSA with SHA3-384", data: one(signerSpec{id: p384, hash: "sha3-384"}), trusted: trusted, want: lines("ENOPKG digest-algo", "OK")},
		{name: "SHA-1", data: one(signerSpec{id: rsa2048, hash: "sha1"}), trusted: trusted, want: onBoth("OK")},
		{name: "SHA-1 on a kernel without CRYPTO_SHA1", data: one(signerSpec{id: rsa2048, hash: "sha1"}), trusted: trusted, config: e2eConfig, want: onBoth("ENOPKG hash-available")},
		{name: "sha512WithRSAEncryption as the signature algorithm", data: one(signerSpec{id: rsa2048, hash: "sha512", sigOID: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}}), trusted: trusted, want: onBoth("ENOPKG pkey-algo")},
		{name: "signed attributes (openssl cms without -noattr)", data: attrsSig(goodAttrs(t, "sha256", mod)), trusted: trusted, want: onBoth("EKEYREJECTED module-authattrs")},
		{name: "signed attributes: contentType repeated", data: attrsSig(append(goodAttrs(t, "sha256", mod), attr(t, oidContentType, derOID(cms.OIDData)))), trusted: trusted, want: onBoth("EKEYREJECTED authattrs-repeated")},
		{name: "signed attributes: contentType is not data", data: attrsSig([][]byte{attr(t, oidContentType, derOID(cms.OIDSignedData)), attr(t, oidMessageDigest, derOctets(h256))}), trusted: trusted, want: onBoth("EBADMSG authattrs-content-type")},
		{name: "signed attributes: messageDigest is not an OCTET STRING", data: attrsSig([][]byte{attr(t, oidContentType, derOID(cms.OIDData)), attr(t, oidMessageDigest, []byte{0x02, 0x01, 0x05})}), trusted: trusted, want: onBoth("EBADMSG authattrs-message-digest")},
		{name: "signed attributes: S/MIME capabilities", data: attrsSig(append(goodAttrs(t, "sha256", mod), attr(t, oidSMIMECaps, []byte{0x30, 0x00}))), trusted: trusted, want: onBoth("EKEYREJECTED authattrs-authenticode")},
		{name: "signed attributes: no messageDigest", data: attrsSig([][]byte{attr(t, oidContentType, derOID(cms.OIDData))}), trusted: trusted, want: onBoth("EBADMSG authattrs-required")},
		{name: "Authenticode content without signed attributes", data: withP7(message{dataType: cms.OIDMSIndirectData, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EBADMSG authenticode-authattrs")},
		{name: "Authenticode content with signed attributes", data: withP7(message{dataType: cms.OIDMSIndirectData, signers: []signerSpec{{id: rsa2048, attrs: [][]byte{attr(t, oidContentType, derOID(cms.OIDMSIndirectData)), attr(t, oidMessageDigest, derOctets(h256))}}}}.encode(t, mod)), trusted: trusted, want: onBoth("EKEYREJECTED module-data-type")},
		{name: "no signers", data: withP7(message{noSigners: true, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EINVAL pkcs7-signers")},
		{name: "two signers, one with signed attributes", data: withP7(message{signers: []signerSpec{{id: rsa2048}, {id: p384, attrs: goodAttrs(t, "sha256", mod)}}}.encode(t, mod)), trusted: trusted, want: onBoth("EINVAL authattrs-consistent")},
		{name: "attached content", data: withP7(message{content: mod, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("EBADMSG pkcs7-detached")},
		{name: "module changed after signing", data: edit(func(b []byte) []byte { b[100] ^= 1; return b }), trusted: trusted, want: onBoth("EKEYREJECTED trusted-signature")},
		{name: "RSA signature with an ECDSA algorithm", data: one(signerSpec{id: rsa2048, hash: "sha512", sigOID: cms.OIDECDSAWithSHA512}), trusted: trusted, want: onBoth("EKEYREJECTED key-algo-match")},
		{name: "ECDSA with MD5 (6.1 parses MD5)", data: one(signerSpec{id: p384, hash: "md5", sigOID: cms.OIDECDSAWithSHA1}), trusted: trusted, want: lines("EKEYREJECTED ecdsa-hash", "ENOPKG digest-algo")},
		{name: "ECDSA with SM3 (a digest the lines parse but ECDSA does not take)", data: one(signerSpec{id: p384, hash: "sha256", digestOID: asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}, sigOID: cms.OIDECDSAWithSHA256}), trusted: trusted, want: onBoth("EKEYREJECTED ecdsa-hash")},
		{name: "RSA-2560 self-signed trusted certificate", data: one(signerSpec{id: rsa2560, hash: "sha256"}), trusted: []*x509.Certificate{rsa2560.cert}, want: onBoth("ENOKEY rsa-key-size")},
		{name: "RSA-2560 CA-issued trusted certificate", data: one(signerSpec{id: leaf2560, hash: "sha256"}), trusted: []*x509.Certificate{leaf2560.cert}, want: onBoth("EKEYREJECTED rsa-key-size")},
		{name: "RSA-2560 embedded signer", data: withP7(message{certs: [][]byte{leaf2560.cert.Raw}, signers: []signerSpec{{id: leaf2560}}}.encode(t, mod)), trusted: []*x509.Certificate{ca.cert}, want: onBoth("EINVAL rsa-key-size")},
		{name: "embedded chain to a trusted CA", data: withP7(message{certs: [][]byte{leaf.cert.Raw}, signers: []signerSpec{{id: leaf}}}.encode(t, mod)), trusted: []*x509.Certificate{ca.cert}, want: onBoth("OK")},
		{name: "leaf signer not embedded, CA trusted", data: one(signerSpec{id: leaf}), trusted: []*x509.Certificate{ca.cert}, want: onBoth("ENOKEY trusted-key")},
		{name: "embedded chain, truncated signature", data: withP7(message{certs: [][]byte{leaf.cert.Raw}, signers: []signerSpec{{id: leaf, mutateSig: func(b []byte) []byte { return b[1:] }}}}.encode(t, mod)), trusted: []*x509.Certificate{ca.cert}, want: onBoth("EINVAL rsa-signature-size")},
		{name: "embedded chain, module changed", data: func() []byte {
			b := withP7(message{certs: [][]byte{leaf.cert.Raw}, signers: []signerSpec{{id: leaf}}}.encode(t, mod))
			b[100] ^= 1
			return b
		}(), trusted: []*x509.Certificate{ca.cert}, want: onBoth("EKEYREJECTED signature")},
		{name: "embedded leaf whose AKID keyId does not match its issuer", data: withP7(message{certs: [][]byte{badAKID.cert.Raw, ca.cert.Raw}, signers: []signerSpec{{id: badAKID}}}.encode(t, mod)), trusted: []*x509.Certificate{ca.cert}, want: onBoth("EKEYREJECTED chain-auth-skid")},
		{name: "embedded blacklisted signer", data: withP7(message{certs: [][]byte{rsa2048.cert.Raw}, signers: []signerSpec{{id: rsa2048}}}.encode(t, mod)), trusted: trusted, blacklist: blBoth, want: onBoth("EKEYREJECTED blacklist-tbs")},
		{name: "trusted certificate blacklisted (tbs: of each line)", data: good, trusted: trusted, blacklist: blBoth, want: onBoth("ENOKEY blacklist-tbs")},
		{name: "trusted certificate (signed with SHA-512) blacklisted with 6.1's tbs: hash", data: one(signerSpec{id: sha512Signed}), trusted: []*x509.Certificate{sha512Signed.cert}, blacklist: blTBS61, want: lines("ENOKEY blacklist-tbs", "OK")},
		{name: "trusted certificate (signed with SHA-512) blacklisted with 7.2's tbs: hash", data: one(signerSpec{id: sha512Signed}), trusted: []*x509.Certificate{sha512Signed.cert}, blacklist: blTBS72, want: lines("OK", "ENOKEY blacklist-tbs")},
		{name: "unknown signer", data: untrustedP256, trusted: trusted, want: onBoth("ENOKEY trusted-key")},
		{name: "two signers, the first untrusted", data: withP7(message{signers: []signerSpec{{id: other}, {id: rsa2048}}}.encode(t, mod)), trusted: trusted, want: onBoth("OK")},
		{name: "two signers, the second trusted but wrong", data: withP7(message{signers: []signerSpec{{id: rsa2048}, {id: p384, mutateSig: func(b []byte) []byte { b[len(b)-1] ^= 1; return b }}}}.encode(t, mod)), trusted: trusted, want: onBoth("EKEYREJECTED trusted-signature")},
		{name: "module hash blacklisted (bin:)", data: good, trusted: trusted, blacklist: binList, want: lines("EKEYREJECTED blacklist-bin", "OK")},
	}
}

// e2eConfig is the crypto of the e2e kernels (trusted_keys' fragment).
const e2eConfig = "CONFIG_CRYPTO=y\nCONFIG_CRYPTO_RSA=y\nCONFIG_CRYPTO_ECDSA=y\nCONFIG_CRYPTO_SHA256=y\nCONFIG_CRYPTO_SHA512=y\n"

func TestVerdicts(t *testing.T) {
	cases := verdictCases(t)
	for _, line := range Lines() {
		p, err := ForLine(line)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			w, ok := c.want[line]
			if !ok {
				continue
			}
			v := c.verdict(p)
			if got := summary(v); got != string(w) {
				t.Errorf("Linux %s, %s: got %s (%s), want %s", line, c.name, got, v.Reason, w)
			}
			if v.OK != (v.Errno == OK) || (!v.OK && v.Errno != v.VerifyErrno.Enforced()) {
				t.Errorf("Linux %s, %s: inconsistent verdict %+v", line, c.name, v)
			}
			if !v.OK && v.Reason == "" {
				t.Errorf("Linux %s, %s: no reason", line, c.name)
			}
		}
	}
}

// TestEveryRuleDecides switches each rule off in turn and requires that some
// case's verdict changes: no rule is dead code, and each has a case that it
// alone decides.
func TestEveryRuleDecides(t *testing.T) {
	cases := verdictCases(t)
	for _, line := range Lines() {
		p, _ := ForLine(line)
		base := map[string]string{}
		for _, c := range cases {
			base[c.name] = summary(c.verdict(p))
		}
		for _, r := range p.Rules() {
			q := p.Without(r.ID)
			var changed []string
			for _, c := range cases {
				if got := summary(c.verdict(q)); got != base[c.name] {
					changed = append(changed, fmt.Sprintf("%s: %s -> %s", c.name, base[c.name], got))
				}
			}
			if len(changed) == 0 {
				t.Errorf("Linux %s: switching rule %s off changes no verdict; it needs a case it decides", line, r.ID)
			} else {
				t.Logf("Linux %s: without %s: %s", line, r.ID, strings.Join(changed, "; "))
			}
		}
	}
}

func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range allRules() {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Source == "" || r.Doc == "" || r.Errno == OK || len(r.Lines) == 0 {
			t.Errorf("rule %s is incomplete: %+v", r.ID, r)
		}
	}
	p61, _ := ForLine("6.1")
	p72, _ := ForLine("7.2")
	if !contains(p61.RuleIDs(), "blacklist-bin") || contains(p72.RuleIDs(), "blacklist-bin") {
		t.Error("blacklist-bin is Debian's 6.1 only")
	}
	if _, err := ForLine("5.10"); err == nil {
		t.Error("ForLine accepted an unknown line")
	}
	if p, _ := ForLine(""); p.Line() != DefaultLine() || DefaultLine() != "7.2" {
		t.Error("the default line is not the newest")
	}
}

func TestKernelMessages(t *testing.T) {
	p, _ := ForLine("6.1")
	kr := p.NewKeyring(nil, nil)
	v := p.Verify(readModule(t), kr)
	if v.Errno != EKEYREJECTED || v.VerifyErrno != ENODATA || v.KernelMessage != "Loading of unsigned module is rejected" {
		t.Errorf("unsigned: %+v", v)
	}
	good := signedFile(readModule(t), message{signers: []signerSpec{{id: loadIdentity(t, "test-only-rsa2048.pem")}}}.encode(t, readModule(t)))
	v = p.Verify(good, kr)
	if v.Errno != EKEYREJECTED || v.KernelMessage != "Loading of module with unavailable key is rejected" {
		t.Errorf("unknown key: %+v", v)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
