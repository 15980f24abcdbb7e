"""Analysis tests of the kernel compiler toolchain: selection by `cc`, the identity file as an
input of every KernelBuild and KernelModule action, and kernel_cc_toolchain's own checks.

The kernels are analysed only (their tarball is a never-built genrule output). The compilers
are the registered default toolchain's (@rules_modsign_kernel_cc: the machine's gcc, gcc-12
and gcc-16 in the tools/bazel chroot), so these tests also prove that the default
registration works in each mode.
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "KernelBuildInfo", "KernelCcInfo", "KernelModuleInfo", "kernel_build", "kernel_cc_toolchain", "kernel_module")
load(":helpers.bzl", "arg_after", "failure_test", "only_action")

def _identity_input_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    if KernelBuildInfo in target:
        cc = target[KernelBuildInfo].cc
        action = only_action(env, actions, "KernelBuild")
    else:
        cc = target[KernelModuleInfo].kernel.cc
        action = only_action(env, actions, "KernelModule")
    if ctx.attr.expect_major:
        asserts.equals(env, ctx.attr.expect_major, cc.version.split(".")[0], "the selected compiler's major")
    if ctx.attr.expect_name:
        asserts.equals(env, ctx.attr.expect_name, cc.name, "the selected compiler")
    if action:
        inputs = action.inputs.to_list()
        asserts.true(env, cc.identity in inputs, "{}: the compiler's identity {} must be an input (it is what puts the compiler into the action key)".format(action.mnemonic, cc.identity.short_path))
        for f in cc.files.to_list():
            asserts.true(env, f in inputs, "{}: the hermetic compiler's file {} must be an input".format(action.mnemonic, f.short_path))
        asserts.equals(env, cc.compiler, arg_after(action.argv, "--cc"))
        asserts.equals(env, cc.identity.path, arg_after(action.argv, "--cc-identity"), "the script checks the compiler against the identity")
        if ctx.attr.other:
            other = ctx.attr.other[KernelBuildInfo].cc if KernelBuildInfo in ctx.attr.other else ctx.attr.other[KernelModuleInfo].kernel.cc
            asserts.false(env, other.identity in inputs, "{}: another compiler's identity {} must not be an input".format(action.mnemonic, other.identity.short_path))
            asserts.true(env, other.identity != cc.identity, "two compilers, two identity files")
    return analysistest.end(env)

identity_input_test = analysistest.make(
    _identity_input_test_impl,
    attrs = {
        "expect_major": attr.string(),
        "expect_name": attr.string(),
        "other": attr.label(doc = "The same target built with another compiler."),
    },
)

def _hermetic_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[KernelCcInfo]
    asserts.equals(env, ctx.file.driver.path, info.compiler, "a hermetic compiler is run by its execroot path")
    asserts.equals(env, "12", info.version.split(".")[0])
    asserts.equals(env, "hermetic_gcc_12", info.name)
    asserts.true(env, ctx.file.driver in info.files.to_list(), "the driver is one of the compiler's files")
    asserts.true(env, ctx.file.cc1 in info.files.to_list(), "cc1 is one of the compiler's files")
    a = only_action(env, analysistest.target_actions(env), "KernelCcIdentity")
    if a:
        asserts.equals(env, [info.identity], a.outputs.to_list())
        for f in [ctx.file.driver, ctx.file.cc1]:
            asserts.true(env, f in a.inputs.to_list(), "KernelCcIdentity must read " + f.short_path)
        asserts.true(env, a.argv[0].endswith("rules/private/scripts/cc_identity.sh"), "the identity comes from cc_identity.sh, as the default toolchains' do")
    return analysistest.end(env)

hermetic_test = analysistest.make(
    _hermetic_test_impl,
    attrs = {
        "driver": attr.label(allow_single_file = True),
        "cc1": attr.label(allow_single_file = True),
    },
)

def cc_toolchain_test_suite(name):
    """The kernel compiler toolchain tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    manual = ["manual"]
    native.genrule(
        name = "never_built_linux_source_6_1",
        outs = ["cc/linux-source-6.1.tar.xz"],
        cmd = "echo 'analysis tests never build this' >&2; exit 1",
        tags = manual,
    )
    for cc in ["gcc-12", "gcc-16"]:
        n = cc.replace("-", "_")
        kernel_build(name = "kernel_" + n, cc = cc, source = ":never_built_linux_source_6_1", tags = manual)
        kernel_module(
            name = "module_" + n,
            srcs = ["testdata/module/greeting.c", "testdata/module/greeting.h"],
            kbuild = "testdata/module/Kbuild",
            kernel = ":kernel_" + n,
            module_name = "greeting",
            tags = manual,
        )
    identity_input_test(name = "kernel_gcc_12_identity_test", target_under_test = ":kernel_gcc_12", expect_major = "12", expect_name = "gcc-12", other = ":kernel_gcc_16")
    identity_input_test(name = "kernel_gcc_16_identity_test", target_under_test = ":kernel_gcc_16", expect_major = "16", expect_name = "gcc-16", other = ":kernel_gcc_12")
    identity_input_test(name = "module_gcc_12_identity_test", target_under_test = ":module_gcc_12", expect_major = "12", other = ":module_gcc_16")
    identity_input_test(name = "module_gcc_16_identity_test", target_under_test = ":module_gcc_16", expect_major = "16", other = ":module_gcc_12")

    # No cc: the registered toolchain's own compiler (the machine's gcc).
    kernel_build(name = "kernel_default_cc", source = ":never_built_linux_source_6_1", tags = manual)
    identity_input_test(name = "kernel_default_cc_test", target_under_test = ":kernel_default_cc", expect_name = "gcc")

    # A name as CONFIG_CC_VERSION_TEXT gives it (Debian's /lib/modules/*/build): by gcc major.
    kernel_build(name = "kernel_triple_cc", cc = "x86_64-linux-gnu-gcc-12", source = ":never_built_linux_source_6_1", tags = manual)
    identity_input_test(name = "kernel_triple_cc_test", target_under_test = ":kernel_triple_cc", expect_major = "12")

    # No such compiler: refused at analysis, listing the registered ones.
    kernel_build(name = "kernel_gcc_99", cc = "gcc-99", source = ":never_built_linux_source_6_1", tags = manual)
    failure_test(
        name = "kernel_gcc_99_test",
        target_under_test = ":kernel_gcc_99",
        messages = ["//rules/tests:kernel_gcc_99: cc \"gcc-99\" names no registered kernel compiler (no gcc of major 99); registered: gcc (", "gcc-12 (/usr/bin/gcc-12, 12.", "register a kernel_cc_toolchain"],
    )

    # A hermetic compiler: its files are inputs, its identity an action's output.
    kernel_cc_toolchain(
        name = "hermetic_gcc_12",
        compiler_file = "testdata/hermetic_gcc/gcc",
        files = ["testdata/hermetic_gcc/cc1"],
        version = "12.2.0",
        tags = manual,
    )
    hermetic_test(name = "hermetic_gcc_12_test", target_under_test = ":hermetic_gcc_12", driver = "testdata/hermetic_gcc/gcc", cc1 = "testdata/hermetic_gcc/cc1")

    # A machine compiler without a repository-made identity could not be in the action key.
    kernel_cc_toolchain(name = "machine_cc_no_identity", compiler = "/usr/bin/gcc", tags = manual)
    failure_test(
        name = "machine_cc_no_identity_test",
        target_under_test = ":machine_cc_no_identity",
        messages = ["a compiler installed on the machine (/usr/bin/gcc) needs an identity file made when its repository is fetched"],
    )
    kernel_cc_toolchain(name = "machine_cc_relative", compiler = "gcc", identity = "testdata/hermetic_gcc/cc1", tags = manual)
    failure_test(
        name = "machine_cc_relative_test",
        target_under_test = ":machine_cc_relative",
        messages = ["compiler \"gcc\" must be an absolute path"],
    )
    kernel_cc_toolchain(name = "cc_both", compiler = "/usr/bin/gcc", compiler_file = "testdata/hermetic_gcc/gcc", tags = manual)
    failure_test(
        name = "cc_both_test",
        target_under_test = ":cc_both",
        messages = ["give exactly one of compiler"],
    )

    native.test_suite(
        name = name,
        tests = [
            ":kernel_gcc_12_identity_test",
            ":kernel_gcc_16_identity_test",
            ":module_gcc_12_identity_test",
            ":module_gcc_16_identity_test",
            ":kernel_default_cc_test",
            ":kernel_triple_cc_test",
            ":kernel_gcc_99_test",
            ":hermetic_gcc_12_test",
            ":machine_cc_no_identity_test",
            ":machine_cc_relative_test",
            ":cc_both_test",
        ],
    )
