"""Analysis tests of the modsign and QEMU toolchains and of the guest init's transition.

- The rules run the modsign of the resolved toolchain: a registered stand-in replaces the one
  built from source in every modsign action.
- kernel_module_qemu_test runs the QEMU of the toolchain resolved for its target platform; a
  target platform no QEMU toolchain matches (linux/arm64 here) fails at analysis, saying so.
- The guest's init is built for linux/x86_64 even when --platforms says linux/arm64.
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "kernel_module_qemu_test", "kernel_module_signed", "trusted_keys", "x509_keypair")
load("//rules/private:guest.bzl", "GuestBinaryInfo")
load(":helpers.bzl", "arg_after", "only_action")

_ARM64 = str(Label("//rules/tests:linux_arm64"))
_FAKE_MODSIGN = str(Label("//rules/tests:fake_modsign_toolchain"))
_FAKE_QEMU_X86_64 = str(Label("//rules/tests:fake_qemu_x86_64_toolchain"))
_FAKE_QEMU_ARM64 = str(Label("//rules/tests:fake_qemu_for_arm64_toolchain"))
_NO_QEMU = "@rules_modsign_tests_no_qemu//:toolchain"
_FAKE_TOOL = "rules/tests/fake_tool.sh"

def _script(env, actions):
    script = [a for a in actions if a.mnemonic == "FileWrite" and a.outputs.to_list()[0].basename.endswith(".sh")]
    asserts.equals(env, 1, len(script), "one test script")
    return script[0].content if script else ""

# --- modsign ------------------------------------------------------------------------------

def _modsign_replaced_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = analysistest.target_actions(env)
    modsign_actions = [a for a in actions if a.mnemonic.startswith("Modsign")]
    asserts.true(env, len(modsign_actions) > 0, "no modsign action among {}".format([a.mnemonic for a in actions]))
    for a in modsign_actions:
        # run_shell (ModsignCertinfo) passes the tool as "$1"; run() as argv[0].
        tool = a.argv[0] if a.mnemonic != "ModsignCertinfo" else a.argv[-3]
        asserts.true(
            env,
            tool.endswith(_FAKE_TOOL),
            "{} runs {}, not the registered toolchain's {}".format(a.mnemonic, tool, _FAKE_TOOL),
        )
        asserts.true(
            env,
            _FAKE_TOOL in [f.short_path for f in a.inputs.to_list()],
            "{}: the toolchain's modsign is not an input".format(a.mnemonic),
        )
        asserts.false(
            env,
            "signer/cmd/modsign" in " ".join([f.path for f in a.inputs.to_list()]),
            "{}: the modsign built from source is still an input".format(a.mnemonic),
        )
    return analysistest.end(env)

modsign_replaced_test = analysistest.make(
    _modsign_replaced_test_impl,
    config_settings = {"//command_line_option:extra_toolchains": [_FAKE_MODSIGN]},
)

def _modsign_default_test_impl(ctx):
    env = analysistest.begin(ctx)
    sign = only_action(env, analysistest.target_actions(env), "ModsignSign")
    if sign:
        asserts.true(env, "/signer/cmd/modsign/" in sign.argv[0], "by default modsign is built from source, got " + sign.argv[0])
        asserts.true(env, "-exec-" in sign.argv[0] or "-exec/" in sign.argv[0], "modsign must be exec-configured, got " + sign.argv[0])
    return analysistest.end(env)

modsign_default_test = analysistest.make(_modsign_default_test_impl)

# --- QEMU ---------------------------------------------------------------------------------

def _qemu_toolchain_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    content = _script(env, analysistest.target_actions(env))
    qemu = ctx.attr.expect_qemu
    asserts.true(env, "'--qemu' '{}'".format(qemu) in content, "the driver must get --qemu {}:\n{}".format(qemu, content))
    asserts.true(env, "'--qemu-version' '{}'".format(ctx.attr.expect_version) in content, "the driver must get the toolchain's version:\n" + content)
    runfiles = [f.short_path for f in target[DefaultInfo].default_runfiles.files.to_list()]
    if not qemu.startswith("/"):
        asserts.true(env, qemu in runfiles, "a QEMU that is an artifact must be in the runfiles: " + qemu)
    return analysistest.end(env)

_QEMU_ATTRS = {
    "expect_qemu": attr.string(mandatory = True),
    "expect_version": attr.string(mandatory = True),
}

qemu_toolchain_test = analysistest.make(
    _qemu_toolchain_test_impl,
    attrs = _QEMU_ATTRS,
    config_settings = {"//command_line_option:extra_toolchains": [_FAKE_QEMU_X86_64]},
)

# linux/arm64 with a QEMU toolchain for such a target: analysis succeeds, so the guest init
# check (check_guest_binary: linux/x86_64 or an analysis error) passed, and the toolchain's
# QEMU is used.
qemu_arm64_toolchain_test = analysistest.make(
    _qemu_toolchain_test_impl,
    attrs = _QEMU_ATTRS,
    config_settings = {
        "//command_line_option:platforms": [_ARM64],
        "//command_line_option:extra_toolchains": [_FAKE_QEMU_ARM64],
    },
)

def _no_qemu_test_impl(ctx):
    env = analysistest.begin(ctx)
    for m in ctx.attr.messages:
        asserts.expect_failure(env, m)
    return analysistest.end(env)

no_qemu_test = analysistest.make(
    _no_qemu_test_impl,
    expect_failure = True,
    attrs = {"messages": attr.string_list(mandatory = True)},
    config_settings = {"//command_line_option:platforms": [_ARM64]},
)

def _qemu_missing_test_impl(ctx):
    env = analysistest.begin(ctx)
    content = _script(env, analysistest.target_actions(env))
    for want in [
        "FAIL: no QEMU: qemu-system-rules-modsign-tests-none was not on PATH when @",
        "rules_modsign_tests_no_qemu was made: install it (Debian: apt-get install qemu-system-x86",
        "exit 1",
    ]:
        asserts.true(env, want in content, "the test script of a missing QEMU must say {}:\n{}".format(want, content))
    asserts.false(env, "exec " in content, "without QEMU the script must not run the driver:\n" + content)
    return analysistest.end(env)

# system_qemu without a QEMU on PATH: analysis passes (bazel build works) and the test fails,
# saying how to install QEMU.
qemu_missing_test = analysistest.make(
    _qemu_missing_test_impl,
    config_settings = {"//command_line_option:extra_toolchains": [_NO_QEMU]},
)

# --- the guest init -----------------------------------------------------------------------

def _guest_init_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[GuestBinaryInfo]
    asserts.equals(env, "linux", info.os, "the guest init's OS (configuration platform {})".format(info.platform))
    asserts.equals(env, "x86_64", info.cpu, "the guest init's CPU (configuration platform {})".format(info.platform))
    asserts.true(env, info.platform.endswith("//rules/platforms:linux_x86_64"), "the guest init's platform: " + info.platform)
    asserts.equals(env, "init", info.executable.basename)
    asserts.true(env, "rules/private/qemu/init/" in info.executable.short_path, info.executable.short_path)
    return analysistest.end(env)

guest_init_on_arm64_test = analysistest.make(
    _guest_init_test_impl,
    config_settings = {"//command_line_option:platforms": [_ARM64]},
)

guest_init_test = analysistest.make(_guest_init_test_impl)

def _initramfs_init_test_impl(ctx):
    env = analysistest.begin(ctx)
    initramfs = only_action(env, analysistest.target_actions(env), "QemuInitramfs")
    if initramfs:
        init = arg_after(initramfs.argv, "--init")
        asserts.true(env, init != None and init.endswith("rules/private/qemu/init/init_/init"), "the initramfs' init: {}".format(init))
        asserts.true(env, init in [f.path for f in initramfs.inputs.to_list()], "the init is an input of the initramfs")
    return analysistest.end(env)

initramfs_init_on_arm64_test = analysistest.make(
    _initramfs_init_test_impl,
    config_settings = {
        "//command_line_option:platforms": [_ARM64],
        "//command_line_option:extra_toolchains": [_FAKE_QEMU_ARM64],
    },
)

def toolchains_test_suite(name):
    """The toolchain and transition tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    manual = ["manual"]
    x509_keypair(name = "tc_keypair", common_name = "toolchain test key", key_type = "ecdsa-p256", tags = manual)
    kernel_module_signed(name = "tc_signed", module = "testdata/nhc_hop.ko", signing_key = ":test_key", tags = manual)
    trusted_keys(name = "tc_trusted", certs = [":tc_keypair"], revoked_modules = [":tc_signed"], tags = manual)
    for t in ["tc_keypair", "tc_signed", "tc_trusted"]:
        modsign_replaced_test(name = t + "_modsign_replaced_test", target_under_test = ":" + t)
    modsign_default_test(name = "tc_signed_modsign_default_test", target_under_test = ":tc_signed")

    kernel_module_qemu_test(
        name = "tc_qemu",
        expect_rejected = {":fake_mod_a": "EKEYREJECTED"},
        kernel = ":fake_kernel_a",
        modules = [":fake_mod_a"],
        tags = manual,
    )
    qemu_toolchain_test(
        name = "tc_qemu_registered_test",
        target_under_test = ":tc_qemu",
        expect_qemu = _FAKE_TOOL,
        expect_version = "fake QEMU for x86_64 guests",
    )
    qemu_arm64_toolchain_test(
        name = "tc_qemu_arm64_toolchain_test",
        target_under_test = ":tc_qemu",
        expect_qemu = _FAKE_TOOL,
        expect_version = "fake QEMU registered for linux/arm64 targets",
    )
    no_qemu_test(
        name = "tc_qemu_no_toolchain_test",
        target_under_test = ":tc_qemu",
        messages = [
            "//rules/tests:tc_qemu: no QEMU toolchain matches the target platform ",
            "//rules/tests:linux_arm64: the registered ones boot x86_64 Linux guests",
            "register a qemu_toolchain",
        ],
    )
    qemu_missing_test(name = "tc_qemu_missing_test", target_under_test = ":tc_qemu")
    guest_init_test(name = "tc_guest_init_test", target_under_test = "//rules/private/qemu/init:guest")
    guest_init_on_arm64_test(name = "tc_guest_init_on_arm64_test", target_under_test = "//rules/private/qemu/init:guest")
    initramfs_init_on_arm64_test(name = "tc_initramfs_init_on_arm64_test", target_under_test = ":tc_qemu")

    native.test_suite(
        name = name,
        tests = [
            ":tc_keypair_modsign_replaced_test",
            ":tc_signed_modsign_replaced_test",
            ":tc_trusted_modsign_replaced_test",
            ":tc_signed_modsign_default_test",
            ":tc_qemu_registered_test",
            ":tc_qemu_arm64_toolchain_test",
            ":tc_qemu_no_toolchain_test",
            ":tc_qemu_missing_test",
            ":tc_guest_init_test",
            ":tc_guest_init_on_arm64_test",
            ":tc_initramfs_init_on_arm64_test",
        ],
    )
