"""kernel_build and kernel_module."""

load(":cc_toolchain.bzl", "KERNEL_CC_TOOLCHAIN", "select_kernel_cc")
load(":common.bzl", "KERNEL_LINES", "kernel_line_from_source")
load(":providers.bzl", "KernelBuildInfo", "KernelModuleInfo", "TrustedKeysInfo", "built_module_info")

visibility(["//rules/..."])

KERNEL_BUILD_EXECUTION_REQUIREMENTS = {
    # The kernel is built with the toolchain of this machine (gcc, make, flex, bison...),
    # which a remote executor may not have. The outputs stay cacheable.
    "no-remote-exec": "1",
}

BASES = ["tinyconfig", "allnoconfig", "defconfig", "x86_64_defconfig"]

KERNEL_BUILD_ATTRS = {
    "source": attr.label(
        mandatory = True,
        allow_single_file = [".tar.xz", ".tar.gz", ".tar.bz2", ".tar.zst", ".tar"],
        doc = "A Linux source tarball, e.g. `@linux_6_1//:tarball` from the debian_linux_source extension.",
    ),
    "config_fragments": attr.label_list(
        allow_files = True,
        doc = "Kconfig fragments merged over `base`. Every option they set is checked after olddefconfig.",
    ),
    "base": attr.string(
        default = "tinyconfig",
        doc = "The make config target to start from: " + ", ".join(BASES) + ".",
    ),
    "base_config": attr.label(
        allow_single_file = True,
        doc = "A full .config to start from instead of `base`.",
    ),
    "trusted_keys": attr.label(
        providers = [TrustedKeysInfo],
        doc = "A trusted_keys target: its certificates, revocations and fragment are applied.",
    ),
    "cc": attr.string(
        doc = "The C compiler to build with, among those of the resolved kernel compiler toolchain " +
              "(`@rules_modsign//rules/toolchains:kernel_cc`): a compiler's name (\"gcc-12\": Linux 6.1 " +
              "predates gcc 16), or any name ending in gcc-N for a gcc of major N. Default: the " +
              "toolchain's own compiler (the machine's gcc). kernel_module uses the same; an unknown " +
              "name fails at analysis, listing the registered compilers.",
    ),
    "jobs": attr.int(default = 2, doc = "make -j for the kernel build."),
    "line": attr.string(
        doc = "The kernel line, \"6.1\" or \"7.2\": modules signed for this kernel are checked with that line's " +
              "rules (`modsign sign --kernel`). Default: read from the source tarball's name " +
              "(linux-source-6.1.tar.xz, linux-6.1.55.tar.xz); set it when the name does not say " +
              "(debian_linux_source's `@<name>//:tarball`).",
    ),
    "_kernel_build_sh": attr.label(
        default = Label("//rules/private/scripts:kernel_build.sh"),
        executable = True,
        allow_single_file = True,
        cfg = "exec",
    ),
    "_keyscan": attr.label(
        default = Label("//tools/keyscan/cmd/keyscan"),
        executable = True,
        cfg = "exec",
    ),
    "_scripts_lib": attr.label(
        default = Label("//rules/private/scripts:lib.sh"),
        allow_single_file = True,
        cfg = "exec",
    ),
}

# Toolchains of rules with KERNEL_BUILD_ATTRS.
KERNEL_BUILD_TOOLCHAINS = [KERNEL_CC_TOOLCHAIN]

KernelFromSourceInfo = provider(
    doc = "Marks a kernel that kernel_build compiled: its bzImage carries no UEFI Secure Boot signature.",
    fields = {},
)

def _kernel_build_impl(ctx):
    return kernel_build_action(ctx, ctx.executable._kernel_build_sh)

def kernel_build_action(ctx, executable, wrapper_args = [], mnemonic = "KernelBuild"):
    """The KernelBuild action of a kernel_build (or of a rule with the same attributes).

    Args:
      ctx: the rule context, with KERNEL_BUILD_ATTRS.
      executable: kernel_build.sh, or a test's wrapper that runs it (the remote-cache
        check's key escrow in tools/remote_cache; kernel_build itself never wraps it).
      wrapper_args: arguments that come before kernel_build.sh's own.
      mnemonic: the action's mnemonic.

    Returns:
      The providers of a kernel_build.
    """
    what = "kernel_build {}".format(ctx.label)
    if ctx.attr.base not in BASES and not ctx.file.base_config:
        fail("{}: base {} is not one of {}; or give a full .config as base_config".format(what, repr(ctx.attr.base), ", ".join(BASES)))
    if ctx.attr.jobs < 1:
        fail("{}: jobs must be at least 1".format(what))
    tk = ctx.attr.trusted_keys[TrustedKeysInfo] if ctx.attr.trusted_keys else None
    cc = select_kernel_cc(ctx, ctx.attr.cc, what)
    line = ctx.attr.line or kernel_line_from_source(ctx.file.source.basename)
    if ctx.attr.line and ctx.attr.line not in KERNEL_LINES:
        fail("{}: line {} is not one modsign has rules for ({}); leave it empty for another line (modules are then checked with the newest line's rules)".format(
            what,
            repr(ctx.attr.line),
            ", ".join(KERNEL_LINES),
        ))

    image = ctx.actions.declare_file(ctx.label.name + "/bzImage")
    config = ctx.actions.declare_file(ctx.label.name + "/.config")
    symvers = ctx.actions.declare_file(ctx.label.name + "/Module.symvers")
    signing_cert = ctx.actions.declare_file(ctx.label.name + "/signing_key.x509")
    tree = ctx.actions.declare_directory(ctx.label.name + "/build")

    args = ctx.actions.args()
    args.add_all(wrapper_args)
    args.add("--tarball", ctx.file.source)
    if ctx.file.base_config:
        args.add("--base", ctx.file.base_config)
    else:
        args.add("--base", ctx.attr.base)
    inputs = [ctx.file.source, cc.identity] + ctx.files.config_fragments
    if ctx.file.base_config:
        inputs.append(ctx.file.base_config)
    if tk:
        args.add("--fragment", tk.fragment)
        args.add("--trusted-keys", tk.bundle)
        inputs += [tk.fragment, tk.bundle]
        if tk.blacklist:
            args.add("--blacklist", tk.blacklist)
            inputs.append(tk.blacklist)
    args.add_all(ctx.files.config_fragments, before_each = "--fragment")
    args.add("--cc", cc.compiler)
    args.add("--cc-identity", cc.identity)
    args.add("--jobs", str(ctx.attr.jobs))
    args.add("--keyscan", ctx.executable._keyscan)
    args.add("--out-image", image)
    args.add("--out-config", config)
    args.add("--out-symvers", symvers)
    args.add("--out-signing-cert", signing_cert)
    args.add_all([tree], before_each = "--out-tree", expand_directories = False)

    ctx.actions.run(
        executable = executable,
        arguments = [args],
        inputs = depset(inputs, transitive = [cc.files]),
        tools = [ctx.executable._kernel_build_sh, ctx.file._scripts_lib, ctx.executable._keyscan],
        outputs = [image, config, symvers, signing_cert, tree],
        mnemonic = mnemonic,
        progress_message = "Building kernel %{label} (" + ctx.file.source.basename + ", " + ctx.attr.base + ")",
        execution_requirements = KERNEL_BUILD_EXECUTION_REQUIREMENTS,
        # make and the host tools come from PATH (with --incompatible_strict_action_env, a
        # fixed /bin:/usr/bin:/usr/local/bin); the compiler is the toolchain's, checked by
        # the script against its identity, an input.
        use_default_shell_env = True,
    )
    return [
        DefaultInfo(files = depset([image, config, symvers, signing_cert])),
        OutputGroupInfo(tree = depset([tree])),
        KernelBuildInfo(
            label = ctx.label,
            image = image,
            config = config,
            symvers = symvers,
            tree = tree,
            signing_cert = signing_cert,
            hashes = tk.hashes if tk else [],
            trusted_keys = tk,
            cc = cc,
            line = line,
        ),
        KernelFromSourceInfo(),
    ]

kernel_build = rule(
    implementation = _kernel_build_impl,
    doc = """Builds a Linux kernel from a source tarball in one `make` action.

The seed's kernel: `make <base>`, the config fragments merged in, `CONFIG_MODULE_SIG_KEY`
left at `certs/signing_key.pem` so that the build autogenerates its key, and the certificates of
`trusted_keys` in `CONFIG_SYSTEM_TRUSTED_KEYS`. The private half of the autogenerated key stays
inside the action and is destroyed there: no output contains it (the action checks this),
so modules built later can only be signed with a key the kernel trusts through `trusted_keys`.
The check is tools/keyscan: no output may hold the autogenerated key in any encoding (nor a
piece of it) nor any other private key. No flag or environment variable makes the action write
the key anywhere.

Outputs: `<name>/bzImage`, `<name>/.config`, `<name>/Module.symvers`,
`<name>/signing_key.x509` (the public certificate of the build-time key) and, in output group
`tree`, `<name>/build`: a relocatable kernel build tree for external modules (like Debian's
linux-headers), which `kernel_module` uses.

The compiler is a `kernel_cc_toolchain` (`cc` selects it among the resolved toolchain's, by
name or gcc major): its identity file (path, version, sha256 of gcc, cc1, as and ld) is an input
of the action, so another compiler is another action key, and the action fails before building
if the compiler where it runs differs from that identity. `KernelBuildInfo.cc` passes it on to
`kernel_module`.

One action builds the whole kernel: it is cached as a unit, and a change to the trusted keys
reruns it (make itself redoes only `certs/` and the link, but Bazel starts from a clean tree;
about 2.5 to 6 minutes for tinyconfig on 2 cores). Per-object kernel builds, as in
hermeticbuild/linux.bzl, cache every object and need a hermetic toolchain; use them when the
kernel itself is what you develop. Use kernel_build when the kernel is a fixture for modules.
""",
    attrs = KERNEL_BUILD_ATTRS,
    provides = [KernelBuildInfo],
    toolchains = KERNEL_BUILD_TOOLCHAINS,
)

def _kernel_module_impl(ctx):
    what = "kernel_module {}".format(ctx.label)
    kernel = ctx.attr.kernel[KernelBuildInfo]
    module_name = ctx.attr.module_name or ctx.label.name
    if "/" in module_name or not module_name:
        fail("{}: module_name {} must be a file name without '/'".format(what, repr(module_name)))
    dep_infos = [d[KernelModuleInfo] for d in ctx.attr.deps]
    for d, info in zip(ctx.attr.deps, dep_infos):
        if not info.kernel or info.kernel.label != kernel.label:
            fail("{}: dep {} was built against kernel {}, not {}; build both against the same kernel".format(
                what,
                d.label,
                info.kernel.label if info.kernel else "(none)",
                kernel.label,
            ))
        if not info.symvers:
            fail("{}: dep {} has no Module.symvers".format(what, d.label))
    srcs = ctx.files.srcs + ctx.files.hdrs
    if not ctx.files.srcs:
        fail("{}: srcs is empty".format(what))

    ko = ctx.actions.declare_file(ctx.label.name + "/" + module_name + ".ko")
    symvers = ctx.actions.declare_file(ctx.label.name + "/Module.symvers")
    dep_symvers = depset(transitive = [i.transitive_symvers for i in dep_infos])

    # Sources keep their paths relative to the Kbuild file's package, which may be another
    # package than this target's (one module source tree built against several kernels).
    owner = ctx.attr.kbuild.label
    pkg = "/".join([p for p in [owner.workspace_root, owner.package] if p])
    args = ctx.actions.args()
    args.add("--tree", kernel.tree.path)
    args.add("--kbuild", ctx.file.kbuild)
    args.add("--pkg-dir", pkg or ".")
    args.add_all(srcs, before_each = "--src")
    args.add_all(dep_symvers, before_each = "--symvers")
    if ctx.attr.ccflags:
        args.add("--ccflags", " ".join(ctx.attr.ccflags))
    args.add("--module-name", module_name)
    args.add("--cc", kernel.cc.compiler)
    args.add("--cc-identity", kernel.cc.identity)
    args.add("--out-ko", ko)
    args.add("--out-symvers", symvers)
    ctx.actions.run(
        executable = ctx.executable._kernel_module_sh,
        arguments = [args],
        inputs = depset(srcs + [ctx.file.kbuild, kernel.tree, kernel.cc.identity], transitive = [dep_symvers, kernel.cc.files]),
        tools = [ctx.file._scripts_lib],
        outputs = [ko, symvers],
        mnemonic = "KernelModule",
        progress_message = "Building kernel module %{label}",
        execution_requirements = KERNEL_BUILD_EXECUTION_REQUIREMENTS,
        # make comes from PATH (with --incompatible_strict_action_env, a fixed
        # /bin:/usr/bin:/usr/local/bin); the compiler is the kernel's, checked by the script
        # against its identity, an input.
        use_default_shell_env = True,
    )
    return [
        DefaultInfo(files = depset([ko])),
        OutputGroupInfo(symvers = depset([symvers])),
        built_module_info(ko, module_name, kernel, symvers, [dep_symvers]),
    ]

kernel_module = rule(
    implementation = _kernel_module_impl,
    doc = """Builds an out-of-tree kernel module with Kbuild against a kernel_build.

Runs `make -C <kernel tree> M=<dir> modules` in a fresh directory holding exactly `kbuild`,
`srcs` and `hdrs` (each at its path relative to the Kbuild file's package, so one source tree
can be built against several kernels from other packages), and `deps`' Module.symvers as
KBUILD_EXTRA_SYMBOLS. The output `<name>/<module_name>.ko` feeds kernel_module_signed.

The compiler is the kernel's (`KernelBuildInfo.cc`, a `kernel_cc_toolchain`): its identity file
is an input, so another compiler is another action key, and the action fails if the compiler
where it runs differs from that identity.
""",
    attrs = {
        "srcs": attr.label_list(
            mandatory = True,
            allow_files = [".c", ".S", ".h"],
            doc = "C and assembler sources (and private headers) of the module.",
        ),
        "hdrs": attr.label_list(allow_files = [".h"], doc = "Headers the sources include."),
        "kbuild": attr.label(
            default = "Kbuild",
            allow_single_file = True,
            doc = "The Kbuild file (or a Makefile with the Kbuild part) naming the module, e.g. `obj-m := hello.o`.",
        ),
        "kernel": attr.label(
            mandatory = True,
            providers = [KernelBuildInfo],
            doc = "The kernel_build to build against.",
        ),
        "deps": attr.label_list(
            providers = [KernelModuleInfo],
            doc = "kernel_module targets whose exported symbols this module uses (through their Module.symvers).",
        ),
        "module_name": attr.string(doc = "The module's name, as in `obj-m := <module_name>.o`. Default: the target name."),
        "ccflags": attr.string_list(doc = "Extra ccflags-y for the module."),
        "_kernel_module_sh": attr.label(
            default = Label("//rules/private/scripts:kernel_module.sh"),
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
    provides = [KernelModuleInfo],
)
