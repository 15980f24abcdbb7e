"""A SoftHSM2 token for the e2e tests, created when Bazel fetches its repository.

TEST-ONLY. `softhsm.token(name = ...)` makes a repository holding a fresh SoftHSM2 token
(its object store in the repository directory) with two RSA keys:

- `imported`: a fixed TEST-ONLY key imported from a PEM file (`import_key`), whose certificate
  (`import_cert`) the e2e kernels trust, so a module signed through the token boots;
- `generated`: a key pair generated INSIDE the token by `pkcs11-tool` (sensitive, not
  extractable), and a self-signed certificate made by OpenSSL through pkcs11-provider, stored in
  the token next to it and read back into `generated.crt.pem`.

Both certificates are also in the token, so `modsign sign --key pkcs11:...` finds them without
`--cert`. The tools are the chroot's (where Bazel runs): softhsm2-util, pkcs11-tool (opensc),
openssl with pkcs11-provider. The key file is read only here; the token is the only copy the
builds use.

The repository exports `softhsm2.conf`, `pin` (the token's TEST-ONLY user PIN), the
certificates, and `token.bzl` with `TOKEN`: `conf` (absolute path of softhsm2.conf, for
`module_signing_key(pkcs11_env = {"SOFTHSM2_CONF": TOKEN.conf})`), `module` (the library),
`label` (the token label) and `uri(object)` (the key's RFC 7512 URI).
"""

_LIBS = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
]

_INSTALL = "install softhsm2, opensc and pkcs11-provider where Bazel runs (tools/setup/provision.sh has them in the chroot)"

def _tool(rctx, name):
    p = rctx.which(name)
    if not p:
        fail("softhsm_token {}: {} is not installed: {}".format(rctx.name, name, _INSTALL))
    return str(p)

def _run(rctx, what, args, env, secret = None):
    r = rctx.execute(args, environment = env, quiet = True)
    if r.return_code != 0:
        out = (r.stdout + r.stderr).strip()
        if secret:
            out = out.replace(secret, "REDACTED")
        fail("softhsm_token {}: {} failed (exit {}):\n{}".format(rctx.name, what, r.return_code, out))
    return r.stdout

def _softhsm_token_impl(rctx):
    lib = ""
    for candidate in _LIBS:
        if rctx.path(candidate).exists:
            lib = candidate
            break
    if not lib:
        fail("softhsm_token {}: no SoftHSM2 library at {}: {}".format(rctx.name, " or ".join(_LIBS), _INSTALL))
    util = _tool(rctx, "softhsm2-util")
    p11tool = _tool(rctx, "pkcs11-tool")
    openssl = _tool(rctx, "openssl")
    provider = [m for m in ["/usr/lib/x86_64-linux-gnu/ossl-modules/pkcs11.so"] if rctx.path(m).exists]
    if not provider:
        fail("softhsm_token {}: OpenSSL's pkcs11-provider is not installed: {}".format(rctx.name, _INSTALL))

    root = str(rctx.path("."))
    label = rctx.attr.label
    pin = rctx.attr.pin
    rctx.execute(["rm", "-rf", root + "/tokens"])
    rctx.execute(["mkdir", "-m", "0700", root + "/tokens"])
    conf = root + "/softhsm2.conf"
    rctx.file("softhsm2.conf", "directories.tokendir = {}/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n".format(root))
    rctx.file("pin", pin, executable = False)
    env = {"SOFTHSM2_CONF": conf}
    _run(rctx, "softhsm2-util --init-token", [util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", rctx.attr.so_pin], env, pin)
    login = [p11tool, "--module", lib, "--token-label", label, "--login", "--pin", pin]

    # The imported key: PKCS#8 (what softhsm2-util takes) in a temporary file, deleted at once.
    _run(rctx, "openssl pkcs8", [openssl, "pkcs8", "-topk8", "-nocrypt", "-in", str(rctx.path(rctx.attr.import_key)), "-out", root + "/imported.p8"], env)
    r = rctx.execute([util, "--import", root + "/imported.p8", "--token", label, "--label", "imported", "--id", "01", "--pin", pin], environment = env, quiet = True)
    rctx.delete(root + "/imported.p8")
    if r.return_code != 0:
        fail("softhsm_token {}: softhsm2-util --import failed: {}".format(rctx.name, (r.stdout + r.stderr).replace(pin, "REDACTED")))
    rctx.symlink(rctx.attr.import_cert, "imported.crt.pem")
    _run(rctx, "openssl x509 (imported)", [openssl, "x509", "-in", "imported.crt.pem", "-outform", "DER", "-out", "imported.crt.der"], env)
    _run(rctx, "pkcs11-tool --write-object (imported)", login + ["--write-object", "imported.crt.der", "--type", "cert", "--label", "imported", "--id", "01"], env, pin)

    # The generated key: made inside the token; pkcs11-tool sets CKA_SENSITIVE and leaves
    # CKA_EXTRACTABLE false (no --extractable).
    _run(rctx, "pkcs11-tool --keypairgen", login + ["--keypairgen", "--key-type", "rsa:" + str(rctx.attr.generated_bits), "--label", "generated", "--id", "02", "--usage-sign"], env, pin)

    # Its certificate, self-signed by the token through OpenSSL's pkcs11-provider.
    rctx.file("openssl.cnf", """openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
pkcs11 = pkcs11_sect
[default_sect]
activate = 1
[pkcs11_sect]
pkcs11-module-path = {lib}
pkcs11-module-token-pin = file:{root}/pin
activate = 1
""".format(lib = lib, root = root))
    ossl_env = dict(env, OPENSSL_CONF = root + "/openssl.cnf")
    _run(rctx, "openssl req -x509 through pkcs11-provider", [
        openssl,
        "req",
        "-new",
        "-x509",
        "-key",
        "pkcs11:token={};object=generated;type=private".format(label),
        "-subj",
        "/O=rules_modsign test-only/CN=" + rctx.attr.generated_cn,
        "-days",
        "36500",
        "-sha256",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "keyUsage=digitalSignature",
        "-addext",
        "subjectKeyIdentifier=hash",
        "-outform",
        "DER",
        "-out",
        "generated.made.der",
    ], ossl_env)
    _run(rctx, "pkcs11-tool --write-object (generated)", login + ["--write-object", "generated.made.der", "--type", "cert", "--label", "generated", "--id", "02"], env, pin)
    rctx.delete("generated.made.der")

    # Read back from the token: the certificate the tests verify against.
    _run(rctx, "pkcs11-tool --read-object (generated)", [p11tool, "--module", lib, "--token-label", label, "--read-object", "--type", "cert", "--label", "generated", "--output-file", "generated.crt.der"], env)
    _run(rctx, "openssl x509 (generated)", [openssl, "x509", "-inform", "DER", "-in", "generated.crt.der", "-out", "generated.crt.pem"], env)

    rctx.file("token.bzl", '''"""The SoftHSM2 token of @{name} (generated; TEST-ONLY)."""

def _uri(object):
    return "pkcs11:token={label};object=" + object + ";type=private"

TOKEN = struct(
    conf = "{conf}",
    module = "{lib}",
    label = "{label}",
    uri = _uri,
)
'''.format(name = rctx.name, label = label, conf = conf, lib = lib))
    rctx.file("BUILD.bazel", '''# Generated by softhsm_token (e2e/workspace/pkcs11/token.bzl). TEST-ONLY.
package(default_visibility = ["//visibility:public"])

exports_files([
    "generated.crt.der",
    "generated.crt.pem",
    "imported.crt.pem",
    "openssl.cnf",
    "pin",
    "softhsm2.conf",
    "token.bzl",
])
''')

softhsm_token = repository_rule(
    implementation = _softhsm_token_impl,
    doc = "A fresh SoftHSM2 token with an imported and a generated key (TEST-ONLY; see the file's docstring).",
    attrs = {
        "label": attr.string(default = "rules-modsign-e2e", doc = "The token label."),
        "pin": attr.string(default = "4321", doc = "The TEST-ONLY user PIN."),
        "so_pin": attr.string(default = "87654321", doc = "The TEST-ONLY security officer PIN."),
        "import_key": attr.label(mandatory = True, doc = "A TEST-ONLY private key (PEM) to import as `imported`."),
        "import_cert": attr.label(mandatory = True, doc = "Its certificate."),
        "generated_bits": attr.int(default = 2048, doc = "RSA size of the key generated in the token."),
        "generated_cn": attr.string(default = "SoftHSM2 generated test-only key", doc = "CN of its certificate."),
    },
)

_token = tag_class(attrs = {
    "name": attr.string(mandatory = True),
    "import_key": attr.label(mandatory = True),
    "import_cert": attr.label(mandatory = True),
})

def _softhsm_impl(mctx):
    for mod in mctx.modules:
        for t in mod.tags.token:
            softhsm_token(name = t.name, import_key = t.import_key, import_cert = t.import_cert)

softhsm = module_extension(
    implementation = _softhsm_impl,
    doc = "TEST-ONLY SoftHSM2 tokens: `softhsm.token(name, import_key, import_cert)`.",
    tag_classes = {"token": _token},
)
