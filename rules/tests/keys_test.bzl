"""Analysis tests of x509_keypair and module_signing_key."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "ModuleSigningKeyInfo", "x509_keypair")
load(":helpers.bzl", "arg_after", "assert_private_key_confined", "execution_info", "only_action")

def _keypair_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    info = target[ModuleSigningKeyInfo]
    name = target.label.name

    # The provider.
    asserts.equals(env, name + ".key.pem", info.key.basename)
    asserts.equals(env, name + ".crt.pem", info.cert.basename)
    asserts.equals(env, name + ".crt.der", info.cert_der.basename)
    asserts.equals(env, name + ".identity.json", info.identity.basename)
    asserts.equals(env, "rules_modsign analysis-test key", info.common_name)
    asserts.equals(env, None, info.pin_file)
    asserts.true(env, info.generated, "x509_keypair must say generated = True")

    # The key generation action: local only, its outputs never in a remote cache.
    keygen = only_action(env, actions, "ModsignKeygen")
    if keygen:
        for req in ["no-remote", "no-remote-cache", "no-remote-exec"]:
            asserts.true(
                env,
                req in execution_info(keygen),
                "ModsignKeygen lacks execution requirement {} (has {})".format(req, execution_info(keygen)),
            )
        asserts.equals(
            env,
            sorted([info.key.path, info.cert.path, info.cert_der.path]),
            sorted([f.path for f in keygen.outputs.to_list()]),
            "ModsignKeygen outputs",
        )
        asserts.equals(env, "rsa2048", arg_after(keygen.argv, "--type"))
        asserts.equals(env, "rules_modsign analysis-test key", arg_after(keygen.argv, "--cn"))
        asserts.equals(env, "3650", arg_after(keygen.argv, "--days"))
        asserts.true(env, "--code-signing" in keygen.argv, "code_signing = True must pass --code-signing")

    # The identity is read from the certificate, never from the key.
    certinfo = only_action(env, actions, "ModsignCertinfo")
    if certinfo:
        asserts.true(env, info.cert in certinfo.inputs.to_list(), "ModsignCertinfo must read the certificate")
        asserts.false(env, info.key in certinfo.inputs.to_list(), "ModsignCertinfo must not read the private key")
        asserts.equals(env, [info.identity], certinfo.outputs.to_list())

    # The private key is not a default output, nor in runfiles; only in its output group.
    default = target[DefaultInfo]
    asserts.false(env, info.key in default.files.to_list(), "the private key is in DefaultInfo.files")
    asserts.false(env, info.key in default.default_runfiles.files.to_list(), "the private key is in the default runfiles")
    asserts.equals(env, sorted([info.cert.path, info.cert_der.path]), sorted([f.path for f in default.files.to_list()]))
    asserts.equals(env, [info.key], target[OutputGroupInfo].private_key.to_list())

    assert_private_key_confined(env, actions, info.key)
    return analysistest.end(env)

keypair_test = analysistest.make(_keypair_test_impl)

def _signing_key_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    info = target[ModuleSigningKeyInfo]
    asserts.equals(env, "rules/tests/testdata/test-only-rsa2048.key.pem", info.key.short_path)
    asserts.equals(env, "rules/tests/testdata/test-only-rsa2048.crt.pem", info.cert.short_path)
    asserts.true(env, info.key.is_source and info.cert.is_source, "module_signing_key passes the files through")
    asserts.equals(env, None, info.cert_der)
    asserts.equals(env, "modsign test-only RSA-2048 key", info.common_name)
    asserts.equals(env, None, info.pin_file)
    asserts.false(env, info.generated, "module_signing_key must say generated = False")
    asserts.equals(env, [info.cert], target[DefaultInfo].files.to_list())
    asserts.equals(env, [], actions_reading(actions, info.key), "no action of module_signing_key reads the key")
    assert_private_key_confined(env, actions, info.key)
    return analysistest.end(env)

def actions_reading(actions, f):
    return [a.mnemonic for a in actions if f in a.inputs.to_list()]

signing_key_test = analysistest.make(_signing_key_test_impl)

def _combined_key_test_impl(ctx):
    # The seed's kernel_key.pem: key and certificate in one file, so `cert` is the key file.
    # Whatever reads it (the identity, trusted_keys' bundle) handles a private key.
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[ModuleSigningKeyInfo]
    asserts.equals(env, "rules/tests/testdata/test-only-rsa2048.combined.pem", info.key.short_path)
    assert_private_key_confined(env, analysistest.target_actions(env), info.key)
    return analysistest.end(env)

combined_key_test = analysistest.make(_combined_key_test_impl)

def keys_test_suite(name):
    """The key tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    x509_keypair(
        name = "test_keypair",
        common_name = "rules_modsign analysis-test key",
        key_type = "rsa2048",
        days = 3650,
        code_signing = True,
        tags = ["manual"],
    )
    keypair_test(name = "keypair_test", target_under_test = ":test_keypair")
    signing_key_test(name = "signing_key_test", target_under_test = ":test_key")

    # With a combined key+certificate file, only the local ModsignCertExtract action may read it.
    combined_key_test(
        name = "combined_key_test",
        target_under_test = ":test_key_combined",
    )
    native.test_suite(
        name = name,
        tests = [":keypair_test", ":signing_key_test", ":combined_key_test"],
    )
