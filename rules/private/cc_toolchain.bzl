"""kernel_cc_toolchain: the C compiler of kernel_build and kernel_module, as a toolchain."""

load(":providers.bzl", "KernelCcInfo")

visibility(["//rules/..."])

KERNEL_CC_TOOLCHAIN_TYPE = Label("//rules/toolchains:kernel_cc")

def _major(version):
    return version.split(".")[0]

def _kernel_cc_toolchain_impl(ctx):
    what = "kernel_cc_toolchain {}".format(ctx.label)
    if bool(ctx.attr.compiler) == bool(ctx.file.compiler_file):
        fail("{}: give exactly one of compiler (a compiler installed on the machine, by absolute path) and compiler_file (a hermetic compiler's driver)".format(what))
    if ctx.attr.compiler and not ctx.attr.compiler.startswith("/"):
        fail("{}: compiler {} must be an absolute path (what PATH gives differs between machines); use compiler_file for a compiler in a repository".format(what, repr(ctx.attr.compiler)))
    if ctx.attr.version and not _major(ctx.attr.version).isdigit():
        fail("{}: version {} does not start with a major number (e.g. \"12.5.0\")".format(what, repr(ctx.attr.version)))
    files = depset(ctx.files.compiler_file + ctx.files.files)
    compiler = ctx.attr.compiler or ctx.file.compiler_file.path
    identity = ctx.file.identity
    if not identity:
        if ctx.attr.compiler:
            fail(("{}: a compiler installed on the machine ({}) needs an identity file made when its " +
                  "repository is fetched (kernel_cc_host_toolchains does it); an action cannot see the " +
                  "machine's files, so it could not make the compiler part of the action key").format(what, ctx.attr.compiler))

        # A hermetic compiler: its files are inputs, so this action's key covers them.
        identity = ctx.actions.declare_file(ctx.label.name + ".kernel_cc_identity")
        ctx.actions.run(
            executable = ctx.executable._cc_identity_sh,
            arguments = [compiler, "--out", identity.path],
            inputs = files,
            tools = [ctx.file._scripts_lib],
            outputs = [identity],
            mnemonic = "KernelCcIdentity",
            progress_message = "Computing the identity of kernel compiler %{label}",
            use_default_shell_env = True,
        )
    info = KernelCcInfo(
        name = ctx.attr.cc_name or ctx.label.name,
        compiler = compiler,
        version = ctx.attr.version,
        version_text = ctx.attr.version_text,
        target = ctx.attr.target,
        identity = identity,
        files = files,
        label = ctx.label,
    )
    compilers = [info]
    for alt in ctx.attr.alternatives:
        compilers.extend([c for c in alt[platform_common.ToolchainInfo].compilers if c.label not in [x.label for x in compilers]])
    return [
        DefaultInfo(files = depset([identity])),
        info,
        platform_common.ToolchainInfo(kernel_cc = info, compilers = compilers),
    ]

kernel_cc_toolchain = rule(
    implementation = _kernel_cc_toolchain_impl,
    doc = """A C compiler for `kernel_build` and `kernel_module` (toolchain type
`@rules_modsign//rules/toolchains:kernel_cc`).

Its identity (path, target, version, `--version` text, and the sha256 of the driver, of the
compiler proper it runs, `cc1`, and of `as` and `ld`) is a file that is an input of every
KernelBuild and KernelModule action using it: another compiler is another action key, so a
cache never hands out a kernel or module built by a different compiler. The actions also
recompute the identity where they run and fail, naming what differs, when the machine's
compiler is not the one the key names (a remote executor or CI host with another gcc build).

rules_modsign registers one by default, for the machine's `gcc`, with every `gcc-N` on `PATH`
as `alternatives` (`@rules_modsign_kernel_cc`; `bazel query @rules_modsign_kernel_cc//:all`
lists them). `kernel_build(cc = "gcc-12")` and `prebuilt_kernel(cc = ...)` select among the
resolved toolchain's compilers by name or gcc major.

To use your own compiler, register a toolchain of your own before the default one (the root
module's `register_toolchains` come first):

```starlark
kernel_cc_toolchain(
    name = "hermetic_gcc",
    compiler_file = "@my_gcc//:bin/x86_64-linux-gnu-gcc",   # the driver
    files = ["@my_gcc//:all_files"],                        # cc1, as, ld, headers, libs
    version = "12.2.0",
)

toolchain(
    name = "hermetic_gcc_toolchain",
    toolchain = ":hermetic_gcc",
    toolchain_type = "@rules_modsign//rules/toolchains:kernel_cc",
    exec_compatible_with = ["@platforms//os:linux", "@platforms//cpu:x86_64"],
)
```

A hermetic compiler's files are inputs of the actions and its identity is computed by an action
(`KernelCcIdentity`). A compiler installed on the machine (`compiler = "/usr/bin/gcc-12"`)
needs `identity` from a repository rule, as the default toolchains have: an action cannot read
the machine's files, so only a repository rule (which Bazel re-runs when the compiler's files
change) can put them into the action key.
""",
    attrs = {
        "compiler": attr.string(
            doc = "Absolute path of a compiler installed on the executing machines, e.g. `/usr/bin/gcc-12` (what Kbuild gets as `CC=` and `HOSTCC=`). Needs `identity`.",
        ),
        "compiler_file": attr.label(
            allow_single_file = True,
            doc = "The driver of a hermetic compiler (from a repository). Its `files` are inputs of every action that uses it.",
        ),
        "files": attr.label_list(
            allow_files = True,
            doc = "The hermetic compiler's other files (cc1, as, ld, its headers and libraries).",
        ),
        "identity": attr.label(
            allow_single_file = True,
            doc = "The identity file (rules/private/scripts/cc_identity.sh's output). Default: computed by an action, for `compiler_file` only.",
        ),
        "cc_name": attr.string(
            doc = "The name `cc = ...` selects this compiler by. Default: the target's name.",
        ),
        "version": attr.string(
            doc = "The compiler's version, e.g. `12.5.0`: its major lets `cc = \"gcc-12\"` select it.",
        ),
        "version_text": attr.string(doc = "The first line of its `--version`, for messages."),
        "target": attr.string(doc = "The target triple, e.g. `x86_64-linux-gnu`."),
        "alternatives": attr.label_list(
            providers = [KernelCcInfo],
            doc = "Other kernel_cc_toolchain targets that `kernel_build(cc = ...)` may select by name or gcc major when this toolchain is the resolved one (the default toolchain lists every gcc-N of the machine).",
        ),
        "_cc_identity_sh": attr.label(
            default = Label("//rules/private/scripts:cc_identity.sh"),
            executable = True,
            allow_single_file = True,
            cfg = "exec",
        ),
        "_scripts_lib": attr.label(
            default = Label("//rules/private/scripts:lib.sh"),
            allow_single_file = True,
            cfg = "exec",
        ),
    },
    provides = [KernelCcInfo],
)

def _describe(c):
    return "{} ({}{})".format(c.name, c.compiler, ", " + c.version if c.version else "")

def select_kernel_cc(ctx, cc, what):
    """The KernelCcInfo that `cc` names among the resolved kernel_cc toolchain's compilers.

    Args:
      ctx: a rule context whose rule has `toolchains = [KERNEL_CC_TOOLCHAIN]`.
      cc: "" for the toolchain's own compiler; a compiler's name ("gcc-12"); or a name that
        ends in gcc-N (x86_64-linux-gnu-gcc-12), for any registered gcc of major N.
      what: the target, for messages.

    Returns:
      KernelCcInfo. Fails with a message that lists the registered compilers when none fits.
    """
    tc = ctx.toolchains[KERNEL_CC_TOOLCHAIN_TYPE]
    if not tc:
        fail(("{}: no kernel compiler: no toolchain of type {} is registered (rules_modsign registers the " +
              "machine's gcc when one is on PATH; install gcc, or register a kernel_cc_toolchain)").format(what, KERNEL_CC_TOOLCHAIN_TYPE))
    if not cc:
        return tc.kernel_cc
    for c in tc.compilers:
        if c.name == cc:
            return c
    base = cc.split("/")[-1]
    major = ""
    if "gcc-" in base:
        major = base.split("gcc-")[-1]
    elif base == "gcc" or base.endswith("-gcc"):
        for c in tc.compilers:
            if c.name == "gcc":
                return c
    if major.isdigit():
        for c in tc.compilers:
            if c.version and _major(c.version) == major:
                return c
    fail(("{}: cc {} names no registered kernel compiler{}; registered: {}. Install it (Debian: apt-get install " +
          "gcc-N) and re-fetch (bazel sync --only=rules_modsign_kernel_cc), or register a kernel_cc_toolchain " +
          "(see docs/defs.md)").format(
        what,
        repr(cc),
        " (no gcc of major {})".format(major) if major.isdigit() else "",
        ", ".join([_describe(c) for c in tc.compilers]),
    ))

KERNEL_CC_TOOLCHAIN = config_common.toolchain_type(KERNEL_CC_TOOLCHAIN_TYPE, mandatory = False)
