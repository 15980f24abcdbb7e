"""kernel_verdict_test: the kernel as the oracle for `modsign verify`."""

load(":common.bzl", "QEMU_TEST_EXECUTION_REQUIREMENTS", "SIGN_EXECUTION_REQUIREMENTS")
load(":guest.bzl", "GuestBinaryInfo", "check_guest_binary")
load(":providers.bzl", "KernelBuildInfo", "KernelModuleInfo")
load(":qemu.bzl", "qemu_of")
load(":toolchains.bzl", "MODSIGN_TOOLCHAIN_TYPE", "QEMU_TOOLCHAIN_TYPE")

visibility(["//rules/..."])

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _kernel_verdict_test_impl(ctx):
    what = "kernel_verdict_test {}".format(ctx.label)
    qemu, qemu_path = qemu_of(ctx, what)
    init = check_guest_binary(ctx.attr._init, what)
    modsign = ctx.toolchains[MODSIGN_TOOLCHAIN_TYPE].modsign
    kernel = ctx.attr.kernel[KernelBuildInfo]
    line = getattr(kernel, "line", None) or ctx.attr.line
    if not line:
        fail("{}: the kernel's KernelBuildInfo has no line; set line (\"6.1\", \"7.2\")".format(what))
    if ctx.attr.line and line != ctx.attr.line:
        fail("{}: line = {} but {} is a {} kernel".format(what, repr(ctx.attr.line), ctx.attr.kernel.label, line))
    if not kernel.image:
        fail("{}: kernel {} has no boot image".format(what, ctx.attr.kernel.label))
    tk = kernel.trusted_keys
    if not tk:
        fail("{}: {} has no trusted_keys; the corpus needs a kernel that trusts its keys".format(what, ctx.attr.kernel.label))
    base = ctx.attr.base[KernelModuleInfo]
    if base.signed:
        fail("{}: base {} is signed; give the unsigned kernel_module".format(what, ctx.attr.base.label))
    if base.kernel and base.kernel.label != kernel.label:
        fail("{}: base {} was built against {}, the test boots {}".format(what, ctx.attr.base.label, base.kernel.label, kernel.label))
    key_dirs = {f.dirname: True for f in ctx.files.keys}
    if len(key_dirs) != 1:
        fail("{}: keys must all be in one directory, got {}".format(what, sorted(key_dirs.keys())))

    corpus = ctx.actions.declare_directory(ctx.label.name + ".corpus")
    args = ctx.actions.args()
    args.add("--base", base.module)
    args.add("--keys", ctx.files.keys[0].dirname)
    args.add_all([corpus], before_each = "--out", expand_directories = False)
    ctx.actions.run(
        executable = ctx.executable._gencorpus,
        arguments = [args],
        inputs = [base.module] + ctx.files.keys,
        outputs = [corpus],
        mnemonic = "VerdictCorpus",
        progress_message = "Crafting the verdict corpus of %{label}",
        # It reads private keys (TEST-ONLY, but keys): never on a remote executor.
        execution_requirements = SIGN_EXECUTION_REQUIREMENTS,
    )

    # The guest: every corpus module (in name order), then the extra modules.
    extras = []
    for t in ctx.attr.extra_modules:
        kos = [f for f in t[DefaultInfo].files.to_list() if f.basename.endswith(".ko")]
        if len(kos) != 1:
            fail("{}: extra module {} must have exactly one .ko, has {}".format(what, t.label, len(kos)))
        extras.append(("x-{}.ko".format(t.label.name), kos[0]))
    initramfs = ctx.actions.declare_file(ctx.label.name + ".initramfs.cpio.gz")
    args = ctx.actions.args()
    args.add("--init", init)
    args.add_all([corpus], before_each = "--module-dir", expand_directories = False)
    for name, f in extras:
        args.add("--module", f.path + "=" + name)
    args.add("--out", initramfs)
    ctx.actions.run(
        executable = ctx.executable._mkinitramfs,
        arguments = [args],
        inputs = [init, corpus] + [f for _, f in extras],
        outputs = [initramfs],
        mnemonic = "QemuInitramfs",
        progress_message = "Writing the initramfs of %{label}",
    )

    # The driver boots the guest (no expectations: it fails only when the guest does not finish)
    # and keeps the serial log; verdicttest judges the log against modsign verify.
    driver_args = [
        "--kernel",
        kernel.image.short_path,
        "--initramfs",
        initramfs.short_path,
        "--qemu",
        qemu_path,
        "--qemu-version",
        qemu.version,
    ]
    if ctx.attr.accel:
        driver_args += ["--accel", ctx.attr.accel]
    test_args = [
        "--line",
        line,
        "--serial-log",
        "SERIAL_LOG",
        "--kernel-config",
        kernel.config.short_path,
        "--modsign",
        modsign.executable.short_path,
        "--keyring",
        tk.bundle.short_path,
        "--corpus",
        corpus.short_path,
    ]
    files = [kernel.image, kernel.config, corpus, initramfs, tk.bundle, modsign.executable, ctx.executable._driver, ctx.executable._verdicttest]
    if tk.blacklist:
        test_args += ["--blacklist", tk.blacklist.short_path]
        files.append(tk.blacklist)
    for name, f in extras:
        test_args += ["--extra", "{}={}".format(name, f.short_path)]
        files.append(f)
    if ctx.attr.modsign_line:
        test_args += ["--modsign-line", ctx.attr.modsign_line]

    lines = [
        "#!/usr/bin/env bash",
        "# {}: generated by rules_modsign.".format(ctx.label),
        "set -euo pipefail",
    ]
    if qemu.missing:
        lines += ["echo {} >&2".format(_shell_quote("FAIL: no QEMU: " + qemu.missing)), "exit 1"]
    else:
        lines += [
            "out=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}",
            "serial=\"$out/serial-{}.log\"".format(line),
            "limit=${TEST_TIMEOUT:-300}",
            "{} --timeout \"$((limit * 8 / 10))s\" --serial-log \"$serial\" {}".format(
                _shell_quote(ctx.executable._driver.short_path),
                " ".join([_shell_quote(a) for a in driver_args]),
            ),
            "exec {} {} \"$@\"".format(
                _shell_quote(ctx.executable._verdicttest.short_path),
                " ".join(["\"$serial\"" if a == "SERIAL_LOG" else _shell_quote(a) for a in test_args]),
            ),
        ]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, "\n".join(lines + [""]), is_executable = True)
    runfiles = ctx.runfiles(files = files, transitive_files = qemu.files)
    for t in [ctx.attr._driver, ctx.attr._verdicttest]:
        runfiles = runfiles.merge(t[DefaultInfo].default_runfiles)
    return [
        DefaultInfo(executable = script, runfiles = runfiles),
        testing.ExecutionInfo(QEMU_TEST_EXECUTION_REQUIREMENTS),
    ]

kernel_verdict_test = rule(
    implementation = _kernel_verdict_test_impl,
    test = True,
    doc = """Boots `kernel` with every module of the verdict corpus and checks that
`modsign verify --kernel LINE --json` gives the kernel's verdict for each.

The corpus (tools/verdict/corpus) is crafted at build time from `base` (an unsigned module
built for `kernel`) with the TEST-ONLY keys the kernel trusts; `extra_modules` are judged after
it. The guest boots with QEMU from the QEMU toolchain and the guest init of
kernel_module_qemu_test; modsign (from the modsign toolchain) gets the kernel's own
trusted-keys bundle, revocation list and `.config`. The test prints a table (module, kernel
errno and message, modsign errno and message, agreement) and the agreement figure, keeps the
serial log and a JSON of every verdict in its undeclared outputs, and fails on any
disagreement: the kernel is right.
""",
    attrs = {
        "kernel": attr.label(
            mandatory = True,
            providers = [KernelBuildInfo],
            doc = "The kernel_build to boot; its trusted_keys must trust the corpus keys.",
        ),
        "line": attr.string(
            values = ["", "6.1", "7.2"],
            doc = "The kernel line, when the kernel's KernelBuildInfo does not carry it (must agree when it does).",
        ),
        "base": attr.label(
            mandatory = True,
            providers = [KernelModuleInfo],
            doc = "An unsigned kernel_module built against `kernel`: every corpus module is made from it, so an accepted signature loads.",
        ),
        "modsign_line": attr.string(
            values = ["", "6.1", "7.2"],
            doc = "A test of the test: ask modsign for another line's verdicts than the kernel's. Such a test must fail (see must_fail_test).",
        ),
        "extra_modules": attr.label_list(
            allow_files = [".ko"],
            doc = "More signed modules to judge, after the corpus (e.g. ones the kernel revokes by hash).",
        ),
        "keys": attr.label(
            default = Label("//tools/verdict/testdata:keys"),
            allow_files = True,
            doc = "The corpus' TEST-ONLY keys and certificates (test-only-NAME.key.pem and .crt.pem), in one directory.",
        ),
        "accel": attr.string(
            default = "",
            values = ["", "auto", "kvm", "tcg"],
            doc = "QEMU accelerator: auto (the default), kvm or tcg.",
        ),
        "_gencorpus": attr.label(
            default = Label("//tools/verdict/cmd/gencorpus"),
            executable = True,
            cfg = "exec",
        ),
        "_mkinitramfs": attr.label(
            default = Label("//rules/private/qemu/mkinitramfs"),
            executable = True,
            cfg = "exec",
        ),
        "_init": attr.label(
            default = Label("//rules/private/qemu/init:guest"),
            providers = [GuestBinaryInfo],
        ),
        "_driver": attr.label(
            default = Label("//rules/private/qemu/driver"),
            executable = True,
            cfg = "target",
        ),
        "_verdicttest": attr.label(
            default = Label("//tools/verdict/cmd/verdicttest"),
            executable = True,
            cfg = "target",
        ),
    },
    fragments = ["platform"],
    toolchains = [
        MODSIGN_TOOLCHAIN_TYPE,
        config_common.toolchain_type(QEMU_TOOLCHAIN_TYPE, mandatory = False),
    ],
)
