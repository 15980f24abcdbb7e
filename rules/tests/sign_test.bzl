"""Analysis tests of kernel_module_signed and kernel_modules_signed."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "KernelModuleInfo", "ModuleSigningKeyInfo", "kernel_module_signed", "kernel_modules_signed")
load(":helpers.bzl", "NO_REMOTE_CACHE", "arg_after", "assert_inputs_exactly", "assert_private_key_confined", "execution_info", "failure_test", "has_any", "only_action")

_TOOL_ATTRS = {
    "key": attr.label(default = ":test_key", providers = [ModuleSigningKeyInfo]),
    "fixture": attr.label(default = "testdata/nhc_hop.ko", allow_single_file = True),
    "_modsign": attr.label(default = "//signer/cmd/modsign", cfg = "exec", executable = True),
}

def _check_sign_action(env, action, key):
    """ModsignSign: local execution only, cacheable output, and the key handled safely."""
    asserts.true(
        env,
        "no-remote-exec" in execution_info(action),
        "ModsignSign must carry no-remote-exec (has {})".format(execution_info(action)),
    )
    asserts.equals(
        env,
        [],
        has_any(execution_info(action), NO_REMOTE_CACHE),
        "ModsignSign's output (the signed module) must stay cacheable locally and remotely",
    )
    asserts.equals(env, "sign", action.argv[1])
    asserts.equals(env, key.key.path, arg_after(action.argv, "--key"))
    asserts.equals(env, key.cert.path, arg_after(action.argv, "--cert"))

def _signed_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    key = ctx.attr.key[ModuleSigningKeyInfo]
    fixture = ctx.file.fixture
    info = target[KernelModuleInfo]

    out_path = "rules/tests/" + ctx.attr.expect_out
    asserts.equals(env, [out_path], [f.short_path for f in target[DefaultInfo].files.to_list()])

    sign = only_action(env, actions, "ModsignSign")
    if sign:
        _check_sign_action(env, sign, key)
        assert_inputs_exactly(env, sign, [key.key, key.cert, fixture], ctx.attr._modsign)
        asserts.equals(env, [out_path], [f.short_path for f in sign.outputs.to_list()])
        asserts.equals(env, info.module.path, arg_after(sign.argv, "--out"))
        asserts.equals(env, fixture.path, sign.argv[-1], "the module is the last argument")
        asserts.equals(env, ctx.attr.expect_hash, arg_after(sign.argv, "--hash"))
        asserts.equals(env, ctx.attr.expect_keyid, "--keyid" in sign.argv)
    asserts.equals(env, 1, len(actions), "one action: {}".format([a.mnemonic for a in actions]))

    # KernelModuleInfo of a signed checked-in module.
    asserts.equals(env, out_path, info.module.short_path)
    asserts.equals(env, "nhc_hop", info.module_name)
    asserts.true(env, info.signed, "signed must be True")
    asserts.equals(env, fixture, info.unsigned)
    asserts.equals(env, ctx.attr.expect_hash, info.hash)
    asserts.equals(env, ctx.attr.expect_keyid, info.keyid)
    asserts.equals(env, key.key, info.signing_key.key)
    asserts.equals(env, key.cert, info.signing_key.cert)
    asserts.equals(env, key.identity, info.signing_key.identity)
    asserts.equals(env, None, info.kernel, "a checked-in .ko has no kernel")
    asserts.equals(env, None, info.symvers)
    asserts.equals(env, [], info.transitive_symvers.to_list())

    assert_private_key_confined(env, actions, key.key)
    return analysistest.end(env)

signed_test = analysistest.make(
    _signed_test_impl,
    attrs = dict(_TOOL_ATTRS, **{
        "expect_out": attr.string(mandatory = True),
        "expect_hash": attr.string(default = "sha512"),
        "expect_keyid": attr.bool(default = False),
    }),
)

def _batch_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    key = ctx.attr.key[ModuleSigningKeyInfo]
    modules = [f for t in ctx.attr.modules for f in t[DefaultInfo].files.to_list()]
    asserts.equals(env, 3, len(modules), "the test signs three modules")

    sign = only_action(env, actions, "ModsignSign")
    asserts.equals(env, 1, len(actions), "one action for {} modules: {}".format(len(modules), [a.mnemonic for a in actions]))
    expected_outs = sorted(["rules/tests/{}/{}".format(target.label.name, m.basename) for m in modules])
    asserts.equals(env, expected_outs, sorted([f.short_path for f in target[DefaultInfo].files.to_list()]))
    if sign:
        _check_sign_action(env, sign, key)
        assert_inputs_exactly(env, sign, [key.key, key.cert] + modules, ctx.attr._modsign)
        asserts.equals(env, expected_outs, sorted([f.short_path for f in sign.outputs.to_list()]))
        out_dir = arg_after(sign.argv, "--out-dir")
        asserts.equals(env, sign.outputs.to_list()[0].dirname, out_dir)
        asserts.equals(env, sorted([m.path for m in modules]), sorted(sign.argv[-len(modules):]))
        asserts.equals(env, "sha384", arg_after(sign.argv, "--hash"))
    assert_private_key_confined(env, actions, key.key)
    return analysistest.end(env)

batch_test = analysistest.make(
    _batch_test_impl,
    attrs = dict(_TOOL_ATTRS, **{"modules": attr.label_list(allow_files = True)}),
)

def sign_test_suite(name):
    """The signing tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    kernel_module_signed(
        name = "signed_keyid_sha256",
        hash = "sha256",
        keyid = True,
        module = "testdata/nhc_hop.ko",
        out = "custom/nhc_hop_signed.ko",
        signing_key = ":test_key",
        tags = ["manual"],
    )
    signed_test(
        name = "signed_fixture_test",
        target_under_test = ":signed_fixture",
        expect_out = "signed_fixture/nhc_hop.ko",
    )
    signed_test(
        name = "signed_keyid_sha256_test",
        target_under_test = ":signed_keyid_sha256",
        expect_out = "custom/nhc_hop_signed.ko",
        expect_hash = "sha256",
        expect_keyid = True,
    )

    # Three differently named copies of the fixture, and one named like the fixture.
    for m in ["batch_a", "batch_b", "dup"]:
        native.genrule(
            name = "copy_" + m,
            srcs = ["testdata/nhc_hop.ko"],
            outs = ["copies/{}/{}.ko".format(m, "nhc_hop" if m == "dup" else m)],
            cmd = "cp $< $@",
            tags = ["manual"],
        )
    kernel_modules_signed(
        name = "batch",
        hash = "sha384",
        modules = [":copy_batch_a", ":copy_batch_b", "testdata/nhc_hop.ko"],
        signing_key = ":test_key",
        tags = ["manual"],
    )
    batch_test(
        name = "batch_test",
        target_under_test = ":batch",
        modules = [":copy_batch_a", ":copy_batch_b", "testdata/nhc_hop.ko"],
    )
    kernel_modules_signed(
        name = "batch_duplicate",
        modules = ["testdata/nhc_hop.ko", ":copy_dup"],
        signing_key = ":test_key",
        tags = ["manual"],
    )
    failure_test(
        name = "batch_duplicate_test",
        target_under_test = ":batch_duplicate",
        messages = ["two modules are named nhc_hop.ko"],
    )
    native.test_suite(
        name = name,
        tests = [":signed_fixture_test", ":signed_keyid_sha256_test", ":batch_test", ":batch_duplicate_test"],
    )
