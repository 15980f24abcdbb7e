"""WORKSPACE-mode setup of rules_modsign, for Bazel 7 and 8 only (Bazel 9 removed WORKSPACE).

Bzlmod users need none of this: see `@rules_modsign//rules:extensions.bzl`.
"""

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")
load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load("//rules/private:cc_repository.bzl", _kernel_cc_host_toolchains = "kernel_cc_host_toolchains")
load("//rules/private:debian.bzl", _debian_kernel = "debian_kernel", _debian_package = "debian_package")
load("//rules/private:local_kernel.bzl", _local_kernel_tree = "local_kernel_tree")
load("//rules/private:qemu_repository.bzl", _system_qemu = "system_qemu")
load("//rules/private:repositories.bzl", _debian_linux_source = "debian_linux_source", _local_signing_key = "local_signing_key")
load("//rules/private:secure_boot_repository.bzl", _debian_secure_boot_firmware = "debian_secure_boot_firmware")

debian_linux_source = _debian_linux_source
local_signing_key = _local_signing_key
debian_secure_boot_firmware = _debian_secure_boot_firmware
debian_kernel = _debian_kernel
debian_package = _debian_package
local_kernel_tree = _local_kernel_tree
kernel_cc_host_toolchains = _kernel_cc_host_toolchains
system_qemu = _system_qemu

# A WORKSPACE setup function, not a macro that makes targets: it has no name.
# buildifier: disable=unnamed-macro
def rules_modsign_dependencies(register_kernel_cc = True, register_modsign = True, register_qemu = True):
    """Declares rules_go and gazelle, the rule sets rules_modsign builds on, and the toolchains.

    The default toolchains: the kernel compiler (`@rules_modsign_kernel_cc`, every `gcc` and
    `gcc-N` on PATH as a `kernel_cc_toolchain`, see `kernel_cc_host_toolchains`; its
    `:toolchain` is the machine's gcc with the others as alternatives), modsign built from
    source (`@rules_modsign//rules/toolchains:modsign_from_source_toolchain`) and the machine's
    qemu-system-x86_64 (`@rules_modsign_qemu//:toolchain`, a `system_qemu`). Register your own
    `kernel_cc_toolchain`, `modsign_toolchain` or `qemu_toolchain` before calling this to
    replace them.

    Then call, in this order: gazelle_dependencies(go_sdk = "go_sdk"),
    go_rules_dependencies(), go_register_toolchains(...), rules_modsign_go_repositories()
    (see the WORKSPACE file of rules_modsign).

    Args:
      register_kernel_cc: register `@rules_modsign_kernel_cc//:toolchain`.
      register_modsign: register the modsign built from source.
      register_qemu: register `@rules_modsign_qemu//:toolchain`, the machine's QEMU.
    """

    # rules_go's module zip from the Go module proxy (checksummed by sum.golang.org): the same
    # content the offline launcher provisions and tests with, and an archive whose digest
    # could be computed here (the GitHub release archive is another file, unreachable here).
    maybe(
        http_archive,
        name = "io_bazel_rules_go",
        sha256 = "122550471bdf8583c95fc1c3702d2174d9421b7efd55ed32e00cc128cfe9fdb1",
        strip_prefix = "github.com/bazelbuild/rules_go@v0.65.0",
        urls = ["https://proxy.golang.org/github.com/bazelbuild/rules_go/@v/v0.65.0.zip"],
    )
    maybe(
        http_archive,
        name = "bazel_gazelle",
        integrity = "sha256-na6HwD6gaymQuINiVpCaGDZ+GR+IXVux0DDouoBJG0I=",
        urls = ["https://github.com/bazel-contrib/bazel-gazelle/releases/download/v0.54.0/bazel-gazelle-v0.54.0.tar.gz"],
    )
    maybe(_kernel_cc_host_toolchains, name = "rules_modsign_kernel_cc")
    if register_kernel_cc:
        native.register_toolchains("@rules_modsign_kernel_cc//:toolchain")
    maybe(_system_qemu, name = "rules_modsign_qemu")
    if register_modsign:
        native.register_toolchains("@rules_modsign//rules/toolchains:modsign_from_source_toolchain")
    if register_qemu:
        native.register_toolchains("@rules_modsign_qemu//:toolchain")
