// Command keyscan is rules_modsign's private-key scanner (package
// tools/keyscan): it searches files, directories or bazel-remote's storage for
// private keys, known ones in PEM, DER (PKCS#1, PKCS#8, SEC1), raw-parameter
// and fragment form, and with --any-key for any private key at all.
//
//	keyscan [--key [NAME=]FILE]... [--key-list FILE] [--any-key]
//	        [--expect 0 | --expect-found] [--json REPORT.json] PATH...
//	keyscan --dir STORAGE [--key [NAME=]FILE]... [--key-list FILE] [--expect ...] [--json ...]
//	keyscan genkey --type rsa2048|rsa4096|p256|p384 --out KEY.pem
//
// PATHs are files or directories (symbolic links followed); --dir is a
// bazel-remote storage directory, whose CAS blobs are checked against their
// digests.
//
// --expect 0      exit 1 if any key is found (kernel_build, the no-keys tests,
//
//	the remote-cache check)
//
// --expect-found  exit 1 unless every key is found, and with --any-key unless
//
//	some private key is found (the controls: a scanner that sees
//	nothing must fail them)
//
// Exit status: 0 expectation met (or none given), 1 expectation failed or the
// scan was inconclusive (zstd-compressed or corrupt CAS blobs), 2 bad usage or
// input. Output names keys, encodings and files; it never prints key bytes.
//
// genkey writes a throwaway PKCS#8 key for tests of the check ("dummy secret").
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-modsign/rules_modsign/tools/keyscan"
)

// maxListed bounds the match lines printed per key.
const maxListed = 20

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type keyArgs []string

func (k *keyArgs) String() string     { return strings.Join(*k, ",") }
func (k *keyArgs) Set(v string) error { *k = append(*k, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "genkey" {
		if err := genkey(args[1:], stderr); err != nil {
			fmt.Fprintf(stderr, "keyscan genkey: %v\n", err)
			return 2
		}
		return 0
	}
	fs := flag.NewFlagSet("keyscan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var keyFlags keyArgs
	fs.Var(&keyFlags, "key", "private key file to look for, as FILE or NAME=FILE (repeatable)")
	keyList := fs.String("key-list", "", "file listing keys to look for, one FILE or NAME=FILE per line")
	dir := fs.String("dir", "", "bazel-remote storage directory to scan (its --dir), instead of PATHs")
	anyKey := fs.Bool("any-key", false, "also report private keys of any kind, found by their structure (PATHs only)")
	expect := fs.String("expect", "", `"0": fail if any key is found`)
	expectFound := fs.Bool("expect-found", false, "fail unless every key is found")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir != "" && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "keyscan: --dir and PATHs %q: give one or the other\n", fs.Args())
		return 2
	}
	if *dir == "" && fs.NArg() == 0 {
		fmt.Fprintln(stderr, "keyscan: nothing to scan: give PATHs or --dir STORAGE")
		return 2
	}
	if *dir != "" && *anyKey {
		fmt.Fprintln(stderr, "keyscan: --any-key works on PATHs, not on --dir storage")
		return 2
	}
	if *expect != "" && *expect != "0" {
		fmt.Fprintf(stderr, "keyscan: --expect takes only 0 (use --expect-found to require matches), got %q\n", *expect)
		return 2
	}
	if *expect != "" && *expectFound {
		fmt.Fprintln(stderr, "keyscan: --expect 0 and --expect-found contradict each other")
		return 2
	}
	specs := append([]string{}, keyFlags...)
	if *keyList != "" {
		more, err := readKeyList(*keyList)
		if err != nil {
			fmt.Fprintf(stderr, "keyscan: %v\n", err)
			return 2
		}
		specs = append(specs, more...)
	}
	if len(specs) == 0 && !*anyKey {
		fmt.Fprintln(stderr, "keyscan: no keys given (--key, --key-list or --any-key)")
		return 2
	}
	var keys []keyscan.Key
	for _, spec := range specs {
		name, path, ok := strings.Cut(spec, "=")
		if !ok {
			name, path = filepath.Base(spec), spec
		}
		ks, err := keyscan.LoadKeyFile(name, path)
		if err != nil {
			fmt.Fprintf(stderr, "keyscan: %v\n", err)
			return 2
		}
		keys = append(keys, ks...)
	}
	var rep *keyscan.Report
	var err error
	if *dir != "" {
		rep, err = keyscan.ScanStorage(*dir, keys)
	} else {
		rep, err = keyscan.ScanPaths(fs.Args(), keys, *anyKey)
	}
	if err != nil {
		fmt.Fprintf(stderr, "keyscan: %v\n", err)
		return 2
	}
	printReport(stdout, rep)
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, rep); err != nil {
			fmt.Fprintf(stderr, "keyscan: %v\n", err)
			return 2
		}
	}
	status := 0
	if rep.Inconclusive() {
		fmt.Fprintf(stderr, "keyscan: FAIL: inconclusive: %d zstd-compressed CAS blobs (run bazel-remote with --storage_mode=uncompressed), %d CAS blobs not matching their digest\n",
			len(rep.Compressed), len(rep.DigestMismatches))
		status = 1
	}
	switch {
	case *expect == "0" && rep.TotalMatches() > 0:
		fmt.Fprintf(stderr, "keyscan: FAIL: %d matches of private key material in %s, expected 0\n", rep.TotalMatches(), rep.Dir)
		status = 1
	case *expectFound:
		for _, k := range rep.Keys {
			if len(k.Matches) == 0 {
				fmt.Fprintf(stderr, "keyscan: FAIL: key %s was expected in %s but not found\n", k.Name, rep.Dir)
				status = 1
			}
		}
		if *anyKey && len(rep.Unknown) == 0 {
			fmt.Fprintf(stderr, "keyscan: FAIL: a private key was expected in %s but none found\n", rep.Dir)
			status = 1
		}
	}
	return status
}

func readKeyList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading key list %s: %w", path, err)
	}
	return out, nil
}

func printReport(w io.Writer, rep *keyscan.Report) {
	kinds := make([]string, 0, len(rep.Kinds))
	for k, n := range rep.Kinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "keyscan: %s: %d files scanned (%s), %d bytes, %d CAS digests verified, %d compressed, %d digest mismatches\n",
		rep.Dir, rep.Blobs, strings.Join(kinds, ", "), rep.Bytes, rep.DigestsVerified, len(rep.Compressed), len(rep.DigestMismatches))
	for _, k := range rep.Keys {
		fmt.Fprintf(w, "keyscan: key %s (%s, %s): %d matches (searched %d byte strings in %d encodings: %s)\n",
			k.Name, k.Algorithm, k.File, len(k.Matches), k.Needles, len(k.Encodings), strings.Join(k.Encodings, " "))
		for i, m := range k.Matches {
			if i == maxListed {
				fmt.Fprintf(w, "keyscan:   ... %d more\n", len(k.Matches)-maxListed)
				break
			}
			fmt.Fprintf(w, "keyscan:   MATCH %s in %s blob %s at offset %d\n", m.Encoding, m.Kind, m.Blob, m.Offset)
		}
	}
	for i, f := range rep.Unknown {
		if i == maxListed {
			fmt.Fprintf(w, "keyscan:   ... %d more\n", len(rep.Unknown)-maxListed)
			break
		}
		fmt.Fprintf(w, "keyscan: PRIVATE KEY %s\n", f)
	}
	fmt.Fprintf(w, "keyscan: total key matches: %d\n", rep.TotalMatches())
}

// writeAtomic writes data to a temp file next to path, then renames it.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, rep *keyscan.Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	return writeAtomic(path, append(data, '\n'), 0o644)
}

func genkey(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("keyscan genkey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	typ := fs.String("type", "rsa2048", "rsa2048, rsa4096, p256 or p384")
	out := fs.String("out", "", "where to write the PKCS#8 PEM key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("usage: keyscan genkey --type TYPE --out KEY.pem")
	}
	var priv any
	var err error
	switch *typ {
	case "rsa2048":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa4096":
		priv, err = rsa.GenerateKey(rand.Reader, 4096)
	case "p256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return fmt.Errorf("unknown key type %q", *typ)
	}
	if err != nil {
		return fmt.Errorf("generating %s key: %w", *typ, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("encoding key: %w", err)
	}
	return writeAtomic(*out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
