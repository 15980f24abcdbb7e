// Command driver boots a kernel and a rules_modsign test initramfs in QEMU and
// checks what the guest init reports. It is the executable of
// kernel_module_qemu_test and exits non-zero when an expectation fails.
//
//	driver --kernel bzImage --initramfs initramfs.cpio.gz
//	    [--expect-loaded NAME]... [--expect-rejected NAME=ERRNO]...
//	    [--expect-key SUBSTRING]... [--timeout 120s] [--serial-log PATH]
//	    [--qemu qemu-system-x86_64] [--qemu-version TEXT] [--accel auto|kvm|tcg] [--kvm-probe 6s]
//	    [--memory 256] [--append "extra kernel args"]
//
// kernel_module_qemu_test passes --qemu and --qemu-version from its QEMU
// toolchain; a relative --qemu is a path in the test's runfiles.
//
// NAME is the module's file name in the initramfs (with or without ".ko").
// With --accel auto the driver boots with KVM when /dev/kvm is usable, and if
// the guest init has not started within --kvm-probe it kills QEMU and boots
// again with TCG (a nested /dev/kvm can hang right after the firmware).
// The whole serial log is written to --serial-log, by default
// $TEST_UNDECLARED_OUTPUTS_DIR/serial.log when Bazel sets that variable.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type config struct {
	qemu, kernel, initramfs, serialLog, accel, appendArgs string
	memory                                                int
	timeout, kvmProbe                                     time.Duration
	exp                                                   protocol.Expectations
	kvmUsable                                             func() bool
	uefi                                                  uefiConfig                    // uefi.go
	sec                                                   protocol.SecurityExpectations // uefi.go
	qemuVersion                                           string                        // from the QEMU toolchain, for the log
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "driver: %v\n", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("driver", flag.ContinueOnError)
	cfg := &config{exp: protocol.Expectations{Rejected: map[string]string{}}, kvmUsable: kvmUsable}
	fs.StringVar(&cfg.qemu, "qemu", "qemu-system-x86_64", "QEMU binary")
	fs.StringVar(&cfg.qemuVersion, "qemu-version", "", "the QEMU's version, as its toolchain recorded it (for the log)")
	fs.StringVar(&cfg.kernel, "kernel", "", "kernel image (bzImage), required")
	fs.StringVar(&cfg.initramfs, "initramfs", "", "initramfs (gzip'ed newc cpio), required")
	fs.StringVar(&cfg.serialLog, "serial-log", "", "write the serial console log here (default $TEST_UNDECLARED_OUTPUTS_DIR/serial.log)")
	fs.StringVar(&cfg.accel, "accel", "auto", "auto, kvm or tcg")
	fs.StringVar(&cfg.appendArgs, "append", "", "extra kernel command line arguments")
	fs.IntVar(&cfg.memory, "memory", 256, "guest memory in MiB")
	fs.DurationVar(&cfg.timeout, "timeout", 120*time.Second, "overall time limit for all boots")
	fs.DurationVar(&cfg.kvmProbe, "kvm-probe", 6*time.Second, "with --accel auto: time KVM gets to start the guest init before falling back to TCG")
	var loaded, rejected, keys listFlag
	fs.Var(&loaded, "expect-loaded", "module NAME that must load (repeatable)")
	fs.Var(&rejected, "expect-rejected", "NAME=ERRNO: module that must be refused with this errno name (repeatable)")
	fs.Var(&keys, "expect-key", "substring some /proc/keys line must contain (repeatable)")
	registerUEFIFlags(fs, cfg)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := finishUEFIFlags(cfg); err != nil {
		return nil, err
	}
	if !cfg.uefi.enabled() {
		if cfg.kernel == "" || cfg.initramfs == "" {
			return nil, errors.New("--kernel and --initramfs are required (or --uefi-code, --uefi-vars and --uefi-disk)")
		}
		for _, p := range []string{cfg.kernel, cfg.initramfs} {
			if _, err := os.Stat(p); err != nil {
				return nil, fmt.Errorf("input: %w", err)
			}
		}
	}
	switch cfg.accel {
	case "auto", "kvm", "tcg":
	default:
		return nil, fmt.Errorf("--accel %q: want auto, kvm or tcg", cfg.accel)
	}
	if cfg.timeout <= 0 {
		return nil, errors.New("--timeout must be positive")
	}
	cfg.exp.Loaded = loaded
	cfg.exp.Keys = keys
	for _, r := range rejected {
		name, errno, ok := strings.Cut(r, "=")
		if !ok || name == "" || !strings.HasPrefix(errno, "E") {
			return nil, fmt.Errorf("--expect-rejected %q: want NAME=ERRNO, e.g. hello.ko=EKEYREJECTED", r)
		}
		if _, dup := cfg.exp.Rejected[name]; dup {
			return nil, fmt.Errorf("--expect-rejected: %s given twice", name)
		}
		cfg.exp.Rejected[name] = errno
	}
	for _, l := range loaded {
		if _, both := cfg.exp.Rejected[l]; both {
			return nil, fmt.Errorf("module %s is expected both loaded and rejected", l)
		}
	}
	if cfg.serialLog == "" {
		if dir := os.Getenv("TEST_UNDECLARED_OUTPUTS_DIR"); dir != "" {
			cfg.serialLog = filepath.Join(dir, "serial.log")
		}
	}
	return cfg, nil
}

func kvmUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func run(cfg *config, stdout io.Writer) error {
	var logw io.Writer = io.Discard
	if cfg.serialLog != "" {
		f, err := os.Create(cfg.serialLog)
		if err != nil {
			return fmt.Errorf("serial log: %w", err)
		}
		defer f.Close()
		logw = f
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()

	start := time.Now()
	accel := cfg.accel
	if accel == "auto" {
		accel = "tcg"
		if cfg.kvmUsable() {
			accel = "kvm"
		}
	}
	var probe time.Duration
	if cfg.accel == "auto" && accel == "kvm" {
		probe = cfg.kvmProbe
		if cfg.uefi.enabled() {
			probe = max(probe, uefiProbe) // firmware, shim and grub come first
		}
	}
	defer cfg.uefi.cleanup()
	if cfg.qemuVersion != "" {
		fmt.Fprintf(logw, "=== driver: %s (%s)\n", cfg.qemu, cfg.qemuVersion)
	}
	fmt.Fprintf(logw, "=== driver: booting with %s\n", accel)
	rep, err := boot(ctx, cfg, accel, probe, logw)
	if errors.Is(err, errProbeFailed) {
		fmt.Fprintf(stdout, "driver: KVM did not start the guest init (probe limit %s; the serial log says why); falling back to TCG\n", probe)
		fmt.Fprintf(logw, "=== driver: KVM probe failed (limit %s); booting with tcg\n", probe)
		accel = "tcg"
		rep, err = boot(ctx, cfg, accel, 0, logw)
	}
	elapsed := time.Since(start).Round(10 * time.Millisecond)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, tail(rep, 40))
	}
	fmt.Fprintf(stdout, "driver: %s boot finished in %s; %d module results\n", accel, elapsed, len(rep.Results))
	for _, r := range rep.Results {
		fmt.Fprintf(stdout, "  %s\n", r.Line)
	}
	fails := protocol.Check(rep, cfg.exp)
	fails = append(fails, protocol.CheckSecurity(rep, cfg.sec)...)
	fails = append(fails, protocol.CheckDmesg(rep, cfg.uefi.dmesgWant)...)
	if len(fails) > 0 {
		return fmt.Errorf("%d expectation(s) failed (serial log: %s):\n- %s\n%s",
			len(fails), orNone(cfg.serialLog), strings.Join(fails, "\n- "), tail(rep, 25))
	}
	fmt.Fprintf(stdout, "PASS: %d loaded, %d rejected, %d keys as expected\n",
		len(cfg.exp.Loaded), len(cfg.exp.Rejected), len(cfg.exp.Keys))
	if cfg.uefi.enabled() {
		fmt.Fprintf(stdout, "PASS: Secure Boot %s, lockdown %s, sig_enforce %s, %d keyring memberships as expected\n",
			rep.Security.SecureBoot, rep.Security.Lockdown, rep.Security.SigEnforce, len(cfg.sec.Keys))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "not kept; pass --serial-log"
	}
	return s
}

func tail(rep *protocol.Report, n int) string {
	if rep == nil || len(rep.Lines) == 0 {
		return "(no serial output)"
	}
	lines := rep.Lines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("last %d serial lines:\n  | %s", len(lines), strings.Join(lines, "\n  | "))
}

var errProbeFailed = errors.New("KVM probe failed")

// qemuArgs returns QEMU's command line for one boot.
func qemuArgs(cfg *config, accel string) []string {
	if cfg.uefi.enabled() {
		return uefiQemuArgs(cfg, accel)
	}
	cmdline := "console=ttyS0 panic=-1 loglevel=4 rdinit=/init"
	if cfg.appendArgs != "" {
		cmdline += " " + cfg.appendArgs
	}
	return []string{
		"-accel", accel,
		"-m", fmt.Sprint(cfg.memory),
		"-nodefaults", "-no-user-config",
		"-display", "none",
		"-serial", "stdio",
		"-no-reboot",
		"-kernel", cfg.kernel,
		"-initrd", cfg.initramfs,
		"-append", cmdline,
	}
}

// boot runs QEMU once. With probe > 0, it returns errProbeFailed if the
// guest init has not announced itself within probe.
func boot(ctx context.Context, cfg *config, accel string, probe time.Duration, logw io.Writer) (*protocol.Report, error) {
	rep := &protocol.Report{}
	if cfg.uefi.enabled() {
		if err := cfg.uefi.freshVars(); err != nil {
			return rep, err
		}
	}
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(bctx, cfg.qemu, qemuArgs(cfg, accel)...)
	cmd.Stdin = nil
	cmd.WaitDelay = 2 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return rep, fmt.Errorf("starting %s: %w", cfg.qemu, err)
	}
	waitErr := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		pw.Close()
		waitErr <- err
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, pr)
	}()
	var probeC <-chan time.Time
	if probe > 0 {
		t := time.NewTimer(probe)
		defer t.Stop()
		probeC = t.C
	}
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				err := <-waitErr
				if ctx.Err() != nil {
					return rep, fmt.Errorf("QEMU (%s) timed out after %s", accel, cfg.timeout)
				}
				if probe > 0 && !rep.Started {
					// KVM ended before the guest init started (e.g. no SMM
					// under KVM): try TCG.
					fmt.Fprintf(logw, "=== driver: QEMU (%s) ended before the guest init started: %v\n", accel, err)
					return rep, errProbeFailed
				}
				if err != nil {
					return rep, fmt.Errorf("QEMU (%s) failed: %w", accel, err)
				}
				return rep, nil
			}
			fmt.Fprintln(logw, l)
			rep.Add(l)
		case <-probeC:
			if !rep.Started {
				cancel()
				for range lines {
				}
				<-waitErr
				return rep, errProbeFailed
			}
		}
	}
}
