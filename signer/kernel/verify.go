package kernel

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

// Verdict is what a kernel line decides for one module.
type Verdict struct {
	OK bool
	// Errno is what finit_module returns with signatures enforced
	// (module.sig_enforce=1): EKEYREJECTED for an unsigned module.
	Errno Errno
	// VerifyErrno is what mod_verify_sig() returned (ENODATA for an
	// unsigned module); without enforcement ENODATA, ENOPKG and ENOKEY let
	// the module load (tainting the kernel).
	VerifyErrno Errno
	// Reason explains the verdict to a person.
	Reason string
	// KernelMessage is the line the kernel logs for the refusal (as dmesg
	// shows it, without the timestamp), or "" when it logs nothing.
	KernelMessage string
	// Rule is the ID of the deciding rule ("" when the module is accepted).
	Rule string
	// Signer is the description of the trusted key that verified the
	// signature, or of the signer the message names.
	Signer string
	// Hash is the signer's digest name.
	Hash string
	// SignerCert is the trusted certificate that verified the signature.
	SignerCert *x509.Certificate
	// BySKID tells that the signer is named by subjectKeyIdentifier.
	BySKID bool
}

// kernelMessages are the texts rules log (pr_warn/pr_err/pr_notice), with
// the pr_fmt prefix the kernel adds. The non-fatal errnos log
// module_sig_check()'s "Loading of ... is rejected" instead, which is the
// line printed with enforcement on.
var kernelMessages = map[string]string{
	"trailer-params":           "module: PKCS#7 signature info has unexpected non-zero params",
	"pkcs7-content-type":       "PKCS7: Only support pkcs7_signedData type",
	"pkcs7-version":            "PKCS7: Unsupported SignedData version",
	"pkcs7-version-mismatch":   "PKCS7: SignedData-SignerInfo version mismatch",
	"pkcs7-data-type":          "PKCS7: Unsupported data type",
	"authattrs-repeated":       "PKCS7: Repeated/multivalue AuthAttrs not permitted",
	"authattrs-content-type":   "PKCS7: Mismatch between global data type",
	"authattrs-authenticode":   "PKCS7: Authenticode AuthAttrs only allowed with Authenticode",
	"authattrs-required":       "PKCS7: Missing required AuthAttr",
	"authenticode-authattrs":   "PKCS7: Authenticode requires AuthAttrs",
	"pkcs7-signers":            "PKCS7: Inconsistently supplied authAttrs",
	"authattrs-consistent":     "PKCS7: Inconsistently supplied authAttrs",
	"pkcs7-detached":           "PKCS#7 signature with non-detached data",
	"module-data-type":         "PKCS7: Invalid module sig (not pkcs7-data)",
	"module-authattrs":         "PKCS7: Invalid module sig (has authattrs)",
	"chain-auth-skid":          "PKCS7: Sig 1: X.509 chain contains auth-skid nonmatch",
	"blacklist-bin":            "Module hash",
	"authattrs-message-digest": "",
}

// run carries one verification.
type run struct{ p *Profile }

func (r *run) off(id string) bool { return r.p.disabled[id] }

// refuse builds the refusal of rule id, or returns nil when the rule is
// disabled. errno overrides the rule's errno when not "".
func (r *run) refuse(id string, errno Errno, format string, a ...any) *Verdict {
	if r.off(id) {
		return nil
	}
	ru := rule(id)
	if errno == "" {
		errno = ru.Errno
	}
	v := &Verdict{Errno: errno.Enforced(), VerifyErrno: errno, Rule: id, Reason: fmt.Sprintf(format, a...)}
	if reason := errno.sigCheckReason(); reason != "" {
		v.KernelMessage = "Loading of " + reason + " is rejected"
	} else {
		v.KernelMessage = kernelMessages[id]
	}
	return v
}

// disabledPass is the verdict when a disabled rule leaves nothing to check
// with (only in tests that switch rules off).
func disabledPass(id string) *Verdict {
	return &Verdict{OK: true, Reason: "accepted because rule " + id + " is switched off"}
}

// Verify gives the kernel's verdict for data, a module file, against the
// trusted keyring kr. It follows module_sig_check(), mod_verify_sig(),
// mod_check_sig(), verify_pkcs7_signature() (pkcs7_parse_message,
// pkcs7_verify(VERIFYING_MODULE_SIGNATURE), pkcs7_validate_trust) and, on
// 6.1, mod_is_hash_blacklisted().
func (p *Profile) Verify(data []byte, kr *Keyring) Verdict {
	r := &run{p: p}
	v := r.verify(data, kr)
	if v.OK {
		v.Errno, v.VerifyErrno, v.KernelMessage, v.Rule = OK, OK, "", ""
	}
	return *v
}

func (r *run) verify(data []byte, kr *Keyring) *Verdict {
	marker := len(modsig.Magic)
	// module_sig_check: info->len > markerlen && memcmp(...) == 0.
	if !(len(data) > marker && bytes.HasSuffix(data, []byte(modsig.Magic))) {
		if v := r.refuse("marker", "", "no \"~Module signature appended~\" marker after the module (a file that is only the marker counts as unsigned)"); v != nil {
			return v
		}
		if !bytes.HasSuffix(data, []byte(modsig.Magic)) {
			return disabledPass("marker")
		}
	}
	modlen := len(data) - marker
	// mod_verify_sig: modlen <= sizeof(ms) is EBADMSG.
	if modlen <= modsig.TrailerSize {
		if v := r.refuse("trailer-short", "", "only %d bytes before the marker, not enough for the %d-byte module_signature trailer", modlen, modsig.TrailerSize); v != nil {
			return v
		}
		return disabledPass("trailer-short")
	}
	t, _ := modsig.ParseTrailer(data[modlen-modsig.TrailerSize : modlen])
	// mod_check_sig.
	if uint64(t.SigLen) >= uint64(modlen-modsig.TrailerSize) {
		if v := r.refuse("trailer-sig-len", "", "sig_len %d is not smaller than the %d bytes before the trailer", t.SigLen, modlen-modsig.TrailerSize); v != nil {
			return v
		}
		return disabledPass("trailer-sig-len")
	}
	if t.IDType != modsig.IDTypePKCS7 {
		if v := r.refuse("trailer-id-type", "", "the trailer's id_type is %d, not PKEY_ID_PKCS7 (2)", t.IDType); v != nil {
			return v
		}
	}
	if t.Algo != 0 || t.Hash != 0 || t.SignerLen != 0 || t.KeyIDLen != 0 || t.Pad != [3]byte{} {
		if v := r.refuse("trailer-params", "", "the trailer has non-zero fields for a PKCS#7 signature (algo=%d hash=%d signer_len=%d key_id_len=%d pad=%x)",
			t.Algo, t.Hash, t.SignerLen, t.KeyIDLen, t.Pad[:]); v != nil {
			return v
		}
	}
	sigStart := modlen - modsig.TrailerSize - int(t.SigLen)
	module, raw := data[:sigStart], data[sigStart:modlen-modsig.TrailerSize]

	v, ok := r.verifyPKCS7(module, raw, kr)
	if !ok {
		return v
	}
	// 6.1 (Debian): mod_is_hash_blacklisted(mod, wholelen) after the signature verified.
	if r.p.is61() && kr != nil && kr.blacklist != nil {
		sum := sha256.Sum256(data)
		entry := "bin:" + hex.EncodeToString(sum[:])
		if kr.blacklist[entry] {
			if rv := r.refuse("blacklist-bin", "", "the signature verified, but the SHA-256 of the whole file is blacklisted (%s)", entry); rv != nil {
				rv.KernelMessage = "Module hash " + hex.EncodeToString(sum[:]) + " is blacklisted"
				rv.Signer, rv.Hash = v.Signer, v.Hash
				return rv
			}
		}
	}
	return v
}

// signer is one SignerInfo with what the kernel attaches to it.
type signer struct {
	si          cms.SignerInfo
	index       int
	hash        string // kernel digest name
	pkey        string // "rsa" or "ecdsa"
	authID      []byte // auth_ids[0]
	signer      *cert  // the embedded certificate that signed it, if any
	chain       []*cert
	blacklisted bool
	unsupported bool
	moduleRef   []byte // the module the signature covers
	trustedBy   string // description of the trusted key that verified it
	trustedCert *x509.Certificate
}

// verifyPKCS7 is verify_pkcs7_signature(); ok is true when it returned 0.
func (r *run) verifyPKCS7(module, raw []byte, kr *Keyring) (*Verdict, bool) {
	// pkcs7_parse_message -> asn1_ber_decoder.
	if len(raw) > 65535 {
		if v := r.refuse("asn1-size", "", "the PKCS#7 message is %d bytes; the kernel's ASN.1 decoder takes at most 65535", len(raw)); v != nil {
			return v, false
		}
	}
	der, err := berToDER(raw)
	if err != nil {
		if v := r.refuse("asn1-ber", "", "the PKCS#7 message is not BER the kernel decodes: %v", err); v != nil {
			return v, false
		}
		return disabledPass("asn1-ber"), false
	}
	msg, err := cms.Parse(der)
	if err != nil {
		id := "asn1-grammar"
		switch {
		case errors.Is(err, cms.ErrNotSignedData):
			id = "pkcs7-content-type"
		case errors.Is(err, cms.ErrVersion):
			id = "pkcs7-version"
		case errors.Is(err, cms.ErrVersionMismatch):
			id = "pkcs7-version-mismatch"
		case errors.Is(err, cms.ErrContentType):
			id = "pkcs7-data-type"
		case errors.Is(err, cms.ErrNoSigners):
			id = "pkcs7-signers"
		}
		if v := r.refuse(id, "", "the PKCS#7 message does not parse: %v", err); v != nil {
			return v, false
		}
		return disabledPass(id), false
	}
	// Embedded certificates come before the signerInfos: pkcs7_extract_cert.
	var certs []*cert
	for i, c := range msg.Certificates {
		kc, v := r.parseCert(c, kr.blacklistMap())
		if v != nil {
			v.Reason = fmt.Sprintf("embedded certificate %d: %s", i+1, v.Reason)
			return v, false
		}
		if kc != nil {
			certs = append(certs, kc)
		}
	}
	// The signerInfos, in order: digestAlgorithm, authenticatedAttributes,
	// digestEncryptionAlgorithm, then pkcs7_note_signed_info.
	var signers []*signer
	for i, si := range msg.Signers {
		s := &signer{si: si, index: i + 1, moduleRef: module}
		h, ok := r.p.digestName(si.DigestAlgorithm)
		if !ok {
			if v := r.refuse("digest-algo", "", "signer %d: digest algorithm %s is unknown to Linux %s's PKCS#7 parser", i+1, si.DigestAlgorithm, r.p.line); v != nil {
				return v, false
			}
		}
		s.hash = h
		if si.SignedAttrs != nil {
			if v := r.checkAuthAttrs(si.SignedAttrs, msg.ContentType, i+1); v != nil {
				return v, false
			}
		}
		pk, ok := r.p.pkeyName(si.SignatureAlgorithm)
		if !ok {
			if v := r.refuse("pkey-algo", "", "signer %d: signature algorithm %s is unknown to Linux %s's PKCS#7 parser (it takes rsaEncryption and ecdsa-with-*)", i+1, si.SignatureAlgorithm, r.p.line); v != nil {
				return v, false
			}
		}
		s.pkey = pk
		if msg.ContentType.Equal(cms.OIDMSIndirectData) && si.SignedAttrs == nil {
			if v := r.refuse("authenticode-authattrs", "", "signer %d: an Authenticode (msIndirectData) message needs signed attributes", i+1); v != nil {
				return v, false
			}
		}
		if si.Version == 3 {
			s.authID = si.SID.SKID
		} else {
			s.authID = append(append([]byte{}, si.SID.RawSerial...), si.SID.RawIssuer...)
		}
		signers = append(signers, s)
	}
	// pkcs7_check_authattrs.
	if len(signers) == 0 {
		if v := r.refuse("pkcs7-signers", "", "the PKCS#7 message has no SignerInfo"); v != nil {
			return v, false
		}
		return disabledPass("pkcs7-signers"), false
	}
	for _, s := range signers[1:] {
		if (s.si.SignedAttrs != nil) != (signers[0].si.SignedAttrs != nil) {
			if v := r.refuse("authattrs-consistent", "", "signer %d has signed attributes and signer 1 %s", s.index,
				map[bool]string{true: "too", false: "not"}[signers[0].si.SignedAttrs != nil]); v != nil {
				return v, false
			}
		}
	}
	// verify_pkcs7_message_sig: pkcs7_supply_detached_data.
	if msg.HasContent {
		if v := r.refuse("pkcs7-detached", "", "the PKCS#7 message carries its own content; a module signature must be detached"); v != nil {
			return v, false
		}
	}
	// pkcs7_verify(VERIFYING_MODULE_SIGNATURE).
	if !msg.ContentType.Equal(cms.OIDData) {
		if v := r.refuse("module-data-type", "", "the content type is %s, not pkcs7-data", msg.ContentType); v != nil {
			return v, false
		}
	}
	if signers[0].si.SignedAttrs != nil {
		if v := r.refuse("module-authattrs", "", "the signature has signed (authenticated) attributes, which Linux %s refuses for modules", r.p.line); v != nil {
			return v, false
		}
	}
	actual := ENOPKG
	var firstUnsupported *Verdict
	for _, s := range signers {
		v := r.verifyOne(s, module, certs)
		if s.blacklisted {
			if actual == ENOPKG {
				actual = EKEYREJECTED
			}
			continue
		}
		if v != nil {
			if v.VerifyErrno == ENOPKG {
				s.unsupported = true
				if firstUnsupported == nil {
					firstUnsupported = v
				}
				continue
			}
			return v, false
		}
		actual = OK
	}
	switch actual {
	case ENOPKG:
		if firstUnsupported != nil {
			return firstUnsupported, false
		}
		return disabledPass("hash-available"), false
	case EKEYREJECTED:
		if v := r.refuse("blacklist-tbs", "", "every signer's embedded certificate chain holds a blacklisted certificate"); v != nil {
			v.KernelMessage = "X.509: Cert"
			return v, false
		}
	}
	// pkcs7_validate_trust.
	return r.validateTrust(signers, kr)
}

func (kr *Keyring) blacklistMap() map[string]bool {
	if kr == nil {
		return nil
	}
	return kr.blacklist
}

// verifyOne is pkcs7_verify_one(): digest, find the signer among the
// embedded certificates, verify against it, and walk the embedded chain.
func (r *run) verifyOne(s *signer, module []byte, certs []*cert) *Verdict {
	// pkcs7_digest: crypto_alloc_shash(hash_algo), ENOENT -> ENOPKG.
	if _, ok := hashByKernelName(s.hash); !ok || !r.p.HashAvailable(s.hash) {
		if v := r.refuse("hash-available", "", "signer %d: the kernel has no %s digest built in (crypto_alloc_shash fails)", s.index, s.hash); v != nil {
			return v
		}
		if _, ok := hashByKernelName(s.hash); !ok {
			return nil
		}
	}
	// pkcs7_find_key.
	for _, c := range certs {
		if sameID(c.id, s.authID) {
			s.signer = c
			break
		}
	}
	if s.signer == nil {
		return nil
	}
	if v := r.publicKeyVerify(s.signer, s.pkey, s.hash, s.si.Signature, digest(s.hash, module),
		fmt.Sprintf("signer %d's signature (embedded certificate %q)", s.index, s.signer.c.Subject.CommonName)); v != nil {
		return v
	}
	// pkcs7_verify_sig_chain.
	seen := map[*cert]bool{}
	x := s.signer
	for {
		seen[x] = true
		s.chain = append(s.chain, x)
		if x.blacklisted && !r.off("blacklist-tbs") {
			s.blacklisted = true
			return nil
		}
		if x.selfSigned {
			return nil
		}
		var p *cert
		checkSKID := false
		if x.akidID != nil {
			for _, c := range certs {
				if sameID(c.id, x.akidID) {
					p, checkSKID = c, true
					break
				}
			}
		} else if x.akidSKID != nil {
			for _, c := range certs {
				if sameID(c.skid, x.akidSKID) {
					p = c
					break
				}
			}
		}
		if p == nil {
			return nil
		}
		if checkSKID && x.akidSKID != nil && !sameID(p.skid, x.akidSKID) {
			return r.refuse("chain-auth-skid", "", "embedded certificate %q names its issuer %q by issuer+serial, but the issuer's subjectKeyIdentifier does not match the authorityKeyIdentifier", x.c.Subject.CommonName, p.c.Subject.CommonName)
		}
		if seen[p] {
			return nil
		}
		if x.unsupportedSig {
			return nil
		}
		if v := r.publicKeyVerify(p, x.sigPkey, x.sigHash, x.c.Signature, digest(x.sigHash, x.c.RawTBSCertificate),
			fmt.Sprintf("the signature of embedded certificate %q by %q", x.c.Subject.CommonName, p.c.Subject.CommonName)); v != nil {
			return v
		}
		x = p
	}
}

// validateTrust is pkcs7_validate_trust().
func (r *run) validateTrust(signers []*signer, kr *Keyring) (*Verdict, bool) {
	cached := ENOKEY
	var cachedV *Verdict
	var good *Verdict
	for _, s := range signers {
		v := r.validateTrustOne(s, kr)
		switch {
		case v == nil:
			if good == nil {
				good = &Verdict{OK: true, Signer: s.trustedBy, Hash: s.hash, SignerCert: s.trustedCert, BySKID: s.si.Version == 3,
					Reason: fmt.Sprintf("signer %d verified by trusted key %q", s.index, s.trustedBy)}
			}
			cached = OK
		case v.VerifyErrno == ENOKEY:
			if cachedV == nil {
				cachedV = v
			}
		case v.VerifyErrno == ENOPKG:
			if cached == ENOKEY {
				cached, cachedV = ENOPKG, v
			}
		default:
			return v, false
		}
	}
	if cached == OK {
		return good, true
	}
	if cachedV == nil {
		return disabledPass("trusted-key"), false
	}
	return cachedV, false
}

// validateTrustOne is pkcs7_validate_trust_one().
func (r *run) validateTrustOne(s *signer, kr *Keyring) *Verdict {
	if s.unsupported {
		return r.refuse("hash-available", "", "signer %d cannot be checked", s.index)
	}
	var trustedVerify func(k *cert, sigPkey, hash string, sig, dgst []byte, what string) *Verdict
	trustedVerify = func(k *cert, sigPkey, hash string, sig, dgst []byte, what string) *Verdict {
		v := r.publicKeyVerify(k, sigPkey, hash, sig, dgst, what)
		if v == nil {
			s.trustedBy, s.trustedCert = keys.KeyDescription(k.c), k.c
			return nil
		}
		// Any failure of verify_signature() here is EKEYREJECTED.
		if w := r.refuse("trusted-signature", "", "%s does not verify with trusted key %q: %s", what, keys.KeyDescription(k.c), v.Reason); w != nil {
			w.Signer = keys.KeyDescription(k.c)
			w.Hash = s.hash
			switch v.Rule {
			case "rsa-key-size", "ecdsa-hash", "key-algo-match":
				// A property of the key decides, not this signature.
				w.Rule = v.Rule
			}
			return w
		}
		return nil
	}
	var last *cert
	for _, x := range s.chain {
		if k := kr.findCert(x); k != nil {
			if x == s.signer {
				return trustedVerify(k, s.pkey, s.hash, s.si.Signature, digest(s.hash, s.moduleRef),
					fmt.Sprintf("signer %d's signature", s.index))
			}
			return trustedVerify(k, last.sigPkey, last.sigHash, last.c.Signature, digest(last.sigHash, last.c.RawTBSCertificate),
				fmt.Sprintf("the signature of embedded certificate %q", last.c.Subject.CommonName))
		}
		if x.selfSigned {
			return r.unknownKey(s, kr, fmt.Sprintf("signer %d's embedded chain ends in the self-signed certificate %q, which is not trusted", s.index, x.c.Subject.CommonName))
		}
		last = x
	}
	if last != nil && (last.akidID != nil || last.akidSKID != nil) {
		if k := kr.findAny(last.akidID, last.akidSKID); k != nil {
			if last.unsupportedSig {
				return r.refuse("hash-available", "", "embedded certificate %q uses a digest the kernel lacks", last.c.Subject.CommonName)
			}
			return trustedVerify(k, last.sigPkey, last.sigHash, last.c.Signature, digest(last.sigHash, last.c.RawTBSCertificate),
				fmt.Sprintf("the signature of embedded certificate %q", last.c.Subject.CommonName))
		}
	}
	if k := kr.find(s.authID); k != nil {
		return trustedVerify(k, s.pkey, s.hash, s.si.Signature, digest(s.hash, s.moduleRef),
			fmt.Sprintf("signer %d's signature", s.index))
	}
	return r.unknownKey(s, kr, fmt.Sprintf("signer %d (%s) is not among the %d trusted keys", s.index, describeSID(s.si), len(kr.keysOrNil())))
}

// unknownKey is the ENOKEY refusal; when the signer names a trusted
// certificate the kernel refused to load, that certificate's rule decides.
func (r *run) unknownKey(s *signer, kr *Keyring, reason string) *Verdict {
	if kr != nil {
		for _, d := range kr.Dropped {
			kc, _ := (&run{p: r.p.Without(d.Rule)}).parseCert(d.Cert.Raw, nil)
			if kc != nil && (sameID(kc.id, s.authID) || sameID(kc.skid, s.authID)) {
				if v := r.refuse(d.Rule, ENOKEY, "%s: trusted certificate %q was not loaded by Linux %s: %s", reason, d.Description(), r.p.line, d.Reason); v != nil {
					return v
				}
			}
		}
	}
	return r.refuse("trusted-key", "", "%s", reason)
}

func (kr *Keyring) keysOrNil() []*cert {
	if kr == nil {
		return nil
	}
	return kr.keys
}

// findCert looks an embedded certificate up in the keyring by its IDs.
func (kr *Keyring) findCert(x *cert) *cert {
	if kr == nil {
		return nil
	}
	if k := kr.find(x.id); k != nil {
		return k
	}
	return kr.find(x.skid)
}

func (kr *Keyring) findAny(ids ...[]byte) *cert {
	if kr == nil {
		return nil
	}
	for _, id := range ids {
		if k := kr.find(id); k != nil {
			return k
		}
	}
	return nil
}

func describeSID(si cms.SignerInfo) string {
	if si.Version == 3 {
		return fmt.Sprintf("subjectKeyIdentifier %x", si.SID.SKID)
	}
	return fmt.Sprintf("issuer %q serial %x", issuerCN(si.SID.RawIssuer), si.SID.RawSerial)
}

// publicKeyVerify is public_key_verify_signature() with the line's
// software_key_determine_akcipher(), rsa_set_pub_key() and the verify
// operation of pkcs1pad/rsassa-pkcs1 or ecdsa.
func (r *run) publicKeyVerify(k *cert, sigPkey, hash string, sig, dgst []byte, what string) *Verdict {
	name := k.c.Subject.CommonName
	isECKey := len(k.pkey) > 6 && k.pkey[:6] == "ecdsa-"
	if sigPkey != "" && sigPkey != k.pkey && !(isECKey && sigPkey == "ecdsa") {
		if v := r.refuse("key-algo-match", "", "%s: an %s signature but certificate %q holds an %s key", what, sigPkey, name, k.pkey); v != nil {
			return v
		}
	}
	switch pub := k.c.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := (pub.N.BitLen() + 7) / 8 * 8
		if !rsaSizeOK(bits) {
			if v := r.refuse("rsa-key-size", "", "%s: certificate %q holds a %d-bit RSA key; rsa_check_key_length() takes 512, 1024, 1536, 2048, 3072 and 4096 bits only", what, name, pub.N.BitLen()); v != nil {
				return v
			}
		}
		if sigPkey != "rsa" {
			return nil
		}
		return r.verifyPKCS1(pub, hash, dgst, sig, what, name)
	case *ecdsa.PublicKey:
		if !r.p.ecdsaHashOK(hash) {
			if v := r.refuse("ecdsa-hash", "", "%s: ECDSA with %s is not accepted by Linux %s (software_key_determine_akcipher)", what, hash, r.p.line); v != nil {
				return v
			}
		}
		if sigPkey != "ecdsa" {
			return nil
		}
		var es struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(sig, &es); err != nil || len(rest) != 0 {
			return r.refuse("signature", EBADMSG, "%s: the ECDSA signature is not a DER SEQUENCE of two INTEGERs", what)
		}
		n := pub.Curve.Params().N
		if es.R.Sign() <= 0 || es.S.Sign() <= 0 || es.R.Cmp(n) >= 0 || es.S.Cmp(n) >= 0 {
			return r.refuse("signature", EKEYREJECTED, "%s: ECDSA signature values out of range", what)
		}
		if !ecdsa.VerifyASN1(pub, dgst, sig) {
			return r.refuse("signature", "", "%s does not match under %q", what, name)
		}
		return nil
	}
	return r.refuse("ecdsa-curve", ENOPKG, "%s: certificate %q holds a %T key", what, name, k.c.PublicKey)
}

func rsaSizeOK(bits int) bool {
	switch bits {
	case 512, 1024, 1536, 2048, 3072, 4096:
		return true
	}
	return false
}

// ecdsaHashOK follows software_key_determine_akcipher().
func (p *Profile) ecdsaHashOK(h string) bool {
	switch h {
	case "sha1", "sha224", "sha256", "sha384", "sha512":
		return true
	case "sha3-256", "sha3-384", "sha3-512":
		return !p.is61()
	}
	return false
}

// verifyPKCS1 follows crypto/rsa-pkcs1pad.c (6.1) and crypto/rsassa-pkcs1.c
// (7.2), whose checks and errnos agree for what modules can carry.
func (r *run) verifyPKCS1(pub *rsa.PublicKey, hash string, dgst, sig []byte, what, name string) *Verdict {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return r.refuse("rsa-signature-size", "", "%s: the RSA signature is %d bytes but the key is %d bytes", what, len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return r.refuse("rsa-signature-size", "", "%s: the RSA signature value is not smaller than the modulus", what)
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	if em[0] != 0 || em[1] == 0 {
		return r.refuse("signature", EINVAL, "%s does not decrypt to a PKCS#1 block under %q (made by another key, or corrupted)", what, name)
	}
	out := em[1:]
	bad := func() *Verdict {
		return r.refuse("signature", EBADMSG, "%s has bad PKCS#1 padding under %q (made by another key?)", what, name)
	}
	if out[0] != 0x01 {
		return bad()
	}
	pos := 1
	for pos < len(out) && out[pos] == 0xff {
		pos++
	}
	if pos < 9 || pos == len(out) || out[pos] != 0 {
		return bad()
	}
	pos++
	prefix, ok := digestInfoPrefix(hash)
	if !ok || !bytes.HasPrefix(out[pos:], prefix) {
		return r.refuse("signature", EBADMSG, "%s: the DigestInfo is not for %s", what, hash)
	}
	pos += len(prefix)
	if len(out)-pos != len(dgst) {
		return r.refuse("signature", EKEYREJECTED, "%s: the digest has the wrong length", what)
	}
	if !bytes.Equal(out[pos:], dgst) {
		return r.refuse("signature", EKEYREJECTED, "%s does not match the module's %s digest under %q (the module was changed after signing, or another key signed it)", what, hash, name)
	}
	return nil
}

func digestInfoPrefix(hash string) ([]byte, bool) {
	h, ok := cms.HashByName(hash)
	if !ok {
		return nil, false
	}
	oid, _ := asn1.Marshal(h.OID)
	algID := append(append([]byte{}, oid...), 0x05, 0x00)
	algSeq := append([]byte{0x30, byte(len(algID))}, algID...)
	n := h.Hash.Size()
	inner := append(algSeq, 0x04, byte(n))
	return append([]byte{0x30, byte(len(inner) + n)}, inner...), true
}

// digestName is pkcs7_sig_note_digest_algo() for the line.
func (p *Profile) digestName(oid asn1.ObjectIdentifier) (string, bool) {
	if h, ok := cms.HashByOID(oid); ok {
		if strings.HasPrefix(h.Name, "sha3-") {
			return h.Name, !p.is61()
		}
		return h.Name, true
	}
	switch {
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 4}):
		return "md4", p.is61()
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}):
		return "md5", p.is61()
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}):
		return "sm3", true
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}):
		return "streebog256", true
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}):
		return "streebog512", true
	}
	return oid.String(), false
}

// pkeyName is pkcs7_sig_note_pkey_algo() for the line (RSA and ECDSA; the
// SM2, GOST and ML-DSA algorithms are reported as unknown).
func (p *Profile) pkeyName(oid asn1.ObjectIdentifier) (string, bool) {
	if oid.Equal(cms.OIDRSAEncryption) {
		return "rsa", true
	}
	for _, o := range []asn1.ObjectIdentifier{cms.OIDECDSAWithSHA1, cms.OIDECDSAWithSHA224, cms.OIDECDSAWithSHA256, cms.OIDECDSAWithSHA384, cms.OIDECDSAWithSHA512} {
		if oid.Equal(o) {
			return "ecdsa", true
		}
	}
	for _, o := range []asn1.ObjectIdentifier{cms.OIDECDSAWithSHA3_256, cms.OIDECDSAWithSHA3_384, cms.OIDECDSAWithSHA3_512} {
		if oid.Equal(o) {
			return "ecdsa", !p.is61()
		}
	}
	return oid.String(), false
}

// hashByKernelName maps the kernel's shash names to Go hashes.
func hashByKernelName(name string) (crypto.Hash, bool) {
	h, ok := cms.HashByName(name)
	if !ok || !h.Hash.Available() {
		return 0, false
	}
	return h.Hash, true
}

func digest(hash string, data []byte) []byte {
	h, ok := hashByKernelName(hash)
	if !ok {
		return nil
	}
	d := h.New()
	d.Write(data)
	return d.Sum(nil)
}

var (
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSMIMECaps     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 15}
	oidMSOpusInfo    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 12}
	oidMSStatement   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 11}
)

// checkAuthAttrs follows pkcs7_sig_note_authenticated_attr() and
// pkcs7_sig_note_set_of_authattrs().
func (r *run) checkAuthAttrs(raw []byte, dataType asn1.ObjectIdentifier, index int) *Verdict {
	s := cryptobyte.String(raw)
	var set cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&set, &tag) {
		return r.refuse("asn1-grammar", "", "signer %d: the signed attributes do not parse", index)
	}
	seen := map[string]bool{}
	authenticode := dataType.Equal(cms.OIDMSIndirectData)
	for !set.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&values, cbasn1.SET) {
			return r.refuse("asn1-grammar", "", "signer %d: a signed attribute does not parse", index)
		}
		for !values.Empty() {
			var val cryptobyte.String
			var vtag cbasn1.Tag
			if !values.ReadAnyASN1(&val, &vtag) {
				return r.refuse("asn1-grammar", "", "signer %d: a signed attribute value does not parse", index)
			}
			key := oid.String()
			known := oid.Equal(oidContentType) || oid.Equal(oidMessageDigest) || oid.Equal(oidSigningTime) ||
				oid.Equal(oidSMIMECaps) || oid.Equal(oidMSOpusInfo) || oid.Equal(oidMSStatement)
			if known {
				if seen[key] {
					if v := r.refuse("authattrs-repeated", "", "signer %d: signed attribute %s is repeated or has several values", index, oid); v != nil {
						return v
					}
				}
				seen[key] = true
			}
			switch {
			case oid.Equal(oidContentType):
				var ct asn1.ObjectIdentifier
				if _, err := asn1.Unmarshal(append(derHeader(byte(vtag), len(val)), val...), &ct); err != nil || !ct.Equal(dataType) {
					if v := r.refuse("authattrs-content-type", "", "signer %d: the contentType attribute does not match the message's content type %s", index, dataType); v != nil {
						return v
					}
				}
			case oid.Equal(oidMessageDigest):
				if vtag != cbasn1.OCTET_STRING {
					if v := r.refuse("authattrs-message-digest", "", "signer %d: the messageDigest attribute is not an OCTET STRING", index); v != nil {
						return v
					}
				}
			case oid.Equal(oidSMIMECaps), oid.Equal(oidMSOpusInfo), oid.Equal(oidMSStatement):
				if !authenticode {
					if v := r.refuse("authattrs-authenticode", "", "signer %d: signed attribute %s is only allowed with Authenticode", index, oid); v != nil {
						return v
					}
				}
			}
		}
	}
	if !seen[oidContentType.String()] || !seen[oidMessageDigest.String()] {
		if v := r.refuse("authattrs-required", "", "signer %d: the signed attributes lack contentType or messageDigest", index); v != nil {
			return v
		}
	}
	return nil
}

// issuerCN extracts the CN from a raw Name, for messages.
func issuerCN(raw []byte) string {
	var rdn [][]struct {
		Type  asn1.ObjectIdentifier
		Value any
	}
	if _, err := asn1.Unmarshal(raw, &rdn); err != nil {
		return ""
	}
	for _, set := range rdn {
		for _, atv := range set {
			if atv.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 3}) {
				if s, ok := atv.Value.(string); ok {
					return s
				}
			}
		}
	}
	return ""
}
