// Package kernel models how a given Linux kernel line decides whether it
// loads a signed module: one Profile per line (6.1, 7.2), each a table of
// rules read from that line's sources (kernel/module/signing.c,
// kernel/module_signature.c, crypto/asymmetric_keys/*, crypto/rsa.c,
// crypto/ecdsa.c, certs/*, lib/asn1_decoder.c). Every rule names the kernel
// file and function it follows, the errno it makes finit_module return, and
// the text the kernel logs.
//
// Verify gives the kernel's verdict for a module; the signer uses the same
// profile to refuse making signatures the target kernel would refuse.
package kernel

import (
	"fmt"
	"sort"
	"strings"
)

// Errno is an error finit_module returns for a module.
type Errno string

// The errnos module signature checking produces.
const (
	OK           Errno = ""
	ENODATA      Errno = "ENODATA"      // no signature
	EBADMSG      Errno = "EBADMSG"      // malformed signature, trailer or message
	ENOPKG       Errno = "ENOPKG"       // unsupported crypto
	ENOKEY       Errno = "ENOKEY"       // signer not among the trusted keys
	EKEYREJECTED Errno = "EKEYREJECTED" // bad signature, or not acceptable for a module
	EINVAL       Errno = "EINVAL"       // structurally unacceptable message or key
	EMSGSIZE     Errno = "EMSGSIZE"     // PKCS#7 message larger than the ASN.1 decoder takes
)

// Enforced is what finit_module returns for this mod_verify_sig result when
// signatures are enforced (module.sig_enforce=1 or CONFIG_MODULE_SIG_FORCE):
// module_sig_check() turns ENODATA, ENOPKG and ENOKEY into EKEYREJECTED; every
// other error is fatal as it is.
func (e Errno) Enforced() Errno {
	switch e {
	case ENODATA, ENOPKG, ENOKEY:
		return EKEYREJECTED
	}
	return e
}

// sigCheckReason is module_sig_check()'s reason text for the non-fatal errnos.
func (e Errno) sigCheckReason() string {
	switch e {
	case ENODATA:
		return "unsigned module"
	case ENOPKG:
		return "module with unsupported crypto"
	case ENOKEY:
		return "module with unavailable key"
	}
	return ""
}

// Rule describes one decision a kernel line makes.
type Rule struct {
	ID     string // stable identifier, e.g. "rsa-key-size"
	Errno  Errno  // what mod_verify_sig returns when the rule refuses
	Source string // kernel file and function the rule follows
	Doc    string // what the rule checks, for people
	// Lines lists the kernel lines that have the rule.
	Lines []string
}

// The kernel lines modsign knows, oldest first.
var lineNames = [...]string{"6.1", "7.2"}

// Lines returns the kernel lines modsign has profiles for, oldest first.
func Lines() []string { return append([]string(nil), lineNames[:]...) }

// DefaultLine is the newest line; verify and sign use it when no --kernel is given.
func DefaultLine() string { return lineNames[len(lineNames)-1] }

// Profile is one kernel line's rules. The zero value is not usable; get one
// from ForLine. A Profile is immutable once built and safe for concurrent use.
type Profile struct {
	line string
	// disabled holds rule IDs switched off (tests prove each rule decides something).
	disabled map[string]bool
	// hashes is the set of digests crypto_alloc_shash finds in the kernel
	// (nil: every digest the line's PKCS#7 parser knows).
	hashes map[string]bool
}

// ForLine returns the profile of a kernel line ("6.1" or "7.2"; "" means DefaultLine).
func ForLine(line string) (*Profile, error) {
	if line == "" {
		line = DefaultLine()
	}
	for _, l := range lineNames {
		if l == line {
			return &Profile{line: l}, nil
		}
	}
	return nil, fmt.Errorf("unknown kernel line %q (modsign knows %s)", line, strings.Join(lineNames[:], ", "))
}

// Line returns "6.1" or "7.2".
func (p *Profile) Line() string { return p.line }

// is61 reports whether the profile is the 6.1 line (the older rules).
func (p *Profile) is61() bool { return p.line == "6.1" }

// Without returns a copy of p with the given rules switched off. It exists for
// tests that prove every rule decides some case; a disabled rule never refuses.
func (p *Profile) Without(ids ...string) *Profile {
	q := *p
	q.disabled = map[string]bool{}
	for id := range p.disabled {
		q.disabled[id] = true
	}
	for _, id := range ids {
		q.disabled[id] = true
	}
	return &q
}

// WithKernelConfig returns a copy of p that knows which digests the kernel was
// built with, from the text of its .config: CONFIG_CRYPTO_SHA1 gives sha1,
// CONFIG_CRYPTO_SHA256 sha224 and sha256, CONFIG_CRYPTO_SHA512 sha384 and
// sha512, CONFIG_CRYPTO_SHA3 the sha3-* digests (=y only: the module loader
// cannot load a crypto module before it has verified a module). A digest the
// kernel lacks makes pkcs7_digest() fail with ENOPKG.
func (p *Profile) WithKernelConfig(config []byte) *Profile {
	q := *p
	q.hashes = map[string]bool{}
	for _, line := range strings.Split(string(config), "\n") {
		name, val, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || val != "y" {
			continue
		}
		for _, h := range configHashes[strings.TrimPrefix(name, "CONFIG_")] {
			q.hashes[h] = true
		}
	}
	return &q
}

// configHashes maps crypto Kconfig symbols to the shash names they register.
var configHashes = map[string][]string{
	"CRYPTO_MD4":          {"md4"},
	"CRYPTO_MD5":          {"md5"},
	"CRYPTO_SHA1":         {"sha1"},
	"CRYPTO_SHA256":       {"sha224", "sha256"},
	"CRYPTO_SHA512":       {"sha384", "sha512"},
	"CRYPTO_SHA3":         {"sha3-256", "sha3-384", "sha3-512"},
	"CRYPTO_SM3_GENERIC":  {"sm3"},
	"CRYPTO_SM3":          {"sm3"},
	"CRYPTO_STREEBOG":     {"streebog256", "streebog512"},
	"CRYPTO_SHA256_SSSE3": {"sha224", "sha256"},
	"CRYPTO_SHA512_SSSE3": {"sha384", "sha512"},
}

// HashAvailable reports whether crypto_alloc_shash(name) succeeds in the kernel.
func (p *Profile) HashAvailable(name string) bool {
	if p.hashes == nil {
		return true
	}
	return p.hashes[name]
}

// Rules returns the profile's rules in the order the kernel applies them.
func (p *Profile) Rules() []Rule {
	var out []Rule
	for _, r := range allRules() {
		for _, l := range r.Lines {
			if l == p.line {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// RuleIDs returns the IDs of the profile's rules, sorted.
func (p *Profile) RuleIDs() []string {
	var ids []string
	for _, r := range p.Rules() {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

// rule returns the rule with this ID, or panics: the IDs are compile-time constants.
func rule(id string) Rule {
	for _, r := range allRules() {
		if r.ID == id {
			return r
		}
	}
	panic("kernel: unknown rule " + id)
}

var both = []string{"6.1", "7.2"}

// allRules is the table of every rule, in the order the kernel applies them.
func allRules() []Rule {
	return []Rule{
		{"marker", ENODATA, "kernel/module/signing.c: module_sig_check()",
			"the file must be longer than the marker and end with \"~Module signature appended~\\n\" (the kernel compares with >, so the marker alone is unsigned)", both},
		{"trailer-short", EBADMSG, "kernel/module/signing.c: mod_verify_sig()",
			"what precedes the marker must be longer than struct module_signature (12 bytes)", both},
		{"trailer-sig-len", EBADMSG, "kernel/module_signature.c: mod_check_sig()",
			"sig_len must be smaller than the bytes before the trailer (the module keeps at least one byte)", both},
		{"trailer-id-type", ENOPKG, "kernel/module_signature.c: mod_check_sig()",
			"id_type must be PKEY_ID_PKCS7 (2)", both},
		{"trailer-params", EBADMSG, "kernel/module_signature.c: mod_check_sig()",
			"algo, hash, signer_len, key_id_len and the padding must be zero for PKCS#7", both},
		{"asn1-size", EMSGSIZE, "lib/asn1_decoder.c: asn1_ber_decoder()",
			"the PKCS#7 message may be at most 65535 bytes", both},
		{"asn1-ber", EBADMSG, "lib/asn1_decoder.c: asn1_ber_decoder()",
			"BER the decoder takes: definite lengths (long form of up to 8 bytes, not necessarily minimal) and indefinite lengths on constructed values; no indefinite primitive, no long tags, no overruns (bytes after the ContentInfo are ignored)", both},
		{"asn1-grammar", EBADMSG, "crypto/asymmetric_keys/pkcs7.asn1 via pkcs7_parse_message()",
			"the message must follow pkcs7.asn1 (tags, order, OCTET STRING signature)", both},
		{"pkcs7-content-type", EINVAL, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_check_content_type()",
			"the ContentInfo must be signedData", both},
		{"pkcs7-version", EINVAL, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_note_signeddata_version(), pkcs7_note_signerinfo_version()",
			"SignedData and SignerInfo versions must be 1 or 3", both},
		{"pkcs7-version-mismatch", EBADMSG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_note_signerinfo_version()",
			"a version 1 SignerInfo needs SignedData version 1, a version 3 one needs version 3", both},
		{"pkcs7-data-type", EINVAL, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_note_content()",
			"the encapsulated content type must be data or msIndirectData", both},
		{"x509-parse", EBADMSG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_extract_cert() -> x509_cert_parse()",
			"a certificate embedded in the message must parse (x509.asn1)", both},
		{"x509-sig-algo", ENOPKG, "crypto/asymmetric_keys/x509_cert_parser.c: x509_note_sig_algo()",
			"a certificate's signature algorithm must be one the line knows (6.1: RSA PKCS#1 with md4/sha1/sha2, ECDSA with sha1/sha2; 7.2 adds the SHA-3 forms, drops md4)", both},
		{"ecdsa-curve", ENOPKG, "crypto/asymmetric_keys/x509_cert_parser.c: x509_extract_key_data()",
			"an ECDSA certificate key must be on a curve the line knows (6.1: P-192, P-256, P-384; 7.2 adds P-521); a trusted certificate that fails is never loaded", both},
		{"x509-self-signature", EKEYREJECTED, "crypto/asymmetric_keys/x509_public_key.c: x509_check_for_self_signed()",
			"a self-signed certificate's own signature must verify when it is parsed (a failure drops a trusted certificate and refuses a message embedding it)", both},
		{"digest-algo", ENOPKG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_digest_algo()",
			"the signer's digest must be one the line's parser knows (6.1: md4, md5, sha1, sha224-512, sm3, streebog; 7.2: sha1, sha224-512, sha3-*, sm3, streebog)", both},
		{"pkey-algo", ENOPKG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_pkey_algo()",
			"the signature algorithm must be rsaEncryption or an ecdsa-with-* the line knows (SHA-3 forms from 7.x)", both},
		{"authattrs-repeated", EKEYREJECTED, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_authenticated_attr()",
			"no signed attribute may repeat or carry several values", both},
		{"authattrs-content-type", EBADMSG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_authenticated_attr()",
			"the contentType attribute must equal the encapsulated content type", both},
		{"authattrs-message-digest", EBADMSG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_authenticated_attr()",
			"the messageDigest attribute must be an OCTET STRING", both},
		{"authattrs-authenticode", EKEYREJECTED, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_authenticated_attr()",
			"S/MIME capabilities and Authenticode attributes are only allowed with msIndirectData", both},
		{"authattrs-required", EBADMSG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_set_of_authattrs()",
			"signed attributes must include contentType and messageDigest", both},
		{"authenticode-authattrs", EBADMSG, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_note_signed_info()",
			"an msIndirectData message needs signed attributes", both},
		{"pkcs7-signers", EINVAL, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_check_authattrs()",
			"the message must have at least one SignerInfo", both},
		{"authattrs-consistent", EINVAL, "crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_check_authattrs()",
			"all signers must have signed attributes, or none", both},
		{"pkcs7-detached", EBADMSG, "certs/system_keyring.c: verify_pkcs7_message_sig() -> pkcs7_supply_detached_data()",
			"the message must not carry its own content (a module signature is detached)", both},
		{"module-data-type", EKEYREJECTED, "crypto/asymmetric_keys/pkcs7_verify.c: pkcs7_verify(VERIFYING_MODULE_SIGNATURE)",
			"the content type must be pkcs7-data", both},
		{"module-authattrs", EKEYREJECTED, "crypto/asymmetric_keys/pkcs7_verify.c: pkcs7_verify(VERIFYING_MODULE_SIGNATURE)",
			"a module signature may not have signed attributes (7.2 waives this only for ML-DSA with CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA)", both},
		{"hash-available", ENOPKG, "crypto/asymmetric_keys/pkcs7_verify.c: pkcs7_digest() -> crypto_alloc_shash()",
			"the kernel must have the signer's digest built in (with --kernel-config: CONFIG_CRYPTO_SHA1, _SHA256, _SHA512, _SHA3 =y); a signer without it is skipped as unsupported", both},
		{"key-algo-match", EKEYREJECTED, "crypto/asymmetric_keys/public_key.c: public_key_verify_signature()",
			"the signature algorithm (rsa, ecdsa) must match the key's", both},
		{"ecdsa-hash", EINVAL, "crypto/asymmetric_keys/public_key.c: software_key_determine_akcipher()",
			"ECDSA only with sha1, sha224, sha256, sha384, sha512 (7.2 adds sha3-*)", both},
		{"rsa-key-size", EINVAL, "crypto/rsa.c: rsa_set_pub_key() -> rsa_check_key_length()",
			"an RSA modulus must be 512, 1024, 1536, 2048, 3072 or 4096 bits (bytes * 8; the first three not in FIPS mode)", both},
		{"rsa-signature-size", EINVAL, "crypto/rsa-pkcs1pad.c: pkcs1pad_verify() (6.1), crypto/rsassa-pkcs1.c: rsassa_pkcs1_verify() (7.2)",
			"an RSA signature must not be longer than the modulus (7.2: exactly its length) and its value must be smaller than the modulus", both},
		{"signature", EKEYREJECTED, "crypto/rsa-pkcs1pad.c, crypto/rsassa-pkcs1.c, crypto/ecdsa.c: *_verify()",
			"the signature must verify over the module's digest with the signer's key", both},
		{"chain-auth-skid", EKEYREJECTED, "crypto/asymmetric_keys/pkcs7_verify.c: pkcs7_verify_sig_chain()",
			"when an embedded certificate's issuer is found by issuer+serial and it names an authorityKeyIdentifier keyId, the issuer's SKID must match", both},
		{"blacklist-tbs", EKEYREJECTED, "crypto/asymmetric_keys/x509_public_key.c: x509_get_sig_params() -> is_hash_blacklisted(), x509_key_preparse()",
			"a certificate whose TBS hash is listed as tbs: is not loaded as a trusted key (6.1 hashes the TBS with the certificate's own signature digest, 7.2 always with SHA-256); an embedded one refuses the signer", both},
		{"trusted-key", ENOKEY, "crypto/asymmetric_keys/pkcs7_trust.c: pkcs7_validate_trust_one()",
			"some signer, or a certificate of its embedded chain, must lead to a key in the trusted keyring", both},
		{"trusted-signature", EKEYREJECTED, "crypto/asymmetric_keys/pkcs7_trust.c: pkcs7_validate_trust_one() -> verify_signature()",
			"the trusted key must verify the signature it was matched to; any failure is EKEYREJECTED", both},
		{"blacklist-bin", EKEYREJECTED, "kernel/module/signing.c: mod_is_hash_blacklisted() (Debian's 6.1)",
			"the SHA-256 of the whole signed file must not be listed as bin:", []string{"6.1"}},
	}
}
