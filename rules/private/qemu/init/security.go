package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rules-modsign/rules_modsign/rules/private/qemu/protocol"
)

const (
	securityfsDir = "/sys/kernel/security"
	efivarsDir    = "/sys/firmware/efi/efivars"
	// The UEFI global variable GUID (EFI_GLOBAL_VARIABLE).
	secureBootVar = "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
	// The boot protocol's parameters, as the EFI stub filled them in.
	bootParams = "/sys/kernel/boot_params/data"
	// Offset of boot_params.secure_boot (arch/x86/include/uapi/asm/bootparam.h).
	bootParamsSecureBoot = 0x1ec
)

// countOnly are keyrings too long to list key by key (dbx hashes).
var countOnly = map[string]bool{".blacklist": true}

// reportSecurity prints the lockdown level, sig_enforce, the UEFI SecureBoot
// variable and the members of every system keyring (those named ".…").
// Missing files are reported as "-"; nothing here is fatal.
func reportSecurity(say func(string, ...any)) {
	mountIfPresent(say, "securityfs", securityfsDir, "securityfs", "/sys/kernel", 0)
	// efivarfs is a module in distribution kernels (Debian: CONFIG_EFIVAR_FS=m);
	// boot_params tells the same when it is missing.
	mountIfPresent(say, "efivarfs", efivarsDir, "efivarfs", "/sys/firmware/efi", unix.ENODEV)

	say("%s %s", protocol.TagLockdown, readTrimmed(securityfsDir+"/lockdown"))
	say("%s %s", protocol.TagSigEnforce, readTrimmed("/sys/module/module/parameters/sig_enforce"))
	say("%s %s", protocol.TagSecureBoot, secureBootState(efivarsDir+"/"+secureBootVar, bootParams))

	keys, err := os.ReadFile("/proc/keys")
	if err != nil {
		say("%s read /proc/keys: %v", protocol.TagError, err)
		return
	}
	for _, kr := range systemKeyrings(string(keys)) {
		members, err := keyringMembers(kr.serial)
		if err != nil {
			say("%s keyctl read %s (%08x): %v", protocol.TagError, kr.name, kr.serial, err)
			continue
		}
		if countOnly[kr.name] {
			say("%s %s count=%d", protocol.TagKeyring, kr.name, len(members))
			continue
		}
		for _, m := range members {
			typ, desc, err := describeKey(m)
			if err != nil {
				say("%s keyctl describe %08x in %s: %v", protocol.TagError, m, kr.name, err)
				continue
			}
			say("%s", protocol.FormatKeyring(kr.name, typ, desc))
		}
	}
}

// mountIfPresent mounts fstype on dir when the kernel made the mount point:
// sysfs creates /sys/kernel/security only with CONFIG_SECURITYFS and
// /sys/firmware/efi/efivars only on EFI, so a kernel without the feature (a
// tinyconfig kernel_build) is not an error. An already mounted one is fine, and
// so is the error quiet (e.g. ENODEV for a file system the kernel lacks).
func mountIfPresent(say func(string, ...any), src, dir, fstype, parent string, quiet unix.Errno) {
	if _, err := os.Stat(parent); err != nil {
		return
	}
	if _, err := os.Stat(dir); err != nil {
		return
	}
	if err := unix.Mount(src, dir, fstype, 0, ""); err != nil && !errors.Is(err, unix.EBUSY) && (quiet == 0 || !errors.Is(err, quiet)) {
		say("%s mount %s on %s: %v", protocol.TagError, fstype, dir, err)
	}
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "-"
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "-"
	}
	return s
}

// secureBootState returns "1" when UEFI Secure Boot is on, "0" when off and
// "-" when unknown (no UEFI). It reads the SecureBoot variable from efivarfs
// (4 bytes of attributes, then the value), else boot_params.secure_boot, which
// the EFI stub sets to efi_secureboot_mode: 2 disabled, 3 enabled.
func secureBootState(efivar, bootParams string) string {
	if b, err := os.ReadFile(efivar); err == nil && len(b) >= 5 {
		return strconv.Itoa(int(b[4]))
	}
	b, err := os.ReadFile(bootParams)
	if err != nil || len(b) <= bootParamsSecureBoot {
		return "-"
	}
	switch b[bootParamsSecureBoot] {
	case 3:
		return "1"
	case 2:
		return "0"
	}
	return "-"
}

type keyring struct {
	serial int
	name   string
}

// systemKeyrings picks the keyrings named ".…" out of /proc/keys, e.g.
// "0a5a747d I------ 1 perm 1f0f0000 0 0 keyring .secondary_trusted_keys: 2".
func systemKeyrings(procKeys string) []keyring {
	var out []keyring
	for _, l := range strings.Split(procKeys, "\n") {
		f := strings.Fields(l)
		if len(f) < 9 || f[7] != "keyring" || !strings.HasPrefix(f[8], ".") {
			continue
		}
		serial, err := strconv.ParseUint(f[0], 16, 32)
		if err != nil {
			continue
		}
		out = append(out, keyring{serial: int(serial), name: strings.TrimSuffix(f[8], ":")})
	}
	return out
}

// keyringMembers reads a keyring's key serials (KEYCTL_READ).
func keyringMembers(serial int) ([]int, error) {
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, serial, nil, 0)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	buf := make([]byte, n)
	n, err = unix.KeyctlBuffer(unix.KEYCTL_READ, serial, buf, 0)
	if err != nil {
		return nil, err
	}
	return parseSerials(buf[:min(n, len(buf))]), nil
}

// parseSerials decodes KEYCTL_READ's array of native-endian int32 serials.
func parseSerials(b []byte) []int {
	out := make([]int, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		out = append(out, int(int32(binary.NativeEndian.Uint32(b[i:]))))
	}
	return out
}

// describeKey returns a key's type and description (KEYCTL_DESCRIBE gives
// "type;uid;gid;perm;description").
func describeKey(serial int) (string, string, error) {
	s, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, serial)
	if err != nil {
		return "", "", err
	}
	return parseDescribe(s)
}

func parseDescribe(s string) (string, string, error) {
	f := strings.SplitN(strings.TrimRight(s, "\x00"), ";", 5)
	if len(f) != 5 {
		return "", "", fmt.Errorf("KEYCTL_DESCRIBE gave %q, want type;uid;gid;perm;description", s)
	}
	return f[0], f[4], nil
}
