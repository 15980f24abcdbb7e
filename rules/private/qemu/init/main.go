// Command init is the /init of the rules_modsign QEMU test initramfs.
//
// It is built static (CGO_ENABLED=0) and needs nothing else in the
// initramfs. It loads every module listed in /modules/manifest (or, without a
// manifest, every file in /modules in name order) with finit_module, prints
// one protocol.TagResult line per module, unloads each loaded module again so
// that a later variant of the same module can load, prints /proc/keys and the
// relevant kernel log lines, prints protocol.TagDone and reboots, which ends
// QEMU when it runs with -no-reboot.
//
// Manifest lines are "<file>" or "<file> keep"; a kept module stays loaded
// (a dependency of the modules after it).
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

const modulesDir = "/modules"

type entry struct {
	file string
	keep bool
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, a ...any) {
		fmt.Fprintf(out, format+"\n", a...)
		out.Flush()
	}
	defer func() {
		if r := recover(); r != nil {
			say("%s panic: %v", protocol.TagError, r)
		}
		out.Flush()
		unix.Sync()
		// With -no-reboot QEMU exits instead of rebooting.
		if err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART); err != nil {
			say("%s reboot: %v", protocol.TagError, err)
		}
		for {
			time.Sleep(time.Hour)
		}
	}()
	say("%s start", protocol.TagInit)
	if err := run(say); err != nil {
		say("%s %v", protocol.TagError, err)
	}
}

func run(say func(string, ...any)) error {
	mounts := []struct{ src, dst, fstype string }{
		{"proc", "/proc", "proc"},
		{"sysfs", "/sys", "sysfs"},
		{"devtmpfs", "/dev", "devtmpfs"},
	}
	for _, m := range mounts {
		if err := os.MkdirAll(m.dst, 0o755); err != nil {
			return fmt.Errorf("mkdir %s: %w", m.dst, err)
		}
		if err := unix.Mount(m.src, m.dst, m.fstype, 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
			say("%s mount %s on %s: %v", protocol.TagError, m.fstype, m.dst, err)
		}
	}

	kmsg, err := openKmsg()
	if err != nil {
		say("%s %v", protocol.TagError, err)
	}
	if kmsg != nil {
		defer kmsg.Close()
		for _, l := range kmsg.drain() {
			if relevantBoot.MatchString(l) {
				say("%s module=- %s", protocol.TagDmesg, l)
			}
		}
	}

	reportSecurity(say)

	entries, err := readManifest()
	if err != nil {
		return err
	}
	var kept []string
	for _, e := range entries {
		path := filepath.Join(modulesDir, e.file)
		name, nameErr := moduleName(path)
		res, errno := load(path)
		extra := map[string]string{}
		if errno != 0 {
			extra["errno"] = fmt.Sprint(int(errno))
		}
		if nameErr != nil {
			extra["name_error"] = "unreadable"
		}
		say("%s", protocol.FormatResult(e.file, name, res, extra))
		if res == protocol.ResultLoaded && e.keep {
			kept = append(kept, name)
		} else if res == protocol.ResultLoaded {
			if err := unload(name); err != nil {
				say("%s unload %s (%s): %v", protocol.TagError, e.file, name, err)
			}
		}
		// The kernel's messages about this load (and unload).
		if kmsg != nil {
			for _, l := range kmsg.drain() {
				say("%s module=%s %s", protocol.TagDmesg, e.file, l)
			}
		}
	}
	for i := len(kept) - 1; i >= 0; i-- {
		if err := unload(kept[i]); err != nil {
			say("%s unload %s: %v", protocol.TagError, kept[i], err)
		}
	}

	keys, err := os.ReadFile("/proc/keys")
	if err != nil {
		say("%s read /proc/keys: %v", protocol.TagError, err)
	}
	for _, l := range strings.Split(strings.TrimRight(string(keys), "\n"), "\n") {
		if l != "" {
			say("%s %s", protocol.TagKey, strings.Join(strings.Fields(l), " "))
		}
	}
	say("%s results=%d", protocol.TagDone, len(entries))
	return nil
}

// relevantBoot picks the boot-time kernel messages worth reporting.
var relevantBoot = regexp.MustCompile(`(?i)x\.?509|cert|keyring|blacklist|module|signature|pkcs#?7|asymmetric|lockdown|locked down|secure ?boot`)

func readManifest() ([]entry, error) {
	data, err := os.ReadFile(filepath.Join(modulesDir, "manifest"))
	if errors.Is(err, os.ErrNotExist) {
		des, err := os.ReadDir(modulesDir)
		if err != nil {
			return nil, fmt.Errorf("no manifest and cannot list %s: %w", modulesDir, err)
		}
		var out []entry
		for _, de := range des {
			if de.Type().IsRegular() {
				out = append(out, entry{file: de.Name()})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var out []entry
	for n, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case len(f) == 1:
			out = append(out, entry{file: f[0]})
		case len(f) == 2 && f[1] == "keep":
			out = append(out, entry{file: f[0], keep: true})
		default:
			return nil, fmt.Errorf("manifest line %d: want \"<file> [keep]\", got %q", n+1, l)
		}
	}
	return out, nil
}

// load calls finit_module and returns "loaded" or the errno's name.
func load(path string) (string, syscall.Errno) {
	f, err := os.Open(path)
	if err != nil {
		return "open-failed", 0
	}
	defer f.Close()
	err = unix.FinitModule(int(f.Fd()), "", 0)
	if err == nil {
		return protocol.ResultLoaded, 0
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name := unix.ErrnoName(errno); name != "" {
			return name, errno
		}
		return fmt.Sprintf("errno%d", int(errno)), errno
	}
	return "error", 0
}

func unload(name string) error {
	if name == "" {
		return errors.New("module name unknown")
	}
	if err := unix.DeleteModule(name, unix.O_NONBLOCK); err != nil {
		return fmt.Errorf("delete_module(%s): %w", name, err)
	}
	return nil
}

// moduleName reads the module's name from .modinfo ("name=") or, failing
// that, from struct module in .gnu.linkonce.this_module.
func moduleName(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if s := f.Section(".modinfo"); s != nil {
		if data, err := s.Data(); err == nil {
			for _, kv := range bytes.Split(data, []byte{0}) {
				if v, ok := bytes.CutPrefix(kv, []byte("name=")); ok && len(v) > 0 {
					return string(v), nil
				}
			}
		}
	}
	if s := f.Section(".gnu.linkonce.this_module"); s != nil {
		if data, err := s.Data(); err == nil {
			// struct module { enum module_state state; struct list_head list; char name[...]; }
			off := 4 + 4 + 16
			if f.Class == elf.ELFCLASS32 {
				off = 4 + 8
			}
			if len(data) > off {
				name := data[off:]
				if i := bytes.IndexByte(name, 0); i > 0 {
					return string(name[:i]), nil
				}
			}
		}
	}
	return "", fmt.Errorf("%s: no module name in .modinfo or .gnu.linkonce.this_module", path)
}

// kmsgReader reads /dev/kmsg without blocking.
// It keeps the raw descriptor: os.File.Fd would switch it back to blocking.
type kmsgReader struct{ fd int }

func openKmsg() (*kmsgReader, error) {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		if err := unix.Mknod("/dev/kmsg", unix.S_IFCHR|0o600, int(unix.Mkdev(1, 11))); err != nil {
			return nil, fmt.Errorf("mknod /dev/kmsg: %w", err)
		}
		fd, err = unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("open /dev/kmsg: %w", err)
	}
	return &kmsgReader{fd: fd}, nil
}

func (k *kmsgReader) Close() error { return unix.Close(k.fd) }

// drain returns the messages logged since the last call, one per record
// ("<level>,<seq>,<usec>,<flags>;<message>"), without continuation lines.
func (k *kmsgReader) drain() []string {
	var out []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(k.fd, buf)
		if err == unix.EPIPE { // overwritten records; keep reading
			continue
		}
		if err != nil || n <= 0 {
			return out
		}
		rec := string(buf[:n])
		hdr, msg, ok := strings.Cut(rec, ";")
		if !ok {
			continue
		}
		msg, _, _ = strings.Cut(msg, "\n")
		prio := strings.SplitN(hdr, ",", 2)[0]
		out = append(out, "<"+prio+"> "+msg)
	}
}
