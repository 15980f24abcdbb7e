"""Shared constants and helpers: the one list of hashes and key types of the rules."""

visibility(["//rules/..."])

# Every module-signature hash the rules accept -> (the kernel's MODULE_SIG_* choice, the
# crypto option that provides it). The same set as modsign's (signer/cms) and the Gazelle
# language's; attributes take their values from HASHES, so Bazel rejects anything else.
HASH_KCONFIG = {
    "sha256": ("MODULE_SIG_SHA256", "CRYPTO_SHA256"),
    "sha384": ("MODULE_SIG_SHA384", "CRYPTO_SHA512"),
    "sha512": ("MODULE_SIG_SHA512", "CRYPTO_SHA512"),
    "sha224": ("MODULE_SIG_SHA224", "CRYPTO_SHA256"),
    "sha3-256": ("MODULE_SIG_SHA3_256", "CRYPTO_SHA3"),
    "sha3-384": ("MODULE_SIG_SHA3_384", "CRYPTO_SHA3"),
    "sha3-512": ("MODULE_SIG_SHA3_512", "CRYPTO_SHA3"),
}

HASHES = list(HASH_KCONFIG.keys())

# mldsa44/65/87 (ML-DSA, FIPS 204) need Linux 7.0 or later with CONFIG_CRYPTO_MLDSA.
# Key types of x509_keypair, as `modsign keygen --type` names them.
KEY_TYPES = ["rsa4096", "rsa3072", "rsa2048", "ecdsa-p384", "ecdsa-p256", "mldsa44", "mldsa65", "mldsa87"]

# The kernel lines modsign has rule profiles for (signer/kernel).
KERNEL_LINES = ["6.1", "7.2"]

# Signing runs on this machine (the private key never goes to a remote executor),
# while its output stays cacheable locally and remotely.
SIGN_EXECUTION_REQUIREMENTS = {"no-remote-exec": "1"}

# Key generation: neither remotely executed nor remotely cached, so the private key
# never leaves the machine (the disk cache counts as local).
KEYGEN_EXECUTION_REQUIREMENTS = {
    "no-remote": "1",
    "no-remote-cache": "1",
    "no-remote-exec": "1",
}

def kernel_line_from_source(basename):
    """Reads the kernel line from a source tarball's file name.

    Args:
      basename: the tarball's file name, e.g. linux-source-6.1.tar.xz or linux-6.1.55.tar.gz.

    Returns:
      The line as "MAJOR.MINOR", or "" when the name does not say.
    """
    for prefix in ["linux-source-", "linux-"]:
        if not basename.startswith(prefix):
            continue
        parts = basename[len(prefix):].split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return parts[0] + "." + parts[1]
    return ""

def check_hash(hash, what):
    """Fails analysis for a hash outside HASHES (for string-typed hashes not checked by values).

    Args:
      hash: the hash name.
      what: what takes it, for the message.
    """
    if hash not in HASHES:
        fail("{}: unsupported hash {}; use one of {}".format(what, repr(hash), ", ".join(HASHES)))
