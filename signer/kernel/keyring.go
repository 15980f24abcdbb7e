package kernel

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
)

// cert is an X.509 certificate as the kernel's x509_cert_parse() sees it.
type cert struct {
	c        *x509.Certificate
	id       []byte // asymmetric_key_generate_id(serial, issuer)
	skid     []byte
	subjID   []byte
	akidID   []byte // auth_ids[0]: AKID authorityCertSerialNumber + issuer, or nil
	akidSKID []byte // auth_ids[1]: AKID keyIdentifier, or nil
	pkey     string // "rsa", "ecdsa-nist-p256", ...
	sigPkey  string // signature's pkey algo: "rsa" or "ecdsa"
	sigHash  string // the certificate signature's digest name
	// unsupportedSig: the kernel cannot check this certificate's signature
	// (its digest is not built in); x509_get_sig_params() flags it.
	unsupportedSig bool
	selfSigned     bool
	blacklisted    bool
}

// Keyring is the set of trusted keys a kernel loaded at boot from its
// certificate list (CONFIG_SYSTEM_TRUSTED_KEYS and the build key), after the
// line's rules dropped the ones it cannot or will not load.
type Keyring struct {
	keys []*cert
	// Dropped lists certificates the kernel would not load, with the rule
	// that dropped them.
	Dropped []DroppedCert
	// blacklist holds the tbs: and bin: entries.
	blacklist map[string]bool
}

// DroppedCert is a trusted certificate the kernel refuses to load.
type DroppedCert struct {
	Cert   *x509.Certificate
	Rule   string
	Errno  Errno
	Reason string
}

// Description is the key description the kernel gives a loaded certificate.
func (d DroppedCert) Description() string { return keys.KeyDescription(d.Cert) }

// NewKeyring loads trusted certificates the way load_system_certificate_list()
// does on this line: each goes through x509_key_preparse(), and those it
// refuses (unknown curve, bad self-signature, RSA size, blacklisted) are left
// out. blacklist holds the CONFIG_SYSTEM_BLACKLIST_HASH_LIST entries
// ("tbs:<hex>", "bin:<hex>"); it may be nil.
func (p *Profile) NewKeyring(trusted []*x509.Certificate, blacklist map[string]bool) *Keyring {
	kr := &Keyring{blacklist: blacklist}
	r := &run{p: p}
	for _, c := range trusted {
		kc, v := r.parseCert(c.Raw, blacklist)
		if v != nil {
			kr.Dropped = append(kr.Dropped, DroppedCert{Cert: c, Rule: v.Rule, Errno: v.VerifyErrno, Reason: v.Reason})
			continue
		}
		if kc.blacklisted && !r.off("blacklist-tbs") {
			// x509_key_preparse: "Don't permit addition of blacklisted keys".
			kr.Dropped = append(kr.Dropped, DroppedCert{Cert: c, Rule: "blacklist-tbs", Errno: EKEYREJECTED,
				Reason: "it is blacklisted: its TBS hash " + p.tbsEntry(kc) + " is listed"})
			continue
		}
		kc.c = c // the caller's certificate, so that it can recognise it
		kr.keys = append(kr.keys, kc)
	}
	return kr
}

// TBSEntry returns the "tbs:<hex>" string that blacklists c on this line:
// 6.1 hashes the TBSCertificate with the certificate's own signature digest
// (x509_get_sig_params), 7.2 always with SHA-256.
func (p *Profile) TBSEntry(c *x509.Certificate) (string, error) {
	r := &run{p: p}
	kc, v := r.parseCert(c.Raw, nil)
	if v != nil {
		return "", fmt.Errorf("certificate %q: Linux %s cannot load it: %s", c.Subject.CommonName, p.line, v.Reason)
	}
	e := p.tbsEntry(kc)
	if e == "" {
		return "", fmt.Errorf("certificate %q: Linux %s cannot hash it (its %s digest is not available)", c.Subject.CommonName, p.line, kc.sigHash)
	}
	return e, nil
}

func (p *Profile) tbsEntry(kc *cert) string {
	if !p.is61() {
		sum := sha256.Sum256(kc.c.RawTBSCertificate)
		return "tbs:" + hex.EncodeToString(sum[:])
	}
	h, ok := hashByKernelName(kc.sigHash)
	if !ok || !p.HashAvailable(kc.sigHash) {
		return ""
	}
	d := h.New()
	d.Write(kc.c.RawTBSCertificate)
	return "tbs:" + hex.EncodeToString(d.Sum(nil))
}

// find is find_asymmetric_key(): a key whose IDs include id.
func (kr *Keyring) find(id []byte) *cert {
	if id == nil {
		return nil
	}
	for _, k := range kr.keys {
		if sameID(k.id, id) || sameID(k.skid, id) || sameID(k.subjID, id) {
			return k
		}
	}
	return nil
}

// Certificates returns the loaded trusted certificates.
func (kr *Keyring) Certificates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, k := range kr.keys {
		out = append(out, k.c)
	}
	return out
}

// sameID is asymmetric_key_id_same(): both present and equal.
func sameID(a, b []byte) bool { return a != nil && b != nil && bytes.Equal(a, b) }

// parseCert is x509_cert_parse(): it refuses what the line cannot load.
func (r *run) parseCert(der []byte, blacklist map[string]bool) (*cert, *Verdict) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, r.refuse("x509-parse", "", "certificate does not parse: %v", err)
	}
	kc := &cert{c: c, skid: c.SubjectKeyId, subjID: c.RawSubject}
	if len(kc.skid) == 0 {
		kc.skid = nil
	}
	serial, err := keys.RawSerial(c)
	if err != nil {
		return nil, r.refuse("x509-parse", "", "certificate %q: %v", c.Subject.CommonName, err)
	}
	kc.id = append(append([]byte{}, serial...), c.RawIssuer...)
	// x509_note_sig_algo.
	sigOID, err := certSigOID(der)
	if err != nil {
		return nil, r.refuse("x509-parse", "", "certificate %q: %v", c.Subject.CommonName, err)
	}
	sa, ok := r.p.certSigAlgo(sigOID)
	if !ok {
		if v := r.refuse("x509-sig-algo", "", "certificate %q is signed with %s, which Linux %s's X.509 parser does not know", c.Subject.CommonName, sigOID, r.p.line); v != nil {
			return nil, v
		}
		sa = sigAlgo{pkey: "unknown", hash: "unknown"}
	}
	kc.sigPkey, kc.sigHash = sa.pkey, sa.hash
	// x509_extract_key_data.
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		kc.pkey = "rsa"
	case *ecdsa.PublicKey:
		kc.pkey = "ecdsa-nist-" + map[elliptic.Curve]string{
			elliptic.P224(): "p224", elliptic.P256(): "p256", elliptic.P384(): "p384", elliptic.P521(): "p521",
		}[pub.Curve]
		if !r.p.curveKnown(kc.pkey) {
			if v := r.refuse("ecdsa-curve", "", "certificate %q holds an ECDSA key on %s, a curve Linux %s does not know (x509_extract_key_data returns ENOPKG)", c.Subject.CommonName, pub.Curve.Params().Name, r.p.line); v != nil {
				return nil, v
			}
		}
	default:
		if v := r.refuse("ecdsa-curve", "", "certificate %q holds a %T key, which Linux %s does not take for module signatures", c.Subject.CommonName, pub, r.p.line); v != nil {
			return nil, v
		}
		kc.pkey = "unknown"
	}
	kc.akidID, kc.akidSKID = parseAKID(c)
	// x509_get_sig_params: the digest must be there; then the blacklist.
	if !r.p.HashAvailable(kc.sigHash) {
		kc.unsupportedSig = true
	}
	if blacklist != nil {
		if e := r.p.tbsEntry(kc); e != "" && blacklist[e] {
			kc.blacklisted = true
		}
	}
	// x509_check_for_self_signed.
	if !bytes.Equal(c.RawSubject, c.RawIssuer) {
		return kc, nil
	}
	if kc.akidID != nil || kc.akidSKID != nil {
		a := sameID(kc.skid, kc.akidSKID)
		b := sameID(kc.id, kc.akidID)
		if !a && !b {
			return kc, nil
		}
		if a != b && kc.akidID != nil && kc.akidSKID != nil {
			return nil, r.refuse("x509-self-signature", "", "certificate %q names itself as issuer but only one of its authorityKeyIdentifier parts matches", c.Subject.CommonName)
		}
	}
	if kc.unsupportedSig {
		return kc, nil
	}
	h, _ := hashByKernelName(kc.sigHash)
	d := h.New()
	d.Write(c.RawTBSCertificate)
	if v := r.publicKeyVerify(kc, kc.sigPkey, kc.sigHash, c.Signature, d.Sum(nil), "the self-signature of "+quote(c.Subject.CommonName)); v != nil {
		if v.VerifyErrno == ENOPKG {
			kc.unsupportedSig = true
			return kc, nil
		}
		// x509_check_for_self_signed fails, so x509_cert_parse fails.
		if v.Rule == "signature" {
			v.Rule = "x509-self-signature"
		}
		return nil, v
	}
	kc.selfSigned = true
	return kc, nil
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// curveKnown follows x509_extract_key_data().
func (p *Profile) curveKnown(pkey string) bool {
	switch pkey {
	case "ecdsa-nist-p192", "ecdsa-nist-p256", "ecdsa-nist-p384":
		return true
	case "ecdsa-nist-p521":
		return !p.is61()
	}
	return false
}

type sigAlgo struct{ pkey, hash string }

// certSigAlgo follows x509_note_sig_algo().
func (p *Profile) certSigAlgo(oid asn1.ObjectIdentifier) (sigAlgo, bool) {
	rsaPrefix := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1}
	if len(oid) == 7 && oid[:6].Equal(rsaPrefix) {
		switch oid[6] {
		case 3: // md4WithRSAEncryption
			return sigAlgo{"rsa", "md4"}, p.is61()
		case 5:
			return sigAlgo{"rsa", "sha1"}, true
		case 11:
			return sigAlgo{"rsa", "sha256"}, true
		case 12:
			return sigAlgo{"rsa", "sha384"}, true
		case 13:
			return sigAlgo{"rsa", "sha512"}, true
		case 14:
			return sigAlgo{"rsa", "sha224"}, true
		}
		return sigAlgo{}, false
	}
	nist := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3}
	if len(oid) == 9 && oid[:8].Equal(nist) && !p.is61() {
		switch oid[8] {
		case 10:
			return sigAlgo{"ecdsa", "sha3-256"}, true
		case 11:
			return sigAlgo{"ecdsa", "sha3-384"}, true
		case 12:
			return sigAlgo{"ecdsa", "sha3-512"}, true
		case 14:
			return sigAlgo{"rsa", "sha3-256"}, true
		case 15:
			return sigAlgo{"rsa", "sha3-384"}, true
		case 16:
			return sigAlgo{"rsa", "sha3-512"}, true
		}
	}
	for _, c := range []struct {
		oid  asn1.ObjectIdentifier
		hash string
	}{
		{cms.OIDECDSAWithSHA1, "sha1"}, {cms.OIDECDSAWithSHA224, "sha224"}, {cms.OIDECDSAWithSHA256, "sha256"},
		{cms.OIDECDSAWithSHA384, "sha384"}, {cms.OIDECDSAWithSHA512, "sha512"},
	} {
		if oid.Equal(c.oid) {
			return sigAlgo{"ecdsa", c.hash}, true
		}
	}
	return sigAlgo{}, false
}

// certSigOID reads Certificate.signatureAlgorithm.
func certSigOID(der []byte) (asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(der)
	var c, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&c, cbasn1.SEQUENCE) || !c.SkipASN1(cbasn1.SEQUENCE) ||
		!c.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("cannot read the certificate's signatureAlgorithm")
	}
	return oid, nil
}

// parseAKID reads authorityKeyIdentifier the way x509_akid_note_kid() and
// x509_akid_note_name()/x509_akid_note_serial() do: the keyIdentifier, and
// the authorityCertSerialNumber with the directoryName of the issuer.
func parseAKID(c *x509.Certificate) (id, skid []byte) {
	for _, e := range c.Extensions {
		if !e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 35}) {
			continue
		}
		s := cryptobyte.String(e.Value)
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			return nil, nil
		}
		var kid, names, serial cryptobyte.String
		if seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) {
			seq.ReadASN1(&kid, cbasn1.Tag(0).ContextSpecific())
			skid = append([]byte{}, kid...)
		}
		var issuer []byte
		if seq.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
			seq.ReadASN1(&names, cbasn1.Tag(1).Constructed().ContextSpecific())
			var dn, name cryptobyte.String
			if names.ReadASN1(&dn, cbasn1.Tag(4).Constructed().ContextSpecific()) && dn.ReadASN1Element(&name, cbasn1.SEQUENCE) {
				issuer = []byte(name)
			}
		}
		if seq.PeekASN1Tag(cbasn1.Tag(2).ContextSpecific()) {
			seq.ReadASN1(&serial, cbasn1.Tag(2).ContextSpecific())
			if issuer != nil {
				id = append(append([]byte{}, serial...), issuer...)
			}
		}
		return id, skid
	}
	return nil, nil
}
