package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/rules-modsign/rules_modsign/signer/kernel"
	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modfile"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

// verifyResult is one element of `modsign verify --json`'s array (the
// contract the QEMU corpus test compares with the kernel).
type verifyResult struct {
	Module        string `json:"module"`
	OK            bool   `json:"ok"`
	Errno         string `json:"errno"`
	Reason        string `json:"reason"`
	KernelMessage string `json:"kernel_message"`
	Rule          string `json:"rule"`
	Signer        string `json:"signer"`
	// VerifyErrno is mod_verify_sig()'s result before enforcement turns
	// ENODATA, ENOPKG and ENOKEY into EKEYREJECTED.
	VerifyErrno string `json:"verify_errno"`
	Hash        string `json:"hash"`
	Kernel      string `json:"kernel"`
	// Compression is the module file's compression (gzip, xz, zstd; "" for none): the
	// kernel checks the signature of the decompressed module, and so does verify.
	Compression string `json:"compression,omitempty"`
}

func cmdVerify(e *env, args []string) error {
	fs := newFlagSet(e, "verify", "(--cert CERT... | --keyring BUNDLE.pem) [--kernel 6.1|7.2] [--kernel-config .config] [--blacklist LIST] [--json] MODULE...")
	var certs, keyrings stringList
	fs.Var(&certs, "cert", "trusted certificate (PEM or DER); repeatable")
	fs.Var(&keyrings, "keyring", "PEM bundle of trusted certificates (as for CONFIG_SYSTEM_TRUSTED_KEYS); repeatable")
	blacklist := fs.String("blacklist", "", "CONFIG_SYSTEM_BLACKLIST_HASH_LIST file: listed certificates (tbs:) are not loaded, and on 6.1 listed module hashes (bin:) are refused")
	line := fs.String("kernel", kernel.DefaultLine(), "kernel line whose rules decide: "+strings.Join(kernel.Lines(), " or "))
	kconfig := fs.String("kernel-config", "", "the kernel's .config: digests not built in (CONFIG_CRYPTO_SHA1, _SHA256, _SHA512, _SHA3 =y) are unsupported crypto")
	asJSON := fs.Bool("json", false, "print one JSON array, one object per module, in argument order")
	modules, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(certs)+len(keyrings) == 0 {
		return usageErr("verify: give the trusted certificates with --cert or --keyring")
	}
	if len(modules) == 0 {
		return usageErr("verify: no modules given")
	}
	prof, err := kernel.ForLine(*line)
	if err != nil {
		return usageErr("verify: --kernel: %v", err)
	}
	if *kconfig != "" {
		data, err := os.ReadFile(*kconfig)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("reading kernel config: %w", err)}
		}
		prof = prof.WithKernelConfig(data)
	}
	var trusted []*x509.Certificate
	for _, p := range append(append([]string{}, certs...), keyrings...) {
		c, err := keys.LoadCertificates(p)
		if err != nil {
			return &exitError{code: 2, err: err, hint: "--cert and --keyring take PEM or DER X.509 certificates"}
		}
		trusted = append(trusted, c...)
	}
	var bl map[string]bool
	if *blacklist != "" {
		data, err := os.ReadFile(*blacklist)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("reading blacklist: %w", err)}
		}
		bl, err = keys.ParseBlacklist(data)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("blacklist %s: %w", *blacklist, err), hint: "write it with `modsign blacklist`"}
		}
	}
	kr := prof.NewKeyring(trusted, bl)
	for _, d := range kr.Dropped {
		fmt.Fprintf(e.stderr, "modsign: note: Linux %s does not load trusted certificate %q (%s, %s): %s\n",
			prof.Line(), d.Description(), d.Rule, d.Errno, d.Reason)
	}
	// Modules are read, decompressed and checked in parallel (a distribution kernel has
	// thousands, xz-compressed); results are reported in argument order.
	results := make([]verifyResult, len(modules))
	forEachParallel(len(modules), func(i int) {
		r := verifyResult{Module: modules[i], Kernel: prof.Line()}
		data, comp, err := modfile.Read(modules[i])
		r.Compression = string(comp)
		if err != nil {
			r.Errno, r.VerifyErrno, r.Reason = "EIO", "EIO", err.Error()
		} else {
			v := prof.Verify(data, kr)
			r.OK, r.Errno, r.VerifyErrno = v.OK, string(v.Errno), string(v.VerifyErrno)
			r.Reason, r.KernelMessage, r.Rule, r.Signer, r.Hash = v.Reason, v.KernelMessage, v.Rule, v.Signer, v.Hash
		}
		results[i] = r
	})
	failed, ioErrors := 0, 0
	for _, r := range results {
		m := r.Module
		if r.Errno == "EIO" {
			ioErrors++
		}
		if !r.OK {
			failed++
		}
		if *asJSON {
			continue
		}
		switch {
		case r.OK:
			fmt.Fprintf(e.stdout, "%s: OK on Linux %s (%s, signed by %q)\n", m, r.Kernel, r.Hash, r.Signer)
		case r.Rule == "":
			fmt.Fprintf(e.stdout, "%s: %s: %s\n", m, r.Errno, r.Reason)
		case r.VerifyErrno != r.Errno:
			fmt.Fprintf(e.stdout, "%s: %s on Linux %s with signatures enforced (%s otherwise) [%s]: %s\n", m, r.Errno, r.Kernel, r.VerifyErrno, r.Rule, r.Reason)
		default:
			fmt.Fprintf(e.stdout, "%s: %s on Linux %s [%s]: %s\n", m, r.Errno, r.Kernel, r.Rule, r.Reason)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	}
	if ioErrors > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d of %d modules could not be read: %w", ioErrors, len(modules), errReported)}
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d modules refused by Linux %s's rules: %w", failed, len(modules), prof.Line(), errReported)}
	}
	return nil
}

// infoJSON is the --json form of `modsign info`.
type infoJSON struct {
	Module      string `json:"module"`
	Signed      bool   `json:"signed"`
	SigID       string `json:"sig_id,omitempty"`
	Signer      string `json:"signer,omitempty"`
	SigKey      string `json:"sig_key,omitempty"`
	SigHashAlgo string `json:"sig_hashalgo,omitempty"`
	Signature   string `json:"signature,omitempty"`
	SignerIDBy  string `json:"signer_id,omitempty"`   // "issuer+serial" or "skid"
	Compression string `json:"compression,omitempty"` // gzip, xz, zstd: the fields are the decompressed module's, as modinfo's
}

func cmdInfo(e *env, args []string) error {
	fs := newFlagSet(e, "info", "[--json] MODULE...")
	asJSON := fs.Bool("json", false, "print one JSON object per module")
	modules, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(modules) == 0 {
		return usageErr("info: no modules given")
	}
	// Read and decompressed in parallel; printed in argument order.
	type read struct {
		si     *sign.SigInfo
		ok     bool
		marker bool
		comp   modfile.Compression
		err    error
	}
	reads := make([]read, len(modules))
	forEachParallel(len(modules), func(i int) {
		data, comp, err := modfile.Read(modules[i])
		r := read{comp: comp, err: err}
		if err == nil {
			r.si, r.ok = sign.ReadSigInfo(data)
			r.marker = modsig.HasMarker(data)
		}
		reads[i] = r
	})
	failed := 0
	for i, m := range modules {
		r := reads[i]
		if r.err != nil {
			fmt.Fprintf(e.stderr, "modsign: error: %v\n", r.err)
			failed++
			continue
		}
		si, ok := r.si, r.ok
		if *asJSON {
			j := infoJSON{Module: m, Signed: ok, Compression: string(r.comp)}
			if ok {
				j.SigID, j.Signer, j.SigHashAlgo = si.SigID, si.Signer, si.HashAlgo
				j.SigKey, j.Signature = hex.EncodeToString(si.KeyID), hex.EncodeToString(si.Signature)
				j.SignerIDBy = "issuer+serial"
				if si.BySKID {
					j.SignerIDBy = "skid"
				}
			}
			if err := json.NewEncoder(e.stdout).Encode(j); err != nil {
				return err
			}
			continue
		}
		if len(modules) > 1 {
			fmt.Fprintf(e.stdout, "%-16s%s\n", "filename:", m)
		}
		if ok {
			fmt.Fprint(e.stdout, si.ModinfoLines())
		} else if r.marker {
			fmt.Fprintf(e.stderr, "modsign: warning: %s: has a signature marker but kmod could not decode the signature\n", m)
		}
	}
	if failed > 0 {
		return &exitError{code: 1, err: errReported}
	}
	return nil
}

func cmdStrip(e *env, args []string) error {
	fs := newFlagSet(e, "strip", "[--out OUT] MODULE...")
	out := fs.String("out", "", "write the unsigned module here (one module only)")
	modules, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(modules) == 0 {
		return usageErr("strip: no modules given")
	}
	if *out != "" && len(modules) != 1 {
		return usageErr("strip: --out takes exactly one module, got %d", len(modules))
	}
	if *out != "" {
		if err := checkOutDir(*out); err != nil {
			return err
		}
	}
	failed := 0
	for _, m := range modules {
		if err := stripOne(e.files, m, *out); err != nil {
			fmt.Fprintf(e.stderr, "modsign: error: %v\n", err)
			failed++
		}
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d modules not stripped: %w", failed, len(modules), errReported)}
	}
	return nil
}

func stripOne(files *sign.Files, path, out string) error {
	data, err := modfile.ReadUncompressed(path)
	if err != nil {
		return err
	}
	sm, err := modsig.Split(data)
	if errors.Is(err, modsig.ErrUnsigned) {
		if out == "" {
			return fmt.Errorf("%s: %w", path, err)
		}
		// Nothing to strip: copy it, so --out always produces a file.
		return files.Write(out, data, 0o644, true)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dest := path
	if out != "" {
		dest = out
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	return files.Write(dest, sm.Module, mode, true)
}

// forEachParallel calls f(0) ... f(n-1) on GOMAXPROCS goroutines and returns when all are done.
func forEachParallel(n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(n, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
