"""Analysis tests of kernel_module_digests and kernel_modules_attached."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "ModuleSigningKeyInfo", "kernel_module_digests", "kernel_modules_attached")
load(":helpers.bzl", "arg_after", "assert_inputs_exactly", "assert_private_key_confined", "failure_test", "only_action")

_ATTRS = {
    "key": attr.label(default = ":test_key", providers = [ModuleSigningKeyInfo]),
    "modules": attr.label_list(allow_files = True),
    "signatures": attr.label(allow_single_file = True),
    "_modsign": attr.label(default = "//signer/cmd/modsign", cfg = "exec", executable = True),
}

def _digests_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    modules = [f for t in ctx.attr.modules for f in t[DefaultInfo].files.to_list()]
    asserts.equals(env, ["rules/tests/{}.digests".format(target.label.name)], [f.short_path for f in target[DefaultInfo].files.to_list()])
    action = only_action(env, actions, "ModsignDigest")
    if action:
        asserts.equals(env, "digest", action.argv[1])
        asserts.equals(env, "sha384", arg_after(action.argv, "--hash"))
        asserts.equals(env, action.outputs.to_list()[0].path, arg_after(action.argv, "--list"))
        assert_inputs_exactly(env, action, modules, ctx.attr._modsign)
        asserts.equals(env, sorted([m.path for m in modules]), sorted(action.argv[-len(modules):]))
    asserts.equals(env, 1, len(actions))
    return analysistest.end(env)

digests_test = analysistest.make(_digests_test_impl, attrs = _ATTRS)

def _attached_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    key = ctx.attr.key[ModuleSigningKeyInfo]
    modules = [f for t in ctx.attr.modules for f in t[DefaultInfo].files.to_list()]
    expected = sorted(["rules/tests/{}/{}".format(target.label.name, m.basename) for m in modules])
    asserts.equals(env, expected, sorted([f.short_path for f in target[DefaultInfo].files.to_list()]))
    action = only_action(env, actions, "ModsignAttach")
    if action:
        asserts.equals(env, "attach", action.argv[1])
        asserts.equals(env, key.cert.path, arg_after(action.argv, "--cert"))
        asserts.equals(env, ctx.file.signatures.path, arg_after(action.argv, "--sigs"))
        asserts.equals(env, "sha512", arg_after(action.argv, "--hash"))
        assert_inputs_exactly(env, action, modules + [key.cert, ctx.file.signatures], ctx.attr._modsign)
    assert_private_key_confined(env, actions, key.key)
    return analysistest.end(env)

attached_test = analysistest.make(_attached_test_impl, attrs = _ATTRS)

def detached_test_suite(name):
    """Tests of signing outside the build; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    kernel_module_digests(
        name = "digests_sha384",
        hash = "sha384",
        modules = [":copy_batch_a", "testdata/nhc_hop.ko"],
        tags = ["manual"],
    )
    digests_test(
        name = "digests_sha384_test",
        target_under_test = ":digests_sha384",
        modules = [":copy_batch_a", "testdata/nhc_hop.ko"],
    )
    attached_test(
        name = "release_attached_analysis_test",
        target_under_test = ":release_attached",
        modules = ["testdata/nhc_hop.ko"],
        signatures = ":release_signatures",
    )
    kernel_module_digests(
        name = "digests_duplicate",
        modules = ["testdata/nhc_hop.ko", ":copy_dup"],
        tags = ["manual"],
    )
    failure_test(
        name = "digests_duplicate_test",
        target_under_test = ":digests_duplicate",
        messages = ["two modules are named nhc_hop.ko"],
    )
    kernel_modules_attached(
        name = "attached_two_certs",
        cert = ":trusted_test_key",
        modules = ["testdata/nhc_hop.ko"],
        signatures = ":release_signatures",
        tags = ["manual"],
    )
    failure_test(
        name = "attached_two_certs_test",
        target_under_test = ":attached_two_certs",
        messages = ["must be one certificate file"],
    )
    native.test_suite(
        name = name,
        tests = [
            ":attached_two_certs_test",
            ":digests_duplicate_test",
            ":digests_sha384_test",
            ":release_attached_analysis_test",
        ],
    )
