"""Stand-ins for kernel_build and kernel_module, so analysis tests need no kernel.

They return the same providers with every field the rules read set to a real File (the
actions that would make them are trivial and never run: analysis tests only analyse).
kernel_test.bzl checks that their field sets equal those of the real rules.
"""

load("//rules:defs.bzl", "KernelBuildInfo", "KernelCcInfo", "KernelModuleInfo")
load("//rules/private:providers.bzl", "built_module_info")

def _placeholder(ctx, name, content = ""):
    f = ctx.actions.declare_file(ctx.label.name + "/" + name)
    ctx.actions.write(f, content)
    return f

def _fake_kernel_build_impl(ctx):
    image = _placeholder(ctx, "bzImage")
    config = _placeholder(ctx, ".config")
    symvers = _placeholder(ctx, "Module.symvers")
    signing_cert = _placeholder(ctx, "signing_key.x509")
    tree = ctx.actions.declare_directory(ctx.label.name + "/build")
    ctx.actions.run_shell(outputs = [tree], command = "mkdir -p \"$1\"", arguments = [tree.path])
    return [
        DefaultInfo(files = depset([image, config, symvers, signing_cert])),
        KernelBuildInfo(
            label = ctx.label,
            image = image,
            config = config,
            symvers = symvers,
            tree = tree,
            signing_cert = signing_cert,
            hashes = ctx.attr.hashes,
            trusted_keys = None,
            cc = KernelCcInfo(
                name = "gcc",
                compiler = "/usr/bin/gcc",
                version = "12.2.0",
                version_text = "gcc (fake) 12.2.0",
                target = "x86_64-linux-gnu",
                identity = _placeholder(ctx, "gcc.identity", "compiler /usr/bin/gcc\n"),
                files = depset(),
                label = ctx.label,
            ),
            line = ctx.attr.line,
        ),
    ]

fake_kernel_build = rule(
    implementation = _fake_kernel_build_impl,
    doc = "A KernelBuildInfo without a kernel: for analysis tests only.",
    attrs = {
        "hashes": attr.string_list(doc = "The module signature hashes the fake kernel accepts."),
        "line": attr.string(doc = "The fake kernel's line (\"6.1\", \"7.2\" or \"\")."),
    },
    provides = [KernelBuildInfo],
)

def _fake_kernel_module_impl(ctx):
    kernel = ctx.attr.kernel[KernelBuildInfo]
    module_name = ctx.label.name
    ko = ctx.actions.declare_file(ctx.label.name + "/" + module_name + ".ko")
    ctx.actions.symlink(output = ko, target_file = ctx.file.ko)
    symvers = _placeholder(ctx, "Module.symvers")
    return [
        DefaultInfo(files = depset([ko])),
        OutputGroupInfo(symvers = depset([symvers])),
        built_module_info(ko, module_name, kernel, symvers),
    ]

fake_kernel_module = rule(
    implementation = _fake_kernel_module_impl,
    doc = "A KernelModuleInfo for `<name>.ko` (a copy of `ko`) built against `kernel`: for analysis tests only.",
    attrs = {
        "kernel": attr.label(mandatory = True, providers = [KernelBuildInfo], doc = "The (fake) kernel it was built against."),
        "ko": attr.label(mandatory = True, allow_single_file = [".ko"], doc = "The module file to stand for."),
    },
    provides = [KernelModuleInfo],
)
