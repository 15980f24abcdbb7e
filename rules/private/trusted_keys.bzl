"""trusted_keys: what the kernel trusts, revokes and enforces."""

load(":common.bzl", "HASHES", "MODSIGN_ATTR", "check_hash")
load(":providers.bzl", "ModuleSigningKeyInfo", "TrustedKeysInfo")

# hash -> (MODULE_SIG_* choice, crypto option providing it)
_HASH_CONFIG = {
    "sha224": ("MODULE_SIG_SHA224", "CRYPTO_SHA256"),
    "sha256": ("MODULE_SIG_SHA256", "CRYPTO_SHA256"),
    "sha384": ("MODULE_SIG_SHA384", "CRYPTO_SHA512"),
    "sha512": ("MODULE_SIG_SHA512", "CRYPTO_SHA512"),
    "sha3-256": ("MODULE_SIG_SHA3_256", "CRYPTO_SHA3"),
    "sha3-384": ("MODULE_SIG_SHA3_384", "CRYPTO_SHA3"),
    "sha3-512": ("MODULE_SIG_SHA3_512", "CRYPTO_SHA3"),
}

def _cert_of(target):
    if ModuleSigningKeyInfo in target:
        return [target[ModuleSigningKeyInfo].cert]
    return target[DefaultInfo].files.to_list()

def fragment_lines(hash, revoked):
    """The config fragment trusted_keys writes.

    Args:
      hash: the MODULE_SIG_HASH, one of HASHES.
      revoked: whether certificates or modules are revoked (enables SYSTEM_BLACKLIST_KEYRING).

    Returns:
      The fragment's lines.
    """
    choice, crypto = _HASH_CONFIG[hash]
    lines = [
        "# Written by rules_modsign trusted_keys: enforced module signatures.",
        "# kernel_build sets CONFIG_SYSTEM_TRUSTED_KEYS" + (" and CONFIG_SYSTEM_BLACKLIST_HASH_LIST" if revoked else "") + ".",
        "CONFIG_MODULES=y",
        "CONFIG_MODULE_SIG=y",
        "CONFIG_MODULE_SIG_FORCE=y",
        "CONFIG_MODULE_SIG_ALL=y",
        "CONFIG_{}=y".format(choice),
        "CONFIG_MODULE_SIG_HASH=\"{}\"".format(hash),
        "CONFIG_MODULE_SIG_KEY=\"certs/signing_key.pem\"",
        "CONFIG_MODULE_SIG_KEY_TYPE_RSA=y",
        "CONFIG_KEYS=y",
        "CONFIG_SYSTEM_TRUSTED_KEYRING=y",
        "CONFIG_CRYPTO=y",
        "CONFIG_CRYPTO_RSA=y",
        "CONFIG_CRYPTO_ECDSA=y",
        "CONFIG_CRYPTO_SHA256=y",
        "CONFIG_CRYPTO_SHA512=y",
        "CONFIG_ASYMMETRIC_KEY_TYPE=y",
        "CONFIG_ASYMMETRIC_PUBLIC_KEY_SUBTYPE=y",
        "CONFIG_X509_CERTIFICATE_PARSER=y",
        "CONFIG_PKCS7_MESSAGE_PARSER=y",
    ]
    if crypto not in ("CRYPTO_SHA256", "CRYPTO_SHA512"):
        lines.append("CONFIG_{}=y".format(crypto))
    if revoked:
        lines.append("CONFIG_SYSTEM_BLACKLIST_KEYRING=y")
    return lines

def accepted_hashes(hash):
    crypto = _HASH_CONFIG[hash][1]
    return [h for h in HASHES if _HASH_CONFIG[h][1] in ("CRYPTO_SHA256", "CRYPTO_SHA512", crypto)]

def _modsign_cert_list(ctx, command, suffix, certs, progress_message, modules = []):
    """Runs `modsign COMMAND --out <name><suffix> [--module KO]... CERT...` and returns the output."""
    out = ctx.actions.declare_file(ctx.label.name + suffix)
    args = ctx.actions.args()
    args.add(command)
    args.add("--out", out)
    args.add_all(modules, before_each = "--module")
    args.add_all(certs)
    ctx.actions.run(
        executable = ctx.executable._modsign,
        arguments = [args],
        inputs = certs + modules,
        outputs = [out],
        mnemonic = "ModsignTrustedKeys",
        progress_message = progress_message,
    )
    return out

def _trusted_keys_impl(ctx):
    check_hash(ctx.attr.hash, "trusted_keys {}".format(ctx.label))
    certs = [c for t in ctx.attr.certs for c in _cert_of(t)]
    revoked = [c for t in ctx.attr.revoked for c in _cert_of(t)]
    revoked_modules = ctx.files.revoked_modules
    if not certs:
        fail("trusted_keys {}: certs is empty; the kernel would trust only its build-time key".format(ctx.label))

    bundle = _modsign_cert_list(ctx, "cert-bundle", ".pem", certs, "Writing the trusted-keys bundle %{output}")
    blacklist = None
    if revoked or revoked_modules:
        blacklist = _modsign_cert_list(
            ctx,
            "blacklist",
            ".blacklist",
            revoked,
            "Writing the revocation list %{output}",
            modules = revoked_modules,
        )

    fragment = ctx.actions.declare_file(ctx.label.name + ".config")
    ctx.actions.write(fragment, "\n".join(fragment_lines(ctx.attr.hash, bool(blacklist))) + "\n")

    files = [bundle, fragment] + ([blacklist] if blacklist else [])
    return [
        DefaultInfo(files = depset(files)),
        TrustedKeysInfo(
            bundle = bundle,
            blacklist = blacklist,
            fragment = fragment,
            hash = ctx.attr.hash,
            hashes = accepted_hashes(ctx.attr.hash),
            certs = depset(certs),
            revoked = depset(revoked),
            revoked_modules = depset(revoked_modules),
        ),
    ]

trusted_keys = rule(
    implementation = _trusted_keys_impl,
    doc = """The certificates a kernel trusts for modules, the ones it revokes, and a config fragment.

Outputs:
- `<name>.pem`: the PEM bundle for `CONFIG_SYSTEM_TRUSTED_KEYS` (certificates validated).
- `<name>.blacklist`: when `revoked` or `revoked_modules` is set, the
  `CONFIG_SYSTEM_BLACKLIST_HASH_LIST` file that revokes them: `"tbs:<hex>"` entries, the
  digest of each certificate's TBSCertificate, which the kernel checks when it loads a
  certificate (a revoked one never reaches a keyring); then `"bin:<hex>"` entries, the
  SHA-256 of each revoked signed module file.
- `<name>.config`: a fragment that enables MODULE_SIG, MODULE_SIG_FORCE, MODULE_SIG_ALL, the
  chosen hash, an autogenerated build-time key (`certs/signing_key.pem`), the crypto the
  signatures need (RSA, ECDSA, SHA-2) and, with revocations, SYSTEM_BLACKLIST_KEYRING.

Pass it to `kernel_build(trusted_keys = ...)`, which applies all three. To revoke a key that
was trusted before, keep it in `certs` and add it to `revoked`: the kernel then refuses every
module it signed.
""",
    attrs = dict({
        "certs": attr.label_list(
            mandatory = True,
            allow_files = [".pem", ".crt", ".der", ".x509"],
            doc = "Certificates to trust: x509_keypair or module_signing_key targets, or certificate files.",
        ),
        "revoked": attr.label_list(
            allow_files = [".pem", ".crt", ".der", ".x509"],
            doc = "Certificates to revoke through CONFIG_SYSTEM_BLACKLIST_HASH_LIST.",
        ),
        "revoked_modules": attr.label_list(
            allow_files = [".ko"],
            doc = """Signed module files to revoke one by one, by the SHA-256 of the whole file
(`"bin:<hex>"` entries): for example a released module found to be broken, while its key
stays trusted. Only kernels with Debian's module-hash patch check these (Debian's Linux 6.1
refuses such a module with "Module hash ... is blacklisted"); upstream Linux does not.
A module built against the kernel that would revoke it cannot be listed (a dependency
cycle); list released or checked-in files, or modules built for another kernel.""",
        ),
        "hash": attr.string(
            default = "sha512",
            values = HASHES,
            doc = "MODULE_SIG_HASH: the hash the kernel signs its own modules with. SHA-3 needs Linux 6.7 or later.",
        ),
    }, **MODSIGN_ATTR),
    provides = [TrustedKeysInfo],
)
