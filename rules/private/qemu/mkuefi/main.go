// Command mkuefi writes the UEFI inputs of a Secure Boot kernel_module_qemu_test:
//
//	mkuefi esp --shim shimx64.efi.signed --grub grubx64.efi.signed
//	    --kernel vmlinuz --initramfs initramfs.cpio.gz [--cmdline ARGS] --out esp.img
//	mkuefi vars --template OVMF_VARS_4M.ms.fd [--mok CERT]... [--db CERT]... --out vars.fd
//
// esp checks that shim, grub and the kernel carry an Authenticode signature
// (a kernel no firmware trusts would only fail later, in the guest, as a
// silent boot loop), then writes a GPT disk image with one EFI System
// Partition at 1 MiB: shim as /EFI/BOOT/BOOTX64.EFI, grub beside it as
// grubx64.efi, grub.cfg in /EFI/debian (the signed grub's prefix) and
// /EFI/BOOT, the kernel as /vmlinuz and the initramfs as /initrd.img. It uses
// mtools (mformat, mmd, mcopy) and sfdisk; no loop mounts, no root. The image
// is deterministic: fixed volume serial, disk and partition GUIDs derived from
// the inputs, timestamps from SOURCE_DATE_EPOCH (default 1980-01-01).
//
// vars copies the template varstore and enrolls each --mok certificate in
// shim's MokList and each --db certificate in the UEFI db, with virt-fw-vars
// (Debian python3-virt-firmware).
//
// Outputs are written to a temporary file beside --out, synced and renamed;
// inputs are never changed.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mkuefi esp|vars [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "esp":
		err = espMain(os.Args[2:])
	case "vars":
		err = varsMain(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "mkuefi: unknown command %q; want esp or vars\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mkuefi %s: %v\n", os.Args[1], err)
		if _, usage := err.(usageError); usage {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a command-line mistake (exit 2).
type usageError struct{ error }
