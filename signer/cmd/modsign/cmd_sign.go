package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/rules-modsign/rules_modsign/signer/cms"
	"github.com/rules-modsign/rules_modsign/signer/kernel"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/mldsa"
	"github.com/rules-modsign/rules_modsign/signer/modfile"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
	"github.com/rules-modsign/rules_modsign/signer/pkcs11"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// loadPIN returns the PIN from --pin-file, else $KBUILD_SIGN_PIN, else nil.
func loadPIN(e *env, pinFile string) (*keys.PIN, error) {
	if pinFile != "" {
		b, err := os.ReadFile(pinFile)
		if err != nil {
			return nil, withHint(fmt.Errorf("reading PIN file: %w", err), "--pin-file must name a readable file holding the key's passphrase")
		}
		return &keys.PIN{Value: []byte(strings.TrimRight(string(b), "\r\n"))}, nil
	}
	if v, ok := e.getenv("KBUILD_SIGN_PIN"); ok {
		return &keys.PIN{Value: []byte(v)}, nil
	}
	return nil, nil
}

// loadKeyAndCert loads the signing key and certificate, turning the common
// mistakes into errors that say what to do.
// A pkcs11: URI names a key in a token (modulePath: --pkcs11-module).
func loadKeyAndCert(e *env, keyPath, certPath, modulePath string, pin *keys.PIN) (crypto.Signer, *x509.Certificate, error) {
	if pkcs11.IsURI(keyPath) {
		return loadTokenKey(e, keyPath, certPath, modulePath, pin)
	}
	key, err := keys.LoadSigner(keyPath, pin)
	if err != nil {
		switch {
		case errors.Is(err, keys.ErrNeedPIN):
			return nil, nil, withHint(err, "set KBUILD_SIGN_PIN or pass --pin-file FILE with the key's passphrase")
		case errors.Is(err, keys.ErrWrongPIN):
			return nil, nil, withHint(err, "check the passphrase in KBUILD_SIGN_PIN or --pin-file")
		}
		return nil, nil, withHint(err, "--key takes a PEM or DER private key (RSA or ECDSA), or a combined key+certificate PEM such as kernel_key.pem")
	}
	cert, err := keys.LoadCertificate(certPath)
	if err != nil {
		return nil, nil, withHint(err, "--cert takes a PEM or DER X.509 certificate, or a combined key+certificate PEM")
	}
	return key, cert, nil
}

func checkHash(name string, modules []string) error {
	if h, ok := cms.HashByName(name); !ok || h.Name == "sha1" {
		what := strings.Join(modules, ", ")
		if len(modules) > 3 {
			what = fmt.Sprintf("%s and %d more modules", strings.Join(modules[:3], ", "), len(modules)-3)
		}
		return withHint(fmt.Errorf("cannot sign %s: unsupported hash %q", what, name), "use one of "+strings.Join(cms.SigningHashes(), ", ")+" (the kernel's CONFIG_MODULE_SIG_HASH)")
	}
	return nil
}

// newSigner checks the key against the certificate and builds the signer,
// naming both files in errors.
func newSigner(key crypto.Signer, cert *x509.Certificate, keyPath, certPath, hash, arch string, keyID, allowSHA1, signedAttrs bool, modules ...string) (*sign.Signer, error) {
	if h, ok := cms.HashByName(hash); !(ok && h.Name == "sha1" && allowSHA1) {
		if err := checkHash(hash, modules); err != nil {
			return nil, err
		}
	}
	if err := keys.CheckMatch(key, cert); err != nil {
		return nil, withHint(fmt.Errorf("private key %s does not match certificate %s: %w", keyPath, certPath, err),
			"pass the certificate that belongs to the key (for a combined kernel_key.pem, give the same file to --key and --cert)")
	}
	s, err := sign.NewSigner(key, cert, sign.Options{Hash: hash, KeyID: keyID, AllowSHA1: allowSHA1, Arch: arch, SignedAttrs: signedAttrs})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	return s, nil
}

// checkForKernel refuses to sign what a kernel of profile p would refuse,
// unless allow is set, and prints the certificate warnings.
func checkForKernel(e *env, s *sign.Signer, p *kernel.Profile, key crypto.Signer, cert *x509.Certificate, keyPath, certPath string, allow bool) error {
	for _, w := range sign.Warnings(key, cert, time.Now()) {
		fmt.Fprintf(e.stderr, "modsign: warning: %s: %s\n", certPath, w)
	}
	if s.Hash().Name == "sha1" && p.Line() != "6.1" {
		err := fmt.Errorf("cannot sign for Linux %s with sha1 [rule sign-sha1]: kernel/module/Kconfig of 7.x no longer offers MODULE_SIG_SHA1 (6.1 still verifies it)", p.Line())
		if !allow {
			return withHint(err, "use sha256, sha384 or sha512; pass --allow-refused to sign anyway")
		}
		fmt.Fprintf(e.stderr, "modsign: warning: %v (signing anyway: --allow-refused)\n", err)
	}
	v, err := s.KernelVerdict(p)
	if err != nil {
		return fmt.Errorf("%s: %w", keyPath, err)
	}
	if v.OK {
		return nil
	}
	err = fmt.Errorf("cannot sign with %s and %s for Linux %s: the kernel would refuse every module signed this way with %s [rule %s]: %s",
		keyPath, certPath, p.Line(), v.Errno, v.Rule, v.Reason)
	if !allow {
		return withHint(err, "use a key the kernel takes (RSA 2048/3072/4096, ECDSA P-256/P-384) and a digest it knows, or target another line with --kernel; experts: --allow-refused signs anyway")
	}
	fmt.Fprintf(e.stderr, "modsign: warning: %v (signing anyway: --allow-refused)\n", err)
	return nil
}

func keyLabel(k crypto.Signer) string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	case fmt.Stringer:
		return k.String()
	}
	return fmt.Sprintf("%T", k)
}

func cmdSign(e *env, args []string) error {
	fs := newFlagSet(e, "sign", "--key KEY --cert CERT [options] MODULE...")
	keyPath := fs.String("key", "", "private key (PEM/DER, or combined key+cert PEM), or a PKCS#11 URI (pkcs11:token=...;object=...)")
	certPath := fs.String("cert", "", "X.509 certificate naming the signer (default: the --key file, or the token's certificate for a PKCS#11 key)")
	signedAttrs := fs.Bool("signed-attrs", false, "ML-DSA only: sign SHA-512 signed attributes, as sign-file does with OpenSSL 3.x (Linux 7.x takes them only with CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA); default: sign the module itself")
	pkcs11Module := fs.String("pkcs11-module", "", "PKCS#11 library for a pkcs11: key whose URI has no module-path (default: $MODSIGN_PKCS11_MODULE)")
	hash := fs.String("hash", "sha512", "digest: sha256, sha384, sha512, sha224, sha3-256, sha3-384, sha3-512")
	keyID := fs.Bool("keyid", false, "name the signer by subjectKeyIdentifier (sign-file -k)")
	replace := fs.Bool("replace", false, "re-sign modules that are already signed (the old signature is stripped)")
	detached := fs.Bool("detached", false, "write only DEST.p7s and leave the module alone (sign-file -d)")
	keepP7s := fs.Bool("keep-p7s", false, "also write the PKCS#7 signature to DEST.p7s (sign-file -p)")
	out := fs.String("out", "", "write the signed module here (one module only)")
	outDir := fs.String("out-dir", "", "write signed modules to DIR/<basename>")
	pinFile := fs.String("pin-file", "", "file holding the passphrase of an encrypted key (default: $KBUILD_SIGN_PIN)")
	line := fs.String("kernel", kernel.DefaultLine(), "kernel line the modules are for ("+strings.Join(kernel.Lines(), " or ")+"): signing refuses what it would refuse")
	kconfig := fs.String("kernel-config", "", "the kernel's .config: a digest it does not build in is refused")
	arch := fs.String("arch", "x86_64", "architecture the modules must be built for (x86_64, arm64, i386, arm, riscv64, ppc64le, s390x, ...)")
	allowRefused := fs.Bool("allow-refused", false, "sign even what the target kernel would refuse (experts)")
	quiet := fs.Bool("q", false, "no progress bar or summary")
	jobs := fs.Int("j", 0, "parallel workers (default: number of CPUs)")
	modules, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *keyPath == "" {
		return usageErr("sign: --key is required")
	}
	if *certPath == "" && !pkcs11.IsURI(*keyPath) {
		*certPath = *keyPath
	}
	if len(modules) == 0 {
		return usageErr("sign: no modules given")
	}
	if *out != "" && *outDir != "" {
		return usageErr("sign: --out and --out-dir are mutually exclusive")
	}
	if *out != "" && len(modules) != 1 {
		return usageErr("sign: --out takes exactly one module, got %d; use --out-dir DIR for several", len(modules))
	}
	if *detached && *keepP7s {
		return usageErr("sign: --detached already writes the .p7s; drop --keep-p7s")
	}
	if *outDir != "" {
		fi, err := os.Stat(*outDir)
		if err != nil {
			return withHint(fmt.Errorf("output directory %s: %w", *outDir, err), "create it first (mkdir -p) or pass an existing --out-dir")
		}
		if !fi.IsDir() {
			return withHint(fmt.Errorf("output directory %s is not a directory", *outDir), "pass a directory to --out-dir")
		}
	}
	if *out != "" {
		if d := filepath.Dir(*out); d != "" {
			if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
				return withHint(fmt.Errorf("output directory %s of %s does not exist", d, *out), "create it first (mkdir -p)")
			}
		}
	}
	var jobList []sign.Job
	seen := map[string]string{}
	seenDest := map[string]string{}
	for _, m := range modules {
		dest := m
		switch {
		case *out != "":
			dest = *out
		case *outDir != "":
			base := filepath.Base(m)
			if prev, dup := seen[base]; dup {
				return usageErr("sign: %s and %s would both be written to %s", prev, m, filepath.Join(*outDir, base))
			}
			seen[base] = m
			dest = filepath.Join(*outDir, base)
		}
		key := dest
		if abs, err := filepath.Abs(dest); err == nil {
			key = abs
		}
		if prev, dup := seenDest[key]; dup {
			return usageErr("sign: %s is given twice (as %s and %s); each module can be signed once per run", dest, prev, m)
		}
		seenDest[key] = m
		j := sign.Job{In: m, Out: dest}
		if *detached || *keepP7s {
			j.P7S = dest + ".p7s"
		}
		if *detached {
			j.Out = ""
		}
		jobList = append(jobList, j)
	}
	if err := checkHash(*hash, modules); err != nil {
		return err
	}
	prof, err := kernel.ForLine(*line)
	if err != nil {
		return usageErr("sign: --kernel: %v", err)
	}
	if *kconfig != "" {
		data, err := os.ReadFile(*kconfig)
		if err != nil {
			return fmt.Errorf("reading kernel config: %w", err)
		}
		prof = prof.WithKernelConfig(data)
	}
	if _, err := modsig.LookupArch(*arch); err != nil {
		return usageErr("sign: --arch: %v", err)
	}
	pin, err := loadPIN(e, *pinFile)
	if err != nil {
		return err
	}
	key, cert, err := loadKeyAndCert(e, *keyPath, *certPath, *pkcs11Module, pin)
	if err != nil {
		return err
	}
	if c, ok := key.(io.Closer); ok {
		defer c.Close()
	}
	if *certPath == "" {
		*certPath = "the token's certificate"
	}
	s, err := newSigner(key, cert, pkcs11.Redacted(*keyPath), *certPath, *hash, *arch, *keyID, false, *signedAttrs, modules...)
	if err != nil {
		return err
	}
	if err := checkForKernel(e, s, prof, key, cert, *keyPath, *certPath, *allowRefused); err != nil {
		return err
	}
	start := time.Now()
	bar := !*quiet && len(jobList) > 1 && e.isTerminal(e.stderr)
	opts := sign.BatchOptions{Replace: *replace, Detached: *detached, Workers: *jobs, Files: e.files, Context: e.ctx}
	if bar {
		opts.Progress = func(done, total int, r sign.Result) {
			const width = 40
			n := done * width / total
			fmt.Fprintf(e.stderr, "\r[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
			if done == total {
				fmt.Fprint(e.stderr, "\n")
			}
		}
	}
	results := s.SignFiles(jobList, opts)
	failed := 0
	var alreadySigned bool
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(e.stderr, "modsign: error: %v\n", r.Err)
			if errors.Is(r.Err, sign.ErrAlreadySigned) {
				alreadySigned = true
			}
		}
	}
	if !*quiet && len(jobList) > 1 {
		id := "issuer+serial"
		if *keyID {
			id = "subjectKeyIdentifier"
		}
		fmt.Fprintf(e.stderr, "modsign: signed %d of %d modules (%s, %s, signer by %s) in %.2fs\n",
			len(jobList)-failed, len(jobList), keyLabel(key), s.Hash().Name, id, time.Since(start).Seconds())
	}
	if failed > 0 {
		err := fmt.Errorf("%d of %d modules not signed: %w", failed, len(jobList), errReported)
		if alreadySigned {
			return withHint(err, "pass --replace to re-sign modules that already carry a signature")
		}
		return &exitError{code: 1, err: err}
	}
	return nil
}

// cmdSignFile is a drop-in for the kernel's scripts/sign-file:
//
//	sign-file [-dpk] <hash algo> <key> <x509> <module> [<dest>]
//	sign-file -s <raw sig> <hash algo> <x509> <module> [<dest>]
func cmdSignFile(e *env, args []string) error {
	var rawSig, saveSig, signOnly, useKeyID bool
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			for _, c := range a[1:] {
				switch c {
				case 's':
					rawSig = true
				case 'p':
					saveSig = true
				case 'd':
					signOnly, saveSig = true, true
				case 'k':
					useKeyID = true
				default:
					return signFileUsage(e)
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) < 4 || len(pos) > 5 {
		return signFileUsage(e)
	}
	hashName, keyPath, rawSigPath := pos[0], pos[1], ""
	if rawSig {
		rawSigPath, hashName = pos[0], pos[1]
	}
	x509Path, modulePath := pos[2], pos[3]
	dest := modulePath
	if len(pos) == 5 {
		dest = pos[4]
	}
	var data []byte
	var err error
	if dest == modulePath && !signOnly {
		d, unlock, err := sign.LockForUpdate(modulePath)
		if err != nil {
			return err
		}
		defer unlock()
		data = d
	} else if data, err = os.ReadFile(modulePath); err != nil {
		return fmt.Errorf("%s: %w", modulePath, err)
	}
	if err := modfile.RefuseCompressed(modulePath, data); err != nil {
		return err
	}
	// sign-file keeps the kernel tool's command line; the architecture and
	// the kernel line come from the environment.
	arch, _ := e.getenv("MODSIGN_ARCH")
	if arch == "" {
		arch = hostArch()
	}
	a, err := modsig.LookupArch(arch)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("MODSIGN_ARCH: %w", err)}
	}
	module := data
	if modsig.HasMarker(data) {
		if sm, err := modsig.Split(data); err == nil {
			module = sm.Module
		}
	}
	if err := modsig.CheckModule(module, a); err != nil {
		return withHint(fmt.Errorf("%s: %w", modulePath, err), "set MODSIGN_ARCH for modules of another architecture")
	}
	var sig []byte
	if rawSig {
		if sig, err = os.ReadFile(rawSigPath); err != nil {
			return fmt.Errorf("%s: %w", rawSigPath, err)
		}
	} else {
		pin, err := loadPIN(e, "")
		if err != nil {
			return err
		}
		key, cert, err := loadKeyAndCert(e, keyPath, x509Path, "", pin)
		if err != nil {
			return err
		}
		if c, ok := key.(io.Closer); ok {
			defer c.Close()
		}
		s, err := newSigner(key, cert, pkcs11.Redacted(keyPath), x509Path, hashName, a.Name, useKeyID, true, isMLDSA(key), modulePath)
		if err != nil {
			return err
		}
		if line, ok := e.getenv("MODSIGN_KERNEL"); ok && line != "" {
			prof, err := kernel.ForLine(line)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("MODSIGN_KERNEL: %w", err)}
			}
			allow, _ := e.getenv("MODSIGN_ALLOW_REFUSED")
			if err := checkForKernel(e, s, prof, key, cert, keyPath, x509Path, allow == "1"); err != nil {
				return err
			}
		}
		if sig, err = s.PKCS7(data); err != nil {
			return fmt.Errorf("%s: %w", modulePath, err)
		}
		if saveSig {
			if err := e.files.Write(modulePath+".p7s", sig, 0o644, true); err != nil {
				return err
			}
		}
		if signOnly {
			return nil
		}
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(modulePath); err == nil {
		mode = fi.Mode().Perm()
	}
	return e.files.Write(dest, modsig.Append(data, sig), mode, true)
}

// hostArch is the architecture sign-file checks modules against when
// MODSIGN_ARCH is not set: the machine it runs on, as DKMS signs modules for
// the running kernel.
func hostArch() string { return runtime.GOARCH }

func signFileUsage(e *env) error {
	fmt.Fprint(e.stderr, "Usage: modsign sign-file [-dp] <hash algo> <key> <x509> <module> [<dest>]\n")
	fmt.Fprint(e.stderr, "  -d  Detached signature only: write <module>.p7s, leave the module alone\n")
	fmt.Fprint(e.stderr, "  -p  Keep the signature file <module>.p7s as well\n")
	fmt.Fprint(e.stderr, "  -k  Name the signer by subjectKeyIdentifier instead of issuer and serial\n")
	fmt.Fprint(e.stderr, "       modsign sign-file -s <raw sig> <hash algo> <x509> <module> [<dest>]\n")
	return &exitError{code: 2, err: errReported}
}

// isMLDSA reports whether key is an ML-DSA key. The sign-file drop-in then
// makes signed attributes, as the 7.x sign-file built with OpenSSL 3.5/3.6
// does (it cannot pass CMS_NOATTR for ML-DSA).
func isMLDSA(key crypto.Signer) bool {
	_, ok := key.Public().(*mldsa.PublicKey)
	return ok
}
