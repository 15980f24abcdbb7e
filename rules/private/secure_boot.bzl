"""UEFI Secure Boot for kernel_module_qemu_test: the firmware provider and the test's actions."""

load(":kernel.bzl", "KernelFromSourceInfo")
load(":providers.bzl", "ModuleSigningKeyInfo")

visibility(["//rules/..."])

SecureBootFirmwareInfo = provider(
    doc = "What a UEFI Secure Boot chain needs besides the kernel: the firmware, its varstore template and the signed boot loaders.",
    fields = {
        "code": "File: the firmware code with Secure Boot (OVMF_CODE_4M.secboot.fd), run from read-only pflash.",
        "vars": "File: the varstore template holding PK, KEK and db (OVMF_VARS_4M.ms.fd: Microsoft's keys, Secure Boot on).",
        "shim": "File: the signed shim (shimx64.efi.signed), the first stage; it reads MokList.",
        "grub": "File: the signed grub (grubx64.efi.signed), loaded by shim; it reads /EFI/debian/grub.cfg.",
    },
)

def _secure_boot_firmware_impl(ctx):
    return [
        SecureBootFirmwareInfo(
            code = ctx.file.code,
            vars = ctx.file.vars,
            shim = ctx.file.shim,
            grub = ctx.file.grub,
        ),
        DefaultInfo(files = depset([ctx.file.code, ctx.file.vars, ctx.file.shim, ctx.file.grub])),
    ]

secure_boot_firmware = rule(
    implementation = _secure_boot_firmware_impl,
    doc = """A UEFI Secure Boot chain for `kernel_module_qemu_test(secure_boot = ...)`.

The repository of `secure_boot.debian(name)` (Bzlmod) or `debian_secure_boot_firmware`
(WORKSPACE) defines one as `@<name>//:firmware`, from Debian's `ovmf`, `shim-signed` and
`grub-efi-amd64-signed` packages; use this rule directly for other builds of the same pieces.
""",
    attrs = {
        "code": attr.label(mandatory = True, allow_single_file = True, doc = "The firmware code with Secure Boot, e.g. OVMF_CODE_4M.secboot.fd."),
        "vars": attr.label(mandatory = True, allow_single_file = True, doc = "The varstore template with Secure Boot keys enrolled, e.g. OVMF_VARS_4M.ms.fd."),
        "shim": attr.label(mandatory = True, allow_single_file = True, doc = "The signed shim, e.g. shimx64.efi.signed."),
        "grub": attr.label(mandatory = True, allow_single_file = True, doc = "The signed grub, e.g. grubx64.efi.signed (prefix /EFI/debian)."),
    },
    provides = [SecureBootFirmwareInfo],
)

# The varstore and ESP actions run tools of the machine (mtools, sfdisk, virt-fw-vars), like
# kernel_build's make: not on a remote executor. Their outputs hold only public data, so they
# may be cached remotely.
UEFI_EXECUTION_REQUIREMENTS = {"no-remote-exec": "1"}

# Keyrings a MOK or db certificate can land in (see the mok_keyring attribute).
KEYRINGS = [".machine", ".platform", ".secondary_trusted_keys", ".builtin_trusted_keys"]

def check_secure_boot_attrs(ctx, kernel, what):
    """Fails at analysis on contradictory Secure Boot attributes.

    Args:
      ctx: the kernel_module_qemu_test's context.
      kernel: its KernelBuildInfo.
      what: how messages name the test.
    """
    if ctx.attr.secure_boot:
        if KernelFromSourceInfo in ctx.attr.kernel or kernel.trusted_keys != None:
            fail(("{}: secure_boot boots the kernel through shim and grub, which only start an EFI-signed " +
                  "image; {} is a kernel_build, whose bzImage no firmware trusts. Boot a distribution's signed " +
                  "kernel (e.g. Debian's, a prebuilt_kernel), or drop secure_boot").format(what, kernel.label))
        return
    for attr_name in ["mok_keys", "db_keys"]:
        if getattr(ctx.attr, attr_name):
            fail(("{}: {} only has an effect under UEFI Secure Boot (the kernel ignores MOK without it: " +
                  "\"the MOK/MOKx can not be trusted when secure boot is disabled\"); set secure_boot, " +
                  "e.g. \"@debian_secure_boot//:firmware\"").format(what, attr_name))
    if ctx.attr.expect_lockdown:
        fail("{}: expect_lockdown needs secure_boot (lockdown is what Secure Boot turns on)".format(what))

def secure_boot_driver_args(ctx, kernel, initramfs, what):
    """Declares the varstore and ESP actions of a Secure Boot test.

    Args:
      ctx: the kernel_module_qemu_test's context.
      kernel: its KernelBuildInfo.
      initramfs: File, the test's initramfs.
      what: how messages name the test.

    Returns:
      (driver arguments, list of Files the driver reads at run time).
    """
    fw = ctx.attr.secure_boot[SecureBootFirmwareInfo]
    mkuefi = ctx.executable._mkuefi
    prefix = ctx.label.name + ".uefi/"

    vars_out = ctx.actions.declare_file(prefix + "vars.fd")
    args = ctx.actions.args()
    args.add("vars")
    args.add("--template", fw.vars)
    certs = []
    keyring_args = []
    seen = {}
    for attr_name, flag, keyring in [("mok_keys", "--mok", ctx.attr.mok_keyring), ("db_keys", "--db", ".platform")]:
        for t in getattr(ctx.attr, attr_name):
            if t.label in seen:
                fail("{}: {} is enrolled twice ({} and {})".format(what, t.label, seen[t.label], attr_name))
            seen[t.label] = attr_name

            # Only the certificate: the private key never enters the varstore or the test.
            cert = t[ModuleSigningKeyInfo].cert
            args.add(flag, cert)
            certs.append(cert)
            keyring_args += ["--expect-keyring", keyring + "=" + cert.short_path]
    args.add("--out", vars_out)
    ctx.actions.run(
        executable = mkuefi,
        arguments = [args],
        inputs = [fw.vars] + certs,
        outputs = [vars_out],
        mnemonic = "UefiVars",
        execution_requirements = UEFI_EXECUTION_REQUIREMENTS,
        progress_message = "Enrolling %d MOK and %d db certificate(s) for %%{label}" % (len(ctx.attr.mok_keys), len(ctx.attr.db_keys)),
        use_default_shell_env = True,
    )

    esp = ctx.actions.declare_file(prefix + "esp.img")
    args = ctx.actions.args()
    args.add("esp")
    args.add("--shim", fw.shim)
    args.add("--grub", fw.grub)
    args.add("--kernel", kernel.image)
    args.add("--initramfs", initramfs)
    args.add("--out", esp)
    ctx.actions.run(
        executable = mkuefi,
        arguments = [args],
        inputs = [fw.shim, fw.grub, kernel.image, initramfs],
        outputs = [esp],
        mnemonic = "UefiEsp",
        execution_requirements = UEFI_EXECUTION_REQUIREMENTS,
        progress_message = "Writing the EFI System Partition of %{label}",
        use_default_shell_env = True,
    )

    driver_args = [
        "--uefi-code",
        fw.code.short_path,
        "--uefi-vars",
        vars_out.short_path,
        "--uefi-disk",
        esp.short_path,
        "--memory",
        "512",
        "--expect-secure-boot",
        "--expect-sig-enforce",
        "--expect-lockdown",
        ctx.attr.expect_lockdown or "any",
    ] + keyring_args
    return driver_args, [fw.code, vars_out, esp] + certs

SECURE_BOOT_ATTRS = {
    "secure_boot": attr.label(
        providers = [SecureBootFirmwareInfo],
        doc = """A secure_boot_firmware (e.g. `@debian_secure_boot//:firmware`): boot under UEFI Secure Boot.

The guest starts OVMF with Secure Boot on, then the signed shim, the signed grub and
`kernel`'s image, which must be EFI-signed by a key the firmware trusts (Debian's kernel:
a prebuilt_kernel, not a kernel_build). The test then also asserts that the guest's
SecureBoot variable is 1, that the kernel is locked down (`expect_lockdown`), that
`sig_enforce` is Y, and that every `mok_keys` certificate is in `mok_keyring` and every
`db_keys` certificate in `.platform`. Boots take 20 to 60 s under TCG; KVM with the SMM
firmware is tried first when `/dev/kvm` works.""",
    ),
    "mok_keys": attr.label_list(
        providers = [ModuleSigningKeyInfo],
        doc = "Keys (x509_keypair, module_signing_key) whose certificates are enrolled as Machine Owner Keys (shim's MokList), as `mokutil --import` and a reboot would. Needs `secure_boot`.",
    ),
    "mok_keyring": attr.string(
        default = ".machine",
        values = KEYRINGS,
        doc = "The keyring the kernel puts MOK certificates in: `.machine` on Linux 5.18 and later with CONFIG_INTEGRITY_MACHINE_KEYRING (Debian's 6.1), `.platform` before.",
    ),
    "db_keys": attr.label_list(
        providers = [ModuleSigningKeyInfo],
        doc = "Keys whose certificates are enrolled in the UEFI db (the firmware's signature database); the kernel puts them in `.platform`. Needs `secure_boot`.",
    ),
    "expect_lockdown": attr.string(
        default = "",
        values = ["", "any", "integrity", "confidentiality"],
        doc = "With `secure_boot`: the lockdown level /sys/kernel/security/lockdown must show; \"\" means any (integrity or confidentiality, never none).",
    ),
    "_mkuefi": attr.label(
        default = Label("//rules/private/qemu/mkuefi"),
        executable = True,
        cfg = "exec",
    ),
}
