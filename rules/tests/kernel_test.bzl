"""Analysis tests of kernel_build, kernel_module, kernel_module_qemu_test and their checks.

No kernel is built: kernel_build is only analysed (its tarball is a never-built genrule
output), and kernel_module, signing and QEMU tests run against fakes (fakes.bzl) whose
providers have exactly the fields of the real ones (checked here).
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load(
    "//rules:defs.bzl",
    "KernelBuildInfo",
    "KernelModuleInfo",
    "TrustedKeysInfo",
    "kernel_build",
    "kernel_module",
    "kernel_module_qemu_test",
    "kernel_module_signed",
    "kernel_modules_signed",
    "trusted_keys",
)
load(":fakes.bzl", "fake_kernel_build", "fake_kernel_module")
load(":helpers.bzl", "NO_REMOTE_CACHE", "arg_after", "execution_info", "failure_test", "has_any", "only_action", "provider_fields")

def _kernel_build_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    info = target[KernelBuildInfo]
    tk = ctx.attr.trusted_keys[TrustedKeysInfo]

    asserts.equals(env, target.label, info.label)
    for f, name in [(info.image, "bzImage"), (info.config, ".config"), (info.symvers, "Module.symvers"), (info.signing_cert, "signing_key.x509"), (info.tree, "build")]:
        asserts.equals(env, "rules/tests/{}/{}".format(target.label.name, name), f.short_path)
    asserts.true(env, info.tree.is_directory, "the build tree is a directory")
    asserts.equals(env, tk.hashes, info.hashes, "the kernel accepts the hashes of its trusted_keys")
    asserts.equals(env, tk.bundle, info.trusted_keys.bundle)
    asserts.equals(env, "gcc-12", info.cc.name)

    build = only_action(env, actions, "KernelBuild")
    if build:
        asserts.true(env, "no-remote-exec" in execution_info(build), "KernelBuild uses the host's compiler: no-remote-exec")
        asserts.equals(env, [], has_any(execution_info(build), NO_REMOTE_CACHE), "the kernel stays cacheable")
        inputs = build.inputs.to_list()
        for f in [ctx.file.source, tk.bundle, tk.fragment, tk.blacklist, ctx.file.fragment, info.cc.identity]:
            asserts.true(env, f in inputs, "KernelBuild must read " + f.short_path)
        asserts.equals(
            env,
            sorted([info.image.path, info.config.path, info.symvers.path, info.signing_cert.path, info.tree.path]),
            sorted([f.path for f in build.outputs.to_list()]),
        )
        asserts.equals(env, info.cc.compiler, arg_after(build.argv, "--cc"))
        asserts.equals(env, info.cc.identity.path, arg_after(build.argv, "--cc-identity"))
        asserts.equals(env, tk.bundle.path, arg_after(build.argv, "--trusted-keys"))
        asserts.equals(env, tk.blacklist.path, arg_after(build.argv, "--blacklist"))

        # No private key goes into the kernel build: it autogenerates its own.
        for f in inputs:
            asserts.false(env, f.basename.endswith(".key.pem"), "KernelBuild reads a private key: " + f.short_path)

    # The build tree is not a default output (it is large); it is in output group `tree`.
    asserts.false(env, info.tree in target[DefaultInfo].files.to_list(), "the tree is not a default output")
    asserts.equals(env, [info.tree], target[OutputGroupInfo].tree.to_list())

    # The fake kernel's provider has exactly the real one's fields.
    asserts.equals(env, provider_fields(info), provider_fields(ctx.attr.fake[KernelBuildInfo]), "fake_kernel_build's KernelBuildInfo fields")
    return analysistest.end(env)

def _kernel_line_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    if KernelBuildInfo in target:
        asserts.equals(env, ctx.attr.expect_line, target[KernelBuildInfo].line, "KernelBuildInfo.line")
    else:
        sign = only_action(env, analysistest.target_actions(env), "ModsignSign")
        if ctx.attr.expect_line:
            asserts.equals(env, ctx.attr.expect_line, arg_after(sign.argv, "--kernel"), "modsign sign --kernel")
        else:
            asserts.false(env, "--kernel" in sign.argv, "no --kernel for a module of no known line")
    return analysistest.end(env)

# KernelBuildInfo.line of a kernel_build, or the `--kernel` the signing action passes.
kernel_line_test = analysistest.make(_kernel_line_test_impl, attrs = {"expect_line": attr.string()})

kernel_build_test = analysistest.make(
    _kernel_build_test_impl,
    attrs = {
        "trusted_keys": attr.label(providers = [TrustedKeysInfo]),
        "source": attr.label(allow_single_file = True),
        "fragment": attr.label(allow_single_file = True),
        "fake": attr.label(providers = [KernelBuildInfo]),
    },
)

# Every argument kernel_build.sh takes. kernel_build_flags_test proves that the rule passes
# only these, whatever the flags; //rules/private/scripts/scripttest proves that the script reads no
# environment variable a user could set. Together: nothing but the rule's attributes
# decides what the KernelBuild action does, and none of them makes it write its key anywhere.
_KERNEL_BUILD_SH_FLAGS = [
    "--tarball",
    "--base",
    "--fragment",
    "--trusted-keys",
    "--blacklist",
    "--cc",
    "--cc-identity",
    "--jobs",
    "--keyscan",
    "--out-image",
    "--out-config",
    "--out-symvers",
    "--out-signing-cert",
    "--out-tree",
]

_ESCROW_DIR = "/tmp/rules_modsign_escrow_probe"

def _kernel_build_flags_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[KernelBuildInfo]
    build = only_action(env, analysistest.target_actions(env), "KernelBuild")
    if not build:
        return analysistest.end(env)
    argv = build.argv
    asserts.true(env, argv[0].endswith("rules/private/scripts/kernel_build.sh"), "KernelBuild runs kernel_build.sh itself, not a wrapper: " + argv[0])
    for i in range(1, len(argv), 2):
        asserts.true(env, argv[i] in _KERNEL_BUILD_SH_FLAGS, "KernelBuild passes an unexpected argument " + argv[i])
    for a in argv:
        asserts.false(env, _ESCROW_DIR in a, "a flag reached the KernelBuild command line: " + a)

    # --action_env does reach the action's environment (use_default_shell_env: make and the
    # compiler come from PATH), which is why kernel_build.sh reads no variable a user could
    # set (scripttest's TestKernelBuildReadsNoEnvironment). This proves the probe arrived.
    asserts.equals(env, _ESCROW_DIR, build.env.get("RULES_MODSIGN_LEAK_CHECK_DIR"), "the --action_env probe reaches the environment")
    asserts.true(env, arg_after(argv, "--keyscan").endswith("tools/keyscan/cmd/keyscan/keyscan_/keyscan"), "the leak check is tools/keyscan")
    asserts.equals(
        env,
        sorted([info.image.path, info.config.path, info.symvers.path, info.signing_cert.path, info.tree.path]),
        sorted([f.path for f in build.outputs.to_list()]),
        "the KernelBuild outputs are the declared, public ones",
    )
    return analysistest.end(env)

# The flags a user (or a .bazelrc) could set to get at the key: the old hook's --action_env
# and the remote-cache check's own escrow setting. (--define cannot be set by a transition;
# no rule of rules_modsign reads ctx.var.)
kernel_build_flags_test = analysistest.make(
    _kernel_build_flags_test_impl,
    config_settings = {
        "//command_line_option:action_env": ["RULES_MODSIGN_LEAK_CHECK_DIR=" + _ESCROW_DIR],
        str(Label("//tools/remote_cache:kernel_key_escrow_dir")): _ESCROW_DIR,
    },
)

def _kernel_module_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    info = target[KernelModuleInfo]
    kernel = ctx.attr.kernel[KernelBuildInfo]
    dep = ctx.attr.dep[KernelModuleInfo]
    name = target.label.name

    asserts.equals(env, "rules/tests/{}/{}.ko".format(name, ctx.attr.expect_module_name), info.module.short_path)
    asserts.equals(env, [info.module], target[DefaultInfo].files.to_list())
    asserts.equals(env, ctx.attr.expect_module_name, info.module_name)
    asserts.false(env, info.signed, "a kernel_module is unsigned")
    asserts.equals(env, None, info.unsigned)
    asserts.equals(env, "", info.hash)
    asserts.equals(env, None, info.signing_key)
    asserts.equals(env, kernel.label, info.kernel.label)
    asserts.equals(env, "rules/tests/{}/Module.symvers".format(name), info.symvers.short_path)
    asserts.equals(
        env,
        sorted([info.symvers.path, dep.symvers.path]),
        sorted([f.path for f in info.transitive_symvers.to_list()]),
    )

    compile = only_action(env, actions, "KernelModule")
    if compile:
        asserts.true(env, "no-remote-exec" in execution_info(compile), "KernelModule uses the host's compiler: no-remote-exec")
        asserts.equals(env, [], has_any(execution_info(compile), NO_REMOTE_CACHE), "the module stays cacheable")

        # Exactly the declared inputs (plus the scripts): sources, Kbuild, the tree, deps' symvers.
        expected = ctx.files.srcs + [ctx.file.kbuild, kernel.tree, dep.symvers, kernel.cc.identity]
        tools = [ctx.attr._script[DefaultInfo].files_to_run.executable, ctx.file._lib]
        got = compile.inputs.to_list()
        for tool in tools:
            asserts.true(env, tool in got, "the script {} is an input".format(tool.basename))
        asserts.equals(env, sorted([f.path for f in expected]), sorted([f.path for f in got if f not in tools]))
        asserts.equals(env, sorted([info.module.path, info.symvers.path]), sorted([f.path for f in compile.outputs.to_list()]))
        asserts.equals(env, kernel.tree.path, arg_after(compile.argv, "--tree"))
        asserts.equals(env, dep.symvers.path, arg_after(compile.argv, "--symvers"))
        asserts.equals(env, ctx.attr.expect_module_name, arg_after(compile.argv, "--module-name"))
        asserts.equals(env, kernel.cc.compiler, arg_after(compile.argv, "--cc"), "the module is built with the kernel's compiler")
        asserts.equals(env, kernel.cc.identity.path, arg_after(compile.argv, "--cc-identity"))

    # The fake module's provider has exactly the real one's fields.
    asserts.equals(env, provider_fields(info), provider_fields(dep), "fake_kernel_module's KernelModuleInfo fields")
    return analysistest.end(env)

kernel_module_test = analysistest.make(
    _kernel_module_test_impl,
    attrs = {
        "kernel": attr.label(providers = [KernelBuildInfo]),
        "dep": attr.label(providers = [KernelModuleInfo]),
        "srcs": attr.label_list(allow_files = True),
        "kbuild": attr.label(allow_single_file = True),
        "expect_module_name": attr.string(mandatory = True),
        "_script": attr.label(default = "//rules/private/scripts:kernel_module.sh", cfg = "exec", executable = True, allow_single_file = True),
        "_lib": attr.label(default = "//rules/private/scripts:lib.sh", cfg = "exec", allow_single_file = True),
    },
)

def _signed_against_kernel_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[KernelModuleInfo]
    module = ctx.attr.module[KernelModuleInfo]
    asserts.true(env, info.signed, "signed")
    asserts.equals(env, "sha256", info.hash)
    asserts.equals(env, module.module, info.unsigned)
    asserts.equals(env, module.module_name, info.module_name)
    asserts.equals(env, module.kernel.label, info.kernel.label, "the signed module keeps its kernel")
    asserts.equals(env, module.symvers, info.symvers)
    sign = only_action(env, analysistest.target_actions(env), "ModsignSign")
    if sign:
        asserts.equals(env, "sha256", arg_after(sign.argv, "--hash"))
    return analysistest.end(env)

signed_against_kernel_test = analysistest.make(
    _signed_against_kernel_test_impl,
    attrs = {"module": attr.label(providers = [KernelModuleInfo])},
)

def _qemu_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = analysistest.target_actions(env)
    initramfs = only_action(env, actions, "QemuInitramfs")
    if initramfs:
        modules = [f for t in ctx.attr.modules for f in t[DefaultInfo].files.to_list()]
        for m in modules:
            asserts.true(env, m in initramfs.inputs.to_list(), "the initramfs must hold " + m.short_path)
    script = [a for a in actions if a.mnemonic == "FileWrite" and a.outputs.to_list()[0].basename.endswith(".sh")]
    asserts.equals(env, 1, len(script))
    if script:
        for want in ctx.attr.expect_in_script:
            asserts.true(env, want in script[0].content, "the test script lacks {}:\n{}".format(want, script[0].content))
    return analysistest.end(env)

qemu_test_analysis_test = analysistest.make(
    _qemu_test_impl,
    attrs = {
        "modules": attr.label_list(allow_files = True),
        "expect_in_script": attr.string_list(),
    },
)

def kernel_test_suite(name):
    """The kernel-side tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    manual = ["manual"]

    # A real kernel_build, analysed only.
    native.genrule(
        name = "never_built_linux_tarball",
        outs = ["never-built-linux.tar.xz"],
        cmd = "echo 'analysis tests never build this' >&2; exit 1",
        tags = manual,
    )
    trusted_keys(
        name = "kernel_trusted",
        certs = [":test_key"],
        revoked = ["testdata/test-only-other-rsa2048.crt.pem"],
        hash = "sha384",
        tags = manual,
    )
    kernel_build(
        name = "analysed_kernel",
        cc = "gcc-12",
        config_fragments = ["//rules:qemu_x86_64.config"],
        source = ":never_built_linux_tarball",
        trusted_keys = ":kernel_trusted",
        tags = manual,
    )

    # Fakes: kernel A accepts only SHA-256; kernel B is another kernel.
    fake_kernel_build(name = "fake_kernel_a", hashes = ["sha256"], tags = manual)
    fake_kernel_build(name = "fake_kernel_b", tags = manual)
    fake_kernel_module(name = "fake_mod_a", kernel = ":fake_kernel_a", ko = "testdata/nhc_hop.ko", tags = manual)
    fake_kernel_module(name = "fake_mod_a2", kernel = ":fake_kernel_a", ko = "testdata/nhc_hop.ko", tags = manual)
    fake_kernel_module(name = "fake_mod_b", kernel = ":fake_kernel_b", ko = "testdata/nhc_hop.ko", tags = manual)

    kernel_build_test(
        name = "kernel_build_test",
        target_under_test = ":analysed_kernel",
        fake = ":fake_kernel_a",
        fragment = "//rules:qemu_x86_64.config",
        source = ":never_built_linux_tarball",
        trusted_keys = ":kernel_trusted",
    )
    kernel_build_flags_test(
        name = "kernel_build_flags_test",
        target_under_test = ":analysed_kernel",
    )

    # kernel_module against a fake kernel, with a dep built against the same kernel.
    kernel_module(
        name = "module_on_a",
        srcs = ["testdata/module/greeting.c", "testdata/module/greeting.h"],
        kbuild = "testdata/module/Kbuild",
        kernel = ":fake_kernel_a",
        module_name = "greeting",
        deps = [":fake_mod_a"],
        tags = manual,
    )
    kernel_module_test(
        name = "kernel_module_test",
        target_under_test = ":module_on_a",
        dep = ":fake_mod_a",
        expect_module_name = "greeting",
        kbuild = "testdata/module/Kbuild",
        kernel = ":fake_kernel_a",
        srcs = ["testdata/module/greeting.c", "testdata/module/greeting.h"],
    )

    # The same module with a dep built against kernel B: refused at analysis.
    kernel_module(
        name = "module_dep_other_kernel",
        srcs = ["testdata/module/greeting.c"],
        kbuild = "testdata/module/Kbuild",
        kernel = ":fake_kernel_a",
        module_name = "greeting",
        deps = [":fake_mod_b"],
        tags = manual,
    )
    failure_test(
        name = "module_dep_other_kernel_test",
        target_under_test = ":module_dep_other_kernel",
        messages = ["kernel_module ", "//rules/tests:module_dep_other_kernel: dep ", "//rules/tests:fake_mod_b was built against kernel ", "//rules/tests:fake_kernel_b, not ", "//rules/tests:fake_kernel_a; build both against the same kernel"],
    )

    # Hashes: kernel A accepts SHA-256 only.
    kernel_module_signed(
        name = "signed_for_a_sha256",
        hash = "sha256",
        module = ":fake_mod_a",
        signing_key = ":test_key",
        tags = manual,
    )
    signed_against_kernel_test(
        name = "signed_for_a_sha256_test",
        target_under_test = ":signed_for_a_sha256",
        module = ":fake_mod_a",
    )
    kernel_module_signed(
        name = "signed_for_a_sha512",
        hash = "sha512",
        module = ":fake_mod_a",
        signing_key = ":test_key",
        tags = manual,
    )
    failure_test(
        name = "hash_not_enabled_test",
        target_under_test = ":signed_for_a_sha512",
        messages = ["//rules/tests:signed_for_a_sha512: hash \"sha512\" is not enabled in kernel ", "//rules/tests:fake_kernel_a, which accepts sha256;"],
    )
    kernel_modules_signed(
        name = "batch_for_a_sha512",
        hash = "sha512",
        modules = [":fake_mod_a", ":fake_mod_a2"],
        signing_key = ":test_key",
        tags = manual,
    )
    failure_test(
        name = "batch_hash_not_enabled_test",
        target_under_test = ":batch_for_a_sha512",
        messages = ["//rules/tests:batch_for_a_sha512: hash \"sha512\" is not enabled in kernel ", "//rules/tests:fake_kernel_a, which accepts sha256;"],
    )

    # Unknown hashes are not here: the `values` of the hash attributes reject them when the
    # BUILD file loads (even inside a select()), before any analysis test could see them:
    # "invalid value in 'hash' attribute: has to be one of 'sha256', ... instead of 'md5'".

    # QEMU tests: a module for kernel A booted on A is fine; on B it is refused, signed or not.
    kernel_module_qemu_test(
        name = "qemu_on_a",
        expect_loaded = [":signed_for_a_sha256"],
        expect_rejected = {":fake_mod_a": "EKEYREJECTED"},
        kernel = ":fake_kernel_a",
        modules = [":fake_mod_a", ":signed_for_a_sha256"],
        tags = manual,
    )
    qemu_test_analysis_test(
        name = "qemu_on_a_test",
        target_under_test = ":qemu_on_a",
        modules = [":fake_mod_a", ":signed_for_a_sha256"],
        expect_in_script = [
            "'--expect-loaded' 'signed_for_a_sha256.ko'",
            "'--expect-rejected' 'fake_mod_a.ko=EKEYREJECTED'",
            "rules/tests/fake_kernel_a/bzImage",
        ],
    )
    kernel_module_qemu_test(
        name = "qemu_module_other_kernel",
        expect_loaded = [":fake_mod_b"],
        kernel = ":fake_kernel_a",
        modules = [":fake_mod_b"],
        tags = manual,
    )
    failure_test(
        name = "qemu_module_other_kernel_test",
        target_under_test = ":qemu_module_other_kernel",
        messages = ["//rules/tests:fake_mod_b was built against kernel ", "//rules/tests:fake_kernel_b but the test boots ", "//rules/tests:fake_kernel_a; a module only loads into the kernel it was built for"],
    )
    kernel_module_qemu_test(
        name = "qemu_signed_other_kernel",
        expect_loaded = [":signed_for_a_sha256"],
        kernel = ":fake_kernel_b",
        modules = [":signed_for_a_sha256"],
        tags = manual,
    )
    failure_test(
        name = "qemu_signed_other_kernel_test",
        target_under_test = ":qemu_signed_other_kernel",
        messages = ["//rules/tests:signed_for_a_sha256 was built against kernel ", "//rules/tests:fake_kernel_a but the test boots ", "//rules/tests:fake_kernel_b; a module only loads"],
    )
    kernel_module_qemu_test(
        name = "qemu_no_expectation",
        expect_loaded = [":signed_for_a_sha256"],
        kernel = ":fake_kernel_a",
        modules = [":fake_mod_a", ":signed_for_a_sha256"],
        tags = manual,
    )
    failure_test(
        name = "qemu_no_expectation_test",
        target_under_test = ":qemu_no_expectation",
        messages = ["//rules/tests:fake_mod_a has no expectation; list it in expect_loaded or expect_rejected"],
    )

    # Kernel lines: named by the tarball, given explicitly, unknown; passed to modsign sign.
    native.genrule(
        name = "never_built_linux_source_7_2",
        outs = ["linux-source-7.2.tar.xz"],
        cmd = "echo 'analysis tests never build this' >&2; exit 1",
        tags = manual,
    )
    kernel_build(name = "kernel_line_from_name", source = ":never_built_linux_source_7_2", tags = manual)
    kernel_line_test(name = "kernel_line_from_name_test", target_under_test = ":kernel_line_from_name", expect_line = "7.2")
    kernel_build(name = "kernel_line_given", line = "6.1", source = ":never_built_linux_tarball", tags = manual)
    kernel_line_test(name = "kernel_line_given_test", target_under_test = ":kernel_line_given", expect_line = "6.1")
    kernel_line_test(name = "kernel_line_unknown_test", target_under_test = ":analysed_kernel", expect_line = "")
    kernel_build(name = "kernel_line_unsupported", line = "5.4", source = ":never_built_linux_tarball", tags = manual)
    failure_test(
        name = "kernel_line_unsupported_test",
        target_under_test = ":kernel_line_unsupported",
        messages = ["line \"5.4\" is not one modsign has rules for (6.1, 7.2)"],
    )
    fake_kernel_build(name = "fake_kernel_6_1", line = "6.1", tags = manual)
    fake_kernel_build(name = "fake_kernel_7_2", line = "7.2", tags = manual)
    fake_kernel_module(name = "fake_mod_6_1", kernel = ":fake_kernel_6_1", ko = "testdata/nhc_hop.ko", tags = manual)
    fake_kernel_module(name = "fake_mod_7_2", kernel = ":fake_kernel_7_2", ko = "testdata/nhc_hop.ko", tags = manual)
    kernel_module_signed(name = "signed_for_6_1", module = ":fake_mod_6_1", signing_key = ":test_key", tags = manual)
    kernel_line_test(name = "signed_for_6_1_test", target_under_test = ":signed_for_6_1", expect_line = "6.1")
    kernel_line_test(name = "signed_no_line_test", target_under_test = ":signed_for_a_sha256", expect_line = "")
    kernel_modules_signed(name = "batch_for_7_2", modules = [":fake_mod_7_2", "testdata/nhc_hop.ko"], signing_key = ":test_key", tags = manual)
    kernel_line_test(name = "batch_for_7_2_test", target_under_test = ":batch_for_7_2", expect_line = "7.2")
    kernel_modules_signed(name = "batch_mixed_lines", modules = [":fake_mod_6_1", ":fake_mod_7_2"], signing_key = ":test_key", tags = manual)
    failure_test(
        name = "batch_mixed_lines_test",
        target_under_test = ":batch_mixed_lines",
        messages = ["the modules are for kernels of different lines (6.1, 7.2); sign each line's modules in its own target"],
    )

    native.test_suite(
        name = name,
        tests = [
            ":kernel_build_test",
            ":kernel_line_from_name_test",
            ":kernel_line_given_test",
            ":kernel_line_unknown_test",
            ":kernel_line_unsupported_test",
            ":signed_for_6_1_test",
            ":signed_no_line_test",
            ":batch_for_7_2_test",
            ":batch_mixed_lines_test",
            ":kernel_build_flags_test",
            ":kernel_module_test",
            ":module_dep_other_kernel_test",
            ":signed_for_a_sha256_test",
            ":hash_not_enabled_test",
            ":batch_hash_not_enabled_test",
            ":qemu_on_a_test",
            ":qemu_module_other_kernel_test",
            ":qemu_signed_other_kernel_test",
            ":qemu_no_expectation_test",
        ],
    )
