// Command verdicttest compares a real kernel's verdict on every module of the
// verdict corpus with `modsign verify --kernel LINE --json`. It is the judge
// of kernel_verdict_test (@rules_modsign//rules/testing:defs.bzl), which boots
// the kernel with the corpus through the QEMU driver of
// kernel_module_qemu_test first and hands over the guest's serial log:
//
//	verdicttest --line 6.1 --serial-log serial.log [--kernel-config .config]
//	    --modsign modsign --keyring trusted.pem [--blacklist trusted.blacklist]
//	    --corpus DIR [--extra NAME.ko=MODULE.ko]... [--modsign-line LINE]
//
// The guest init loaded every module with finit_module and reported the errno
// and the kernel log lines of each load; verdicttest runs modsign verify on the
// same files, prints one table row per module and the agreement figure, and
// exits 1 when any verdict differs.
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
	"strings"
	"text/tabwriter"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

type config struct {
	line, modsignLine, serialLog, kconfig, modsign, keyring, blacklist, corpus string
	extra                                                                      []string
}

func main() {
	var cfg config
	fs := flag.NewFlagSet("verdicttest", flag.ContinueOnError)
	fs.StringVar(&cfg.line, "line", "", "kernel line, MAJOR.MINOR (required)")
	fs.StringVar(&cfg.serialLog, "serial-log", "", "the guest's serial log, from the QEMU driver (required)")
	fs.StringVar(&cfg.modsignLine, "modsign-line", "", "judge with this line's rules instead of --line (a control that must disagree)")
	fs.StringVar(&cfg.kconfig, "kernel-config", "", "the kernel's .config, passed to modsign (which digests are built in)")
	fs.StringVar(&cfg.modsign, "modsign", "", "modsign (required)")
	fs.StringVar(&cfg.keyring, "keyring", "", "PEM bundle the kernel trusts (required)")
	fs.StringVar(&cfg.blacklist, "blacklist", "", "the kernel's CONFIG_SYSTEM_BLACKLIST_HASH_LIST file")
	fs.StringVar(&cfg.corpus, "corpus", "", "corpus directory with MANIFEST (required)")
	fs.Func("extra", "NAME.ko=PATH: another module the guest loaded after the corpus as NAME.ko (repeatable)", func(v string) error {
		cfg.extra = append(cfg.extra, v)
		return nil
	})
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	for name, v := range map[string]string{"--line": cfg.line, "--serial-log": cfg.serialLog, "--modsign": cfg.modsign, "--keyring": cfg.keyring, "--corpus": cfg.corpus} {
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
	outDir := os.Getenv("TEST_UNDECLARED_OUTPUTS_DIR")
	if outDir == "" {
		outDir = filepath.Dir(cfg.serialLog)
	}
	f, err := os.Open(cfg.serialLog)
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
	fmt.Fprintf(stdout, "\nLinux %s: %d/%d agree\n", cfg.line, agreed, len(rows))

	js, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(outDir, "verdict-"+cfg.line+".json"), append(js, '\n'), 0o644); err != nil {
		return false, fmt.Errorf("write verdict JSON: %w", err)
	}
	return agreed == len(rows), nil
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
