"""Signing outside the build: kernel_module_digests and kernel_modules_attached.

The build computes what must be signed (`modsign digest`), a release signer outside the build
(an HSM, a signing service, `openssl pkeyutl`) signs it, and the build attaches the returned
signatures (`modsign attach`), checking each against the certificate. No private key is an
input of any action.
"""

load(":common.bzl", "HASHES", "check_hash")
load(":providers.bzl", "KernelModuleInfo", "ModuleSigningKeyInfo")
load(":toolchains.bzl", "MODSIGN_TOOLCHAIN_TYPE", "modsign_tool")

visibility(["//rules/..."])

def _ko_files(what, targets):
    """The .ko files of `targets`, refusing two with the same file name."""
    seen = {}
    srcs = []
    for target in targets:
        for src in target[DefaultInfo].files.to_list():
            if not src.basename.endswith(".ko"):
                continue
            if src.basename in seen:
                fail("{}: two modules are named {} ({} and {}); a digest or signature list names modules by file name, so put them in separate targets".format(
                    what,
                    src.basename,
                    seen[src.basename],
                    target.label,
                ))
            seen[src.basename] = target.label
            srcs.append(src)
    if not srcs:
        fail("{}: no .ko file among modules".format(what))
    return srcs

def _check_kernel_hash(what, hash, targets):
    for target in targets:
        if KernelModuleInfo not in target:
            continue
        kernel = target[KernelModuleInfo].kernel
        if kernel and kernel.hashes and hash not in kernel.hashes:
            fail("{}: hash {} is not enabled in kernel {} (module {}), which accepts {}".format(
                what,
                repr(hash),
                kernel.label,
                target.label,
                ", ".join(kernel.hashes),
            ))

def _kernel_module_digests_impl(ctx):
    what = "kernel_module_digests {}".format(ctx.label)
    check_hash(ctx.attr.hash, what)
    _check_kernel_hash(what, ctx.attr.hash, ctx.attr.modules)
    srcs = _ko_files(what, ctx.attr.modules)
    out = ctx.actions.declare_file(ctx.label.name + ".digests")
    args = ctx.actions.args()
    args.add("digest")
    args.add("--hash", ctx.attr.hash)
    args.add("--list", out)
    args.add_all(srcs)
    ctx.actions.run(
        executable = modsign_tool(ctx),
        arguments = [args],
        inputs = srcs,
        outputs = [out],
        mnemonic = "ModsignDigest",
        progress_message = "Computing the {} digests of %{{label}} for the release signer".format(ctx.attr.hash),
    )
    return [DefaultInfo(files = depset([out]))]

kernel_module_digests = rule(
    implementation = _kernel_module_digests_impl,
    doc = """Writes the digests of a set of unsigned modules as one file, for a signer outside the build.

Output: `<name>.digests`, a text file with one `digest:HASH HEX NAME` line per module (NAME is
the module's file name), after a `#` header that says how to sign. The release signer signs each
digest with the key of the certificate given to kernel_modules_attached and returns a signature
list with one `sig HEX NAME` line per module, e.g. with OpenSSL:

    while read -r kind hex name; do
      case "$kind" in digest:*) ;; *) continue ;; esac
      sig=$(xxd -r -p <<<"$hex" | openssl pkeyutl -sign -inkey release.key \\
            -pkeyopt "digest:${kind#digest:}" | xxd -p -c0)
      echo "sig $sig $name"
    done <bazel-bin/pkg/release.digests >release.sigs

The action reads only public data (the modules), so it runs and caches anywhere.
""",
    attrs = {
        "modules": attr.label_list(
            mandatory = True,
            allow_files = [".ko"],
            doc = "The unsigned modules: kernel_module targets, targets with .ko outputs, or .ko files. File names must be unique.",
        ),
        "hash": attr.string(
            default = "sha512",
            values = HASHES,
            doc = "The digest to sign; kernel_modules_attached must use the same. Checked against each kernel_module's kernel at analysis.",
        ),
    },
    toolchains = [MODSIGN_TOOLCHAIN_TYPE],
)

def _cert_file(what, target):
    if ModuleSigningKeyInfo in target:
        return target[ModuleSigningKeyInfo].cert
    files = target[DefaultInfo].files.to_list()
    if len(files) != 1:
        fail("{}: cert {} must be one certificate file (PEM or DER) or a target with ModuleSigningKeyInfo, not {} files".format(what, target.label, len(files)))
    return files[0]

def _kernel_modules_attached_impl(ctx):
    what = "kernel_modules_attached {}".format(ctx.label)
    check_hash(ctx.attr.hash, what)
    _check_kernel_hash(what, ctx.attr.hash, ctx.attr.modules)
    srcs = _ko_files(what, ctx.attr.modules)
    cert = _cert_file(what, ctx.attr.cert)
    outs = [ctx.actions.declare_file(ctx.label.name + "/" + src.basename) for src in srcs]
    args = ctx.actions.args()
    args.add("attach")
    args.add("--cert", cert)
    args.add("--sigs", ctx.file.signatures)
    args.add("--hash", ctx.attr.hash)
    if ctx.attr.keyid:
        args.add("--keyid")
    args.add("--out-dir", outs[0].dirname)
    args.add_all(srcs)
    ctx.actions.run(
        executable = modsign_tool(ctx),
        arguments = [args],
        inputs = srcs + [cert, ctx.file.signatures],
        outputs = outs,
        mnemonic = "ModsignAttach",
        progress_message = "Attaching {} release signatures to the modules of %{{label}}".format(len(srcs)),
    )
    return [
        DefaultInfo(files = depset(outs)),
        OutputGroupInfo(**{src.basename.removesuffix(".ko").replace("-", "_"): depset([out]) for src, out in zip(srcs, outs)}),
    ]

kernel_modules_attached = rule(
    implementation = _kernel_modules_attached_impl,
    doc = """Attaches signatures made outside the build to a set of modules.

`signatures` is the signature list the release signer returned for kernel_module_digests' file:
one `sig HEX NAME` line per module, HEX being the raw signature over that module's digest (RSA
PKCS#1 v1.5 over the DigestInfo, as `openssl pkeyutl -sign -pkeyopt digest:HASH` makes it, or a
DER ECDSA signature). `modsign attach` checks every signature against `cert` and the module
before writing anything; a wrong key, a stale signature (the module changed since its digest
was taken) or a missing entry fails the build with a message naming the module. For RSA the
output is byte-identical to `sign-file` with the same key.

Outputs `<name>/<module file name>` for every module, and an output group per module named
after it (`-` becomes `_`). The action has no private key among its inputs, so it may run
and cache anywhere.
""",
    attrs = {
        "modules": attr.label_list(
            mandatory = True,
            allow_files = [".ko"],
            doc = "The same unsigned modules that were given to kernel_module_digests.",
        ),
        "signatures": attr.label(
            mandatory = True,
            allow_single_file = True,
            doc = "The signature list returned by the release signer (a checked-in file, or a rule's output).",
        ),
        "cert": attr.label(
            mandatory = True,
            allow_files = True,
            doc = "The release key's certificate: one PEM or DER file, or a target with ModuleSigningKeyInfo (only its certificate is used).",
        ),
        "hash": attr.string(
            default = "sha512",
            values = HASHES,
            doc = "The digest the signatures were made over; the same as kernel_module_digests'.",
        ),
        "keyid": attr.bool(
            default = False,
            doc = "Name the signer by subjectKeyIdentifier (sign-file -k) instead of issuer and serial.",
        ),
    },
    toolchains = [MODSIGN_TOOLCHAIN_TYPE],
)
