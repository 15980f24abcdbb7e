"""Module extensions of rules_modsign (Bzlmod)."""

load("//rules/private:repositories.bzl", "debian_linux_source", "local_signing_key")
load("//rules/private:secure_boot_repository.bzl", "debian_secure_boot_firmware")

def _kernel_sources_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.debian:
            debian_linux_source(name = tag.name, version = tag.version, path = tag.path)

kernel_sources = module_extension(
    implementation = _kernel_sources_impl,
    doc = "Kernel source tarballs. `kernel_sources.debian(name, version)` gives `@<name>//:tarball`.",
    tag_classes = {
        "debian": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "version": attr.string(mandatory = True, doc = "Kernel line, e.g. \"6.1\"."),
            "path": attr.string(doc = "Tarball path; default /usr/src/linux-source-<version>.tar.xz."),
        }),
    },
)

def _signing_keys_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.local:
            local_signing_key(name = tag.name, key_env = tag.key_env, cert_env = tag.cert_env, common_name = tag.common_name)

signing_keys = module_extension(
    implementation = _signing_keys_impl,
    doc = "Signing keys from outside the workspace. `signing_keys.local(name, key_env, cert_env)` gives `@<name>//:key`.",
    tag_classes = {
        "local": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "key_env": attr.string(mandatory = True, doc = "Variable holding the private key's path."),
            "cert_env": attr.string(doc = "Variable holding the certificate's path."),
            "common_name": attr.string(doc = "The certificate's CN."),
        }),
    },
)

def _secure_boot_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.debian:
            debian_secure_boot_firmware(name = tag.name, packages = tag.packages, mirrors = tag.mirrors)

secure_boot = module_extension(
    implementation = _secure_boot_impl,
    doc = "UEFI Secure Boot chains. `secure_boot.debian(name)` gives `@<name>//:firmware` (OVMF, shim, grub from Debian) for kernel_module_qemu_test's `secure_boot`.",
    tag_classes = {
        "debian": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "packages": attr.string_list_dict(doc = "Overrides of the pinned packages: package -> [version, sha256] (ovmf, shim-signed, grub-efi-amd64-signed)."),
            "mirrors": attr.string_list(default = ["http://deb.debian.org/debian"], doc = "Debian mirrors (archive roots)."),
        }),
    },
)
