"""Module extensions of rules_modsign (Bzlmod)."""

load("//rules/private:repositories.bzl", "debian_linux_source", "local_signing_key")

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
