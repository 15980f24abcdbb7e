"""kernel_module_signed and kernel_modules_signed."""

load(":common.bzl", "HASHES", "MODSIGN_ATTR", "SIGN_EXECUTION_REQUIREMENTS")
load(":providers.bzl", "KernelModuleInfo", "ModuleSigningKeyInfo")

visibility(["//rules/..."])

def _sign_args(ctx, key_info):
    args = ctx.actions.args()
    args.add("sign")
    args.add("--key", key_info.key)
    args.add("--cert", key_info.cert)
    args.add("--hash", ctx.attr.hash)
    if ctx.attr.keyid:
        args.add("--keyid")
    if key_info.pin_file:
        args.add("--pin-file", key_info.pin_file)
    inputs = [key_info.key, key_info.cert] + ([key_info.pin_file] if key_info.pin_file else [])
    return args, inputs

def _check_kernel_hash(ctx, info, what):
    kernel = info.kernel if info else None
    if kernel and kernel.hashes and ctx.attr.hash not in kernel.hashes:
        fail("{}: hash {} is not enabled in kernel {}, which accepts {}; set hash to one of those or enable it with trusted_keys(hash = ...)".format(
            what,
            repr(ctx.attr.hash),
            kernel.label,
            ", ".join(kernel.hashes),
        ))

def _signed_info(ctx, out, src, info, key_info):
    return KernelModuleInfo(
        module = out,
        module_name = info.module_name if info else src.basename.removesuffix(".ko"),
        signed = True,
        unsigned = src,
        hash = ctx.attr.hash,
        keyid = ctx.attr.keyid,
        signing_key = key_info,
        kernel = info.kernel if info else None,
        symvers = info.symvers if info else None,
        transitive_symvers = info.transitive_symvers if info else depset(),
    )

def _kernel_module_signed_impl(ctx):
    src = ctx.file.module
    if not src.basename.endswith(".ko"):
        fail("kernel_module_signed {}: module {} is not a .ko file".format(ctx.label, src.short_path))
    info = ctx.attr.module[KernelModuleInfo] if KernelModuleInfo in ctx.attr.module else None
    _check_kernel_hash(ctx, info, "kernel_module_signed {}".format(ctx.label))
    key_info = ctx.attr.signing_key[ModuleSigningKeyInfo]
    out = ctx.actions.declare_file(ctx.attr.out or (ctx.label.name + "/" + src.basename))
    args, inputs = _sign_args(ctx, key_info)
    args.add("--out", out)
    args.add(src)
    ctx.actions.run(
        executable = ctx.executable._modsign,
        arguments = [args],
        inputs = inputs + [src],
        outputs = [out],
        mnemonic = "ModsignSign",
        progress_message = "Signing %{output} (" + ctx.attr.hash + ")",
        execution_requirements = SIGN_EXECUTION_REQUIREMENTS,
    )
    return [
        DefaultInfo(files = depset([out])),
        _signed_info(ctx, out, src, info, key_info),
    ]

_COMMON_ATTRS = dict({
    "signing_key": attr.label(
        mandatory = True,
        providers = [ModuleSigningKeyInfo],
        doc = "An x509_keypair or module_signing_key target.",
    ),
    "hash": attr.string(
        default = "sha512",
        values = HASHES,
        doc = "Digest of the signature. It must be one the kernel accepts (for a kernel_module, checked at analysis).",
    ),
    "keyid": attr.bool(
        default = False,
        doc = "Name the signer by subjectKeyIdentifier (sign-file -k) instead of issuer and serial.",
    ),
}, **MODSIGN_ATTR)

kernel_module_signed = rule(
    implementation = _kernel_module_signed_impl,
    doc = """Signs one kernel module with `modsign sign`, byte for byte as `scripts/sign-file` would.

The module may come from a `kernel_module`, from any rule that outputs a single `.ko`, or be a
checked-in file. The output keeps the module's file name, under a directory named after the
target (`<name>/<module>.ko`), unless `out` is set.

The signing action runs only on this machine (`no-remote-exec`): the private key never goes to
a remote executor. Its output, the signed module, is cacheable locally and remotely.
""",
    attrs = dict({
        "module": attr.label(
            mandatory = True,
            allow_single_file = [".ko"],
            doc = "The module to sign: a kernel_module target, any target with a single .ko output, or a .ko file.",
        ),
        "out": attr.string(doc = "Output file name, relative to the package. Default: `<name>/<module file name>`."),
    }, **_COMMON_ATTRS),
    provides = [KernelModuleInfo],
)

def _kernel_modules_signed_impl(ctx):
    what = "kernel_modules_signed {}".format(ctx.label)
    key_info = ctx.attr.signing_key[ModuleSigningKeyInfo]
    args, inputs = _sign_args(ctx, key_info)
    outs = []
    seen = {}
    srcs = []
    for target in ctx.attr.modules:
        info = target[KernelModuleInfo] if KernelModuleInfo in target else None
        _check_kernel_hash(ctx, info, what)
        for src in target[DefaultInfo].files.to_list():
            if not src.basename.endswith(".ko"):
                continue
            if src.basename in seen:
                fail("{}: two modules are named {} ({} and {}); sign them in separate targets".format(
                    what,
                    src.basename,
                    seen[src.basename],
                    target.label,
                ))
            seen[src.basename] = target.label
            outs.append(ctx.actions.declare_file(ctx.label.name + "/" + src.basename))
            srcs.append(src)
    if not srcs:
        fail("{}: no .ko file among modules".format(what))
    args.add("-q")  # no per-batch summary line in Bazel's output
    args.add("--out-dir", outs[0].dirname)
    args.add_all(srcs)
    ctx.actions.run(
        executable = ctx.executable._modsign,
        arguments = [args],
        inputs = inputs + srcs,
        outputs = outs,
        mnemonic = "ModsignSign",
        progress_message = "Signing {} modules of %{{label}} ({})".format(len(srcs), ctx.attr.hash),
        execution_requirements = SIGN_EXECUTION_REQUIREMENTS,
    )
    return [DefaultInfo(files = depset(outs))]

kernel_modules_signed = rule(
    implementation = _kernel_modules_signed_impl,
    doc = """Signs many kernel modules in one `modsign sign` process, on all cores.

The batch form of kernel_module_signed, for trees with hundreds of modules: one action and one
process instead of one per module. Outputs `<name>/<module file name>` for every `.ko` of
`modules`; two modules with the same file name are an error. Same execution requirements as
kernel_module_signed. Editing one module re-signs the whole batch (one action); use
kernel_module_signed per module where fine-grained incrementality matters more.
""",
    attrs = dict({
        "modules": attr.label_list(
            mandatory = True,
            allow_files = [".ko"],
            doc = "The modules to sign: kernel_module targets, targets with .ko outputs, or .ko files.",
        ),
    }, **_COMMON_ATTRS),
)
