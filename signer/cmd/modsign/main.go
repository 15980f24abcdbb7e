// Command modsign signs Linux kernel modules: a byte-identical, hermetic
// replacement for the kernel's scripts/sign-file, plus verification with the
// kernel's rules, modinfo-compatible inspection, stripping, key generation
// and the certificate helpers the Bazel rules use.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/rules-modsign/rules_modsign/signer/sign"
)

const usage = `modsign: sign Linux kernel modules

Usage:
  modsign sign --key KEY --cert CERT [--hash sha512] [--keyid] [--replace]
               [--kernel 6.1|7.2] [--kernel-config .config] [--arch x86_64] [--allow-refused]
               [--detached | --keep-p7s] [--out OUT | --out-dir DIR] [--pin-file F]
               [--signed-attrs] [--pkcs11-module LIB] MODULE...
  modsign sign-file [-dpks] HASH KEY X509 MODULE [DEST]
  modsign digest [--hash sha512] [--cert CERT] [--signed-attrs] [--arch x86_64]
               [--out FILE | --list FILE] MODULE...
  modsign attach --cert CERT (--sig SIG | --sigs LIST) [--hash sha512] [--keyid] [--arch x86_64]
               [--replace] [--keep-p7s] [--out OUT | --out-dir DIR] MODULE...
  modsign verify (--cert CERT... | --keyring BUNDLE.pem) [--kernel 6.1|7.2] [--kernel-config .config]
               [--blacklist LIST] [--json] MODULE...
  modsign info [--json] MODULE...
  modsign strip [--out OUT] MODULE...
  modsign keygen --cn CN [--type rsa4096|rsa3072|rsa2048|ecdsa-p384|ecdsa-p256|mldsa44|mldsa65|mldsa87]
               [--days 36500] [--code-signing] --key KEY.pem --cert CERT.pem [--der CERT.der]
  modsign keygen --cn CN [--type rsa2048|...|ecdsa-p256] --key 'pkcs11:token=T;object=O' [--store-cert]
               [--pkcs11-module LIB] [--pin-file F] --cert CERT.pem [--der CERT.der]
  modsign cert-bundle --out BUNDLE.pem CERT...
  modsign cert-extract --out CERT.pem KEY_AND_CERT.pem
  modsign blacklist --out LIST [--module SIGNED.ko]... [CERT...]
  modsign certinfo [--json] CERT

Run "modsign COMMAND -h" for the options of one command.
An encrypted key takes its PIN from $KBUILD_SIGN_PIN or --pin-file.
KEY may be an RFC 7512 URI of a key in a PKCS#11 token, as for the kernel's sign-file:
  'pkcs11:token=T;object=O?module-path=/usr/lib/softhsm/libsofthsm2.so' (the library also from
  --pkcs11-module or $MODSIGN_PKCS11_MODULE; the PIN from the URI's pin-value or pin-source,
  --pin-file or $KBUILD_SIGN_PIN).
ML-DSA keys (mldsa44/65/87) need Linux 7.0 or later; sign signs the module itself unless
--signed-attrs, sign-file makes signed attributes like sign-file built with OpenSSL 3.x.
For an outside ML-DSA signer, digest --cert writes each module's external mu (the module
itself signed; openssl pkeyutl -sign -pkeyopt mu:1) and --signed-attrs the signed
attributes; attach takes a signature of either form.
`

// exitError carries an exit status and an optional hint for the user.
type exitError struct {
	code int
	err  error
	hint string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

func withHint(err error, hint string) error {
	return &exitError{code: 1, err: err, hint: hint}
}

type env struct {
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
	isTerminal     func(io.Writer) bool
	// files writes outputs and tracks their temporary files (nil: untracked).
	files *sign.Files
	// ctx is cancelled on SIGINT/SIGTERM (nil: never).
	ctx context.Context
}

// handleSignals cancels the run on SIGINT or SIGTERM, removes the temporary
// files in flight and exits with 128+signal, as a shell reports it.
func handleSignals(e *env, cancel context.CancelFunc) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-ch
		cancel()
		n := e.files.Abort()
		fmt.Fprintf(e.stderr, "modsign: interrupted by %v: removed %d temporary files; every output is either complete or untouched\n", sig, n)
		code := 130
		if sig == syscall.SIGTERM {
			code = 143
		}
		os.Exit(code)
	}()
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv, isTerminal: isTerminal,
		files: sign.NewFiles(), ctx: ctx}
	handleSignals(e, cancel)
	// MODSIGN_CPUPROFILE=FILE writes a CPU profile (used by tools/bench).
	if p := os.Getenv("MODSIGN_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				code := run(e, os.Args[1:])
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
		}
	}
	os.Exit(run(e, os.Args[1:]))
}

func run(e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	cmds := map[string]func(*env, []string) error{
		"sign":         cmdSign,
		"sign-file":    cmdSignFile,
		"digest":       cmdDigest,
		"attach":       cmdAttach,
		"verify":       cmdVerify,
		"info":         cmdInfo,
		"strip":        cmdStrip,
		"keygen":       cmdKeygen,
		"cert-bundle":  cmdCertBundle,
		"cert-extract": cmdCertExtract,
		"blacklist":    cmdBlacklist,
		"certinfo":     cmdCertInfo,
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		fmt.Fprint(e.stdout, usage)
		return 0
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(e.stderr, "modsign: error: unknown command %q\n", name)
		fmt.Fprintf(e.stderr, "modsign: hint: run \"modsign --help\" for the list of commands\n")
		return 2
	}
	err := cmd(e, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if !errors.Is(err, errReported) {
		fmt.Fprintf(e.stderr, "modsign: error: %v\n", err)
	}
	if ee != nil && ee.hint != "" {
		fmt.Fprintf(e.stderr, "modsign: hint: %s\n", ee.hint)
	}
	return code
}

// errReported means the details were already printed.
var errReported = errors.New("errors reported above")

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parse parses flags and positional arguments in any order (flags may follow
// modules, as users expect); "--" ends the flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{code: 2, err: errReported}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("modsign "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: modsign %s %s\n\nOptions:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}
