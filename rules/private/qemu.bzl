"""kernel_module_qemu_test: boot a kernel in QEMU and insmod modules."""

load(":guest.bzl", "GuestBinaryInfo", "check_guest_binary")
load(":providers.bzl", "KernelBuildInfo", "KernelModuleInfo")
load(":secure_boot.bzl", "SECURE_BOOT_ATTRS", "check_secure_boot_attrs", "secure_boot_driver_args")
load(":toolchains.bzl", "QEMU_TOOLCHAIN_TYPE")

visibility(["//rules/..."])

ERRNOS = ["EKEYREJECTED", "ENOKEY", "EBADMSG", "ENOPKG", "ENODATA", "ENOEXEC", "EEXIST", "EINVAL", "EPERM", "ENOENT"]

def _module_files(target):
    return [f for f in target[DefaultInfo].files.to_list() if f.basename.endswith(".ko")]

def _guest_name(target, f, multi):
    # Unique names in /modules: the target's name, plus the file name for multi-file targets.
    base = target.label.name.replace("/", "_")
    return (base + "__" + f.basename) if multi else (base + ".ko")

def qemu_of(ctx, what):
    """The QEMU of the resolved toolchain, or an analysis failure saying why there is none.

    Args:
      ctx: the context of a rule with the platform fragment and an optional
        QEMU_TOOLCHAIN_TYPE.
      what: how messages name the rule.

    Returns:
      (QemuInfo, the path the test runs it by).
    """
    tc = ctx.toolchains[QEMU_TOOLCHAIN_TYPE]
    if not tc:
        fail(("{}: no QEMU toolchain matches the target platform {}: the registered ones boot " +
              "x86_64 Linux guests (qemu-system-x86_64). Build the test for linux/x86_64 (e.g. without " +
              "--platforms), or register a qemu_toolchain whose target_compatible_with matches " +
              "(see qemu_toolchain in @rules_modsign//rules:defs.bzl)").format(what, ctx.fragments.platform.platform))
    qemu = tc.qemu
    return qemu, (qemu.executable.short_path if qemu.executable else qemu.path)

def _kernel_module_qemu_test_impl(ctx):
    what = "kernel_module_qemu_test {}".format(ctx.label)
    qemu, qemu_path = qemu_of(ctx, what)
    init = check_guest_binary(ctx.attr._init, what)
    kernel = ctx.attr.kernel[KernelBuildInfo]
    if not kernel.image:
        fail("{}: kernel {} has no boot image; give prebuilt_kernel an image to boot it".format(what, kernel.label))
    check_secure_boot_attrs(ctx, kernel, what)
    names = {}  # label -> [guest names]
    entries = []
    inputs = []
    for t in ctx.attr.modules:
        info = t[KernelModuleInfo] if KernelModuleInfo in t else None
        if info and info.kernel and info.kernel.label != kernel.label:
            fail("{}: module {} was built against kernel {} but the test boots {}; a module only loads into the kernel it was built for".format(
                what,
                t.label,
                info.kernel.label,
                kernel.label,
            ))
        files = _module_files(t)
        if not files:
            fail("{}: {} has no .ko file".format(what, t.label))
        names[t.label] = []
        for f in files:
            n = _guest_name(t, f, len(files) > 1)
            names[t.label].append(n)
            entries.append((f, n))
            inputs.append(f)

    def guest_names(label, attr_name):
        if label not in names:
            fail("{}: {} names {}, which is not in modules".format(what, attr_name, label))
        return names[label]

    checked = {}
    expect_args = []
    for t in ctx.attr.expect_loaded:
        for n in guest_names(t.label, "expect_loaded"):
            expect_args += ["--expect-loaded", n]
        checked[t.label] = True
    for t, errno in ctx.attr.expect_rejected.items():
        if errno not in ERRNOS:
            fail("{}: expect_rejected[{}] = {} is not an errno name this test knows ({})".format(what, t.label, repr(errno), ", ".join(ERRNOS)))
        if t.label in checked:
            fail("{}: {} is both expected to load and to be rejected".format(what, t.label))
        for n in guest_names(t.label, "expect_rejected"):
            expect_args += ["--expect-rejected", n + "=" + errno]
        checked[t.label] = True
    for t, text in ctx.attr.expect_dmesg.items():
        if not text:
            fail("{}: expect_dmesg[{}] is empty; give the text a kernel log line must contain".format(what, t.label))
        for n in guest_names(t.label, "expect_dmesg"):
            expect_args += ["--expect-dmesg", n + "=" + text]
    for t in ctx.attr.modules:
        if t.label not in checked:
            fail("{}: module {} has no expectation; list it in expect_loaded or expect_rejected".format(what, t.label))

    initramfs = ctx.actions.declare_file(ctx.label.name + ".initramfs.cpio.gz")
    args = ctx.actions.args()
    args.add("--init", init)
    for t in ctx.attr.preload:
        if t.label in names:
            fail("{}: {} is in both preload and modules".format(what, t.label))
        files = _module_files(t)
        for f in files:
            n = _guest_name(t, f, len(files) > 1)
            args.add("--keep-module", f.path + "=" + n)
            expect_args += ["--expect-loaded", n]
            inputs.append(f)
    for f, n in entries:
        args.add("--module", f.path + "=" + n)
    args.add("--out", initramfs)
    ctx.actions.run(
        executable = ctx.executable._mkinitramfs,
        arguments = [args],
        inputs = inputs + [init],
        outputs = [initramfs],
        mnemonic = "QemuInitramfs",
        progress_message = "Writing the initramfs of %{label}",
    )

    if ctx.attr.secure_boot:
        driver_args, boot_files = secure_boot_driver_args(ctx, kernel, initramfs, what)
    else:
        driver_args = [
            "--kernel",
            kernel.image.short_path,
            "--initramfs",
            initramfs.short_path,
        ]
        boot_files = [kernel.image, initramfs]
    driver_args += expect_args
    for k in ctx.attr.expect_keys:
        driver_args += ["--expect-key", k]
    if ctx.attr.accel:
        driver_args += ["--accel", ctx.attr.accel]
    if ctx.attr.kernel_args:
        driver_args += ["--append", " ".join(ctx.attr.kernel_args)]
    driver_args += ["--qemu", qemu_path, "--qemu-version", qemu.version]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, driver_script(ctx, ctx.executable._driver, driver_args, qemu), is_executable = True)
    runfiles = ctx.runfiles(files = boot_files + [ctx.executable._driver], transitive_files = qemu.files)
    runfiles = runfiles.merge(ctx.attr._driver[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

def driver_script(ctx, driver, driver_args, qemu):
    """The test's script: runs the driver, or fails with why there is no QEMU.

    Args:
      ctx: the test's context.
      driver: the driver's executable File (target configuration).
      driver_args: its arguments.
      qemu: the QemuInfo.

    Returns:
      The script's text.
    """
    lines = [
        "#!/usr/bin/env bash",
        "# {}: generated by rules_modsign.".format(ctx.label),
        "set -euo pipefail",
    ]
    if qemu.missing:
        lines.append("echo {} >&2".format(_shell_quote("FAIL: no QEMU: " + qemu.missing)))
        lines.append("exit 1")
    else:
        lines += [
            "limit=${TEST_TIMEOUT:-300}",
            "exec {} --timeout \"$((limit * 8 / 10))s\" {} \"$@\"".format(
                _shell_quote(driver.short_path),
                " ".join([_shell_quote(a) for a in driver_args]),
            ),
        ]
    return "\n".join(lines + [""])

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

kernel_module_qemu_test = rule(
    implementation = _kernel_module_qemu_test_impl,
    test = True,
    doc = """Boots `kernel` in QEMU with `modules` in an initramfs and checks what `finit_module` says.

QEMU comes from the toolchain type `@rules_modsign//rules/toolchains:qemu`, resolved for the
test's target platform (see `qemu_toolchain`); by default the machine's `qemu-system-x86_64`.
A target platform that no QEMU toolchain matches fails at analysis. The guest's init is built
for linux/x86_64 whatever the host and `--platforms`.

A static Go init loads each module in turn (unloading it again when it loaded, so that
variants of one module can follow each other), then reports one line per module, the
`/proc/keys` lines and the relevant dmesg lines, and reboots so QEMU exits. The host-side
driver uses KVM when a quick probe shows it boots, TCG otherwise, always under a timeout,
and keeps the whole serial log in the test's undeclared outputs (`serial.log`).

Every module needs an expectation. Modules built with kernel_module must have been built
against `kernel`: anything else fails at analysis.

With `secure_boot`, the guest boots through UEFI Secure Boot instead (OVMF, shim, grub, the
kernel's EFI-signed image) with `mok_keys` enrolled as Machine Owner Keys, and the test also
checks lockdown, `sig_enforce` and the keyring of every enrolled key; see `secure_boot`.
""",
    attrs = dict({
        "kernel": attr.label(
            mandatory = True,
            providers = [KernelBuildInfo],
            doc = "The kernel to boot: a kernel_build, or with `secure_boot` an EFI-signed prebuilt kernel.",
        ),
        "modules": attr.label_list(
            mandatory = True,
            allow_files = [".ko"],
            doc = "Modules to try, in this order: kernel_module(_signed) targets or .ko files.",
        ),
        "preload": attr.label_list(
            allow_files = [".ko"],
            doc = "Modules loaded first, in order, and kept loaded: the dependencies of `modules` (e.g. a module exporting symbols they use). Each must load.",
        ),
        "expect_loaded": attr.label_list(
            allow_files = [".ko"],
            doc = "Modules (from `modules`) that must load.",
        ),
        "expect_rejected": attr.label_keyed_string_dict(
            allow_files = [".ko"],
            doc = "Modules (from `modules`) that must be refused, with the errno name, e.g. `{\":hello\": \"EKEYREJECTED\"}`. One of: " + ", ".join(ERRNOS) + ".",
        ),
        "expect_dmesg": attr.label_keyed_string_dict(
            allow_files = [".ko"],
            doc = "Modules (from `modules`) whose load must make the kernel log a line containing the text, e.g. `{\":hello\": \"Loading of unsigned module is rejected\"}`: the reason behind an errno.",
        ),
        "expect_keys": attr.string_list(
            doc = "Substrings that some line of the guest's /proc/keys must contain, e.g. the certificates' CNs.",
        ),
        "kernel_args": attr.string_list(
            doc = "Extra kernel command line arguments, e.g. [\"module.sig_enforce=1\"] for a kernel without MODULE_SIG_FORCE.",
        ),
        "accel": attr.string(
            default = "",
            values = ["", "auto", "kvm", "tcg"],
            doc = "QEMU accelerator: auto (KVM when a probe boots, else TCG; the default), kvm or tcg.",
        ),
        "_init": attr.label(
            default = Label("//rules/private/qemu/init:guest"),
            providers = [GuestBinaryInfo],
        ),
        "_mkinitramfs": attr.label(
            default = Label("//rules/private/qemu/mkinitramfs"),
            executable = True,
            cfg = "exec",
        ),
        "_driver": attr.label(
            default = Label("//rules/private/qemu/driver"),
            executable = True,
            cfg = "target",
        ),
    }, **SECURE_BOOT_ATTRS),
    fragments = ["platform"],
    toolchains = [config_common.toolchain_type(QEMU_TOOLCHAIN_TYPE, mandatory = False)],
)

def _must_fail_test_impl(ctx):
    inner = ctx.attr.test[DefaultInfo]
    exe = ctx.executable.test
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        script,
        "\n".join([
            "#!/usr/bin/env bash",
            "# must_fail_test {}: {} must fail, saying {}.".format(ctx.label, ctx.attr.test.label, repr(ctx.attr.expect_message)),
            "set -uo pipefail",
            "out=$({} 2>&1)".format(_shell_quote(exe.short_path)),
            "rc=$?",
            "printf '%s\\n' \"$out\"",
            "if [[ $rc == 0 ]]; then echo 'must_fail_test: the test passed but must fail'; exit 1; fi",
            "if ! grep -qF -- {} <<<\"$out\"; then echo 'must_fail_test: the test failed, but without the expected message'; exit 1; fi".format(_shell_quote(ctx.attr.expect_message)),
            "echo \"must_fail_test: failed as it must (exit $rc)\"",
            "",
        ]),
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = [exe]).merge(inner.default_runfiles))]

must_fail_test = rule(
    implementation = _must_fail_test_impl,
    test = True,
    doc = """Passes only when another test (usually tagged manual) fails with a given message.

A test of a test: it proves that a kernel_module_qemu_test can fail, e.g. for a mis-signed
module listed in expect_loaded.
""",
    attrs = {
        "test": attr.label(
            mandatory = True,
            executable = True,
            cfg = "target",
            doc = "The test that must fail.",
        ),
        "expect_message": attr.string(
            mandatory = True,
            doc = "A substring the failing test's output must contain.",
        ),
    },
)
