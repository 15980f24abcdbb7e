package main

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"github.com/rules-modsign/rules_modsign/signer/modfile"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
	"github.com/rules-modsign/rules_modsign/signer/pkcs11"
)

func checkOutDir(path string) error {
	d := filepath.Dir(path)
	if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
		return withHint(fmt.Errorf("output directory %s of %s does not exist", d, path), "create it first (mkdir -p)")
	}
	return nil
}

func cmdKeygen(e *env, args []string) error {
	fs := newFlagSet(e, "keygen", "--cn CN --key KEY.pem --cert CERT.pem [options]")
	cn := fs.String("cn", "", "subject common name, e.g. \"Out of tree build key\"")
	typ := fs.String("type", "rsa4096", "key type: "+strings.Join(keys.KeyTypes, ", "))
	days := fs.Int("days", 36500, "validity in days")
	codeSigning := fs.Bool("code-signing", false, "add extendedKeyUsage codeSigning (for CONFIG_CHECK_CODESIGN_EKU kernels)")
	keyOut := fs.String("key", "", "write the private key here (PKCS#8 PEM, mode 0600), or generate it inside the token a pkcs11: URI names")
	pkcs11Module := fs.String("pkcs11-module", "", "PKCS#11 library for a pkcs11: --key whose URI has no module-path (default: $MODSIGN_PKCS11_MODULE)")
	pinFile := fs.String("pin-file", "", "file holding the token's user PIN for a pkcs11: --key (default: $KBUILD_SIGN_PIN)")
	storeCert := fs.Bool("store-cert", false, "with a pkcs11: --key, also store the certificate in the token next to the key")
	certOut := fs.String("cert", "", "write the certificate here (PEM)")
	derOut := fs.String("der", "", "also write the certificate here (DER)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("keygen: unexpected argument %q", pos[0])
	}
	if *cn == "" || *keyOut == "" || *certOut == "" {
		return usageErr("keygen: --cn, --key and --cert are required")
	}
	outs := []struct{ flag, path string }{{"--key", *keyOut}, {"--cert", *certOut}, {"--der", *derOut}}
	for i, a := range outs {
		if a.path == "" || pkcs11.IsURI(a.path) {
			continue
		}
		if err := checkOutDir(a.path); err != nil {
			return err
		}
		for _, b := range outs[i+1:] {
			if b.path != "" && sameOutput(a.path, b.path) {
				return usageErr("keygen: %s %s and %s %s name the same file; the private key would be overwritten", a.flag, a.path, b.flag, b.path)
			}
		}
	}
	if pkcs11.IsURI(*keyOut) {
		return keygenToken(e, *keyOut, *typ, *pkcs11Module, *pinFile, *storeCert, *certOut, *derOut,
			keys.CertOptions{CommonName: *cn, Days: *days, CodeSigning: *codeSigning})
	}
	key, der, err := keys.Generate(*typ, keys.CertOptions{CommonName: *cn, Days: *days, CodeSigning: *codeSigning})
	if err != nil {
		return withHint(fmt.Errorf("keygen: %w", err), "--type takes "+strings.Join(keys.KeyTypes, ", "))
	}
	keyPEM, err := keys.MarshalKeyPEM(key)
	if err != nil {
		return err
	}
	// The key is written to a temporary file created 0600 and renamed into
	// place; an existing file's mode is never copied onto it.
	if err := e.files.Write(*keyOut, keyPEM, 0o600, false); err != nil {
		return err
	}
	if err := e.files.Write(*certOut, keys.MarshalCertPEM(der), 0o644, true); err != nil {
		return err
	}
	if *derOut != "" {
		if err := e.files.Write(*derOut, der, 0o644, true); err != nil {
			return err
		}
	}
	return nil
}

// sameOutput reports whether two output paths name one file: the same inode
// when both exist (hard links, symlinks, "./x" and "x"), else the same
// resolved directory and name.
func sameOutput(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	resolve := func(p string) string {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			dir = filepath.Dir(p)
		}
		abs, err := filepath.Abs(filepath.Join(dir, filepath.Base(p)))
		if err != nil {
			return p
		}
		if target, err := filepath.EvalSymlinks(abs); err == nil {
			return target
		}
		return abs
	}
	return resolve(a) == resolve(b)
}

// refusePrivateKeys fails when a certificate input holds a private key: its
// output would be public, and its action may run on a remote executor.
func refusePrivateKeys(command string, paths []string) error {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading certificate: %w", err)
		}
		if keys.HoldsPrivateKey(data) {
			return withHint(fmt.Errorf("%s: %s holds a private key; %s only takes certificates", command, p, command),
				"pass the certificate alone (extract it with `modsign cert-extract --out CERT.pem KEY.pem`)")
		}
	}
	return nil
}

// cmdCertExtract writes the certificate of a combined key+certificate file
// (such as the kernel's signing_key.pem): the one command that reads a
// private key to produce public output, run where the key lives.
func cmdCertExtract(e *env, args []string) error {
	fs := newFlagSet(e, "cert-extract", "--out CERT.pem KEY_AND_CERT.pem")
	out := fs.String("out", "", "write the certificate here (PEM)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) != 1 {
		return usageErr("cert-extract: --out and exactly one combined key+certificate file are required")
	}
	if err := checkOutDir(*out); err != nil {
		return err
	}
	certs, err := keys.LoadCertificates(pos[0])
	if err != nil {
		return withHint(err, "the file must hold a certificate (PEM) next to the key")
	}
	return e.files.Write(*out, keys.Bundle(certs), 0o644, true)
}

func loadAllCerts(paths []string) ([]*x509.Certificate, error) {
	var all []*x509.Certificate
	for _, p := range paths {
		c, err := keys.LoadCertificates(p)
		if err != nil {
			return nil, withHint(err, "pass PEM or DER X.509 certificates")
		}
		all = append(all, c...)
	}
	return all, nil
}

func cmdCertBundle(e *env, args []string) error {
	fs := newFlagSet(e, "cert-bundle", "--out BUNDLE.pem CERT...")
	out := fs.String("out", "", "write the PEM bundle here")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) == 0 {
		return usageErr("cert-bundle: --out and at least one certificate are required")
	}
	if err := checkOutDir(*out); err != nil {
		return err
	}
	if err := refusePrivateKeys("cert-bundle", pos); err != nil {
		return err
	}
	certs, err := loadAllCerts(pos)
	if err != nil {
		return err
	}
	return e.files.Write(*out, keys.Bundle(certs), 0o644, true)
}

func cmdBlacklist(e *env, args []string) error {
	fs := newFlagSet(e, "blacklist", "--out LIST [--module SIGNED.ko]... [CERT...]")
	out := fs.String("out", "", "write the CONFIG_SYSTEM_BLACKLIST_HASH_LIST file here")
	var mods stringList
	fs.Var(&mods, "module", "also revoke this signed module file by its hash (a bin: entry; only Debian's module-hash patch checks these); repeatable")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos)+len(mods) == 0 {
		return usageErr("blacklist: --out and at least one certificate or --module are required")
	}
	if err := checkOutDir(*out); err != nil {
		return err
	}
	certs, err := loadAllCerts(pos)
	if err != nil {
		return err
	}
	var hashes []string
	for _, m := range mods {
		data, _, err := modfile.Read(m) // the kernel hashes the module it loads: decompressed
		if err != nil {
			return fmt.Errorf("reading module: %w", err)
		}
		if !modsig.HasMarker(data) {
			return withHint(fmt.Errorf("%s: module is not signed; a bin: entry is the hash of the signed file the kernel loads", m),
				"sign it first, then blacklist the signed file")
		}
		hashes = append(hashes, keys.ModuleHashEntry(data))
	}
	data, err := keys.BlacklistFile(certs, hashes...)
	if err != nil {
		return err
	}
	return e.files.Write(*out, data, 0o644, true)
}

// CertInfo is the JSON form of `modsign certinfo --json`.
type CertInfo struct {
	Subject        string `json:"subject"`
	CommonName     string `json:"subject_cn"`
	SKID           string `json:"skid"`
	Issuer         string `json:"issuer"`
	Serial         string `json:"serial"`
	KeyDescription string `json:"key_description"`
	KeyType        string `json:"key_type"`
	SignatureAlgo  string `json:"signature_algorithm"`
	NotBefore      string `json:"not_before"`
	NotAfter       string `json:"not_after"`
	TBSHash        string `json:"blacklist_hash"`
	CodeSigning    bool   `json:"code_signing"`
}

func certInfo(c *x509.Certificate) CertInfo {
	serial, _ := keys.RawSerial(c)
	// Strip a DER sign-padding zero so the serial reads as openssl prints it.
	if len(serial) > 1 && serial[0] == 0 {
		serial = serial[1:]
	}
	ci := CertInfo{
		Subject:        c.Subject.String(),
		CommonName:     c.Subject.CommonName,
		SKID:           hex.EncodeToString(c.SubjectKeyId),
		Issuer:         c.Issuer.String(),
		Serial:         hex.EncodeToString(serial),
		KeyDescription: keys.KeyDescription(c),
		SignatureAlgo:  c.SignatureAlgorithm.String(),
		NotBefore:      c.NotBefore.UTC().Format("2006-01-02T15:04:05Z"),
		NotAfter:       c.NotAfter.UTC().Format("2006-01-02T15:04:05Z"),
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		ci.KeyType = fmt.Sprintf("rsa%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		ci.KeyType = "ecdsa-" + strings.ToLower(strings.ReplaceAll(k.Curve.Params().Name, "-", ""))
	default:
		ci.KeyType = fmt.Sprintf("%T", k)
		if pub, err := mldsa.CertPublicKey(c); err == nil {
			// crypto/x509 knows neither the key nor the signature algorithm.
			ci.KeyType, ci.SignatureAlgo = pub.Params.Name, pub.Params.Display
		}
	}
	if e, err := keys.BlacklistEntry(c); err == nil {
		ci.TBSHash = e
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageCodeSigning {
			ci.CodeSigning = true
		}
	}
	return ci
}

func cmdCertInfo(e *env, args []string) error {
	fs := newFlagSet(e, "certinfo", "[--json] CERT")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("certinfo: exactly one certificate file is required")
	}
	c, err := keys.LoadCertificate(pos[0])
	if err != nil {
		return withHint(err, "pass a PEM or DER X.509 certificate")
	}
	ci := certInfo(c)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ci)
	}
	fmt.Fprintf(e.stdout, "subject_cn:          %s\n", ci.CommonName)
	fmt.Fprintf(e.stdout, "subject:             %s\n", ci.Subject)
	fmt.Fprintf(e.stdout, "skid:                %s\n", ci.SKID)
	fmt.Fprintf(e.stdout, "issuer:              %s\n", ci.Issuer)
	fmt.Fprintf(e.stdout, "serial:              %s\n", ci.Serial)
	fmt.Fprintf(e.stdout, "key_description:     %s\n", ci.KeyDescription)
	fmt.Fprintf(e.stdout, "key_type:            %s\n", ci.KeyType)
	fmt.Fprintf(e.stdout, "signature_algorithm: %s\n", ci.SignatureAlgo)
	fmt.Fprintf(e.stdout, "not_before:          %s\n", ci.NotBefore)
	fmt.Fprintf(e.stdout, "not_after:           %s\n", ci.NotAfter)
	fmt.Fprintf(e.stdout, "blacklist_hash:      %s\n", ci.TBSHash)
	fmt.Fprintf(e.stdout, "code_signing:        %t\n", ci.CodeSigning)
	return nil
}
