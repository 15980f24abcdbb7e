package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/rules-modsign/rules_modsign/signer/mldsa"
)

// KeyTypes lists the key types GenerateKey accepts.
// The ML-DSA types need Linux 7.0 or later (CONFIG_CRYPTO_MLDSA).
var KeyTypes = []string{"rsa4096", "rsa3072", "rsa2048", "ecdsa-p384", "ecdsa-p256", "mldsa44", "mldsa65", "mldsa87"}

// GenerateKey creates a private key of the named type.
func GenerateKey(keyType string, random io.Reader) (crypto.Signer, error) {
	switch keyType {
	case "rsa4096":
		return rsa.GenerateKey(random, 4096)
	case "rsa3072":
		return rsa.GenerateKey(random, 3072)
	case "rsa2048":
		return rsa.GenerateKey(random, 2048)
	case "ecdsa-p384":
		return ecdsa.GenerateKey(elliptic.P384(), random)
	case "ecdsa-p256":
		return ecdsa.GenerateKey(elliptic.P256(), random)
	}
	if p, ok := mldsa.ByName(keyType); ok {
		return mldsa.Generate(p, random)
	}
	return nil, fmt.Errorf("unknown key type %q (want one of %s)", keyType, strings.Join(KeyTypes, ", "))
}

// CertOptions describes a module signing certificate.
type CertOptions struct {
	CommonName  string
	Days        int
	CodeSigning bool      // add extendedKeyUsage codeSigning (CONFIG_CHECK_CODESIGN_EKU)
	NotBefore   time.Time // zero means now
}

var (
	oidExtKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCommonName        = asn1.ObjectIdentifier{2, 5, 4, 3}
)

// SelfSign creates the self-signed certificate the kernel's x509.genkey
// describes:
//
//	basicConstraints=critical,CA:FALSE
//	keyUsage=digitalSignature
//	subjectKeyIdentifier=hash
//	authorityKeyIdentifier=keyid
//
// with the subject CN as a UTF8String (string_mask = utf8only) and a
// sha256WithRSAEncryption (or ecdsa-with-SHA256/384) signature. It returns the DER.
func SelfSign(key crypto.Signer, opts CertOptions, random io.Reader) ([]byte, error) {
	if k, ok := key.(*mldsa.PrivateKey); ok {
		// crypto/x509 cannot make ML-DSA certificates; the mldsa package builds the same profile.
		return mldsa.SelfSign(k, mldsa.CertOptions{CommonName: opts.CommonName, Days: opts.Days, CodeSigning: opts.CodeSigning, NotBefore: opts.NotBefore}, random)
	}
	if opts.CommonName == "" {
		return nil, errors.New("certificate needs a common name")
	}
	if opts.Days <= 0 {
		return nil, fmt.Errorf("validity must be at least one day, got %d", opts.Days)
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("decoding public key: %w", err)
	}
	// RFC 5280 4.2.1.2 method (1), as OpenSSL's subjectKeyIdentifier=hash.
	skid := sha1.Sum(info.PublicKey.Bytes)

	// The subject as a UTF8String CN, like "string_mask = utf8only".
	cn, err := asn1.MarshalWithParams(opts.CommonName, "utf8")
	if err != nil {
		return nil, err
	}
	subject, err := asn1.Marshal(pkix.RDNSequence{{{Type: oidCommonName, Value: asn1.RawValue{FullBytes: cn}}}})
	if err != nil {
		return nil, fmt.Errorf("encoding subject: %w", err)
	}
	// keyUsage as OpenSSL writes it (not critical): BIT STRING with digitalSignature.
	ku, err := asn1.Marshal(asn1.BitString{Bytes: []byte{0x80}, BitLength: 1})
	if err != nil {
		return nil, err
	}
	akid, err := asn1.Marshal(struct {
		KeyID []byte `asn1:"optional,tag:0"`
	}{skid[:]})
	if err != nil {
		return nil, err
	}
	serial := make([]byte, 20)
	if _, err := io.ReadFull(random, serial); err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	serial[0] &= 0x7f // positive, 20 octets at most, like OpenSSL's 159-bit serials
	serial[0] |= 0x40
	notBefore := opts.NotBefore
	if notBefore.IsZero() {
		notBefore = time.Now()
	}
	notBefore = notBefore.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serial),
		RawSubject:            subject,
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(time.Duration(opts.Days) * 24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  false,
		SubjectKeyId:          skid[:],
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{
			{Id: oidExtKeyUsage, Value: ku},
			{Id: oidExtAuthorityKeyID, Value: akid},
		},
	}
	if opts.CodeSigning {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
	}
	if _, ok := key.(*rsa.PrivateKey); ok {
		tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	}
	der, err := x509.CreateCertificate(random, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("creating certificate: %w", err)
	}
	return der, nil
}

// Generate creates a key and its self-signed certificate.
func Generate(keyType string, opts CertOptions) (crypto.Signer, []byte, error) {
	key, err := GenerateKey(keyType, rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := SelfSign(key, opts, rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	return key, der, nil
}

// MarshalKeyPEM encodes a private key as an unencrypted PKCS#8 "PRIVATE KEY" block.
func MarshalKeyPEM(key crypto.Signer) ([]byte, error) {
	if k, ok := key.(*mldsa.PrivateKey); ok {
		der, err := mldsa.MarshalPKCS8(k)
		if err != nil {
			return nil, fmt.Errorf("encoding private key: %w", err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalCertPEM encodes a certificate as a "CERTIFICATE" block.
func MarshalCertPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// Bundle returns the certificates as one PEM bundle (the format
// CONFIG_SYSTEM_TRUSTED_KEYS takes), dropping exact duplicates.
func Bundle(certs []*x509.Certificate) []byte {
	var out []byte
	seen := map[string]bool{}
	for _, c := range certs {
		if seen[string(c.Raw)] {
			continue
		}
		seen[string(c.Raw)] = true
		out = append(out, MarshalCertPEM(c.Raw)...)
	}
	return out
}

// TBSHash returns the digest Linux's x509_get_sig_params() computes over a
// certificate: the hash named by the certificate's own signature algorithm,
// taken over the DER TBSCertificate. The blacklist keyring compares
// "tbs:<hex of this>" against CONFIG_SYSTEM_BLACKLIST_HASH_LIST entries.
func TBSHash(cert *x509.Certificate) ([]byte, error) {
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1:
		h = crypto.SHA1
	case x509.SHA256WithRSA, x509.ECDSAWithSHA256, x509.SHA256WithRSAPSS:
		h = crypto.SHA256
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h = crypto.SHA512
	default:
		return nil, fmt.Errorf("certificate %q: signature algorithm %v has no hash the kernel blacklist can use", cert.Subject.CommonName, cert.SignatureAlgorithm)
	}
	d := h.New()
	d.Write(cert.RawTBSCertificate)
	return d.Sum(nil), nil
}

// BlacklistEntry returns the "tbs:<hex>" string that revokes cert.
func BlacklistEntry(cert *x509.Certificate) (string, error) {
	sum, err := TBSHash(cert)
	if err != nil {
		return "", err
	}
	return "tbs:" + hex.EncodeToString(sum), nil
}

// ModuleHashEntry returns the "bin:<hex>" string that revokes one signed
// module file: the SHA-256 of the whole file, signature and marker included.
// Only kernels carrying Debian's module-hash patch check it (Debian's Linux
// 6.1 does, in mod_is_hash_blacklisted() after the signature verified, and
// refuses the module with EKEYREJECTED); upstream Linux checks no module hashes.
func ModuleHashEntry(signedModule []byte) string {
	sum := sha256.Sum256(signedModule)
	return "bin:" + hex.EncodeToString(sum[:])
}

// BlacklistFile renders the contents of a CONFIG_SYSTEM_BLACKLIST_HASH_LIST
// file: comma-separated C string literals, one per line, which certs/Makefile
// includes into an array after checking them with check-blacklist-hashes.awk
// (it appends ", NULL" itself, so there is no trailing comma). It lists a
// "tbs:" entry for each certificate (two when its signature digest is not
// SHA-256: Linux 6.1's and 7.x's), then the given "bin:" entries (from
// ModuleHashEntry).
func BlacklistFile(certs []*x509.Certificate, moduleHashes ...string) ([]byte, error) {
	var lines []string
	seen := map[string]bool{}
	add := func(e string) {
		if !seen[e] {
			seen[e] = true
			lines = append(lines, `"`+e+`"`)
		}
	}
	for _, c := range certs {
		e, err := BlacklistEntry(c)
		if err != nil {
			return nil, err
		}
		add(e)
		// Linux 7.x hashes every TBSCertificate with SHA-256 for the
		// blacklist (x509_get_sig_params); 6.1 uses the certificate's own
		// signature digest. List both, so one file revokes it on either line.
		sum := sha256.Sum256(c.RawTBSCertificate)
		add("tbs:" + hex.EncodeToString(sum[:]))
	}
	for _, e := range moduleHashes {
		if !strings.HasPrefix(e, "bin:") {
			return nil, fmt.Errorf("module hash entry %q does not start with bin:", e)
		}
		add(e)
	}
	if len(lines) == 0 {
		return nil, errors.New("nothing to blacklist: give certificates or module hashes")
	}
	return []byte(strings.Join(lines, ",\n") + "\n"), nil
}

// ParseBlacklist reads a CONFIG_SYSTEM_BLACKLIST_HASH_LIST file and returns
// its "tbs:" and "bin:" entries, validated like check-blacklist-hashes.awk.
func ParseBlacklist(data []byte) (map[string]bool, error) {
	out := map[string]bool{}
	for i, item := range strings.Split(string(data), ",") {
		s := strings.TrimSpace(item)
		if s == "" && i > 0 {
			return nil, fmt.Errorf("item %d is empty (stray comma?)", i+1)
		}
		if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' || strings.Count(s, `"`) != 2 {
			return nil, fmt.Errorf("item %d is not a string: %q", i+1, s)
		}
		e := s[1 : len(s)-1]
		prefix, hexPart, ok := strings.Cut(e, ":")
		if !ok || (prefix != "tbs" && prefix != "bin") {
			return nil, fmt.Errorf("item %d has an unknown prefix: %q", i+1, e)
		}
		if _, err := hex.DecodeString(hexPart); err != nil || hexPart == "" || strings.ToLower(hexPart) != hexPart || len(hexPart) > 128 {
			return nil, fmt.Errorf("item %d is not an even number (up to 128) of lowercase hex digits: %q", i+1, hexPart)
		}
		out[e] = true
	}
	return out, nil
}
