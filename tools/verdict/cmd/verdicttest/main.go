// Command verdicttest asks a real kernel for its verdict on every module of the
// verdict corpus and checks that `modsign verify --kernel LINE --json` gives
// the same verdict. It is the executable of e2e/workspace/verdict's tests.
//
//	verdicttest --line 6.1 --kernel bzImage [--kernel-config .config] --init init --driver driver
//	    --modsign modsign --keyring trusted.pem [--blacklist trusted.blacklist]
//	    --corpus DIR [--extra NAME.ko=MODULE.ko]...
//
// It writes an initramfs with the corpus (MANIFEST order, then the extras),
// boots it with the QEMU driver of kernel_module_qemu_test (no expectations:
// the guest init loads every module with finit_module and reports the errno
// and the kernel log lines of each load), runs modsign verify on the same
// files, prints one table row per module and the agreement figure, and exits
// 1 when any verdict differs.
//
// A verdict is the errno finit_module returns under module.sig_enforce (0 for
// a module that loads) and the reason the kernel logs. A module the kernel
// refuses with ENOEXEC passed the signature check (module_sig_check runs first
// in load_module) and failed a later format check: modsign must call it OK.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/initramfs"
	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type config struct {
	line, modsignLine, kernel, kconfig, init, driver, modsign, keyring, blacklist, corpus, accel string
	extra                                                                                        []string
}

func main() {
	var cfg config
	var extra listFlag
	fs := flag.NewFlagSet("verdicttest", flag.ContinueOnError)
	fs.StringVar(&cfg.line, "line", "", "kernel line, MAJOR.MINOR (required)")
	fs.StringVar(&cfg.kernel, "kernel", "", "bzImage (required)")
	fs.StringVar(&cfg.modsignLine, "modsign-line", "", "judge with this line's rules instead of --line (a control that must disagree)")
	fs.StringVar(&cfg.kconfig, "kernel-config", "", "the kernel's .config, passed to modsign (which digests are built in)")
	fs.StringVar(&cfg.init, "init", "", "the guest init (required)")
	fs.StringVar(&cfg.driver, "driver", "", "the QEMU driver (required)")
	fs.StringVar(&cfg.modsign, "modsign", "", "modsign (required)")
	fs.StringVar(&cfg.keyring, "keyring", "", "PEM bundle the kernel trusts (required)")
	fs.StringVar(&cfg.blacklist, "blacklist", "", "the kernel's CONFIG_SYSTEM_BLACKLIST_HASH_LIST file")
	fs.StringVar(&cfg.corpus, "corpus", "", "corpus directory with MANIFEST (required)")
	fs.StringVar(&cfg.accel, "accel", "", "QEMU accelerator for the driver (auto, kvm, tcg)")
	fs.Var(&extra, "extra", "NAME.ko=PATH: another module to judge, after the corpus, named NAME.ko in the guest (repeatable)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	cfg.extra = extra
	for name, v := range map[string]string{"--line": cfg.line, "--kernel": cfg.kernel, "--init": cfg.init, "--driver": cfg.driver, "--modsign": cfg.modsign, "--keyring": cfg.keyring, "--corpus": cfg.corpus} {
		if v == "" {
			fmt.Fprintf(os.Stderr, "verdicttest: %s is required\n", name)
			os.Exit(2)
		}
	}
	ok, err := run(cfg, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		os.Exit(1)
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "FAIL: the kernel and modsign verify disagree (the kernel is right); see the table")
		os.Exit(1)
	}
}

// module is one file to judge.
type module struct {
	Name string `json:"module"` // file name in the guest
	Desc string `json:"description"`
	Path string `json:"-"`
}

// modsignVerdict is one object of `modsign verify --json`.
type modsignVerdict struct {
	Module        string `json:"module"`
	OK            bool   `json:"ok"`
	Errno         string `json:"errno"`
	Reason        string `json:"reason"`
	KernelMessage string `json:"kernel_message"`
	Rule          string `json:"rule"`
	Signer        string `json:"signer"`
}

// row is one line of the table.
type row struct {
	Module        string         `json:"module"`
	Description   string         `json:"description"`
	KernelResult  string         `json:"kernel_result"` // "loaded" or an errno name
	KernelErrno   string         `json:"kernel_errno"`  // "" when the signature was accepted
	KernelMessage string         `json:"kernel_message"`
	KernelLog     []string       `json:"kernel_log"`
	Modsign       modsignVerdict `json:"modsign"`
	Agree         bool           `json:"agree"`
	Why           string         `json:"why,omitempty"`
}

func readCorpus(dir string) ([]module, error) {
	path := filepath.Join(dir, "MANIFEST")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read corpus manifest: %w", err)
	}
	var out []module
	for n, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		file, desc, ok := strings.Cut(l, "\t")
		if !ok || file == "" || strings.ContainsAny(file, "/ ") {
			return nil, fmt.Errorf("%s line %d: want \"file<TAB>description\", got %q", path, n+1, l)
		}
		out = append(out, module{Name: file, Desc: desc, Path: filepath.Join(dir, file)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no modules", path)
	}
	return out, nil
}

func run(cfg config, stdout io.Writer) (bool, error) {
	mods, err := readCorpus(cfg.corpus)
	if err != nil {
		return false, err
	}
	for _, e := range cfg.extra {
		name, p, ok := strings.Cut(e, "=")
		if !ok || name == "" || p == "" {
			return false, fmt.Errorf("--extra %q: want NAME.ko=PATH", e)
		}
		mods = append(mods, module{Name: name, Desc: "extra module " + p, Path: p})
	}
	tmp := os.Getenv("TEST_TMPDIR")
	if tmp == "" {
		if tmp, err = os.MkdirTemp("", "verdicttest-"); err != nil {
			return false, err
		}
		defer os.RemoveAll(tmp)
	}
	outDir := os.Getenv("TEST_UNDECLARED_OUTPUTS_DIR")
	if outDir == "" {
		outDir = tmp
	}

	// The guest: every module, in order.
	initBin, err := os.ReadFile(cfg.init)
	if err != nil {
		return false, fmt.Errorf("read init: %w", err)
	}
	spec := initramfs.Spec{Init: initBin}
	for _, m := range mods {
		data, err := os.ReadFile(m.Path)
		if err != nil {
			return false, fmt.Errorf("read corpus module: %w", err)
		}
		spec.Modules = append(spec.Modules, initramfs.Module{Name: m.Name, Data: data})
	}
	cpio := filepath.Join(tmp, "verdict.cpio.gz")
	var buf bytes.Buffer
	if err := initramfs.Write(&buf, spec); err != nil {
		return false, err
	}
	if err := os.WriteFile(cpio, buf.Bytes(), 0o644); err != nil {
		return false, fmt.Errorf("write %s: %w", cpio, err)
	}

	serial := filepath.Join(outDir, "serial-"+cfg.line+".log")
	args := []string{"--kernel", cfg.kernel, "--initramfs", cpio, "--serial-log", serial, "--timeout", driverTimeout().String()}
	if cfg.accel != "" {
		args = append(args, "--accel", cfg.accel)
	}
	start := time.Now()
	drv := exec.Command(cfg.driver, args...)
	drv.Stdout, drv.Stderr = stdout, os.Stderr
	if err := drv.Run(); err != nil {
		return false, fmt.Errorf("booting Linux %s with %d modules: %w (serial log: %s)", cfg.line, len(mods), err, serial)
	}
	bootTime := time.Since(start)
	f, err := os.Open(serial)
	if err != nil {
		return false, fmt.Errorf("serial log: %w", err)
	}
	rep, err := protocol.Parse(f)
	f.Close()
	if err != nil {
		return false, err
	}

	// modsign's verdicts, in argument order.
	verdicts, err := modsignVerify(cfg, mods)
	if err != nil {
		return false, err
	}

	rows := make([]row, len(mods))
	agreed := 0
	for i, m := range mods {
		r := judge(rep, m, verdicts[i])
		if r.Agree {
			agreed++
		}
		rows[i] = r
	}
	fmt.Fprintf(stdout, "\nLinux %s: certificates at boot\n", cfg.line)
	for _, d := range rep.Dmesg {
		if l, ok := strings.CutPrefix(d, "module=- "); ok && certLine.MatchString(l) {
			fmt.Fprintf(stdout, "  %s\n", l)
		}
	}
	judgedAs := cfg.line
	if cfg.modsignLine != "" {
		judgedAs = cfg.modsignLine
	}
	fmt.Fprintf(stdout, "\nLinux %s: the kernel's verdict and modsign verify --kernel %s --json\n\n", cfg.line, judgedAs)
	printTable(stdout, rows)
	fmt.Fprintf(stdout, "\nLinux %s: %d/%d agree (boot and %d loads: %s)\n", cfg.line, agreed, len(rows), len(rows), bootTime.Round(100*time.Millisecond))

	js, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(outDir, "verdict-"+cfg.line+".json"), append(js, '\n'), 0o644); err != nil {
		return false, fmt.Errorf("write verdict JSON: %w", err)
	}
	return agreed == len(rows), nil
}

// driverTimeout leaves the driver 80% of Bazel's test timeout.
func driverTimeout() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("TEST_TIMEOUT")); err == nil && s > 0 {
		return time.Duration(s) * time.Second * 8 / 10
	}
	return 240 * time.Second
}

func modsignVerify(cfg config, mods []module) ([]modsignVerdict, error) {
	line := cfg.line
	if cfg.modsignLine != "" {
		line = cfg.modsignLine
	}
	args := []string{"verify", "--kernel", line, "--json", "--keyring", cfg.keyring}
	if cfg.blacklist != "" {
		args = append(args, "--blacklist", cfg.blacklist)
	}
	if cfg.kconfig != "" {
		args = append(args, "--kernel-config", cfg.kconfig)
	}
	for _, m := range mods {
		args = append(args, m.Path)
	}
	cmd := exec.Command(cfg.modsign, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return nil, fmt.Errorf("modsign %s: %v\n%s", strings.Join(args[:6], " "), err, errOut.String())
	}
	var vs []modsignVerdict
	if err := json.Unmarshal(out.Bytes(), &vs); err != nil {
		return nil, fmt.Errorf("modsign verify --json: not one JSON array: %w\nstdout: %.400s\nstderr: %.400s", err, out.String(), errOut.String())
	}
	if len(vs) != len(mods) {
		return nil, fmt.Errorf("modsign verify --json: %d verdicts for %d modules", len(vs), len(mods))
	}
	for i, v := range vs {
		if v.Module != mods[i].Path {
			return nil, fmt.Errorf("modsign verify --json: verdict %d is for %q, want %q (argument order)", i+1, v.Module, mods[i].Path)
		}
	}
	return vs, nil
}

var (
	certLine     = regexp.MustCompile(`(?i)x\.?509|certificate|blacklist`)
	sigCheckLine = regexp.MustCompile(`Loading of .* is rejected`)
	kmsgPrefix   = regexp.MustCompile(`^<\d+> `)
)

// judge compares the kernel's verdict on m with modsign's.
func judge(rep *protocol.Report, m module, v modsignVerdict) row {
	r := row{Module: m.Name, Description: m.Desc, Modsign: v}
	rs := rep.Lookup(m.Name)
	if len(rs) != 1 {
		r.KernelResult = fmt.Sprintf("(%d results)", len(rs))
		r.Why = "the guest did not report exactly one result"
		return r
	}
	r.KernelResult = rs[0].Result
	for _, d := range rep.Dmesg {
		if l, ok := strings.CutPrefix(d, "module="+m.Name+" "); ok {
			l = kmsgPrefix.ReplaceAllString(l, "")
			r.KernelLog = append(r.KernelLog, l)
		}
	}
	for _, l := range r.KernelLog {
		if sigCheckLine.MatchString(l) {
			r.KernelMessage = l
		}
	}
	if r.KernelMessage == "" {
		for _, l := range r.KernelLog {
			if !strings.Contains(l, "taints kernel") {
				r.KernelMessage = l
				break
			}
		}
	}
	accepted := r.KernelResult == protocol.ResultLoaded || r.KernelResult == "ENOEXEC"
	if !accepted {
		r.KernelErrno = r.KernelResult
	}
	switch {
	case accepted && !v.OK:
		r.Why = "the kernel accepted the signature, modsign refuses it"
	case !accepted && v.OK:
		r.Why = "the kernel refused the module, modsign says OK"
	case !accepted && v.Errno != r.KernelErrno:
		r.Why = fmt.Sprintf("errno: kernel %s, modsign %s", r.KernelErrno, orNone(v.Errno))
	case v.KernelMessage != "" && !anyContains(r.KernelLog, v.KernelMessage):
		r.Why = fmt.Sprintf("the kernel did not log %q", v.KernelMessage)
	case v.KernelMessage == "" && anyMatch(r.KernelLog, sigCheckLine):
		r.Why = "the kernel logged a module_sig_check reason, modsign expects none"
	default:
		r.Agree = true
	}
	return r
}

func anyContains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func anyMatch(lines []string, re *regexp.Regexp) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "module\tkernel\tkernel message\tmodsign\tmodsign message (rule)\tagree")
	for _, r := range rows {
		k := r.KernelResult
		if r.KernelResult == "ENOEXEC" {
			k = "ENOEXEC past sig"
		}
		ms := "ok"
		if !r.Modsign.OK {
			ms = orNone(r.Modsign.Errno)
		}
		agree := "yes"
		if !r.Agree {
			agree = "NO: " + r.Why
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (%s)\t%s\n", r.Module, k, orNone(clip(r.KernelMessage, 60)), ms, orNone(clip(r.Modsign.KernelMessage, 50)), orNone(r.Modsign.Rule), agree)
	}
	tw.Flush()
}
