"""Analysis tests of ML-DSA keys: x509_keypair(key_type = "mldsa65") and the 6.1 refusal."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "ModuleSigningKeyInfo", "kernel_module_digests", "kernel_module_signed", "kernel_modules_signed", "x509_keypair")
load(":helpers.bzl", "arg_after", "failure_test", "only_action")

def _mldsa_signed_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    sign = only_action(env, actions, "ModsignSign")
    if sign:
        asserts.equals(env, "7.2", arg_after(sign.argv, "--kernel"))
    asserts.equals(env, 1, len(target[DefaultInfo].files.to_list()))
    return analysistest.end(env)

mldsa_signed_test = analysistest.make(_mldsa_signed_test_impl)

def _mldsa_keypair_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[ModuleSigningKeyInfo]
    asserts.equals(env, "mldsa65", info.key_type)
    keygen = only_action(env, analysistest.target_actions(env), "ModsignKeygen")
    if keygen:
        asserts.equals(env, "mldsa65", arg_after(keygen.argv, "--type"))
    return analysistest.end(env)

mldsa_keypair_test = analysistest.make(_mldsa_keypair_test_impl)

def _mldsa_digests_test_impl(ctx):
    env = analysistest.begin(ctx)
    key = ctx.attr.key[ModuleSigningKeyInfo]
    digest = only_action(env, analysistest.target_actions(env), "ModsignDigest")
    if digest:
        asserts.equals(env, key.cert.path, arg_after(digest.argv, "--cert"))
        asserts.true(env, "--signed-attrs" in digest.argv, "signed_attrs passes --signed-attrs: {}".format(digest.argv))
        asserts.true(env, key.cert in digest.inputs.to_list(), "the certificate is an input")
        asserts.false(env, key.key in digest.inputs.to_list(), "the private key is not an input")
    return analysistest.end(env)

mldsa_digests_test = analysistest.make(
    _mldsa_digests_test_impl,
    attrs = {"key": attr.label(providers = [ModuleSigningKeyInfo])},
)

def mldsa_test_suite(name):
    """ML-DSA keys in the rules; uses the fake 6.1 and 7.2 modules of kernel_test_suite.

    Args:
      name: the test_suite's name.
    """
    x509_keypair(name = "mldsa_key", common_name = "ML-DSA-65 test key", key_type = "mldsa65", tags = ["manual"])
    mldsa_keypair_test(name = "mldsa_keypair_test", target_under_test = ":mldsa_key")
    kernel_module_signed(name = "mldsa_for_7_2", module = ":fake_mod_7_2", signing_key = ":mldsa_key", tags = ["manual"])
    mldsa_signed_test(name = "mldsa_for_7_2_test", target_under_test = ":mldsa_for_7_2")
    kernel_module_signed(name = "mldsa_for_6_1", module = ":fake_mod_6_1", signing_key = ":mldsa_key", tags = ["manual"])
    failure_test(
        name = "mldsa_for_6_1_test",
        target_under_test = ":mldsa_for_6_1",
        messages = ["(ML-DSA), which Linux 6.1 cannot verify"],
    )
    kernel_modules_signed(name = "mldsa_batch_for_6_1", modules = [":fake_mod_6_1"], signing_key = ":mldsa_key", tags = ["manual"])
    failure_test(
        name = "mldsa_batch_for_6_1_test",
        target_under_test = ":mldsa_batch_for_6_1",
        messages = ["Linux 7.0 or later"],
    )
    kernel_module_digests(name = "mldsa_digests_7_2", cert = ":mldsa_key", modules = [":fake_mod_7_2"], signed_attrs = True, tags = ["manual"])
    mldsa_digests_test(name = "mldsa_digests_7_2_test", target_under_test = ":mldsa_digests_7_2", key = ":mldsa_key")
    kernel_module_digests(name = "mldsa_digests_6_1", cert = ":mldsa_key", modules = [":fake_mod_6_1"], tags = ["manual"])
    failure_test(
        name = "mldsa_digests_6_1_test",
        target_under_test = ":mldsa_digests_6_1",
        messages = ["Linux 6.1 cannot verify", "Linux 7.0 or later"],
    )
    kernel_module_digests(name = "mldsa_digests_attrs_sha384", cert = ":mldsa_key", hash = "sha384", modules = [":fake_mod_7_2"], signed_attrs = True, tags = ["manual"])
    failure_test(
        name = "mldsa_digests_attrs_sha384_test",
        target_under_test = ":mldsa_digests_attrs_sha384",
        messages = ["signed_attrs", "takes hash = \"sha512\""],
    )
    native.test_suite(
        name = name,
        tests = [
            ":mldsa_keypair_test",
            ":mldsa_for_7_2_test",
            ":mldsa_for_6_1_test",
            ":mldsa_batch_for_6_1_test",
            ":mldsa_digests_7_2_test",
            ":mldsa_digests_6_1_test",
            ":mldsa_digests_attrs_sha384_test",
        ],
    )
