package main

// UEFI Secure Boot mode: the guest boots from an ESP disk image (shim, grub,
// the kernel and the initramfs, made by mkuefi esp) with OVMF's Secure Boot
// firmware and a varstore (made by mkuefi vars), instead of QEMU's -kernel.
//
//	driver --uefi-code OVMF_CODE_4M.secboot.fd --uefi-vars VARS.fd --uefi-disk esp.img
//	    [--expect-secure-boot] [--expect-lockdown any|integrity|confidentiality]
//	    [--expect-sig-enforce] [--expect-keyring KEYRING=CERT]... ...
//
// The varstore is copied to a temporary file for every boot (the firmware
// writes to it); the disk is opened with snapshot=on, so neither input
// changes. --expect-keyring asks for the certificate CERT (PEM or DER) in the
// keyring KEYRING (e.g. .machine for a MOK, .platform for db): the kernel
// describes an X.509 key as "<subject>: <subjectKeyIdentifier in hex>".

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

// uefiProbe is the least time KVM gets to reach the guest init when booting
// through the firmware, shim and grub.
const uefiProbe = 45 * time.Second

type uefiConfig struct {
	code, vars, disk string
	varsCopy         string // the writable copy of vars for the current boot
	keyrings         listFlag
	dmesg            listFlag          // --expect-dmesg, any mode
	dmesgWant        map[string]string // parsed --expect-dmesg
}

func (u *uefiConfig) enabled() bool { return u.code != "" || u.vars != "" || u.disk != "" }

func registerUEFIFlags(fs *flag.FlagSet, cfg *config) {
	fs.StringVar(&cfg.uefi.code, "uefi-code", "", "UEFI mode: the firmware code (OVMF_CODE_4M.secboot.fd), read-only pflash")
	fs.StringVar(&cfg.uefi.vars, "uefi-vars", "", "UEFI mode: the varstore (OVMF_VARS with enrolled keys); a copy is used")
	fs.StringVar(&cfg.uefi.disk, "uefi-disk", "", "UEFI mode: the GPT disk image holding the ESP (snapshot=on)")
	fs.BoolVar(&cfg.sec.SecureBoot, "expect-secure-boot", false, "the guest's UEFI SecureBoot variable must be 1")
	fs.StringVar(&cfg.sec.Lockdown, "expect-lockdown", "", "the guest's lockdown level: any (not none), integrity or confidentiality")
	fs.BoolVar(&cfg.sec.SigEnforce, "expect-sig-enforce", false, "/sys/module/module/parameters/sig_enforce must be Y")
	fs.Var(&cfg.uefi.dmesg, "expect-dmesg", "NAME=TEXT: a kernel log line of module NAME's load must contain TEXT (repeatable)")
	fs.Var(&cfg.uefi.keyrings, "expect-keyring", "KEYRING=CERT: the certificate must be a key in that keyring, e.g. .machine=mok.pem (repeatable)")
}

// finishUEFIFlags checks the UEFI flags after parsing and loads the
// certificates named by --expect-keyring.
func finishUEFIFlags(cfg *config) error {
	u := &cfg.uefi
	if u.enabled() {
		if u.code == "" || u.vars == "" || u.disk == "" {
			return errors.New("UEFI mode needs all of --uefi-code, --uefi-vars and --uefi-disk")
		}
		if cfg.kernel != "" || cfg.initramfs != "" {
			return errors.New("--kernel and --initramfs are for direct boots; in UEFI mode they are on the --uefi-disk")
		}
		if cfg.appendArgs != "" {
			return errors.New("--append: in UEFI mode the kernel command line is in the ESP's grub.cfg (mkuefi esp --cmdline)")
		}
		for _, p := range []string{u.code, u.vars, u.disk} {
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("input: %w", err)
			}
		}
	}
	switch cfg.sec.Lockdown {
	case "", protocol.LockdownAny, protocol.LockdownIntegrity, protocol.LockdownConfidentiality:
	default:
		return fmt.Errorf("--expect-lockdown %q: want any, integrity or confidentiality", cfg.sec.Lockdown)
	}
	u.dmesgWant = map[string]string{}
	for _, kv := range u.dmesg {
		name, text, ok := strings.Cut(kv, "=")
		if !ok || name == "" || text == "" {
			return fmt.Errorf("--expect-dmesg %q: want NAME=TEXT, e.g. hello.ko=Loading of unsigned module is rejected", kv)
		}
		if _, dup := u.dmesgWant[name]; dup {
			return fmt.Errorf("--expect-dmesg: %s given twice", name)
		}
		u.dmesgWant[name] = text
	}
	for _, kv := range u.keyrings {
		keyring, path, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(keyring, ".") || path == "" {
			return fmt.Errorf("--expect-keyring %q: want KEYRING=CERT, e.g. .machine=mok.pem", kv)
		}
		match, err := keyMatch(path)
		if err != nil {
			return fmt.Errorf("--expect-keyring %s: %w", kv, err)
		}
		cfg.sec.Keys = append(cfg.sec.Keys, protocol.KeyringKey{Keyring: keyring, Match: match, What: "certificate " + filepath.Base(path) + " (" + strings.Join(match, ", ") + ")"})
	}
	return nil
}

// keyMatch returns what the kernel's description of the certificate's key
// contains: the subject's CN (or O) and the subjectKeyIdentifier in hex (the
// serial number when there is none).
func keyMatch(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%s: PEM block %q, want CERTIFICATE", path, b.Type)
		}
		der = b.Bytes
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%s: not an X.509 certificate: %w", path, err)
	}
	var match []string
	switch {
	case cert.Subject.CommonName != "":
		match = append(match, cert.Subject.CommonName)
	case len(cert.Subject.Organization) > 0:
		match = append(match, cert.Subject.Organization[0])
	}
	id := cert.SubjectKeyId
	if len(id) == 0 {
		id = cert.SerialNumber.Bytes()
	}
	return append(match, hex.EncodeToString(id)), nil
}

// freshVars copies the varstore to a new temporary file for one boot.
func (u *uefiConfig) freshVars() error {
	if u.varsCopy != "" {
		os.Remove(u.varsCopy)
	}
	in, err := os.Open(u.vars)
	if err != nil {
		return fmt.Errorf("varstore: %w", err)
	}
	defer in.Close()
	out, err := os.CreateTemp(os.Getenv("TEST_TMPDIR"), "uefi-vars-*.fd")
	if err != nil {
		return fmt.Errorf("varstore copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("varstore copy of %s: %w", u.vars, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("varstore copy of %s: %w", u.vars, err)
	}
	u.varsCopy = out.Name()
	return nil
}

func (u *uefiConfig) cleanup() {
	if u.varsCopy != "" {
		os.Remove(u.varsCopy)
		u.varsCopy = ""
	}
}

// uefiQemuArgs is QEMU's command line for a Secure Boot boot: q35 with SMM,
// the secure pflash, S3 off, the firmware code read-only and the varstore
// copy as pflash, the ESP disk on IDE with snapshot=on.
func uefiQemuArgs(cfg *config, accel string) []string {
	u := cfg.uefi
	return []string{
		"-accel", accel,
		"-machine", "q35,smm=on",
		"-global", "driver=cfi.pflash01,property=secure,value=on",
		"-global", "ICH9-LPC.disable_s3=1",
		"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + qemuPath(u.code),
		"-drive", "if=pflash,format=raw,unit=1,file=" + qemuPath(u.varsCopy),
		"-drive", "if=none,id=esp,format=raw,snapshot=on,file=" + qemuPath(u.disk),
		"-device", "ide-hd,drive=esp",
		"-m", fmt.Sprint(cfg.memory),
		"-nodefaults", "-no-user-config",
		"-display", "none",
		"-serial", "stdio",
		"-nic", "none",
		"-no-reboot",
	}
}

// qemuPath escapes commas, QEMU's option separator, in a file name.
func qemuPath(p string) string { return strings.ReplaceAll(p, ",", ",,") }
