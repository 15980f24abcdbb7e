"""Analysis tests of kernel_module_qemu_test's UEFI Secure Boot mode.

The firmware files are stand-ins (never read: analysis only); the kernels are
prebuilt_debian_like (prebuilt_test.bzl), analysed_kernel (a real kernel_build,
kernel_test.bzl) and fake_kernel_a (fakes.bzl).
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "kernel_module_qemu_test", "secure_boot_firmware")
load(":helpers.bzl", "arg_after", "failure_test", "only_action")

_TD = "rules/tests/testdata/"

def _secure_boot_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    key = _TD + "test-only-rsa2048.key.pem"
    cert = _TD + "test-only-rsa2048.crt.pem"

    v = only_action(env, actions, "UefiVars")
    if v:
        asserts.equals(env, "vars", v.argv[1])
        asserts.equals(env, cert, arg_after(v.argv, "--mok"), "the MOK is enrolled by its certificate")
        asserts.equals(env, _TD + "nhc_hop.ko", arg_after(v.argv, "--template"))
        inputs = [f.short_path for f in v.inputs.to_list()]
        asserts.true(env, cert in inputs, "the certificate is an input")
        asserts.false(env, key in inputs, "the private key must not be an input of the varstore action")
    e = only_action(env, actions, "UefiEsp")
    if e:
        asserts.equals(env, "esp", e.argv[1])
        asserts.equals(env, _TD + "prebuilt/tree/Makefile", arg_after(e.argv, "--kernel"), "the prebuilt kernel's image goes on the ESP")
        asserts.true(env, arg_after(e.argv, "--initramfs").endswith(".initramfs.cpio.gz"))
        asserts.equals(env, _TD + "test-only-other-rsa2048.crt.pem", arg_after(e.argv, "--shim"))

    runfiles = [f.short_path for f in target[DefaultInfo].default_runfiles.files.to_list()]
    asserts.false(env, key in runfiles, "the private key must not be in the test's runfiles")
    asserts.true(env, cert in runfiles, "the driver reads the certificate for the keyring check")

    script = [a for a in actions if a.mnemonic == "FileWrite" and a.outputs.to_list()[0].basename.endswith(".sh")]
    asserts.equals(env, 1, len(script), "one test script")
    if script:
        content = script[0].content
        for want in [
            "'--uefi-code'",
            "'--uefi-vars'",
            "'--uefi-disk'",
            "'--expect-secure-boot'",
            "'--expect-sig-enforce'",
            "'--expect-lockdown' 'integrity'",
            "'--expect-keyring' '.machine=" + cert + "'",
            "'--expect-dmesg' 'testdata_nhc_hop.ko.ko=Loading of unsigned module is rejected'",
        ]:
            asserts.true(env, want in content, "the driver's arguments lack " + want + ":\n" + content)
        asserts.false(env, "'--kernel'" in content, "a Secure Boot test boots from the ESP, not -kernel")
    return analysistest.end(env)

secure_boot_test = analysistest.make(_secure_boot_test_impl)

def secure_boot_test_suite(name):
    """The Secure Boot analysis tests.

    Args:
      name: the test_suite's name.
    """
    manual = ["manual"]
    secure_boot_firmware(
        name = "sb_firmware",
        code = "testdata/test-only-rsa2048.combined.pem",
        vars = "testdata/nhc_hop.ko",
        shim = "testdata/test-only-other-rsa2048.crt.pem",
        grub = "testdata/README.md",
        tags = manual,
    )

    kernel_module_qemu_test(
        name = "sb_qemu",
        kernel = ":prebuilt_debian_like",
        secure_boot = ":sb_firmware",
        mok_keys = [":test_key"],
        modules = ["testdata/nhc_hop.ko"],
        expect_rejected = {"testdata/nhc_hop.ko": "EKEYREJECTED"},
        expect_dmesg = {"testdata/nhc_hop.ko": "Loading of unsigned module is rejected"},
        expect_lockdown = "integrity",
        tags = manual,
    )
    secure_boot_test(name = "secure_boot_test", target_under_test = ":sb_qemu")

    # Contradictions, rejected at analysis.
    kernel_module_qemu_test(
        name = "sb_on_kernel_build",
        kernel = ":analysed_kernel",
        secure_boot = ":sb_firmware",
        modules = ["testdata/nhc_hop.ko"],
        expect_rejected = {"testdata/nhc_hop.ko": "EKEYREJECTED"},
        tags = manual,
    )
    failure_test(
        name = "secure_boot_on_kernel_build_test",
        target_under_test = ":sb_on_kernel_build",
        messages = ["//rules/tests:analysed_kernel is a kernel_build, whose bzImage no firmware trusts"],
    )
    kernel_module_qemu_test(
        name = "mok_without_secure_boot",
        kernel = ":fake_kernel_a",
        mok_keys = [":test_key"],
        modules = ["testdata/nhc_hop.ko"],
        expect_rejected = {"testdata/nhc_hop.ko": "EKEYREJECTED"},
        tags = manual,
    )
    failure_test(
        name = "mok_without_secure_boot_test",
        target_under_test = ":mok_without_secure_boot",
        messages = ["mok_keys only has an effect under UEFI Secure Boot", "set secure_boot"],
    )
    kernel_module_qemu_test(
        name = "db_without_secure_boot",
        kernel = ":fake_kernel_a",
        db_keys = [":test_key"],
        modules = ["testdata/nhc_hop.ko"],
        expect_rejected = {"testdata/nhc_hop.ko": "EKEYREJECTED"},
        tags = manual,
    )
    failure_test(
        name = "db_without_secure_boot_test",
        target_under_test = ":db_without_secure_boot",
        messages = ["db_keys only has an effect under UEFI Secure Boot"],
    )
    kernel_module_qemu_test(
        name = "sb_key_twice",
        kernel = ":prebuilt_debian_like",
        secure_boot = ":sb_firmware",
        mok_keys = [":test_key"],
        db_keys = [":test_key"],
        modules = ["testdata/nhc_hop.ko"],
        expect_rejected = {"testdata/nhc_hop.ko": "EKEYREJECTED"},
        tags = manual,
    )
    failure_test(
        name = "secure_boot_key_twice_test",
        target_under_test = ":sb_key_twice",
        messages = ["//rules/tests:test_key is enrolled twice"],
    )
    kernel_module_qemu_test(
        name = "dmesg_empty",
        kernel = ":fake_kernel_a",
        modules = ["testdata/nhc_hop.ko"],
        expect_rejected = {"testdata/nhc_hop.ko": "EKEYREJECTED"},
        expect_dmesg = {"testdata/nhc_hop.ko": ""},
        tags = manual,
    )
    failure_test(
        name = "expect_dmesg_empty_test",
        target_under_test = ":dmesg_empty",
        messages = ["is empty; give the text a kernel log line must contain"],
    )

    native.test_suite(
        name = name,
        tests = [
            ":secure_boot_test",
            ":secure_boot_on_kernel_build_test",
            ":mok_without_secure_boot_test",
            ":db_without_secure_boot_test",
            ":secure_boot_key_twice_test",
            ":expect_dmesg_empty_test",
        ],
    )
