"""Shared constants and helpers."""

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
