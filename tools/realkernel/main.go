// Command realkernel checks modsign against a distribution's own signed kernel: every module
// of the kernel package, as the distribution built, signed and compressed it.
//
//	realkernel --modsign PATH --modinfo PATH --line 6.1|7.2 --cert CERT.pem [--other-cert CERT.pem]
//	           [--kernel-config CONFIG] [--tamper N] DIR
//
// It finds every *.ko, *.ko.xz, *.ko.zst and *.ko.gz under DIR and checks that:
//   - `modsign verify --kernel LINE --cert CERT --json` accepts every one (the distribution's
//     kernel loads them: they are its own modules, signed by its build key);
//   - `modsign info --json` gives, for every module, the signer, key id and hash algorithm
//     that kmod's modinfo prints (modinfo decompresses as the kernel does);
//   - N modules, each with one byte of its decompressed content flipped, are refused
//     (EKEYREJECTED), and, with --other-cert, 500 modules spread over the tree are refused
//     with another kernel's key instead (the controls that show the acceptance is not vacuous);
//   - signing a compressed module is refused and leaves the file untouched.
//
// It prints one line per check with its figures and exits 1 when any fails.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rules-modsign/rules_modsign/signer/modfile"
)

type config struct {
	modsign, modinfo, line, cert, otherCert, kconfig, dir string
	tamper                                                int
}

func main() {
	var c config
	flag.StringVar(&c.modsign, "modsign", "", "the modsign binary")
	flag.StringVar(&c.modinfo, "modinfo", "modinfo", "kmod's modinfo")
	flag.StringVar(&c.line, "line", "", "the kernel line of modsign's profile (6.1, 7.2)")
	flag.StringVar(&c.cert, "cert", "", "the certificate the kernel's modules are signed with (from its image)")
	flag.StringVar(&c.otherCert, "other-cert", "", "another kernel's certificate: every module must be refused with it")
	flag.StringVar(&c.kconfig, "kernel-config", "", "the kernel's .config, if the package has it")
	flag.IntVar(&c.tamper, "tamper", 24, "how many modules to tamper with")
	flag.Parse()
	if flag.NArg() != 1 || c.modsign == "" || c.line == "" || c.cert == "" {
		fmt.Fprintln(os.Stderr, "usage: realkernel --modsign PATH --line LINE --cert CERT.pem [--other-cert CERT.pem] [--kernel-config CONFIG] [--tamper N] DIR")
		os.Exit(2)
	}
	c.dir = flag.Arg(0)
	if err := run(c); err != nil {
		fmt.Fprintf(os.Stderr, "realkernel: FAIL: %v\n", err)
		os.Exit(1)
	}
}

type verdict struct {
	Module      string `json:"module"`
	OK          bool   `json:"ok"`
	Errno       string `json:"errno"`
	Reason      string `json:"reason"`
	Compression string `json:"compression"`
}

type info struct {
	Module      string `json:"module"`
	Signed      bool   `json:"signed"`
	Signer      string `json:"signer"`
	SigKey      string `json:"sig_key"`
	SigHashAlgo string `json:"sig_hashalgo"`
}

func run(c config) error {
	mods, err := findModules(c.dir)
	if err != nil {
		return err
	}
	if len(mods) < 100 {
		return fmt.Errorf("%s: only %d modules found; a distribution kernel has thousands", c.dir, len(mods))
	}
	comp := map[string]int{}
	for _, m := range mods {
		comp[filepath.Ext(m)]++
	}
	fmt.Printf("realkernel: %d modules under %s (by extension: %v)\n", len(mods), c.dir, comp)
	var failures []string

	// 1. Every module verifies with the kernel's own key.
	t0 := time.Now()
	vs, err := verify(c, c.cert, mods)
	if err != nil {
		return err
	}
	bad := refusedOf(vs)
	fmt.Printf("verify --kernel %s: %d of %d accepted in %.1f s\n", c.line, len(vs)-len(bad), len(vs), time.Since(t0).Seconds())
	for i, v := range bad {
		if i < 10 {
			fmt.Printf("  refused: %s: %s %s\n", v.Module, v.Errno, v.Reason)
		}
	}
	if len(bad) > 0 {
		failures = append(failures, fmt.Sprintf("%d modules refused with the kernel's own certificate", len(bad)))
	}

	// 2. modsign info agrees with modinfo, field by field.
	t0 = time.Now()
	diffs, err := compareInfo(c, mods)
	if err != nil {
		return err
	}
	fmt.Printf("info vs modinfo (signer, sig_key, sig_hashalgo): %d of %d agree in %.1f s\n", len(mods)-len(diffs), len(mods), time.Since(t0).Seconds())
	for i, d := range diffs {
		if i < 10 {
			fmt.Println("  differs:", d)
		}
	}
	if len(diffs) > 0 {
		failures = append(failures, fmt.Sprintf("modsign info differs from modinfo on %d modules", len(diffs)))
	}

	// 3. Controls: tampered modules and another kernel's key are refused.
	tdir, err := os.MkdirTemp("", "realkernel-tampered-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tdir)
	tampered, err := tamper(c, tdir, mods)
	if err != nil {
		return err
	}
	tvs, err := verify(c, c.cert, tampered)
	if err != nil {
		return err
	}
	if r := refusedOf(tvs); len(r) != len(tvs) {
		failures = append(failures, fmt.Sprintf("%d of %d tampered modules accepted", len(tvs)-len(r), len(tvs)))
	} else {
		fmt.Printf("tampered (one byte of the decompressed module flipped, recompressed): %d of %d refused (%s)\n", len(r), len(tvs), errnos(r))
	}
	if c.otherCert != "" {
		ovs, err := verify(c, c.otherCert, sample(mods, 500))
		if err != nil {
			return err
		}
		if r := refusedOf(ovs); len(r) != len(ovs) {
			failures = append(failures, fmt.Sprintf("%d of %d modules accepted with another kernel's certificate", len(ovs)-len(r), len(ovs)))
		} else {
			fmt.Printf("another kernel's certificate: %d of %d refused (%s)\n", len(r), len(ovs), errnos(r))
		}
	}

	// 4. Signing a compressed module is refused and leaves it untouched.
	for _, m := range mods {
		if !strings.HasSuffix(m, ".ko") {
			if err := refuseSign(c, m); err != nil {
				failures = append(failures, err.Error())
			} else {
				fmt.Printf("sign of a compressed module (%s): refused, file untouched\n", filepath.Base(m))
			}
			break
		}
	}

	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "; "))
	}
	fmt.Printf("realkernel: PASS (%d modules, Linux %s profile)\n", len(mods), c.line)
	return nil
}

func findModules(dir string) ([]string, error) {
	var mods []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if d.Type().IsRegular() && (strings.HasSuffix(n, ".ko") || strings.HasSuffix(n, ".ko.xz") || strings.HasSuffix(n, ".ko.zst") || strings.HasSuffix(n, ".ko.gz")) {
			mods = append(mods, p)
		}
		return nil
	})
	sort.Strings(mods)
	return mods, err
}

// modsignJSON runs modsign with the modules as arguments, in batches that fit a command line,
// and decodes the JSON array each batch prints into out.
func modsignJSON[T any](c config, args []string, mods []string) ([]T, error) {
	var all []T
	for i := 0; i < len(mods); i += 500 {
		batch := mods[i:min(i+500, len(mods))]
		cmd := exec.Command(c.modsign, append(append([]string{}, args...), batch...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			return nil, fmt.Errorf("modsign %s: %v\n%s", args[0], err, stderr.String())
		}
		// verify prints one JSON array; info one object per line.
		var got []T
		if bytes.HasPrefix(bytes.TrimSpace(out), []byte("[")) {
			if err := json.Unmarshal(out, &got); err != nil {
				return nil, fmt.Errorf("modsign %s --json: %v (output %.200q)", args[0], err, out)
			}
		} else {
			dec := json.NewDecoder(bytes.NewReader(out))
			for dec.More() {
				var v T
				if err := dec.Decode(&v); err != nil {
					return nil, fmt.Errorf("modsign %s --json: %v (output %.200q)", args[0], err, out)
				}
				got = append(got, v)
			}
		}
		if len(got) != len(batch) {
			return nil, fmt.Errorf("modsign %s printed %d results for %d modules", args[0], len(got), len(batch))
		}
		all = append(all, got...)
	}
	return all, nil
}

func verify(c config, cert string, mods []string) ([]verdict, error) {
	args := []string{"verify", "--kernel", c.line, "--cert", cert, "--json"}
	if c.kconfig != "" {
		args = append(args, "--kernel-config", c.kconfig)
	}
	return modsignJSON[verdict](c, args, mods)
}

func refusedOf(vs []verdict) []verdict {
	var r []verdict
	for _, v := range vs {
		if !v.OK {
			r = append(r, v)
		}
	}
	return r
}

func errnos(vs []verdict) string {
	n := map[string]int{}
	for _, v := range vs {
		n[v.Errno]++
	}
	return fmt.Sprint(n)
}

// compareInfo compares modsign info with modinfo's sig_key, signer and sig_hashalgo.
func compareInfo(c config, mods []string) ([]string, error) {
	infos, err := modsignJSON[info](c, []string{"info", "--json"}, mods)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for i := 0; i < len(mods); i += 500 {
		batch := mods[i:min(i+500, len(mods))]
		fields, err := modinfoFields(c.modinfo, batch)
		if err != nil {
			return nil, err
		}
		for j, m := range batch {
			in := infos[i+j]
			want := fields[j]
			got := map[string]string{
				"signer":       in.Signer,
				"sig_key":      colonHex(in.SigKey),
				"sig_hashalgo": in.SigHashAlgo,
			}
			for _, k := range []string{"signer", "sig_key", "sig_hashalgo"} {
				if got[k] != want[k] || want[k] == "" {
					diffs = append(diffs, fmt.Sprintf("%s: %s: modsign %q, modinfo %q", m, k, got[k], want[k]))
				}
			}
		}
	}
	return diffs, nil
}

// modinfoFields runs modinfo on several modules at once; its output starts each module with
// its filename: line.
func modinfoFields(modinfo string, mods []string) ([]map[string]string, error) {
	out, err := exec.Command(modinfo, mods...).Output()
	if err != nil {
		return nil, fmt.Errorf("modinfo: %w", err)
	}
	var res []map[string]string
	var cur map[string]string
	last := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		k, v, ok := strings.Cut(line, ":")
		if ok && !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			last = k
			v = strings.TrimSpace(v)
			if k == "filename" {
				cur = map[string]string{}
				res = append(res, cur)
			}
			if cur != nil && (k == "signer" || k == "sig_key" || k == "sig_hashalgo") {
				cur[k] = v
			}
		} else if cur != nil && last == "sig_key" {
			cur[last] += strings.TrimSpace(line)
		}
	}
	if len(res) != len(mods) {
		return nil, fmt.Errorf("modinfo printed %d modules for %d", len(res), len(mods))
	}
	return res, nil
}

func colonHex(h string) string {
	h = strings.ToUpper(h)
	var parts []string
	for i := 0; i+1 < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// tamper writes into dir copies of every len(mods)/N-th module with one byte of its
// decompressed content flipped (mid-file, inside the signed part), compressed again the same way.
func tamper(c config, dir string, mods []string) ([]string, error) {
	var out []string
	step := max(1, len(mods)/max(1, c.tamper))
	for i := 0; i < len(mods) && len(out) < c.tamper; i += step {
		m := mods[i]
		data, comp, err := modfile.Read(m)
		if err != nil {
			return nil, err
		}
		data[len(data)/3] ^= 0x01
		name := filepath.Base(m)
		if comp != modfile.None {
			name = strings.TrimSuffix(name, filepath.Ext(name)) // compress adds it back
		}
		p := filepath.Join(dir, fmt.Sprintf("%03d-%s", len(out), name))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
		if comp != modfile.None {
			if p, err = compress(p, comp); err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func compress(p string, c modfile.Compression) (string, error) {
	var cmd *exec.Cmd
	switch c {
	case modfile.XZ:
		cmd = exec.Command("xz", "--check=crc32", "--lzma2=dict=1MiB", "-f", p)
		p += ".xz"
	case modfile.Zstd:
		cmd = exec.Command("zstd", "-q", "--rm", "-f", p)
		p += ".zst"
	case modfile.Gzip:
		cmd = exec.Command("gzip", "-n", "-f", p)
		p += ".gz"
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %v %s", cmd, err, b)
	}
	return p, nil
}

func refuseSign(c config, m string) error {
	before, err := os.ReadFile(m)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "realkernel-key-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	key := filepath.Join(dir, "throwaway.pem")
	if out, err := exec.Command(c.modsign, "keygen", "--cn", "realkernel throwaway", "--type", "ecdsa-p256", "--key", key, "--cert", key+".crt").CombinedOutput(); err != nil {
		return fmt.Errorf("modsign keygen: %v %s", err, out)
	}
	cmd := exec.Command(c.modsign, "sign", "--key", key, "--cert", key+".crt", "--replace", m)
	out, err := cmd.CombinedOutput()
	after, _ := os.ReadFile(m)
	if err == nil || !bytes.Contains(out, []byte("compressed")) || !bytes.Equal(before, after) {
		return fmt.Errorf("modsign sign %s: err %v, output %q, file unchanged %v: want a refusal that leaves it untouched", m, err, out, bytes.Equal(before, after))
	}
	return nil
}

// sample returns at most n of mods, evenly spread.
func sample(mods []string, n int) []string {
	if len(mods) <= n {
		return mods
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, mods[i*len(mods)/n])
	}
	return out
}
