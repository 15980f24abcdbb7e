package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// shimGUID owns the enrolled entries: shim's vendor GUID, under which it
// keeps MokList (605dab50-e046-4300-abb6-3dd810dd8b23).
const shimGUID = "605dab50-e046-4300-abb6-3dd810dd8b23"

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type varsOptions struct {
	template, out string
	mok, db       listFlag
}

func varsMain(args []string) error {
	fs := flag.NewFlagSet("mkuefi vars", flag.ContinueOnError)
	var o varsOptions
	fs.StringVar(&o.template, "template", "", "the firmware's varstore template (OVMF_VARS_4M.ms.fd)")
	fs.Var(&o.mok, "mok", "certificate (PEM or DER) to enroll as a Machine Owner Key (repeatable)")
	fs.Var(&o.db, "db", "certificate (PEM or DER) to enroll in the UEFI db (repeatable)")
	fs.StringVar(&o.out, "out", "", "the varstore to write")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if o.template == "" || o.out == "" {
		return usageError{errors.New("--template and --out are required")}
	}
	return buildVars(o)
}

// checkCert fails unless path holds one X.509 certificate (PEM or DER):
// virt-fw-vars would otherwise fail with a Python traceback.
func checkCert(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "CERTIFICATE" {
			return fmt.Errorf("%s: PEM block %q, want CERTIFICATE (enroll the certificate, never the private key)", path, b.Type)
		}
		der = b.Bytes
	}
	if _, err := x509.ParseCertificate(der); err != nil {
		return fmt.Errorf("%s: not an X.509 certificate: %w", path, err)
	}
	return nil
}

// varsArgs is virt-fw-vars' command line.
func varsArgs(o varsOptions, out string) []string {
	args := []string{"--input", o.template, "--output", out}
	for _, c := range o.mok {
		args = append(args, "--add-mok", shimGUID, c)
	}
	for _, c := range o.db {
		args = append(args, "--add-db", shimGUID, c)
	}
	return args
}

func buildVars(o varsOptions) error {
	if _, err := os.Stat(o.template); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	for _, c := range append(append([]string{}, o.mok...), o.db...) {
		if err := checkCert(c); err != nil {
			return err
		}
	}
	virtFwVars, err := exec.LookPath("virt-fw-vars")
	if err != nil {
		return errors.New("virt-fw-vars not found on PATH: install Debian's python3-virt-firmware (trixie or later; tools/setup/provision.sh puts it in the chroot)")
	}
	return writeAtomic(o.out, func(tmp string) error {
		cmd := exec.Command(virtFwVars, varsArgs(o, tmp)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("virt-fw-vars: %w\n%s", err, strings.TrimSpace(string(out)))
		}
		return nil
	})
}
