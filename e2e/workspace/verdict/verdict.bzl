"""kernel_verdict_test: the kernel as the oracle for `modsign verify`.

A test of rules_modsign itself, kept in the e2e workspace: it crafts the verdict corpus
(tools/verdict/corpus) from an unsigned module built for a kernel, boots that kernel in
QEMU, loads every corpus module and compares the kernel's verdict with
`modsign verify --kernel LINE --json` on the same files and the same trusted keys.
"""

load("@rules_modsign//rules:defs.bzl", "KernelBuildInfo", "KernelModuleInfo")

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _kernel_verdict_test_impl(ctx):
    what = "kernel_verdict_test {}".format(ctx.label)
    kernel = ctx.attr.kernel[KernelBuildInfo]
    line = getattr(kernel, "line", None) or ctx.attr.line
    if not line:
        fail("{}: the kernel's KernelBuildInfo has no line; set line (\"6.1\", \"7.2\")".format(what))
    if ctx.attr.line and line != ctx.attr.line:
        fail("{}: line = {} but {} is a {} kernel".format(what, repr(ctx.attr.line), ctx.attr.kernel.label, line))
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
    )

    test_args = [
        "--line",
        line,
        "--kernel",
        kernel.image.short_path,
        "--kernel-config",
        kernel.config.short_path,
        "--init",
        ctx.executable._init.short_path,
        "--driver",
        ctx.executable._driver.short_path,
        "--modsign",
        ctx.executable._modsign.short_path,
        "--keyring",
        tk.bundle.short_path,
        "--corpus",
        corpus.short_path,
    ]
    files = [kernel.image, kernel.config, corpus, tk.bundle, ctx.executable._init, ctx.executable._driver, ctx.executable._modsign, ctx.executable._verdicttest]
    if tk.blacklist:
        test_args += ["--blacklist", tk.blacklist.short_path]
        files.append(tk.blacklist)
    for t in ctx.attr.extra_modules:
        kos = [f for f in t[DefaultInfo].files.to_list() if f.basename.endswith(".ko")]
        if len(kos) != 1:
            fail("{}: extra module {} must have exactly one .ko, has {}".format(what, t.label, len(kos)))
        test_args += ["--extra", "x-{}.ko={}".format(t.label.name, kos[0].short_path)]
        files.append(kos[0])
    if ctx.attr.accel:
        test_args += ["--accel", ctx.attr.accel]
    if ctx.attr.modsign_line:
        test_args += ["--modsign-line", ctx.attr.modsign_line]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        script,
        "\n".join([
            "#!/usr/bin/env bash",
            "# kernel_verdict_test {}: generated.".format(ctx.label),
            "set -euo pipefail",
            "exec {} {} \"$@\"".format(
                _shell_quote(ctx.executable._verdicttest.short_path),
                " ".join([_shell_quote(a) for a in test_args]),
            ),
            "",
        ]),
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = files)
    for t in [ctx.attr._driver, ctx.attr._modsign, ctx.attr._verdicttest]:
        runfiles = runfiles.merge(t[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

kernel_verdict_test = rule(
    implementation = _kernel_verdict_test_impl,
    test = True,
    doc = """Boots `kernel` with every module of the verdict corpus and checks that
`modsign verify --kernel LINE --json` gives the kernel's verdict for each.

The corpus is crafted at build time from `base` (an unsigned module built for `kernel`)
with the TEST-ONLY keys the kernel trusts; `extra_modules` are judged after it. modsign
gets the kernel's own trusted-keys bundle and revocation list. The test prints a table
(module, kernel errno and message, modsign errno and message, agreement) and the
agreement figure, keeps the serial log and a JSON of every verdict in its undeclared
outputs, and fails on any disagreement: the kernel is right.
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
            default = Label("@rules_modsign//tools/verdict/testdata:keys"),
            allow_files = True,
            doc = "The corpus' TEST-ONLY keys and certificates (test-only-NAME.key.pem and .crt.pem), in one directory.",
        ),
        "accel": attr.string(
            default = "",
            values = ["", "auto", "kvm", "tcg"],
            doc = "QEMU accelerator: auto (the default), kvm or tcg.",
        ),
        "_gencorpus": attr.label(
            default = Label("@rules_modsign//tools/verdict/cmd/gencorpus"),
            executable = True,
            cfg = "exec",
        ),
        "_verdicttest": attr.label(
            default = Label("@rules_modsign//tools/verdict/cmd/verdicttest"),
            executable = True,
            cfg = "target",
        ),
        "_init": attr.label(
            default = Label("@rules_modsign//rules/private/qemu/init"),
            executable = True,
            cfg = "target",
        ),
        "_driver": attr.label(
            default = Label("@rules_modsign//rules/private/qemu/driver"),
            executable = True,
            cfg = "target",
        ),
        "_modsign": attr.label(
            default = Label("@rules_modsign//signer/cmd/modsign"),
            executable = True,
            cfg = "target",
        ),
    },
)
