// Command modsign signs Linux kernel modules: a byte-identical, hermetic
// replacement for the kernel's scripts/sign-file, plus verification with the
// kernel's rules, modinfo-compatible inspection, stripping, key generation
// and the certificate helpers the Bazel rules use.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
)

const usage = `modsign: sign Linux kernel modules

Usage:
  modsign sign --key KEY --cert CERT [--hash sha512] [--keyid] [--replace]
               [--detached | --keep-p7s] [--out OUT | --out-dir DIR] [--pin-file F] MODULE...
  modsign sign-file [-dpks] HASH KEY X509 MODULE [DEST]
  modsign verify (--cert CERT... | --keyring BUNDLE.pem) [--kernel 6.1|7.2] [--kernel-config .config]
               [--blacklist LIST] [--json] MODULE...
  modsign info [--json] MODULE...
  modsign strip [--out OUT] MODULE...
  modsign keygen --cn CN [--type rsa4096|rsa3072|rsa2048|ecdsa-p384|ecdsa-p256]
               [--days 36500] [--code-signing] --key KEY.pem --cert CERT.pem [--der CERT.der]
  modsign cert-bundle --out BUNDLE.pem CERT...
  modsign blacklist --out LIST [--module SIGNED.ko]... [CERT...]
  modsign certinfo [--json] CERT

Run "modsign COMMAND -h" for the options of one command.
An encrypted key takes its PIN from $KBUILD_SIGN_PIN or --pin-file.
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
}

func main() {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv, isTerminal: isTerminal}
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
		"sign":        cmdSign,
		"sign-file":   cmdSignFile,
		"verify":      cmdVerify,
		"info":        cmdInfo,
		"strip":       cmdStrip,
		"keygen":      cmdKeygen,
		"cert-bundle": cmdCertBundle,
		"blacklist":   cmdBlacklist,
		"certinfo":    cmdCertInfo,
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
