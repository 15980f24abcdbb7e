// Package corpus crafts the verdict corpus: signed kernel modules that each
// carry one defect or edge of the module-signature format, so that a real
// kernel can be asked for its verdict on every one and modsign's verify
// compared with it (e2e/workspace/verdict).
//
// The PKCS#7 messages are built here with cryptobyte, independently of
// modsign's own signer/cms, so that a bug there cannot hide in both. RSA
// signatures (PKCS#1 v1.5) are deterministic; ECDSA signatures are not, but
// their verdicts do not depend on the nonce.
package corpus

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// Marker ends every signed module (include/linux/module_signature.h).
const Marker = "~Module signature appended~\n"

// idPKCS7 is struct module_signature's id_type for PKCS#7 (PKEY_ID_PKCS7).
const idPKCS7 = 2

// Signer is a TEST-ONLY key and its certificate.
type Signer struct {
	Name string
	Key  crypto.Signer
	Cert *x509.Certificate
}

// Keys are the corpus' signers by name (tools/verdict/testdata/keys).
type Keys map[string]*Signer

// KeyNames are the keys Generate needs.
var KeyNames = []string{
	"rsa1024", "rsa2048", "rsa2560", "rsa3072", "rsa4096", "p256", "p384", "p521",
	"ca", "intermediate", "leaf", "untrusted", "revoked",
}

// LoadKeys reads test-only-NAME.key.pem and test-only-NAME.crt.pem for every
// name in KeyNames from dir.
func LoadKeys(dir string) (Keys, error) {
	ks := Keys{}
	for _, n := range KeyNames {
		keyPath := filepath.Join(dir, "test-only-"+n+".key.pem")
		certPath := filepath.Join(dir, "test-only-"+n+".crt.pem")
		kb, err := readPEM(keyPath, "PRIVATE KEY")
		if err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS8PrivateKey(kb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keyPath, err)
		}
		signer, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s: %T is not a signing key", keyPath, k)
		}
		cb, err := readPEM(certPath, "CERTIFICATE")
		if err != nil {
			return nil, err
		}
		cert, err := x509.ParseCertificate(cb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", certPath, err)
		}
		ks[n] = &Signer{Name: n, Key: signer, Cert: cert}
	}
	return ks, nil
}

func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != typ {
		return nil, fmt.Errorf("%s: no PEM %q block", path, typ)
	}
	return blk.Bytes, nil
}

// Module is one corpus entry.
type Module struct {
	Name string // file name, "NN-what.ko"
	Desc string // the defect or edge, one line
	Data []byte
}

// trailer is struct module_signature (include/linux/module_signature.h).
type trailer struct {
	algo, hash, idType, signerLen, keyIDLen byte
	pad                                     [3]byte
	sigLen                                  uint32
}

func (t trailer) bytes() []byte {
	b := []byte{t.algo, t.hash, t.idType, t.signerLen, t.keyIDLen, t.pad[0], t.pad[1], t.pad[2], 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[8:], t.sigLen)
	return b
}

// appended is module + sig + trailer + marker; edit changes the trailer.
func appended(module, sig []byte, edit func(*trailer)) []byte {
	t := trailer{idType: idPKCS7, sigLen: uint32(len(sig))}
	if edit != nil {
		edit(&t)
	}
	var b bytes.Buffer
	b.Write(module)
	b.Write(sig)
	b.Write(t.bytes())
	b.WriteString(Marker)
	return b.Bytes()
}

// Generate crafts the corpus from an unsigned module built for the kernel
// under test. The order is stable; the names carry it.
func Generate(base []byte, keys Keys) ([]Module, error) {
	if bytes.HasSuffix(base, []byte(Marker)) {
		return nil, fmt.Errorf("the base module is already signed; give the unsigned one")
	}
	for _, n := range KeyNames {
		if keys[n] == nil {
			return nil, fmt.Errorf("key %s missing", n)
		}
	}
	k := func(n string) *Signer { return keys[n] }
	one := func(s, h string) signerSpec { return signerSpec{signer: k(s), hash: h} }
	msg := func(sp ...signerSpec) msgSpec { return msgSpec{signers: sp} }
	der := func(names ...string) [][]byte {
		var out [][]byte
		for _, n := range names {
			out = append(out, k(n).Cert.Raw)
		}
		return out
	}

	type entry struct {
		name, desc string
		// Either raw (the whole file) or a message signed over base with a trailer edit.
		raw   []byte
		msg   *msgSpec
		edit  func(*trailer)
		after func(mod []byte) []byte // changes the finished file
		p7    func([]byte) []byte     // changes the PKCS#7 bytes
	}
	m := func(s msgSpec) *msgSpec { return &s }
	tamper := func(off func(n int) int) func([]byte) []byte {
		return func(b []byte) []byte {
			out := append([]byte(nil), b...)
			out[off(len(out))] ^= 0x01
			return out
		}
	}
	baseline := msg(one("rsa2048", "sha256"))
	entries := []entry{
		{name: "unsigned", desc: "the unsigned module", raw: base},
		{name: "marker-only", desc: "a file that is only the marker (28 bytes)", raw: []byte(Marker)},
		{name: "marker-appended", desc: "the unsigned module plus the marker, no signature nor trailer", raw: append(append([]byte(nil), base...), Marker...)},
		{name: "trailer-only", desc: "a 12-byte PKCS#7 trailer (sig_len 0) plus the marker, nothing else", raw: appended(nil, nil, nil)},
		{name: "rsa1024-sha256", desc: "RSA-1024 key (trusted), SHA-256", msg: m(msg(one("rsa1024", "sha256")))},
		{name: "rsa2048-sha256", desc: "RSA-2048 key (trusted), SHA-256: the baseline", msg: m(baseline)},
		{name: "rsa2560-sha256", desc: "RSA-2560 key (in SYSTEM_TRUSTED_KEYS; rsa_check_key_length refuses 2560)", msg: m(msg(one("rsa2560", "sha256")))},
		{name: "rsa3072-sha384", desc: "RSA-3072 key (trusted), SHA-384", msg: m(msg(one("rsa3072", "sha384")))},
		{name: "rsa4096-sha512", desc: "RSA-4096 key (trusted), SHA-512", msg: m(msg(one("rsa4096", "sha512")))},
		{name: "p256-sha256", desc: "ECDSA P-256 key (trusted), SHA-256", msg: m(msg(one("p256", "sha256")))},
		{name: "p384-sha384", desc: "ECDSA P-384 key (trusted), SHA-384", msg: m(msg(one("p384", "sha384")))},
		{name: "p521-sha512", desc: "ECDSA P-521 key (in SYSTEM_TRUSTED_KEYS), SHA-512", msg: m(msg(one("p521", "sha512")))},
		{name: "rsa2048-sha1", desc: "SHA-1 digest (CRYPTO_SHA1=y)", msg: m(msg(one("rsa2048", "sha1")))},
		{name: "rsa2048-sha224", desc: "SHA-224 digest", msg: m(msg(one("rsa2048", "sha224")))},
		{name: "rsa2048-sha3-256", desc: "SHA3-256 digest, RSA (CRYPTO_SHA3=y)", msg: m(msg(one("rsa2048", "sha3-256")))},
		{name: "p384-sha3-384", desc: "SHA3-384 digest, ECDSA P-384 (id-ecdsa-with-sha3-384)", msg: m(msg(one("p384", "sha3-384")))},
		{name: "rsa4096-sha3-512", desc: "SHA3-512 digest, RSA-4096", msg: m(msg(one("rsa4096", "sha3-512")))},
		{name: "rsa2048-md5", desc: "MD5 digest", msg: m(msg(one("rsa2048", "md5")))},
		{name: "skid", desc: "signer named by subjectKeyIdentifier (SignerInfo v3, SignedData v3), as sign-file -k", msg: m(msg(signerSpec{signer: k("rsa2048"), hash: "sha256", skid: true}))},
		{name: "skid-version-mismatch", desc: "SignerInfo v3 (SKID) inside a SignedData v1", msg: m(msgSpec{signers: []signerSpec{{signer: k("rsa2048"), hash: "sha256", skid: true}}, version: 1})},
		{name: "signed-attributes", desc: "signed attributes (contentType, messageDigest), as CMS without CMS_NOATTR", msg: m(msg(signerSpec{signer: k("rsa2048"), hash: "sha256", attrs: attrsFull}))},
		{name: "signed-attributes-incomplete", desc: "signed attributes without messageDigest", msg: m(msg(signerSpec{signer: k("rsa2048"), hash: "sha256", attrs: attrsNoMsgDigest}))},
		{name: "chain-leaf-intermediate", desc: "leaf signs; leaf and intermediate embedded; the root CA is trusted", msg: m(msgSpec{signers: []signerSpec{one("leaf", "sha256")}, certs: der("leaf", "intermediate")})},
		{name: "chain-full", desc: "leaf signs; leaf, intermediate and the trusted root embedded", msg: m(msgSpec{signers: []signerSpec{one("leaf", "sha256")}, certs: der("leaf", "intermediate", "ca")})},
		{name: "chain-no-intermediate", desc: "leaf signs; only the leaf embedded (the intermediate is missing)", msg: m(msgSpec{signers: []signerSpec{one("leaf", "sha256")}, certs: der("leaf")})},
		{name: "chain-leaf-not-embedded", desc: "leaf signs; only the intermediate embedded", msg: m(msgSpec{signers: []signerSpec{one("leaf", "sha256")}, certs: der("intermediate")})},
		{name: "untrusted", desc: "an untrusted self-signed key, certificate not embedded", msg: m(msg(one("untrusted", "sha256")))},
		{name: "untrusted-embedded", desc: "an untrusted self-signed key, its certificate embedded", msg: m(msgSpec{signers: []signerSpec{one("untrusted", "sha256")}, certs: der("untrusted")})},
		{name: "blacklisted", desc: "a trusted key whose certificate is blacklisted (tbs: entry), not embedded", msg: m(msg(one("revoked", "sha256")))},
		{name: "blacklisted-embedded", desc: "the blacklisted certificate embedded in the message", msg: m(msgSpec{signers: []signerSpec{one("revoked", "sha256")}, certs: der("revoked")})},
		{name: "content-type-signeddata", desc: "eContentType id-signedData instead of id-data", msg: m(msgSpec{signers: []signerSpec{one("rsa2048", "sha256")}, eContentType: oidSignedData})},
		{name: "content-type-indirectdata", desc: "eContentType Authenticode SpcIndirectDataContent, no signed attributes", msg: m(msgSpec{signers: []signerSpec{one("rsa2048", "sha256")}, eContentType: oidMSIndirectData})},
		{name: "contentinfo-data", desc: "ContentInfo of type id-data around the SignedData", msg: m(msgSpec{signers: []signerSpec{one("rsa2048", "sha256")}, outerType: oidData})},
		{name: "not-detached", desc: "the module embedded in eContent as well as in front of the signature", msg: m(msgSpec{signers: []signerSpec{one("rsa2048", "sha256")}, embedContent: true})},
		{name: "two-signers-trusted", desc: "two SignerInfos, both trusted keys (RSA-2048 and P-256)", msg: m(msg(one("rsa2048", "sha256"), one("p256", "sha256")))},
		{name: "two-signers-one-untrusted", desc: "two SignerInfos: an untrusted key first, then a trusted one", msg: m(msg(one("untrusted", "sha256"), one("rsa2048", "sha256")))},
		{name: "two-signers-one-bad", desc: "two SignerInfos, both trusted; the second signature is corrupt", msg: m(msg(one("rsa2048", "sha256"), signerSpec{signer: k("rsa4096"), hash: "sha512", corruptSig: true}))},
		{name: "ber-indefinite", desc: "ContentInfo, [0] and SignedData with BER indefinite lengths", msg: m(msgSpec{signers: []signerSpec{one("rsa2048", "sha256")}, enc: berIndef})},
		{name: "ber-long-lengths", desc: "ContentInfo, [0] and SignedData with non-minimal 4-byte long-form lengths", msg: m(msgSpec{signers: []signerSpec{one("rsa2048", "sha256")}, enc: berLongLen})},
		{name: "rsassa-pss-oid", desc: "signatureAlgorithm id-RSASSA-PSS (a PKCS#1 v1.5 signature under it)", msg: m(msg(signerSpec{signer: k("rsa2048"), hash: "sha256", sigAlg: oidRSASSAPSS}))},
		{name: "truncated-pkcs7", desc: "the PKCS#7 message cut 16 bytes short, sig_len matching the cut", msg: m(baseline), p7: func(p []byte) []byte { return p[:len(p)-16] }},
		{name: "sig-len-too-big", desc: "trailer sig_len larger than the file", msg: m(baseline), edit: func(t *trailer) { t.sigLen = 1 << 30 }},
		{name: "sig-len-short", desc: "trailer sig_len one byte short", msg: m(baseline), edit: func(t *trailer) { t.sigLen-- }},
		{name: "sig-len-long", desc: "trailer sig_len one byte long", msg: m(baseline), edit: func(t *trailer) { t.sigLen++ }},
		{name: "sig-len-zero", desc: "trailer sig_len 0", msg: m(baseline), edit: func(t *trailer) { t.sigLen = 0 }},
		{name: "id-type-pgp", desc: "trailer id_type 0 (PKEY_ID_PGP)", msg: m(baseline), edit: func(t *trailer) { t.idType = 0 }},
		{name: "id-type-x509", desc: "trailer id_type 1 (PKEY_ID_X509)", msg: m(baseline), edit: func(t *trailer) { t.idType = 1 }},
		{name: "trailer-signer-len", desc: "trailer signer_len 1 (must be 0 for PKCS#7)", msg: m(baseline), edit: func(t *trailer) { t.signerLen = 1 }},
		{name: "trailer-hash", desc: "trailer hash 1 (must be 0 for PKCS#7)", msg: m(baseline), edit: func(t *trailer) { t.hash = 1 }},
		{name: "tampered-module", desc: "one bit of the module flipped after signing", msg: m(baseline), after: tamper(func(n int) int { return len(base) / 2 })},
		{name: "tampered-signature", desc: "one bit of the RSA signature value flipped", msg: m(baseline), after: tamper(func(n int) int { return n - 12 - len(Marker) - 100 })},
	}
	var out []Module
	for i, e := range entries {
		name := fmt.Sprintf("%02d-%s.ko", i+1, e.name)
		data := e.raw
		if e.msg != nil {
			p7, err := e.msg.build(base)
			if err != nil {
				return nil, fmt.Errorf("corpus module %s: %w", name, err)
			}
			if e.p7 != nil {
				p7 = e.p7(p7)
			}
			data = appended(base, p7, e.edit)
		}
		if e.after != nil {
			data = e.after(data)
		}
		out = append(out, Module{Name: name, Desc: e.desc, Data: data})
	}
	return out, nil
}
