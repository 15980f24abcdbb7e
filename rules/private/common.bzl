"""Shared constants and helpers."""

# The kernel lines modsign has rule profiles for (signer/kernel).
KERNEL_LINES = ["6.1", "7.2"]

HASHES = ["sha256", "sha384", "sha512", "sha224", "sha3-256", "sha3-384", "sha3-512"]

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

MODSIGN_ATTR = {
    "_modsign": attr.label(
        default = Label("//signer/cmd/modsign"),
        executable = True,
        cfg = "exec",
    ),
}

def check_hash(hash, what):
    if hash not in HASHES:
        fail("{}: unsupported hash {}; use one of {}".format(what, repr(hash), ", ".join(HASHES)))

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
