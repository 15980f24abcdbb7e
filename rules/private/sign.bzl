"""kernel_module_signed and kernel_modules_signed."""

load(":common.bzl", "HASHES", "KERNEL_LINES", "SIGN_EXECUTION_REQUIREMENTS")
load(":providers.bzl", "KernelModuleInfo", "ModuleSigningKeyInfo")
load(":toolchains.bzl", "MODSIGN_TOOLCHAIN_TYPE", "modsign_tool")

visibility(["//rules/..."])

def _sign_args(ctx, key_info):
    args = ctx.actions.args()
    args.add("sign")
    token = getattr(key_info, "pkcs11_uri", "")
    if token:
        # The key stays in the token: only its URI (without a PIN) is an argument.
        args.add("--key", token)
        if key_info.pkcs11_module:
            args.add("--pkcs11-module", key_info.pkcs11_module)
    else:
        args.add("--key", key_info.key)
    args.add("--cert", key_info.cert)
    args.add("--hash", ctx.attr.hash)
    if ctx.attr.keyid:
        args.add("--keyid")
    if key_info.pin_file:
        args.add("--pin-file", key_info.pin_file)
    inputs = ([] if token else [key_info.key]) + [key_info.cert] + ([key_info.pin_file] if key_info.pin_file else [])
    return args, inputs

def _sign_action_kwargs(key_info):
    """Execution settings of a signing action.

    A key in a PKCS#11 token is reached through the machine's environment (e.g.
    --action_env=SOFTHSM2_CONF), and the token library may write its own lock and state files,
    so such an action sees the default shell environment plus the key's pkcs11_env and runs
    unsandboxed; it still never runs remotely, and its output stays cacheable.
    """
    if getattr(key_info, "pkcs11_uri", ""):
        kwargs = {
            "execution_requirements": dict(SIGN_EXECUTION_REQUIREMENTS, **{"no-sandbox": "1"}),
            "use_default_shell_env": True,
        }
        env = getattr(key_info, "pkcs11_env", {})
        if env:
            # Merged over the default shell environment (Bazel 7+).
            kwargs["env"] = env
        return kwargs
    return {"execution_requirements": SIGN_EXECUTION_REQUIREMENTS}

def _check_key_for_line(key_info, line, what):
    """ML-DSA keys need Linux 7.0 or later: refuse them for a 6.1 kernel at analysis."""
    key_type = getattr(key_info, "key_type", "")
    if key_type.startswith("mldsa") and line == "6.1":
        fail("{}: the signing key is {} (ML-DSA), which Linux 6.1 cannot verify (its PKCS#7 parser knows RSA and ECDSA only; ML-DSA module signatures need Linux 7.0 or later with CONFIG_CRYPTO_MLDSA); sign 6.1 modules with an RSA or ECDSA key".format(what, key_type))

def _kernel_line(info):
    """The line of the module's kernel when modsign has rules for it, else "" (modsign's default)."""
    kernel = info.kernel if info else None
    line = getattr(kernel, "line", "") if kernel else ""
    return line if line in KERNEL_LINES else ""

def _add_kernel_line(args, lines, what):
    """Passes `--kernel LINE` when the modules' kernel line is known; one batch has one line."""
    known = sorted({line: True for line in lines if line}.keys())
    if len(known) > 1:
        fail("{}: the modules are for kernels of different lines ({}); sign each line's modules in its own target".format(what, ", ".join(known)))
    if known:
        args.add("--kernel", known[0])

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
    _add_kernel_line(args, [_kernel_line(info)], "kernel_module_signed {}".format(ctx.label))
    _check_key_for_line(key_info, _kernel_line(info), "kernel_module_signed {}".format(ctx.label))
    args.add("--out", out)
    args.add(src)
    ctx.actions.run(
        executable = modsign_tool(ctx),
        arguments = [args],
        inputs = inputs + [src],
        outputs = [out],
        mnemonic = "ModsignSign",
        progress_message = "Signing %{output} (" + ctx.attr.hash + ")",
        **_sign_action_kwargs(key_info)
    )
    return [
        DefaultInfo(files = depset([out])),
        _signed_info(ctx, out, src, info, key_info),
    ]

_COMMON_ATTRS = {
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
}

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
    toolchains = [MODSIGN_TOOLCHAIN_TYPE],
    provides = [KernelModuleInfo],
)

def _kernel_modules_signed_impl(ctx):
    what = "kernel_modules_signed {}".format(ctx.label)
    key_info = ctx.attr.signing_key[ModuleSigningKeyInfo]
    args, inputs = _sign_args(ctx, key_info)
    outs = []
    seen = {}
    srcs = []
    lines = []
    for target in ctx.attr.modules:
        info = target[KernelModuleInfo] if KernelModuleInfo in target else None
        _check_kernel_hash(ctx, info, what)
        lines.append(_kernel_line(info))
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
    _add_kernel_line(args, lines, what)
    for line in lines:
        _check_key_for_line(key_info, line, what)
    args.add("-q")  # no per-batch summary line in Bazel's output
    args.add("--out-dir", outs[0].dirname)
    args.add_all(srcs)
    ctx.actions.run(
        executable = modsign_tool(ctx),
        arguments = [args],
        inputs = inputs + srcs,
        outputs = outs,
        mnemonic = "ModsignSign",
        progress_message = "Signing {} modules of %{{label}} ({})".format(len(srcs), ctx.attr.hash),
        **_sign_action_kwargs(key_info)
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
    toolchains = [MODSIGN_TOOLCHAIN_TYPE],
)
