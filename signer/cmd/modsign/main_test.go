package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rules-modsign/rules_modsign/signer/modsig"
)

const (
	oracle     = "/usr/lib/linux-kbuild-6.1/scripts/sign-file"
	testModule = "../../testdata/modules/nhc_hop.ko"
)

func key(name string) string {
	p, _ := filepath.Abs(filepath.Join("../../testdata/keys", name))
	return p
}

// runCLI runs modsign in-process.
func runCLI(t *testing.T, envVars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	en := &env{stdout: &o, stderr: &e, isTerminal: func(io.Writer) bool { return false },
		getenv: func(k string) (string, bool) { v, ok := envVars[k]; return v, ok }}
	code = run(en, args)
	return code, o.String(), e.String()
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, p string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func requireOracle(t *testing.T) {
	if _, err := os.Stat(oracle); err != nil {
		t.Skipf("!!! SKIPPING THE sign-file ORACLE COMPARISON: %s is missing; install it with `apt-get install linux-kbuild-6.1`", oracle)
	}
}

// TestSignFileDropIn runs `modsign sign-file` and the kernel's sign-file with
// the same command lines and compares every output file.
func TestSignFileDropIn(t *testing.T) {
	requireOracle(t)
	k := key("test-only-rsa4096.pem")
	mod := read(t, testModule)
	rawSig := filepath.Join(t.TempDir(), "raw.sig")
	write(t, rawSig, bytes.Repeat([]byte{0x5a}, 300))
	cases := [][]string{
		{"sha512", k, k, "M"},
		{"-k", "sha256", k, k, "M"},
		{"sha384", k, k, "M", "D"},
		{"-p", "sha512", k, k, "M"},
		{"-dk", "sha512", k, k, "M"},
		{"-p", "-k", "sha256", k, k, "M", "D"},
		{"sha1", k, k, "M"},
		{"-s", rawSig, "sha512", k, "M"},
		{"-s", rawSig, "sha512", k, "M", "D"},
	}
	for _, c := range cases {
		outs := map[string]map[string][]byte{}
		for _, who := range []string{"oracle", "modsign"} {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "M"), mod)
			args := make([]string, len(c))
			for i, a := range c {
				if a == "M" || a == "D" {
					a = filepath.Join(dir, a)
				}
				args[i] = a
			}
			if who == "oracle" {
				if out, err := exec.Command(oracle, args...).CombinedOutput(); err != nil {
					t.Fatalf("sign-file %v: %v\n%s", c, err, out)
				}
			} else if code, _, stderr := runCLI(t, nil, append([]string{"sign-file"}, args...)...); code != 0 {
				t.Fatalf("modsign sign-file %v: exit %d\n%s", c, code, stderr)
			}
			files := map[string][]byte{}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				files[e.Name()] = read(t, filepath.Join(dir, e.Name()))
			}
			outs[who] = files
		}
		if len(outs["oracle"]) != len(outs["modsign"]) {
			t.Errorf("%v: files differ: oracle %d, modsign %d", c, len(outs["oracle"]), len(outs["modsign"]))
		}
		for name, want := range outs["oracle"] {
			if !bytes.Equal(outs["modsign"][name], want) {
				t.Errorf("%v: %s differs from sign-file's", c, name)
			}
		}
	}
	// Usage errors exit 2 like sign-file's format().
	if code, _, _ := runCLI(t, nil, "sign-file", "sha512", k); code != 2 {
		t.Errorf("short sign-file command line: exit %d, want 2", code)
	}
}

func dirHash(t *testing.T, dir string) map[string][32]byte {
	out := map[string][32]byte{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = sha256.Sum256(b)
		}
		return nil
	})
	return out
}

// TestBadInput: each kind of bad input gets a non-zero exit, an error that
// names the file and the problem, and leaves every input byte-for-byte untouched.
func TestBadInput(t *testing.T) {
	mod := read(t, testModule)
	rsa := key("test-only-rsa2048.pem")
	enc := key("test-only-rsa2048-encrypted.key")
	signedMod := func(dir string) []byte {
		p := write(t, filepath.Join(dir, "tmp.ko"), mod)
		if code, _, e := runCLI(t, nil, "sign", "--key", rsa, "--hash", "sha256", p); code != 0 {
			t.Fatal(e)
		}
		b := read(t, p)
		os.Remove(p)
		return b
	}
	type tc struct {
		name  string
		setup func(dir string) (args []string, env map[string]string, wantFile string)
		want  string // substring of the error
	}
	cases := []tc{
		{"non-ELF file", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "notelf.ko"), []byte("#!/bin/sh\necho not a module\n"))
			return []string{"sign", "--key", rsa, p}, nil, p
		}, "not an ELF file"},
		{"empty file", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "empty.ko"), nil)
			return []string{"sign", "--key", rsa, p}, nil, p
		}, "file is empty"},
		{"truncated module", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "trunc.ko"), mod[:len(mod)/2])
			return []string{"sign", "--key", rsa, p}, nil, p
		}, "truncated module"},
		{"already signed", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "signed.ko"), signedMod(d))
			return []string{"sign", "--key", rsa, p}, nil, p
		}, "already signed"},
		{"corrupt trailer", func(d string) ([]string, map[string]string, string) {
			b := signedMod(d)
			b[len(b)-len(modsig.Magic)-modsig.TrailerSize] = 7 // algo
			p := write(t, filepath.Join(d, "corrupt.ko"), b)
			return []string{"sign", "--replace", "--key", rsa, p}, nil, p
		}, "corrupt module_signature trailer"},
		{"sig_len larger than file", func(d string) ([]string, map[string]string, string) {
			b := signedMod(d)
			copy(b[len(b)-len(modsig.Magic)-4:], []byte{0x7f, 0xff, 0xff, 0xff})
			p := write(t, filepath.Join(d, "siglen.ko"), b)
			return []string{"sign", "--replace", "--key", rsa, p}, nil, p
		}, "sig_len 2147483647 is larger"},
		{"key/certificate mismatch", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			return []string{"sign", "--key", rsa, "--cert", key("test-only-other-rsa2048.pem"), p}, nil, rsa
		}, "does not match certificate"},
		{"unsupported hash", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			return []string{"sign", "--key", rsa, "--hash", "md5", p}, nil, p
		}, `unsupported hash "md5"`},
		{"encrypted key without PIN", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			return []string{"sign", "--key", enc, "--cert", rsa, p}, nil, enc
		}, "encrypted and no PIN"},
		{"wrong PIN", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			return []string{"sign", "--key", enc, "--cert", rsa, p}, map[string]string{"KBUILD_SIGN_PIN": "nope"}, enc
		}, "wrong PIN"},
		{"wrong PIN in --pin-file", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			pin := write(t, filepath.Join(d, "pin"), []byte("nope\n"))
			return []string{"sign", "--key", enc, "--cert", rsa, "--pin-file", pin, p}, nil, enc
		}, "wrong PIN"},
		{"unreadable module path", func(d string) ([]string, map[string]string, string) {
			p := filepath.Join(d, "missing.ko")
			return []string{"sign", "--key", rsa, p}, nil, p
		}, "no such file or directory"},
		{"module is a directory", func(d string) ([]string, map[string]string, string) {
			p := filepath.Join(d, "dir.ko")
			os.Mkdir(p, 0o755)
			return []string{"sign", "--key", rsa, p}, nil, p
		}, "is a directory"},
		{"unreadable key", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			k := filepath.Join(d, "nokey.pem")
			return []string{"sign", "--key", k, p}, nil, k
		}, "no such file or directory"},
		{"output directory does not exist", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			o := filepath.Join(d, "nonexistent")
			return []string{"sign", "--key", rsa, "--out-dir", o, p}, nil, o
		}, "no such file or directory"},
		{"--out into a missing directory", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			o := filepath.Join(d, "nonexistent", "m.ko")
			return []string{"sign", "--key", rsa, "--out", o, p}, nil, filepath.Dir(o)
		}, "does not exist"},
		{"duplicate basenames for --out-dir", func(d string) ([]string, map[string]string, string) {
			os.Mkdir(filepath.Join(d, "a"), 0o755)
			os.Mkdir(filepath.Join(d, "b"), 0o755)
			os.Mkdir(filepath.Join(d, "out"), 0o755)
			p1 := write(t, filepath.Join(d, "a", "m.ko"), mod)
			p2 := write(t, filepath.Join(d, "b", "m.ko"), mod)
			return []string{"sign", "--key", rsa, "--out-dir", filepath.Join(d, "out"), p1, p2}, nil, p2
		}, "would both be written"},
		{"same module twice", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			return []string{"sign", "--key", rsa, p, filepath.Join(d, ".", "m.ko")}, nil, p
		}, "given twice"},
		{"strip an unsigned module", func(d string) ([]string, map[string]string, string) {
			p := write(t, filepath.Join(d, "m.ko"), mod)
			return []string{"strip", p}, nil, p
		}, "no appended signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args, envVars, wantFile := c.setup(dir)
			before := dirHash(t, dir)
			keysBefore := dirHash(t, filepath.Dir(rsa))
			code, _, stderr := runCLI(t, envVars, args...)
			if code == 0 {
				t.Fatalf("exit 0, want failure; stderr:\n%s", stderr)
			}
			if !strings.Contains(stderr, wantFile) || !strings.Contains(stderr, c.want) {
				t.Errorf("error should name %s and say %q; got:\n%s", wantFile, c.want, stderr)
			}
			if !strings.Contains(stderr, "modsign: error:") {
				t.Errorf("no error line: %s", stderr)
			}
			after := dirHash(t, dir)
			if len(after) != len(before) {
				t.Errorf("files were created or removed: before %d, after %d", len(before), len(after))
			}
			for p, h := range before {
				if after[p] != h {
					t.Errorf("%s was modified", p)
				}
			}
			for p, h := range dirHash(t, filepath.Dir(rsa)) {
				if keysBefore[p] != h {
					t.Errorf("%s was modified", p)
				}
			}
		})
	}
	if len(cases) < 12 {
		t.Fatalf("only %d kinds of bad input", len(cases))
	}
}

func TestSignBatchVerifyInfoStrip(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	mod := read(t, testModule)
	var mods []string
	for _, n := range []string{"a.ko", "b.ko", "c.ko"} {
		mods = append(mods, write(t, filepath.Join(dir, n), mod))
	}
	k := key("test-only-ecdsa-p384.pem")
	args := append([]string{"sign", "--key", k, "--cert", k, "--hash", "sha384", "--keyid", "--keep-p7s", "--out-dir", out}, mods...)
	code, _, stderr := runCLI(t, nil, args...)
	if code != 0 {
		t.Fatalf("sign: %d %s", code, stderr)
	}
	if !regexp.MustCompile(`signed 3 of 3 modules \(ECDSA P-384, sha384, signer by subjectKeyIdentifier\)`).MatchString(stderr) {
		t.Errorf("summary line missing: %q", stderr)
	}
	for _, m := range mods {
		if !bytes.Equal(read(t, m), mod) {
			t.Errorf("%s changed although --out-dir was given", m)
		}
	}
	signed := []string{filepath.Join(out, "a.ko"), filepath.Join(out, "b.ko"), filepath.Join(out, "c.ko")}
	for _, s := range signed {
		if _, err := os.Stat(s + ".p7s"); err != nil {
			t.Errorf("--keep-p7s: %v", err)
		}
	}
	bundle := filepath.Join(dir, "bundle.pem")
	if code, _, e := runCLI(t, nil, "cert-bundle", "--out", bundle, key("test-only-rsa2048.crt.der"), k); code != 0 {
		t.Fatal(e)
	}
	code, stdout, _ := runCLI(t, nil, append([]string{"verify", "--keyring", bundle}, signed...)...)
	if code != 0 || strings.Count(stdout, ": OK on Linux 7.2 (sha384") != 3 {
		t.Errorf("verify: exit %d\n%s", code, stdout)
	}
	// A module that is not signed, and one signed by an untrusted key.
	code, stdout, _ = runCLI(t, nil, "verify", "--cert", key("test-only-rsa2048.pem"), signed[0], mods[0])
	if code != 1 || !strings.Contains(stdout, signed[0]+": EKEYREJECTED on Linux 7.2 with signatures enforced (ENOKEY otherwise) [trusted-key]") ||
		!strings.Contains(stdout, mods[0]+": EKEYREJECTED on Linux 7.2 with signatures enforced (ENODATA otherwise) [marker]") {
		t.Errorf("verify failures: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, nil, "verify", "--json", "--cert", k, signed[0])
	var vr []verifyResult
	if code != 0 || json.Unmarshal([]byte(stdout), &vr) != nil || len(vr) != 1 || !vr[0].OK || vr[0].Errno != "" ||
		!strings.HasPrefix(vr[0].Signer, "modsign test-only ECDSA P-384 key: ") {
		t.Errorf("verify --json: %d %s", code, stdout)
	}
	// info --json names the SKID.
	code, stdout, _ = runCLI(t, nil, "info", "--json", signed[0])
	var ij infoJSON
	if code != 0 || json.Unmarshal([]byte(stdout), &ij) != nil || !ij.Signed || ij.SignerIDBy != "skid" || ij.SigHashAlgo != "sha384" {
		t.Errorf("info --json: %d %s", code, stdout)
	}
	// strip restores the original bytes.
	if code, _, e := runCLI(t, nil, append([]string{"strip"}, signed...)...); code != 0 {
		t.Fatal(e)
	}
	for _, s := range signed {
		if !bytes.Equal(read(t, s), mod) {
			t.Errorf("strip did not restore %s", s)
		}
	}
	// --replace re-signs.
	if code, _, e := runCLI(t, nil, "sign", "--key", key("test-only-rsa2048.pem"), mods[0]); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := runCLI(t, nil, "sign", "--replace", "--key", k, mods[0]); code != 0 {
		t.Fatal(e)
	}
	if code, stdout, _ := runCLI(t, nil, "verify", "--cert", k, mods[0]); code != 0 {
		t.Errorf("after --replace: %s", stdout)
	}
	// --detached leaves the module alone.
	if code, _, e := runCLI(t, nil, "sign", "--detached", "--key", k, mods[1]); code != 0 {
		t.Fatal(e)
	}
	if !bytes.Equal(read(t, mods[1]), mod) {
		t.Error("--detached changed the module")
	}
	if _, err := os.Stat(mods[1] + ".p7s"); err != nil {
		t.Error(err)
	}
}

func TestInfoMatchesModinfoCLI(t *testing.T) {
	modinfo, err := exec.LookPath("modinfo")
	if err != nil {
		t.Skip("!!! SKIPPING: modinfo (kmod) is not installed")
	}
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "m.ko"), read(t, testModule))
	if code, _, e := runCLI(t, nil, "sign", "--key", key("test-only-rsa4096.pem"), p); code != 0 {
		t.Fatal(e)
	}
	out, err := exec.Command(modinfo, p).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?ms)^sig_id:.*`).FindString(string(out))
	_, got, _ := runCLI(t, nil, "info", p)
	if got != want || want == "" {
		t.Errorf("modsign info:\n%s\nmodinfo:\n%s", got, want)
	}
}

func TestKeygenAndCertTools(t *testing.T) {
	dir := t.TempDir()
	kp, cp, dp := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem"), filepath.Join(dir, "c.der")
	code, stdout, stderr := runCLI(t, nil, "keygen", "--cn", "Bazel test key", "--type", "ecdsa-p256", "--code-signing", "--key", kp, "--cert", cp, "--der", dp)
	if code != 0 {
		t.Fatal(stderr)
	}
	if strings.Contains(stdout+stderr, "PRIVATE") {
		t.Error("the private key leaked into the output")
	}
	if fi, _ := os.Stat(kp); fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", fi.Mode().Perm())
	}
	m := write(t, filepath.Join(dir, "m.ko"), read(t, testModule))
	if code, _, e := runCLI(t, nil, "sign", "--key", kp, "--cert", dp, m); code != 0 {
		t.Fatal(e)
	}
	if code, out, _ := runCLI(t, nil, "verify", "--cert", cp, m); code != 0 {
		t.Errorf("verify with generated cert: %s", out)
	}
	code, stdout, _ = runCLI(t, nil, "certinfo", "--json", cp)
	var ci CertInfo
	if code != 0 || json.Unmarshal([]byte(stdout), &ci) != nil {
		t.Fatalf("certinfo: %s", stdout)
	}
	if ci.CommonName != "Bazel test key" || len(ci.SKID) != 40 || !ci.CodeSigning || ci.KeyType != "ecdsa-p256" ||
		ci.KeyDescription != "Bazel test key: "+ci.SKID || !strings.HasPrefix(ci.TBSHash, "tbs:") {
		t.Errorf("certinfo: %+v", ci)
	}
	if _, text, _ := runCLI(t, nil, "certinfo", cp); !strings.Contains(text, "skid:                "+ci.SKID) {
		t.Errorf("certinfo text:\n%s", text)
	}
	bl := filepath.Join(dir, "blacklist")
	if code, _, e := runCLI(t, nil, "blacklist", "--out", bl, cp); code != 0 {
		t.Fatal(e)
	}
	if got := string(read(t, bl)); got != `"`+ci.TBSHash+`"`+"\n" {
		t.Errorf("blacklist file %q", got)
	}
	bundle := filepath.Join(dir, "b.pem")
	if code, _, e := runCLI(t, nil, "cert-bundle", "--out", bundle, cp, dp, key("test-only-rsa4096.pem")); code != 0 {
		t.Fatal(e)
	}
	if n := strings.Count(string(read(t, bundle)), "BEGIN CERTIFICATE"); n != 2 {
		t.Errorf("bundle has %d certs, want 2 (duplicate dropped)", n)
	}
	if strings.Contains(string(read(t, bundle)), "PRIVATE") {
		t.Error("private key copied into the bundle")
	}
	if code, _, e := runCLI(t, nil, "cert-bundle", "--out", bundle, m); code == 0 || !strings.Contains(e, m) {
		t.Errorf("cert-bundle of a non-cert: %d %s", code, e)
	}
	if code, _, _ := runCLI(t, nil, "keygen", "--cn", "x", "--type", "dsa", "--key", kp, "--cert", cp); code == 0 {
		t.Error("unknown key type accepted")
	}
}

func TestProgressBarOnTerminal(t *testing.T) {
	dir := t.TempDir()
	var mods []string
	for _, n := range []string{"a.ko", "b.ko", "c.ko", "d.ko"} {
		mods = append(mods, write(t, filepath.Join(dir, n), read(t, testModule)))
	}
	var o, e bytes.Buffer
	en := &env{stdout: &o, stderr: &e, isTerminal: func(io.Writer) bool { return true },
		getenv: func(string) (string, bool) { return "", false }}
	if code := run(en, append([]string{"sign", "--key", key("test-only-rsa2048.pem")}, mods...)); code != 0 {
		t.Fatal(e.String())
	}
	if !strings.Contains(e.String(), "] 4/4\n") || !strings.Contains(e.String(), "signed 4 of 4 modules") {
		t.Errorf("no progress bar / summary on a terminal: %q", e.String())
	}
	if o.Len() != 0 {
		t.Errorf("progress went to stdout: %q", o.String())
	}
}

func TestVerifyBlacklist(t *testing.T) {
	dir := t.TempDir()
	m := write(t, filepath.Join(dir, "m.ko"), read(t, testModule))
	k := key("test-only-rsa2048.pem")
	if code, _, e := runCLI(t, nil, "sign", "--key", k, m); code != 0 {
		t.Fatal(e)
	}
	bl := filepath.Join(dir, "bl")
	if code, _, e := runCLI(t, nil, "blacklist", "--out", bl, k, key("test-only-rsa4096.pem")); code != 0 {
		t.Fatal(e)
	}
	code, stdout, stderr := runCLI(t, nil, "verify", "--cert", k, "--blacklist", bl, m)
	if code != 1 || !strings.Contains(stdout, "ENOKEY") || !strings.Contains(stderr, "blacklisted") {
		t.Errorf("blacklisted signer: exit %d\n%s%s", code, stdout, stderr)
	}
	other := filepath.Join(dir, "other")
	runCLI(t, nil, "blacklist", "--out", other, key("test-only-rsa4096.pem"))
	if code, stdout, _ := runCLI(t, nil, "verify", "--cert", k, "--blacklist", other, m); code != 0 {
		t.Errorf("unrelated blacklist entry refused the module: %s", stdout)
	}
	// A bin: entry revokes one signed file, whatever its signer.
	byHash := filepath.Join(dir, "byhash")
	if code, _, e := runCLI(t, nil, "blacklist", "--out", byHash, "--module", m); code != 0 {
		t.Fatal(e)
	}
	sum := sha256.Sum256(read(t, m))
	if got := string(read(t, byHash)); got != `"bin:`+hex.EncodeToString(sum[:])+`"`+"\n" {
		t.Errorf("bin: blacklist file %q", got)
	}
	// Debian's 6.1 checks bin: entries (mod_is_hash_blacklisted); 7.2 has no such check.
	code, stdout, _ = runCLI(t, nil, "verify", "--kernel", "6.1", "--cert", k, "--blacklist", byHash, m)
	if code != 1 || !strings.Contains(stdout, "EKEYREJECTED on Linux 6.1 [blacklist-bin]") || !strings.Contains(stdout, "is blacklisted") {
		t.Errorf("blacklisted module hash: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ = runCLI(t, nil, "verify", "--kernel", "7.2", "--cert", k, "--blacklist", byHash, m); code != 0 {
		t.Errorf("7.2 refused a module for its bin: hash: exit %d\n%s", code, stdout)
	}
	// The same module signed by another key is a different file: not revoked.
	m2 := write(t, filepath.Join(dir, "m2.ko"), read(t, testModule))
	if code, _, e := runCLI(t, nil, "sign", "--key", key("test-only-rsa4096.pem"), m2); code != 0 {
		t.Fatal(e)
	}
	if code, stdout, _ := runCLI(t, nil, "verify", "--cert", key("test-only-rsa4096.pem"), "--blacklist", byHash, m2); code != 0 {
		t.Errorf("a bin: entry refused another file: %s", stdout)
	}
	// Only signed files can be revoked by hash.
	unsigned := write(t, filepath.Join(dir, "u.ko"), read(t, testModule))
	if code, _, e := runCLI(t, nil, "blacklist", "--out", filepath.Join(dir, "x"), "--module", unsigned); code == 0 ||
		!strings.Contains(e, unsigned) || !strings.Contains(e, "not signed") {
		t.Errorf("blacklist --module of an unsigned file: exit %d, %s", code, e)
	}
	bad := write(t, filepath.Join(dir, "bad"), []byte(`"tbs:ABCD"`))
	if code, _, e := runCLI(t, nil, "verify", "--cert", k, "--blacklist", bad, m); code == 0 || !strings.Contains(e, bad) || !strings.Contains(e, "lowercase") {
		t.Errorf("bad blacklist accepted: %d %s", code, e)
	}
}
