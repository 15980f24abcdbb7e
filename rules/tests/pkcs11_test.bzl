"""Analysis tests of module_signing_key with a key in a PKCS#11 token."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "ModuleSigningKeyInfo", "kernel_module_signed", "module_signing_key")
load(":helpers.bzl", "NO_REMOTE_CACHE", "arg_after", "assert_inputs_exactly", "execution_info", "failure_test", "has_any", "only_action")

_URI = "pkcs11:token=release;object=modsign;type=private"

def _token_sign_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    key = ctx.attr.key[ModuleSigningKeyInfo]
    asserts.equals(env, None, key.key, "a token key has no key file")
    asserts.equals(env, _URI, key.pkcs11_uri)
    asserts.equals(env, "/usr/lib/softhsm/libsofthsm2.so", key.pkcs11_module)
    sign = only_action(env, actions, "ModsignSign")
    if sign:
        info = execution_info(sign)
        asserts.true(env, "no-remote-exec" in info, "token signing must stay local: {}".format(info))
        if hasattr(sign, "execution_info"):
            # Bazel 7 does not expose the real execution info to analysis tests.
            asserts.true(env, "no-sandbox" in info, "token signing runs unsandboxed (the token library keeps state): {}".format(info))
        asserts.equals(env, [], has_any(info, NO_REMOTE_CACHE), "the signed module stays cacheable")
        asserts.equals(env, _URI, arg_after(sign.argv, "--key"))
        asserts.equals(env, "/usr/lib/softhsm/libsofthsm2.so", arg_after(sign.argv, "--pkcs11-module"))
        asserts.equals(env, key.cert.path, arg_after(sign.argv, "--cert"))
        assert_inputs_exactly(env, sign, [key.cert, ctx.file.fixture], ctx.attr._modsign)
        asserts.equals(env, "/etc/softhsm/test.conf", sign.env.get("SOFTHSM2_CONF"), "pkcs11_env reaches the signing action")
    asserts.equals(env, {"SOFTHSM2_CONF": "/etc/softhsm/test.conf"}, key.pkcs11_env)
    asserts.equals(env, 1, len(target[DefaultInfo].files.to_list()))
    return analysistest.end(env)

token_sign_test = analysistest.make(
    _token_sign_test_impl,
    attrs = {
        "key": attr.label(providers = [ModuleSigningKeyInfo]),
        "fixture": attr.label(default = "testdata/nhc_hop.ko", allow_single_file = True),
        "_modsign": attr.label(default = "//signer/cmd/modsign", cfg = "exec", executable = True),
    },
)

def pkcs11_test_suite(name):
    """Tests of token keys; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    module_signing_key(
        name = "token_key",
        cert = "testdata/test-only-rsa2048.crt.pem",
        pkcs11_env = {"SOFTHSM2_CONF": "/etc/softhsm/test.conf"},
        pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so",
        pkcs11_uri = _URI,
        tags = ["manual"],
    )
    kernel_module_signed(
        name = "token_signed",
        module = "testdata/nhc_hop.ko",
        signing_key = ":token_key",
        tags = ["manual"],
    )
    token_sign_test(
        name = "token_signed_test",
        target_under_test = ":token_signed",
        key = ":token_key",
    )
    bad = {
        "token_key_pin_value": (dict(cert = "testdata/test-only-rsa2048.crt.pem", pkcs11_uri = _URI + "?pin-value=1234"), "must not carry pin-value"),
        "token_key_no_cert": (dict(pkcs11_uri = _URI), "needs cert"),
        "token_key_and_file": (dict(key = "testdata/test-only-rsa2048.key.pem", cert = "testdata/test-only-rsa2048.crt.pem", pkcs11_uri = _URI), "not both"),
        "token_key_not_uri": (dict(cert = "testdata/test-only-rsa2048.crt.pem", pkcs11_uri = "token=release"), "must be an RFC 7512 URI"),
        "token_key_relative_module": (dict(cert = "testdata/test-only-rsa2048.crt.pem", pkcs11_uri = _URI, pkcs11_module = "libsofthsm2.so"), "absolute path"),
        "no_key_at_all": (dict(cert = "testdata/test-only-rsa2048.crt.pem"), "give key"),
        "token_key_pin_env": (dict(cert = "testdata/test-only-rsa2048.crt.pem", pkcs11_uri = _URI, pkcs11_env = {"KBUILD_SIGN_PIN": "1234"}), "must not carry KBUILD_SIGN_PIN"),
        "file_key_pkcs11_env": (dict(key = "testdata/test-only-rsa2048.key.pem", pkcs11_env = {"SOFTHSM2_CONF": "/x"}), "pkcs11_env only applies with pkcs11_uri"),
    }
    for n, (kwargs, message) in bad.items():
        module_signing_key(name = n, tags = ["manual"], **kwargs)
        failure_test(name = n + "_test", target_under_test = ":" + n, messages = [message])
    native.test_suite(
        name = name,
        tests = [":token_signed_test"] + [":" + n + "_test" for n in bad],
    )
