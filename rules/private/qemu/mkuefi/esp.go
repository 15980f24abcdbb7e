package main

import (
	"bytes"
	"crypto/sha256"
	"debug/pe"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	mib = 1 << 20
	// espTypeGUID is the GPT partition type of an EFI System Partition.
	espTypeGUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	// minFAT32 is the least size mformat makes a FAT32 file system in.
	minFAT32 = 40 * mib
	// DefaultCmdline is the kernel command line the test init expects.
	defaultCmdline = "console=ttyS0 panic=-1 loglevel=4 rdinit=/init"
	// fatEpoch is 1980-01-01, the earliest FAT timestamp.
	fatEpoch = "315532800"
)

type espOptions struct {
	shim, grub, kernel, initramfs, cmdline, out string
}

func espMain(args []string) error {
	fs := flag.NewFlagSet("mkuefi esp", flag.ContinueOnError)
	var o espOptions
	fs.StringVar(&o.shim, "shim", "", "signed shim (shimx64.efi.signed), becomes /EFI/BOOT/BOOTX64.EFI")
	fs.StringVar(&o.grub, "grub", "", "signed grub (grubx64.efi.signed), becomes /EFI/BOOT/grubx64.efi")
	fs.StringVar(&o.kernel, "kernel", "", "EFI-signed kernel image, becomes /vmlinuz")
	fs.StringVar(&o.initramfs, "initramfs", "", "initramfs, becomes /initrd.img")
	fs.StringVar(&o.cmdline, "cmdline", defaultCmdline, "kernel command line in grub.cfg")
	fs.StringVar(&o.out, "out", "", "the GPT disk image to write")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if o.shim == "" || o.grub == "" || o.kernel == "" || o.initramfs == "" || o.out == "" {
		return usageError{errors.New("--shim, --grub, --kernel, --initramfs and --out are required")}
	}
	if strings.ContainsAny(o.cmdline, "\n\"") {
		return usageError{fmt.Errorf("--cmdline %q: no newlines or double quotes", o.cmdline)}
	}
	return buildESP(o)
}

// checkSigned returns an error unless path is a PE image with a non-empty
// certificate table (an Authenticode signature), as UEFI Secure Boot needs.
func checkSigned(path, what string) error {
	f, err := pe.Open(path)
	if err != nil {
		return fmt.Errorf("%s %s is not a PE/EFI image: %w", what, path, err)
	}
	defer f.Close()
	var dirs []pe.DataDirectory
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		dirs = h.DataDirectory[:h.NumberOfRvaAndSizes]
	case *pe.OptionalHeader32:
		dirs = h.DataDirectory[:h.NumberOfRvaAndSizes]
	}
	if len(dirs) <= pe.IMAGE_DIRECTORY_ENTRY_SECURITY || dirs[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].Size == 0 {
		return fmt.Errorf("%s %s is not EFI-signed (no Authenticode signature in its certificate table): "+
			"Secure Boot firmware and shim would refuse it; use a distribution's signed image (e.g. Debian's linux-image-*-amd64)", what, path)
	}
	return nil
}

// grubConfig is the grub.cfg that boots /vmlinuz with /initrd.img at once.
func grubConfig(cmdline string) string {
	return fmt.Sprintf(`# Written by rules_modsign's mkuefi.
set timeout=0
set default=0
menuentry "rules_modsign kernel_module_qemu_test" {
	linux /vmlinuz %s
	initrd /initrd.img
}
`, cmdline)
}

// fatSize is the FAT file system's size for files of total bytes: room for
// the files, FAT overhead and slack, at least minFAT32, whole MiB.
func fatSize(total int64) int64 {
	n := total + total/8 + 4*mib
	n = (n + mib - 1) / mib * mib
	return max(n, minFAT32)
}

// tool finds a program of a Debian package on PATH, or in the sbin
// directories a build action's PATH usually lacks (sfdisk is in /usr/sbin).
func tool(name, pkg string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH, /usr/sbin or /sbin: install Debian's %s (apt-get install %s)", name, pkg, pkg)
}

func runTool(env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// guid formats 16 bytes of h as a GUID string, for sfdisk.
func guid(h []byte) string {
	return fmt.Sprintf("%X-%X-%X-%X-%X", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func buildESP(o espOptions) error {
	for _, c := range []struct{ path, what string }{{o.shim, "shim"}, {o.grub, "grub"}, {o.kernel, "kernel image"}} {
		if err := checkSigned(c.path, c.what); err != nil {
			return err
		}
	}
	mformat, err := tool("mformat", "mtools")
	if err != nil {
		return err
	}
	mmd, _ := tool("mmd", "mtools")
	mcopy, _ := tool("mcopy", "mtools")
	sfdisk, err := tool("sfdisk", "fdisk")
	if err != nil {
		return err
	}

	work, err := os.MkdirTemp(filepath.Dir(o.out), ".mkuefi-esp-*")
	if err != nil {
		return fmt.Errorf("temporary directory beside %s: %w", o.out, err)
	}
	defer os.RemoveAll(work)

	cfg := filepath.Join(work, "grub.cfg")
	if err := os.WriteFile(cfg, []byte(grubConfig(o.cmdline)), 0o644); err != nil {
		return fmt.Errorf("grub.cfg: %w", err)
	}
	files := []struct{ src, dst string }{
		{o.shim, "::/EFI/BOOT/BOOTX64.EFI"},
		{o.grub, "::/EFI/BOOT/grubx64.efi"},
		{cfg, "::/EFI/BOOT/grub.cfg"},
		{cfg, "::/EFI/debian/grub.cfg"},
		{o.kernel, "::/vmlinuz"},
		{o.initramfs, "::/initrd.img"},
	}
	// The sizes, and a digest of every input for the GUIDs and the serial.
	var total int64
	h := sha256.New()
	for _, f := range files {
		in, err := os.Open(f.src)
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		n, err := io.Copy(h, in)
		in.Close()
		if err != nil {
			return fmt.Errorf("reading %s: %w", f.src, err)
		}
		total += n
	}
	sum := h.Sum(nil)

	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" {
		epoch = fatEpoch
	}
	env := []string{"SOURCE_DATE_EPOCH=" + epoch, "MTOOLS_SKIP_CHECK=1", "TZ=UTC"}
	size := fatSize(total)
	fat := filepath.Join(work, "esp.fat")
	if err := os.WriteFile(fat, nil, 0o644); err != nil {
		return fmt.Errorf("FAT image: %w", err)
	}
	if err := os.Truncate(fat, size); err != nil {
		return fmt.Errorf("FAT image: %w", err)
	}
	serial := fmt.Sprintf("%X", sum[16:20])
	if err := runTool(env, mformat, "-i", fat, "-F", "-v", "ESP", "-N", serial, "::"); err != nil {
		return err
	}
	if err := runTool(env, mmd, "-i", fat, "::/EFI", "::/EFI/BOOT", "::/EFI/debian"); err != nil {
		return err
	}
	for _, f := range files {
		if err := runTool(env, mcopy, "-i", fat, f.src, f.dst); err != nil {
			return err
		}
	}

	// The disk: 1 MiB (GPT and alignment), the partition, 1 MiB (backup GPT).
	return writeAtomic(o.out, func(tmp string) error {
		if err := os.Truncate(tmp, mib+size+mib); err != nil {
			return err
		}
		script := fmt.Sprintf("label: gpt\nlabel-id: %s\nstart=2048, size=%d, type=%s, uuid=%s, name=\"EFI System Partition\"\n",
			guid(sum[0:16]), size/512, espTypeGUID, guid(sum[8:24]))
		cmd := exec.Command(sfdisk, "--no-reread", "--no-tell-kernel", "-q", tmp)
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("sfdisk: %w\n%s", err, strings.TrimSpace(string(out)))
		}
		disk, err := os.OpenFile(tmp, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer disk.Close()
		in, err := os.Open(fat)
		if err != nil {
			return err
		}
		defer in.Close()
		if _, err := disk.Seek(mib, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.Copy(disk, in); err != nil {
			return fmt.Errorf("copying the FAT image into the disk: %w", err)
		}
		return disk.Close()
	})
}

// writeAtomic lets write fill a temporary file beside out, then syncs it and
// renames it to out. On error nothing is left behind.
func writeAtomic(out string, write func(tmp string) error) error {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	tmp := f.Name()
	f.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	f, err = os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("output %s: sync: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	ok = true
	return nil
}
