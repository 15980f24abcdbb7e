package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"github.com/rules-modsign/rules_modsign/signer/modfile"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// cmdDigest writes what an outside signer must sign for each module.
func cmdDigest(e *env, args []string) error {
	fs := newFlagSet(e, "digest", "[--hash sha512] [--cert CERT] [--signed-attrs] [--out FILE | --list FILE] MODULE...")
	hash := fs.String("hash", "sha512", "digest: sha256, sha384, sha512, sha224, sha3-256, sha3-384, sha3-512")
	out := fs.String("out", "", "write the raw binary digest of the one MODULE here (input for openssl pkeyutl -in)")
	list := fs.String("list", "", "write a digest list (\"digest:HASH HEX NAME\" lines) for all modules here (default: stdout)")
	replace := fs.Bool("replace", false, "digest a signed module without its signature (default: refuse signed modules)")
	arch := fs.String("arch", "x86_64", "the architecture the modules are built for (checked in their ELF header)")
	signedAttrs := fs.Bool("signed-attrs", false, "for an ML-DSA signer: write the SHA-512 signed attributes to sign (sign-file's OpenSSL 3.x form) instead of a digest")
	certPath := fs.String("cert", "", "the signer's certificate; for an ML-DSA key, write the external mu of each module (the pure form, the module itself signed) unless --signed-attrs")
	modules, err := parse(fs, args)
	if err != nil {
		return err
	}
	var pure *mldsa.PublicKey
	if *certPath != "" {
		cert, err := keys.LoadCertificate(*certPath)
		if err != nil {
			return withHint(err, "--cert takes a PEM or DER X.509 certificate")
		}
		if pub, err := mldsa.CertPublicKey(cert); err == nil && !*signedAttrs {
			pure = pub
		}
	}
	if len(modules) == 0 {
		return usageErr("digest: no modules given")
	}
	if *out != "" && *list != "" {
		return usageErr("digest: --out and --list are mutually exclusive")
	}
	if *out != "" && len(modules) != 1 {
		return usageErr("digest: --out takes exactly one module, got %d; use --list FILE for several", len(modules))
	}
	if err := checkHash(*hash, modules); err != nil {
		return err
	}
	names, err := listNames(modules)
	if err != nil {
		return err
	}
	var entries []sign.ListEntry
	for i, m := range modules {
		data, err := modfile.ReadUncompressed(m)
		if err != nil {
			return fmt.Errorf("reading module: %w", err)
		}
		kind := "digest:" + canonicalHash(*hash)
		var tbs []byte
		switch {
		case pure != nil:
			kind = "mu:" + pure.Params.Name
			tbs, err = sign.ToBeSignedMu(data, pure, *arch, *replace)
		case *signedAttrs:
			kind = "signed-attrs:" + canonicalHash(*hash)
			tbs, err = sign.ToBeSignedAttrs(data, *hash, *arch, *replace)
		default:
			tbs, err = sign.ToBeSigned(data, *hash, *arch, *replace)
		}
		if err != nil {
			return withHint(fmt.Errorf("%s: %w", m, err), "digest unsigned modules, or pass --replace to digest a signed one without its signature")
		}
		entries = append(entries, sign.ListEntry{Kind: kind, Data: tbs, Name: names[i]})
	}
	if *out != "" {
		return sign.WriteFileAtomic(*out, entries[0].Data, 0o644)
	}
	var buf bytes.Buffer
	if err := sign.WriteList(&buf, sign.DigestListHeader, entries); err != nil {
		return err
	}
	if *list == "" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	return sign.WriteFileAtomic(*list, buf.Bytes(), 0o644)
}

// listNames gives each module the name it has in digest and signature
// lists: its file name, which must be unique in one list.
func listNames(modules []string) ([]string, error) {
	seen := map[string]string{}
	var out []string
	for _, m := range modules {
		n := filepath.Base(m)
		if prev, dup := seen[n]; dup {
			return nil, usageErr("%s and %s have the same file name %s; a digest or signature list names modules by file name, so give them in separate runs", prev, m, n)
		}
		seen[n] = m
		out = append(out, n)
	}
	return out, nil
}

func canonicalHash(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

// cmdAttach wraps signatures made elsewhere into the modules, after checking
// each against the certificate. Nothing is written unless every signature is good.
func cmdAttach(e *env, args []string) error {
	fs := newFlagSet(e, "attach", "--cert CERT (--sig SIG | --sigs LIST) [options] MODULE...")
	certPath := fs.String("cert", "", "X.509 certificate of the key that made the signatures")
	sigPath := fs.String("sig", "", "the signature of the one MODULE: raw (RSA PKCS#1 v1.5 or DER ECDSA over the digest) or a DER PKCS#7/CMS message (like sign-file -s)")
	sigsPath := fs.String("sigs", "", "a signature list: \"sig HEX NAME\" lines, NAME being the module's file name")
	hash := fs.String("hash", "sha512", "the digest the signatures were made over (as given to modsign digest)")
	keyID := fs.Bool("keyid", false, "name the signer by subjectKeyIdentifier (sign-file -k)")
	replace := fs.Bool("replace", false, "attach to modules that are already signed (the old signature is stripped)")
	keepP7s := fs.Bool("keep-p7s", false, "also write the PKCS#7 signature to DEST.p7s")
	arch := fs.String("arch", "x86_64", "the architecture the modules are built for (checked in their ELF header)")
	out := fs.String("out", "", "write the signed module here (one module only)")
	outDir := fs.String("out-dir", "", "write signed modules to DIR/<basename>")
	modules, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *certPath == "":
		return usageErr("attach: --cert is required")
	case len(modules) == 0:
		return usageErr("attach: no modules given")
	case (*sigPath == "") == (*sigsPath == ""):
		return usageErr("attach: give exactly one of --sig (one module) and --sigs (a signature list)")
	case *sigPath != "" && len(modules) != 1:
		return usageErr("attach: --sig takes exactly one module, got %d; use --sigs LIST for several", len(modules))
	case *out != "" && *outDir != "":
		return usageErr("attach: --out and --out-dir are mutually exclusive")
	case *out != "" && len(modules) != 1:
		return usageErr("attach: --out takes exactly one module, got %d; use --out-dir DIR for several", len(modules))
	}
	if err := checkHash(*hash, modules); err != nil {
		return err
	}
	names, err := listNames(modules)
	if err != nil {
		return err
	}
	cert, err := keys.LoadCertificate(*certPath)
	if err != nil {
		return withHint(err, "--cert takes a PEM or DER X.509 certificate")
	}
	a, err := sign.NewAttacher(cert, sign.Options{Hash: *hash, KeyID: *keyID, Arch: *arch})
	if err != nil {
		return fmt.Errorf("%s: %w", *certPath, err)
	}
	sigs := map[string][]byte{}
	if *sigPath != "" {
		b, err := os.ReadFile(*sigPath)
		if err != nil {
			return fmt.Errorf("reading signature: %w", err)
		}
		sigs[names[0]] = b
	} else {
		b, err := os.ReadFile(*sigsPath)
		if err != nil {
			return fmt.Errorf("reading signature list: %w", err)
		}
		entries, err := sign.ParseList(b)
		if err != nil {
			return withHint(fmt.Errorf("signature list %s: %w", *sigsPath, err), "each line is \"sig HEX NAME\"; see the header of the digest list")
		}
		for _, en := range entries {
			if en.Kind != "sig" {
				return withHint(fmt.Errorf("signature list %s: %s has kind %q, not \"sig\"", *sigsPath, en.Name, en.Kind),
					"this looks like a digest list: give the list the outside signer returned")
			}
			sigs[en.Name] = en.Data
		}
	}
	type result struct {
		dest, p7s string
		data, p7  []byte
		mode      os.FileMode
	}
	var results []result
	for i, m := range modules {
		sig, ok := sigs[names[i]]
		if !ok {
			return fmt.Errorf("signature list %s has no signature for %s (listed as %s)", *sigsPath, m, names[i])
		}
		data, err := modfile.ReadUncompressed(m)
		if err != nil {
			return fmt.Errorf("reading module: %w", err)
		}
		signed, p7, err := a.Attach(data, sig, *replace)
		if err != nil {
			src := *sigPath
			if src == "" {
				src = *sigsPath + " (" + names[i] + ")"
			}
			return withHint(fmt.Errorf("%s with signature %s: %w", m, src, err),
				"the signature must be made with the key of --cert over the digest `modsign digest --hash "+a.Hash().Name+"` printed for this very module")
		}
		dest := m
		switch {
		case *out != "":
			dest = *out
		case *outDir != "":
			dest = filepath.Join(*outDir, names[i])
		}
		mode := os.FileMode(0o644)
		if fi, err := os.Stat(m); err == nil {
			mode = fi.Mode().Perm()
		}
		r := result{dest: dest, data: signed, p7: p7, mode: mode}
		if *keepP7s {
			r.p7s = dest + ".p7s"
		}
		results = append(results, r)
	}
	for _, r := range results {
		if r.p7s != "" {
			if err := sign.WriteFileAtomic(r.p7s, r.p7, 0o644); err != nil {
				return err
			}
		}
		if err := sign.WriteFileAtomic(r.dest, r.data, r.mode); err != nil {
			return err
		}
	}
	return nil
}
