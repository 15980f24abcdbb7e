"""Analysis tests of prebuilt_kernel and prebuilt_kernel_module.

The trees in testdata/prebuilt are fakes: only analysed, never assembled.
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load(
    "//rules:defs.bzl",
    "KernelBuildInfo",
    "KernelModuleInfo",
    "kernel_module",
    "kernel_module_qemu_test",
    "kernel_module_signed",
    "prebuilt_kernel",
    "prebuilt_kernel_module",
)
load(":helpers.bzl", "arg_after", "failure_test", "only_action")

_TD = "rules/tests/testdata/prebuilt/"

def _prebuilt_kernel_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[KernelBuildInfo]
    asserts.equals(env, target.label, info.label)
    asserts.equals(env, "6.1", info.line)
    asserts.equals(env, "12", info.cc.version.split(".")[0], "cc = \"gcc-12\" selects a registered gcc of major 12")
    asserts.equals(env, ["sha256"], info.hashes)
    asserts.equals(env, None, info.trusted_keys)
    asserts.equals(env, _TD + "tree/.config", info.config.short_path, "config defaults to the tree's .config")
    asserts.equals(env, _TD + "tree/Module.symvers", info.symvers.short_path, "symvers defaults to the tree's Module.symvers")
    asserts.equals(env, _TD + "tree/Makefile", info.image.short_path)
    asserts.true(env, info.tree.is_directory, "the assembled tree is a directory")
    asserts.equals(env, "rules/tests/{}/build".format(target.label.name), info.tree.short_path)
    asserts.equals(env, [info.tree], target[OutputGroupInfo].tree.to_list())

    a = only_action(env, analysistest.target_actions(env), "PrebuiltKernelTree")
    if a:
        inputs = [f.short_path for f in a.inputs.to_list()]
        for f in ["tree/Makefile", "tree/.config", "tree/Module.symvers", "common/Makefile", "kbuild/scripts/Makefile.build"]:
            asserts.true(env, _TD + f in inputs, "PrebuiltKernelTree must read " + f)
        asserts.equals(env, [info.tree.path], [f.path for f in a.outputs.to_list()])
        asserts.equals(env, _TD + "tree", arg_after(a.argv, "--tree"))
        asserts.equals(env, _TD + "common", arg_after(a.argv, "--common"))
        asserts.equals(env, _TD + "kbuild", arg_after(a.argv, "--kbuild"))
        asserts.false(env, "--cc" in a.argv, "the assembled tree does not depend on the compiler")
        asserts.equals(env, "0.0.0-1-fake", arg_after(a.argv, "--release"))
    return analysistest.end(env)

prebuilt_kernel_test = analysistest.make(_prebuilt_kernel_test_impl)

def _module_on_prebuilt_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    kernel = ctx.attr.kernel[KernelBuildInfo]
    info = target[KernelModuleInfo]
    asserts.equals(env, kernel.label, info.kernel.label)
    a = only_action(env, analysistest.target_actions(env), "KernelModule")
    if a:
        asserts.equals(env, kernel.tree.path, arg_after(a.argv, "--tree"), "kernel_module builds in the assembled tree")
        asserts.true(env, kernel.tree in a.inputs.to_list(), "the assembled tree is an input")
        asserts.true(env, kernel.cc.identity in a.inputs.to_list(), "the identity of the kernel's compiler (gcc-12) is an input of KernelModule")
        asserts.equals(env, kernel.cc.compiler, arg_after(a.argv, "--cc"))
        asserts.equals(env, kernel.cc.identity.path, arg_after(a.argv, "--cc-identity"))
    return analysistest.end(env)

module_on_prebuilt_test = analysistest.make(
    _module_on_prebuilt_test_impl,
    attrs = {"kernel": attr.label(providers = [KernelBuildInfo])},
)

def _prebuilt_module_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[KernelModuleInfo]
    asserts.equals(env, "nhc_hop", info.module_name)
    asserts.equals(env, "rules/tests/testdata/nhc_hop.ko", info.module.short_path)
    asserts.false(env, info.signed, "not signed by this build")
    asserts.equals(env, ctx.attr.kernel[KernelBuildInfo].label, info.kernel.label)
    return analysistest.end(env)

prebuilt_module_test = analysistest.make(
    _prebuilt_module_test_impl,
    attrs = {"kernel": attr.label(providers = [KernelBuildInfo])},
)

def _tree_artifact_impl(ctx):
    d = ctx.actions.declare_directory(ctx.label.name)
    ctx.actions.run_shell(outputs = [d], command = "mkdir -p \"$1\"", arguments = [d.path])
    return [DefaultInfo(files = depset([d]))]

_tree_artifact = rule(implementation = _tree_artifact_impl, doc = "A directory output, as another rule set would make.")

def prebuilt_test_suite(name):
    """The prebuilt_kernel tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    manual = ["manual"]
    tree = native.glob(["testdata/prebuilt/tree/**"])
    common = native.glob(["testdata/prebuilt/common/**"])
    kbuild = native.glob(["testdata/prebuilt/kbuild/**"])

    prebuilt_kernel(
        name = "prebuilt_debian_like",
        tree = tree,
        common = common,
        kbuild = kbuild,
        image = "testdata/prebuilt/tree/Makefile",
        line = "6.1",
        cc = "gcc-12",
        hashes = ["sha256"],
        release = "0.0.0-1-fake",
        tags = manual,
    )
    prebuilt_kernel_test(name = "prebuilt_kernel_test", target_under_test = ":prebuilt_debian_like")

    kernel_module(
        name = "module_on_prebuilt",
        srcs = ["testdata/module/greeting.c", "testdata/module/greeting.h"],
        kbuild = "testdata/module/Kbuild",
        kernel = ":prebuilt_debian_like",
        module_name = "greeting",
        tags = manual,
    )
    module_on_prebuilt_test(name = "module_on_prebuilt_test", target_under_test = ":module_on_prebuilt", kernel = ":prebuilt_debian_like")

    prebuilt_kernel_module(name = "prebuilt_ko", module = "testdata/nhc_hop.ko", kernel = ":prebuilt_debian_like", tags = manual)
    prebuilt_module_test(name = "prebuilt_module_test", target_under_test = ":prebuilt_ko", kernel = ":prebuilt_debian_like")

    # The kernel accepts sha256 only: a sha512 signature is refused at analysis.
    kernel_module_signed(name = "prebuilt_signed_sha512", module = ":module_on_prebuilt", signing_key = ":test_key", hash = "sha512", tags = manual)
    failure_test(
        name = "prebuilt_hash_not_enabled_test",
        target_under_test = ":prebuilt_signed_sha512",
        messages = ["hash \"sha512\" is not enabled in kernel ", "//rules/tests:prebuilt_debian_like, which accepts sha256"],
    )

    # Contradictions.
    prebuilt_kernel(
        name = "prebuilt_no_symvers",
        tree = [f for f in tree if not f.endswith("Module.symvers")],
        line = "6.1",
        tags = manual,
    )
    failure_test(
        name = "prebuilt_no_symvers_test",
        target_under_test = ":prebuilt_no_symvers",
        messages = ["prebuilt_kernel ", "//rules/tests:prebuilt_no_symvers: no Module.symvers: the tree rules/tests/testdata/prebuilt/tree has none;", "give the full build's Module.symvers as symvers"],
    )
    _tree_artifact(name = "other_rule_set_tree", tags = manual)
    prebuilt_kernel(
        name = "prebuilt_dir_without_config",
        tree = [":other_rule_set_tree"],
        symvers = "testdata/prebuilt/tree/Module.symvers",
        line = "6.1",
        tags = manual,
    )
    failure_test(
        name = "prebuilt_dir_without_config_test",
        target_under_test = ":prebuilt_dir_without_config",
        messages = ["no .config: the tree ", "other_rule_set_tree has none that can be seen at analysis (it is a directory); give the kernel's configuration as config"],
    )
    prebuilt_kernel(
        name = "prebuilt_dir",
        tree = [":other_rule_set_tree"],
        config = "testdata/prebuilt/tree/.config",
        symvers = "testdata/prebuilt/tree/Module.symvers",
        line = "7.2",
        tags = manual,
    )
    module_on_prebuilt_dir = "module_on_prebuilt_dir"
    kernel_module(
        name = module_on_prebuilt_dir,
        srcs = ["testdata/module/greeting.c", "testdata/module/greeting.h"],
        kbuild = "testdata/module/Kbuild",
        kernel = ":prebuilt_dir",
        module_name = "greeting",
        tags = manual,
    )
    module_on_prebuilt_test(name = "module_on_prebuilt_dir_test", target_under_test = ":" + module_on_prebuilt_dir, kernel = ":prebuilt_dir")
    prebuilt_kernel(name = "prebuilt_bad_line", tree = tree, line = "6", tags = manual)
    failure_test(
        name = "prebuilt_bad_line_test",
        target_under_test = ":prebuilt_bad_line",
        messages = ["line \"6\" must be the kernel line as \"MAJOR.MINOR\", e.g. \"6.1\""],
    )
    prebuilt_kernel(name = "prebuilt_bad_hash", tree = tree, line = "6.1", hashes = ["md5"], tags = manual)
    failure_test(
        name = "prebuilt_bad_hash_test",
        target_under_test = ":prebuilt_bad_hash",
        messages = ["hashes has \"md5\", which is not a module signature hash"],
    )
    prebuilt_kernel(name = "prebuilt_no_makefile", tree = common + kbuild, line = "6.1", tags = manual)
    failure_test(
        name = "prebuilt_outside_root_test",
        target_under_test = ":prebuilt_no_makefile",
        messages = ["tree file rules/tests/testdata/prebuilt/kbuild/scripts/Makefile.build is outside the tree at rules/tests/testdata/prebuilt/common"],
    )

    # A prebuilt kernel without an image builds modules but cannot boot.
    prebuilt_kernel(name = "prebuilt_no_image", tree = tree, line = "6.1", tags = manual)
    prebuilt_kernel_module(name = "ko_no_image", module = "testdata/nhc_hop.ko", kernel = ":prebuilt_no_image", tags = manual)
    kernel_module_qemu_test(
        name = "qemu_no_image",
        kernel = ":prebuilt_no_image",
        modules = [":ko_no_image"],
        expect_loaded = [":ko_no_image"],
        tags = manual,
    )
    failure_test(
        name = "qemu_no_image_test",
        target_under_test = ":qemu_no_image",
        messages = ["//rules/tests:prebuilt_no_image has no boot image; give prebuilt_kernel an image to boot it"],
    )

    native.test_suite(
        name = name,
        tests = [
            ":module_on_prebuilt_dir_test",
            ":module_on_prebuilt_test",
            ":prebuilt_bad_hash_test",
            ":prebuilt_bad_line_test",
            ":prebuilt_dir_without_config_test",
            ":prebuilt_hash_not_enabled_test",
            ":prebuilt_kernel_test",
            ":prebuilt_module_test",
            ":prebuilt_no_symvers_test",
            ":prebuilt_outside_root_test",
            ":qemu_no_image_test",
        ],
    )
