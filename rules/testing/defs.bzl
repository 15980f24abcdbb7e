"""Test helpers of rules_modsign, for tests of the rules themselves and of consumers' setups.

    load("@rules_modsign//rules/testing:defs.bzl", "kernel_verdict_test", "must_fail_test")

Not part of the signing API (`@rules_modsign//rules:defs.bzl`).
"""

load("//rules/private:qemu.bzl", _must_fail_test = "must_fail_test")
load("//rules/private:verdict.bzl", _kernel_verdict_test = "kernel_verdict_test")

must_fail_test = _must_fail_test
kernel_verdict_test = _kernel_verdict_test
