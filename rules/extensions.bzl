"""Module extensions of rules_modsign (Bzlmod)."""

load("//rules/private:cc_repository.bzl", "kernel_cc_host_toolchains")
load("//rules/private:debian.bzl", "debian_kernel", "debian_package")
load("//rules/private:local_kernel.bzl", "local_kernel_tree")
load("//rules/private:qemu_repository.bzl", "system_qemu")
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
            debian_secure_boot_firmware(name = tag.name, packages = tag.packages, suite = tag.suite, apt_sources = tag.apt_sources)

secure_boot = module_extension(
    implementation = _secure_boot_impl,
    doc = "UEFI Secure Boot chains. `secure_boot.debian(name)` gives `@<name>//:firmware` (OVMF, shim, grub from Debian) for kernel_module_qemu_test's `secure_boot`.",
    tag_classes = {
        "debian": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "packages": attr.string_list_dict(doc = "Overrides of the pinned packages: package -> [version, sha256] (ovmf, shim-signed, grub-efi-amd64-signed)."),
            "suite": attr.string(default = "bookworm", doc = "The Debian suite the pinned versions come from."),
            "apt_sources": attr.string_list(doc = "sources.list lines instead of those of suite."),
        }),
    },
)

def _debian_kernels_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.kernel:
            debian_kernel(
                name = tag.name,
                abi = tag.abi,
                version = tag.version,
                sha256 = tag.sha256,
                signed = tag.signed,
                modules = tag.modules,
                kbuild_package = tag.kbuild_package,
                cc = tag.cc,
                suite = tag.suite,
                apt_sources = tag.apt_sources,
            )
        for tag in mod.tags.package:
            debian_package(
                name = tag.name,
                package = tag.package,
                version = tag.version,
                sha256 = tag.sha256,
                suite = tag.suite,
                apt_sources = tag.apt_sources,
                build_file_content = tag.build_file_content,
            )
        for tag in mod.tags.local:
            local_kernel_tree(
                name = tag.name,
                release = tag.release,
                path = tag.path,
                image = tag.image,
                line = tag.line,
                cc = tag.cc,
            )

debian_kernels = module_extension(
    implementation = _debian_kernels_impl,
    doc = """Kernels built elsewhere, and Debian packages, as repositories.

- `debian_kernels.kernel(name, abi, version, sha256)`: Debian's kernel of that ABI (see
  `debian_kernel` in rules/private/debian.bzl): `@<name>//:kernel` (a prebuilt_kernel),
  `:vmlinuz` (the signed image), `:signing_cert` (Debian's module signing certificate),
  `:module_dummy` (Debian's signed dummy.ko) and one `:module_<n>` per `modules` entry.
- `debian_kernels.package(name, package, version, sha256)`: any Debian package, unpacked
  (`@<name>//:<path in the package>`, `@<name>//:files`).
- `debian_kernels.local(name)`: this machine's `/lib/modules/$(uname -r)/build` as `@<name>//:kernel`.

Every .deb is pinned by version and sha256, fetched with apt-get download (a private apt state
for the given suite) or from the repository cache, and unpacked with dpkg-deb.
""",
    tag_classes = {
        "kernel": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name, e.g. debian_6_1."),
            "abi": attr.string(mandatory = True, doc = "The kernel ABI (`uname -r`), e.g. 6.1.0-57-amd64."),
            "version": attr.string(mandatory = True, doc = "The Debian version of its packages, e.g. 6.1.192-3."),
            "sha256": attr.string_dict(mandatory = True, doc = "Package -> sha256 of its .deb: linux-image-<abi>, linux-headers-<abi>, linux-headers-<base>-common, linux-kbuild-<line>."),
            "signed": attr.bool(default = True, doc = "The Secure Boot signed image (linux-image-<abi>) rather than -unsigned."),
            "modules": attr.string_list(default = ["drivers/net/dummy.ko"], doc = "Debian's modules to provide, as paths under lib/modules/<abi>/kernel."),
            "kbuild_package": attr.string(doc = "The linux-kbuild package, when not linux-kbuild-<line>."),
            "cc": attr.string(doc = "The compiler for modules; default from CONFIG_CC_VERSION_TEXT."),
            "suite": attr.string(default = "bookworm", doc = "The Debian suite (its main, -updates and -security archives)."),
            "apt_sources": attr.string_list(doc = "sources.list lines instead of those of suite."),
        }),
        "package": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "package": attr.string(mandatory = True, doc = "The binary package, e.g. ovmf."),
            "version": attr.string(mandatory = True, doc = "Its exact Debian version."),
            "sha256": attr.string(mandatory = True, doc = "The .deb's sha256."),
            "suite": attr.string(default = "bookworm", doc = "The Debian suite."),
            "apt_sources": attr.string_list(doc = "sources.list lines instead of those of suite."),
            "build_file_content": attr.string(doc = "The repository's BUILD file; default: every file exported, plus :files."),
        }),
        "local": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "release": attr.string(doc = "Kernel release; default uname -r."),
            "path": attr.string(doc = "Build tree; default /lib/modules/<release>/build."),
            "image": attr.string(doc = "Boot image; default /boot/vmlinuz-<release> when readable."),
            "line": attr.string(doc = "Kernel line MAJOR.MINOR; default from the Makefile."),
            "cc": attr.string(doc = "Compiler; default from CONFIG_CC_VERSION_TEXT."),
        }),
    },
)

def _kernel_cc_impl(mctx):
    repos = {}
    for mod in mctx.modules:
        for tag in mod.tags.host:
            if tag.name in repos:
                continue
            repos[tag.name] = tag
    if "rules_modsign_kernel_cc" not in repos:
        kernel_cc_host_toolchains(name = "rules_modsign_kernel_cc")
    for name, tag in repos.items():
        kernel_cc_host_toolchains(name = name, default = tag.default, compilers = tag.compilers)

kernel_cc = module_extension(
    implementation = _kernel_cc_impl,
    doc = """Kernel compilers from the machine, as `kernel_cc_toolchain` targets.

rules_modsign itself uses this extension for `@rules_modsign_kernel_cc` (every `gcc` and
`gcc-N` on `PATH`: `:gcc`, `:gcc-12`, ...), whose `:toolchain` (the machine's `gcc`, with the
others as alternatives) it registers: nothing to do for the default. `kernel_cc.host(name, ...)`
makes another such repository, e.g. with another default, to register yourself:

```starlark
kernel_cc = use_extension("@rules_modsign//rules:extensions.bzl", "kernel_cc")
kernel_cc.host(name = "my_kernel_cc", default = "gcc-12")
use_repo(kernel_cc, "my_kernel_cc")
register_toolchains("@my_kernel_cc//:toolchain")
```
""",
    tag_classes = {
        "host": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "default": attr.string(default = "gcc", doc = "The compiler of its `:toolchain`."),
            "compilers": attr.string_list(doc = "Only these names (default: every gcc and gcc-N on PATH)."),
        }),
    },
)

def _qemu_impl(mctx):
    names = {}
    for mod in mctx.modules:
        for tag in mod.tags.system:
            if tag.name in names:
                continue
            names[tag.name] = True
            system_qemu(name = tag.name, binary = tag.binary, path = tag.path)
    if "rules_modsign_qemu" not in names:
        system_qemu(name = "rules_modsign_qemu")

qemu = module_extension(
    implementation = _qemu_impl,
    doc = """The QEMU of kernel_module_qemu_test, from the machine.

rules_modsign itself makes `@rules_modsign_qemu` (the `qemu-system-x86_64` on `PATH`) and
registers its `:toolchain`; you need this extension only for a QEMU elsewhere on the machine:
`qemu.system(name, path)` gives `@<name>//:toolchain`, to `register_toolchains` in your
`MODULE.bazel` (yours are resolved first). A QEMU that is a Bazel artifact needs no extension:
see `qemu_toolchain`.
""",
    tag_classes = {
        "system": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "Repository name."),
            "binary": attr.string(default = "qemu-system-x86_64", doc = "The program to look for on PATH."),
            "path": attr.string(doc = "Its absolute path, instead of looking on PATH."),
        }),
    },
)
