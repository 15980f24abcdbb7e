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

def _check_mldsa(what, ctx):
    """ML-DSA: Linux 7.0+ only, and signed attributes over SHA-512 only."""
    key_type = ""
    if ctx.attr.cert and ModuleSigningKeyInfo in ctx.attr.cert:
        key_type = getattr(ctx.attr.cert[ModuleSigningKeyInfo], "key_type", "")
    if ctx.attr.signed_attrs and ctx.attr.hash != "sha512":
        fail("{}: signed_attrs (the ML-DSA signed-attributes form) takes hash = \"sha512\", the only digest Linux accepts there, not {}".format(what, repr(ctx.attr.hash)))
    if not key_type.startswith("mldsa"):
        return
    for target in ctx.attr.modules:
        kernel = target[KernelModuleInfo].kernel if KernelModuleInfo in target else None
        if kernel and getattr(kernel, "line", "") == "6.1":
            fail("{}: cert {} is an {} key, which Linux 6.1 cannot verify (module {} is for kernel {}); ML-DSA module signatures need Linux 7.0 or later".format(
                what,
                ctx.attr.cert.label,
                key_type,
                target.label,
                kernel.label,
            ))

def _kernel_module_digests_impl(ctx):
    what = "kernel_module_digests {}".format(ctx.label)
    check_hash(ctx.attr.hash, what)
    _check_kernel_hash(what, ctx.attr.hash, ctx.attr.modules)
    _check_mldsa(what, ctx)
    srcs = _ko_files(what, ctx.attr.modules)
    out = ctx.actions.declare_file(ctx.label.name + ".digests")
    args = ctx.actions.args()
    args.add("digest")
    args.add("--hash", ctx.attr.hash)
    inputs = list(srcs)
    if ctx.attr.cert:
        cert = _cert_file(what, ctx.attr.cert)
        args.add("--cert", cert)
        inputs.append(cert)
    if ctx.attr.signed_attrs:
        args.add("--signed-attrs")
    args.add("--list", out)
    args.add_all(srcs)
    ctx.actions.run(
        executable = modsign_tool(ctx),
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "ModsignDigest",
        progress_message = "Computing the {} digests of %{{label}} for the release signer".format(ctx.attr.hash),
    )
    return [DefaultInfo(files = depset([out]))]

kernel_module_digests = rule(
    implementation = _kernel_module_digests_impl,
    doc = """Writes the digests of a set of unsigned modules as one file, for a signer outside the build.

Output: `<name>.digests`, a text file with one `KIND HEX NAME` line per module (NAME is the
module's file name), after a `#` header that says how to sign. The release signer signs each
entry with the key of the certificate given to kernel_modules_attached and returns a signature
list with one `sig HEX NAME` line per module. KIND is:

- `digest:HASH` (RSA and ECDSA, and without `cert`): the module's digest, signed as a
  prehashed message, e.g. `openssl pkeyutl -sign -pkeyopt digest:sha512`;
- `mu:mldsa65` (and 44, 87) when `cert` is an ML-DSA certificate: the FIPS 204 external μ of
  the module for that key (64 bytes), signed as μ, e.g. `openssl pkeyutl -sign -pkeyopt mu:1`
  (OpenSSL 3.5+). The signature is the one over the module itself (the pure form, which every
  7.x kernel with CONFIG_CRYPTO_MLDSA accepts); `-pkeyopt deterministic:1` makes it the same
  bytes as kernel_module_signed's;
- `signed-attrs:sha512` with `signed_attrs = True`: the DER signed attributes an ML-DSA key
  signs as a message (`openssl pkeyutl -sign -rawin`), the form sid's sign-file makes with
  OpenSSL 3.x, which 7.2 accepts only with CONFIG_PKCS7_WAIVE_AUTHATTRS_REJECTION_FOR_MLDSA.

For example, with OpenSSL and an RSA key:

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
        "cert": attr.label(
            allow_files = True,
            doc = "The release key's certificate (one PEM or DER file, or a target with ModuleSigningKeyInfo, of which only the certificate is read). Needed for ML-DSA, whose pure form is signed over a value that depends on the public key (`mu:` entries); optional otherwise. An ML-DSA `x509_keypair` with modules for a 6.1 kernel fails at analysis.",
        ),
        "signed_attrs": attr.bool(
            default = False,
            doc = "For an ML-DSA signer: write the signed attributes to sign (`signed-attrs:sha512` entries; needs hash = \"sha512\") instead of the pure form.",
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
one `sig HEX NAME` line per module, HEX being the raw signature over that module's entry (RSA
PKCS#1 v1.5 over the DigestInfo, as `openssl pkeyutl -sign -pkeyopt digest:HASH` makes it, a
DER ECDSA signature, or a raw ML-DSA signature over the module, its μ or its signed attributes). `modsign attach` checks every signature against `cert` and the module
before writing anything; a wrong key, a stale signature (the module changed since its digest
was taken) or a missing entry fails the build with a message naming the module. For RSA the
output is byte-identical to `sign-file` with the same key; for ML-DSA signed in deterministic
mode, to kernel_module_signed's.

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
