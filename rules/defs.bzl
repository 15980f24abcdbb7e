"""Public API of rules_modsign: hermetic, cacheable Linux kernel-module signing.

Load everything from here:

    load("@rules_modsign//rules:defs.bzl", "kernel_module", "kernel_module_signed", ...)

Only user-facing rules and providers are here. Repository rules and module extensions:
`//rules:extensions.bzl` (Bzlmod), `//rules:repositories.bzl` (WORKSPACE, Bazel 7 and 8).
Test helpers: `//rules/testing:defs.bzl`.
"""

load("//rules/private:cc_toolchain.bzl", _kernel_cc_toolchain = "kernel_cc_toolchain")
load("//rules/private:detached.bzl", _kernel_module_digests = "kernel_module_digests", _kernel_modules_attached = "kernel_modules_attached")
load("//rules/private:kernel.bzl", _kernel_build = "kernel_build", _kernel_module = "kernel_module")
load("//rules/private:keys.bzl", _module_signing_key = "module_signing_key", _x509_keypair = "x509_keypair")
load("//rules/private:prebuilt.bzl", _prebuilt_kernel = "prebuilt_kernel", _prebuilt_kernel_module = "prebuilt_kernel_module")
load(
    "//rules/private:providers.bzl",
    _KernelBuildInfo = "KernelBuildInfo",
    _KernelCcInfo = "KernelCcInfo",
    _KernelModuleInfo = "KernelModuleInfo",
    _ModuleSigningKeyInfo = "ModuleSigningKeyInfo",
    _TrustedKeysInfo = "TrustedKeysInfo",
)
load("//rules/private:qemu.bzl", _kernel_module_qemu_test = "kernel_module_qemu_test")
load("//rules/private:secure_boot.bzl", _SecureBootFirmwareInfo = "SecureBootFirmwareInfo", _secure_boot_firmware = "secure_boot_firmware")
load("//rules/private:sign.bzl", _kernel_module_signed = "kernel_module_signed", _kernel_modules_signed = "kernel_modules_signed")
load(
    "//rules/private:toolchains.bzl",
    _ModsignInfo = "ModsignInfo",
    _QemuInfo = "QemuInfo",
    _modsign_toolchain = "modsign_toolchain",
    _qemu_toolchain = "qemu_toolchain",
)
load("//rules/private:trusted_keys.bzl", _trusted_keys = "trusted_keys")

x509_keypair = _x509_keypair
module_signing_key = _module_signing_key
kernel_module_signed = _kernel_module_signed
kernel_modules_signed = _kernel_modules_signed
kernel_module_digests = _kernel_module_digests
kernel_modules_attached = _kernel_modules_attached
trusted_keys = _trusted_keys
kernel_build = _kernel_build
kernel_module = _kernel_module
prebuilt_kernel = _prebuilt_kernel
prebuilt_kernel_module = _prebuilt_kernel_module
kernel_module_qemu_test = _kernel_module_qemu_test
secure_boot_firmware = _secure_boot_firmware
kernel_cc_toolchain = _kernel_cc_toolchain
modsign_toolchain = _modsign_toolchain
qemu_toolchain = _qemu_toolchain

ModuleSigningKeyInfo = _ModuleSigningKeyInfo
TrustedKeysInfo = _TrustedKeysInfo
KernelBuildInfo = _KernelBuildInfo
KernelModuleInfo = _KernelModuleInfo
KernelCcInfo = _KernelCcInfo
SecureBootFirmwareInfo = _SecureBootFirmwareInfo
ModsignInfo = _ModsignInfo
QemuInfo = _QemuInfo
