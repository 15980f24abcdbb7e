package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/rules-modsign/rules_modsign/signer/keys"
	"github.com/rules-modsign/rules_modsign/signer/modsig"
	"github.com/rules-modsign/rules_modsign/signer/sign"
)

func cmdVerify(e *env, args []string) error {
	fs := newFlagSet(e, "verify", "(--cert CERT... | --keyring BUNDLE.pem) MODULE...")
	var certs, keyrings stringList
	fs.Var(&certs, "cert", "trusted certificate (PEM or DER); repeatable")
	fs.Var(&keyrings, "keyring", "PEM bundle of trusted certificates (as for CONFIG_SYSTEM_TRUSTED_KEYS); repeatable")
	blacklist := fs.String("blacklist", "", "CONFIG_SYSTEM_BLACKLIST_HASH_LIST file: listed certificates are not loaded, and listed module hashes are refused, as in Debian's Linux 6.1")
	asJSON := fs.Bool("json", false, "print one JSON object per module")
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
	var trusted []*x509.Certificate
	for _, p := range append(append([]string{}, certs...), keyrings...) {
		c, err := keys.LoadCertificates(p)
		if err != nil {
			return withHint(err, "--cert and --keyring take PEM or DER X.509 certificates")
		}
		trusted = append(trusted, c...)
	}
	var bl map[string]bool
	if *blacklist != "" {
		data, err := os.ReadFile(*blacklist)
		if err != nil {
			return fmt.Errorf("reading blacklist: %w", err)
		}
		bl, err = keys.ParseBlacklist(data)
		if err != nil {
			return withHint(fmt.Errorf("blacklist %s: %w", *blacklist, err), "write it with `modsign blacklist`")
		}
		// x509_key_preparse refuses to load a certificate whose TBS hash is
		// blacklisted, so its signatures end up with ENOKEY.
		var kept []*x509.Certificate
		for _, c := range trusted {
			if entry, err := keys.BlacklistEntry(c); err == nil && bl[entry] {
				fmt.Fprintf(e.stderr, "modsign: note: certificate %q is blacklisted (%s) and not trusted\n", keys.KeyDescription(c), entry)
				continue
			}
			kept = append(kept, c)
		}
		trusted = kept
	}
	failed := 0
	for _, m := range modules {
		type result struct {
			Module   string `json:"module"`
			OK       bool   `json:"ok"`
			Errno    string `json:"errno,omitempty"`
			Enforced string `json:"errno_enforced,omitempty"`
			Reason   string `json:"reason,omitempty"`
			Signer   string `json:"signer,omitempty"`
			Hash     string `json:"hash,omitempty"`
		}
		r := result{Module: m}
		data, err := os.ReadFile(m)
		if err != nil {
			r.Errno, r.Reason = "EIO", err.Error()
		} else if v, err := sign.Verify(data, trusted); err != nil {
			var ve *sign.VerifyError
			if errors.As(err, &ve) {
				r.Errno, r.Enforced, r.Reason = string(ve.Errno), string(ve.Errno.Enforced()), ve.Errno.Explain()+": "+ve.Reason
			} else {
				r.Errno, r.Reason = "EIO", err.Error()
			}
		} else if entry := keys.ModuleHashEntry(data); bl[entry] {
			// mod_is_hash_blacklisted(), Debian's patch: checked after the
			// signature verified, on the whole file.
			r.Errno, r.Enforced = string(sign.EKEYREJECTED), string(sign.EKEYREJECTED)
			r.Reason = "the signature verified, but the module's hash is blacklisted (" + entry +
				"); Debian's Linux 6.1 refuses it (\"Module hash ... is blacklisted\"), upstream Linux checks no module hashes"
			r.Signer, r.Hash = keys.KeyDescription(v.Signer), v.Hash
		} else {
			r.OK, r.Signer, r.Hash = true, keys.KeyDescription(v.Signer), v.Hash
		}
		if !r.OK {
			failed++
		}
		if *asJSON {
			if err := json.NewEncoder(e.stdout).Encode(r); err != nil {
				return err
			}
			continue
		}
		switch {
		case r.OK:
			fmt.Fprintf(e.stdout, "%s: OK (%s, signed by %q)\n", m, r.Hash, r.Signer)
		case r.Enforced != "" && r.Enforced != r.Errno:
			fmt.Fprintf(e.stdout, "%s: %s (%s when signatures are enforced): %s\n", m, r.Errno, r.Enforced, r.Reason)
		default:
			fmt.Fprintf(e.stdout, "%s: %s: %s\n", m, r.Errno, r.Reason)
		}
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d modules failed verification: %w", failed, len(modules), errReported)}
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
	SignerIDBy  string `json:"signer_id,omitempty"` // "issuer+serial" or "skid"
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
	failed := 0
	for _, m := range modules {
		data, err := os.ReadFile(m)
		if err != nil {
			fmt.Fprintf(e.stderr, "modsign: error: %v\n", err)
			failed++
			continue
		}
		si, ok := sign.ReadSigInfo(data)
		if *asJSON {
			j := infoJSON{Module: m, Signed: ok}
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
		} else if modsig.HasMarker(data) {
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
		if err := stripOne(m, *out); err != nil {
			fmt.Fprintf(e.stderr, "modsign: error: %v\n", err)
			failed++
		}
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d modules not stripped: %w", failed, len(modules), errReported)}
	}
	return nil
}

func stripOne(path, out string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sm, err := modsig.Split(data)
	if errors.Is(err, modsig.ErrUnsigned) {
		if out == "" {
			return fmt.Errorf("%s: %w", path, err)
		}
		// Nothing to strip: copy it, so --out always produces a file.
		return sign.WriteFileAtomic(out, data, 0o644)
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
	return sign.WriteFileAtomic(dest, sm.Module, mode)
}
