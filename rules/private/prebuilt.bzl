"""prebuilt_kernel and prebuilt_kernel_module: kernels and modules built elsewhere."""

load(":cc_toolchain.bzl", "KERNEL_CC_TOOLCHAIN", "select_kernel_cc")
load(":common.bzl", "HASHES")
load(":providers.bzl", "KernelBuildInfo", "KernelModuleInfo")

visibility(["//rules/..."])

def _root(files, marker, what, attr_name):
    """The directory `files` lie under: a lone directory, or where `marker` is shallowest."""
    if len(files) == 1 and files[0].is_directory:
        return files[0].path
    best = None
    for f in files:
        if f.is_directory:
            fail("{}: {} mixes a directory ({}) with other files; give one directory or the tree's files".format(what, attr_name, f.path))
        if f.path == marker or f.path.endswith("/" + marker):
            root = f.path[:-len(marker)].rstrip("/")
            if best == None or len(root) < len(best):
                best = root
    if best == None:
        fail("{}: {} has no {}; it must be a directory or the files of a tree with {} at its top".format(what, attr_name, marker, marker))
    prefix = best + "/" if best else ""
    for f in files:
        if not f.path.startswith(prefix):
            fail("{}: {} file {} is outside the tree at {}".format(what, attr_name, f.path, best or "."))
    return best or "."

def _find(files, root, name):
    for f in files:
        if f.path == root + "/" + name:
            return f
    return None

def _prebuilt_kernel_impl(ctx):
    what = "prebuilt_kernel {}".format(ctx.label)
    line = ctx.attr.line
    nums = line.split(".")
    if len(nums) != 2 or not nums[0].isdigit() or not nums[1].isdigit():
        fail("{}: line {} must be the kernel line as \"MAJOR.MINOR\", e.g. \"6.1\"".format(what, repr(line)))
    for h in ctx.attr.hashes:
        if h not in HASHES:
            fail("{}: hashes has {}, which is not a module signature hash ({})".format(what, repr(h), ", ".join(HASHES)))
    if not ctx.attr.cc:
        fail("{}: cc is empty; name the compiler the kernel was built with (e.g. gcc-12)".format(what))

    # Modules must be built with the kernel's compiler (its major at least: the kernel's
    # .config records the gcc version its flags were chosen for).
    cc = select_kernel_cc(ctx, ctx.attr.cc, what + " (the kernel was built with " + ctx.attr.cc + ")")

    tree_root = _root(ctx.files.tree, "Makefile", what, "tree")
    common_root = _root(ctx.files.common, "Makefile", what, "common") if ctx.files.common else None
    kbuild_root = _root(ctx.files.kbuild, "scripts/Makefile.build", what, "kbuild") if ctx.files.kbuild else None
    tree_is_dir = len(ctx.files.tree) == 1 and ctx.files.tree[0].is_directory

    # .config and Module.symvers: given, or found in the tree's files at analysis.
    config = ctx.file.config
    symvers = ctx.file.symvers
    if not tree_is_dir:
        config = config or _find(ctx.files.tree, tree_root, ".config")
        symvers = symvers or _find(ctx.files.tree, tree_root, "Module.symvers")
    if not config:
        fail(("{}: no .config: the tree {} has none{}; give the kernel's configuration as config").format(
            what,
            tree_root,
            " that can be seen at analysis (it is a directory)" if tree_is_dir else "",
        ))
    if not symvers:
        fail(("{}: no Module.symvers: the tree {} has none{}; external modules need the kernel's " +
              "exported symbols: give the full build's Module.symvers as symvers").format(
            what,
            tree_root,
            " that can be seen at analysis (it is a directory)" if tree_is_dir else "",
        ))

    tree = ctx.actions.declare_directory(ctx.label.name + "/build")
    args = ctx.actions.args()
    if kbuild_root:
        args.add("--kbuild", kbuild_root)
    if common_root:
        args.add("--common", common_root)
    args.add("--tree", tree_root)
    args.add("--config", config)
    args.add("--symvers", symvers)
    if ctx.attr.release:
        args.add("--release", ctx.attr.release)
    args.add_all([tree], before_each = "--out", expand_directories = False)
    ctx.actions.run(
        executable = ctx.executable._prebuilt_kernel_sh,
        arguments = [args],
        inputs = depset(ctx.files.tree + ctx.files.common + ctx.files.kbuild + [config, symvers]),
        outputs = [tree],
        mnemonic = "PrebuiltKernelTree",
        progress_message = "Assembling the kernel build tree of %{label}",
    )
    info = KernelBuildInfo(
        label = ctx.label,
        image = ctx.file.image,
        config = config,
        symvers = symvers,
        tree = tree,
        signing_cert = ctx.file.signing_cert,
        hashes = list(ctx.attr.hashes),
        trusted_keys = None,
        cc = cc,
        line = line,
    )
    files = [f for f in [ctx.file.image, config, symvers, ctx.file.signing_cert] if f]
    return [
        DefaultInfo(files = depset(files)),
        OutputGroupInfo(tree = depset([tree])),
        info,
    ]

prebuilt_kernel = rule(
    implementation = _prebuilt_kernel_impl,
    doc = """A kernel built elsewhere, as a `KernelBuildInfo`: `kernel_module`, the signing rules and
`kernel_module_qemu_test` use it as they use a `kernel_build`.

What it takes:
- Debian's split headers packages, unpacked: `tree` = `linux-headers-<abi>` (the object tree,
  whose Makefile includes the `-common` tree by an absolute path), `common` =
  `linux-headers-<base>-common`, `kbuild` = `linux-kbuild-<line>` (scripts/ and tools/ with the
  host programs). The `debian_kernel` repository rule does this for you (`@<name>//:kernel`).
- The running machine's `/lib/modules/$(uname -r)/build`, through `local_kernel_tree`.
- Another rule set's output: `tree` = one directory (a tree artifact), with `config` and
  `symvers` given as files (a directory's contents are unknown at analysis).
- Any build tree with `make modules_prepare` done, plus the full build's `Module.symvers`.

`cc` selects the compiler modules are built with among the registered kernel compilers
(`kernel_cc_toolchain`), by name or gcc major, at analysis.

One action (`PrebuiltKernelTree`) copies the layers into one self-contained tree (symbolic
links resolved, Debian's absolute include replaced by the `-common` Makefile) and checks it has
what an external module build reads; the output, in output group `tree`, is what `kernel_module`
runs `make -C` in.

Rejected at analysis: no `Module.symvers` or `.config` (in the tree's files or given), a `line`
that is not MAJOR.MINOR, an unknown hash in `hashes`, files outside the tree's root. Rejected
when the tree is assembled: a `config` or `symvers` that differs from the tree's own, a tree
whose UTS_RELEASE is not `release`, a split tree without its `common` or `kbuild` half.
""",
    attrs = {
        "tree": attr.label_list(
            mandatory = True,
            allow_files = True,
            doc = "The build tree: one directory, or its files (the root is where the top-level Makefile is).",
        ),
        "common": attr.label_list(
            allow_files = True,
            doc = "For split headers packages (Debian): the files of the architecture-independent tree the tree's Makefile includes.",
        ),
        "kbuild": attr.label_list(
            allow_files = True,
            doc = "For trees whose scripts/ live elsewhere (Debian's linux-kbuild-<line>): its files; the root is above scripts/Makefile.build.",
        ),
        "config": attr.label(allow_single_file = True, doc = "The kernel's .config; default: the tree's `.config`."),
        "symvers": attr.label(
            allow_single_file = True,
            doc = "The full build's Module.symvers; default: the tree's `Module.symvers`. Without it modules cannot resolve the kernel's symbols.",
        ),
        "image": attr.label(
            allow_single_file = True,
            doc = "The boot image (bzImage / vmlinuz) `kernel_module_qemu_test` boots. Optional: without it the kernel can build modules but not boot.",
        ),
        "signing_cert": attr.label(
            allow_single_file = True,
            doc = "The certificate of the kernel's own module signing key (Debian's build-time key, for its modules).",
        ),
        "line": attr.string(
            mandatory = True,
            doc = "The kernel line as \"MAJOR.MINOR\" (\"6.1\"): modsign checks signatures with that line's rules.",
        ),
        "cc": attr.string(
            default = "gcc",
            doc = "The C compiler the kernel was built with (Debian 6.1: gcc-12, or its CONFIG_CC_VERSION_TEXT's first word): modules are built with the registered kernel compiler of that name or, failing that, of the same gcc major (`kernel_cc_toolchain`); none fails at analysis, listing the registered ones.",
        ),
        "hashes": attr.string_list(
            doc = "Module signature hashes the kernel accepts (its built-in CRYPTO_SHA*: Debian 6.1 has sha256 built in, sha512 as a module). [] = unknown, no check.",
        ),
        "release": attr.string(
            doc = "The expected kernel release (`uname -r`, the tree's UTS_RELEASE), checked when the tree is assembled; \"\" = no check.",
        ),
        "_prebuilt_kernel_sh": attr.label(
            default = Label("//rules/private/scripts:prebuilt_kernel.sh"),
            executable = True,
            allow_single_file = True,
            cfg = "exec",
        ),
    },
    provides = [KernelBuildInfo],
    toolchains = [KERNEL_CC_TOOLCHAIN],
)

def _prebuilt_kernel_module_impl(ctx):
    what = "prebuilt_kernel_module {}".format(ctx.label)
    ko = ctx.file.module
    if not ko.basename.endswith(".ko"):
        fail("{}: module {} must be an uncompressed .ko (decompress .ko.xz / .ko.zst first; the signature is inside)".format(what, ko.path))
    name = ctx.attr.module_name or ko.basename[:-len(".ko")]
    kernel = ctx.attr.kernel[KernelBuildInfo] if ctx.attr.kernel else None
    return [
        DefaultInfo(files = depset([ko])),
        KernelModuleInfo(
            module = ko,
            module_name = name,
            signed = False,
            unsigned = None,
            hash = "",
            keyid = False,
            signing_key = None,
            kernel = kernel,
            symvers = None,
            transitive_symvers = depset(),
        ),
    ]

prebuilt_kernel_module = rule(
    implementation = _prebuilt_kernel_module_impl,
    doc = """A module built elsewhere (for example one of Debian's own, signed by Debian), as a
`KernelModuleInfo` of `kernel`, so `kernel_module_qemu_test` checks it is booted with that kernel.

Its `signed` is False because the build did not sign it; it keeps whatever signature it has.
""",
    attrs = {
        "module": attr.label(mandatory = True, allow_single_file = True, doc = "The .ko file."),
        "kernel": attr.label(providers = [KernelBuildInfo], doc = "The kernel it belongs to (a prebuilt_kernel)."),
        "module_name": attr.string(doc = "The module's name; default: the file name without .ko."),
    },
    provides = [KernelModuleInfo],
)
