"""The modsign and QEMU toolchains: how the rules reach their tools.

Every rule that runs modsign takes it from the toolchain type `//rules/toolchains:modsign`
(exec-configured, like any build tool); kernel_module_qemu_test takes QEMU from
`//rules/toolchains:qemu`, resolved for the test's target platform.
"""

visibility(["//rules/..."])

MODSIGN_TOOLCHAIN_TYPE = Label("//rules/toolchains:modsign")

QEMU_TOOLCHAIN_TYPE = Label("//rules/toolchains:qemu")

ModsignInfo = provider(
    doc = "The modsign a modsign_toolchain gives: `ctx.toolchains[\"@rules_modsign//rules/toolchains:modsign\"].modsign`.",
    fields = {
        "executable": "File: the modsign binary, built for the execution platform.",
        "files_to_run": "FilesToRunProvider: the binary with its runfiles, for `ctx.actions.run(executable = ...)` and `tools`.",
    },
)

QemuInfo = provider(
    doc = "The QEMU a qemu_toolchain gives: `ctx.toolchains[\"@rules_modsign//rules/toolchains:qemu\"].qemu`.",
    fields = {
        "executable": "File or None: a qemu-system binary that is a Bazel artifact (runs from the test's runfiles).",
        "path": "string: the absolute path of a system qemu-system binary when `executable` is None, else \"\".",
        "version": "string: the first line of its `--version` output (a different QEMU is a different test key).",
        "files": "depset of File: what the test needs at run time (the executable and `data`).",
        "missing": "string: when not empty, QEMU was not found, and this says how to install it; tests fail with it.",
    },
)

def _modsign_toolchain_impl(ctx):
    info = ModsignInfo(
        executable = ctx.executable.modsign,
        files_to_run = ctx.attr.modsign[DefaultInfo].files_to_run,
    )
    return [platform_common.ToolchainInfo(modsign = info), info]

modsign_toolchain = rule(
    implementation = _modsign_toolchain_impl,
    doc = """A modsign for the rules of rules_modsign (toolchain type `@rules_modsign//rules/toolchains:modsign`).

Every action that generates keys, signs, bundles certificates or computes digests runs the
modsign of the resolved toolchain, built for the execution platform. rules_modsign registers
one by default, built from source (`@rules_modsign//signer/cmd/modsign`). To use another, e.g.
a release binary checked into your repository or fetched with `http_file`, declare it and
register it in your `MODULE.bazel` (your toolchains are resolved before those of
rules_modsign) or, in WORKSPACE mode, before calling `rules_modsign_dependencies()`:

```starlark
load("@rules_modsign//rules:defs.bzl", "modsign_toolchain")

modsign_toolchain(
    name = "modsign_release",
    modsign = "@modsign_release//file",   # an executable file or target
)

toolchain(
    name = "modsign_release_toolchain",
    exec_compatible_with = ["@platforms//os:linux", "@platforms//cpu:x86_64"],
    toolchain = ":modsign_release",
    toolchain_type = "@rules_modsign//rules/toolchains:modsign",
)
```

and `register_toolchains("//tools:modsign_release_toolchain")`. The binary's digest is part
of every action key that runs it, so another modsign is another cache entry.
""",
    attrs = {
        "modsign": attr.label(
            mandatory = True,
            executable = True,
            allow_files = True,
            cfg = "exec",
            doc = "The modsign executable: a target (e.g. `@rules_modsign//signer/cmd/modsign`) or a prebuilt binary file.",
        ),
    },
    provides = [ModsignInfo],
)

def _qemu_toolchain_impl(ctx):
    what = "qemu_toolchain {}".format(ctx.label)
    exe = ctx.executable.qemu
    path = ctx.attr.qemu_path
    if exe and path:
        fail("{}: give either qemu (a binary in the build) or qemu_path (a binary of the machine), not both".format(what))
    if not exe and not path and not ctx.attr.missing:
        fail("{}: give qemu (a qemu-system-x86_64 target or file) or qemu_path (an absolute path, e.g. /usr/bin/qemu-system-x86_64)".format(what))
    if path and not path.startswith("/"):
        fail("{}: qemu_path {} must be absolute (the test runs in its runfiles directory)".format(what, repr(path)))
    files = list(ctx.files.data)
    transitive = []
    if exe:
        files.append(exe)
        transitive.append(ctx.attr.qemu[DefaultInfo].default_runfiles.files)
    info = QemuInfo(
        executable = exe,
        path = path,
        version = ctx.attr.version,
        files = depset(files, transitive = transitive),
        missing = ctx.attr.missing,
    )
    return [platform_common.ToolchainInfo(qemu = info), info]

qemu_toolchain = rule(
    implementation = _qemu_toolchain_impl,
    doc = """A QEMU for kernel_module_qemu_test (toolchain type `@rules_modsign//rules/toolchains:qemu`).

The toolchain is resolved for the test's target platform: a `qemu-system-x86_64` boots x86_64
guests, so declare it with `target_compatible_with = ["@platforms//os:linux",
"@platforms//cpu:x86_64"]` and `exec_compatible_with` the machine it runs on. A test whose
target platform no QEMU toolchain matches fails at analysis, saying so.

rules_modsign registers one by default: `@rules_modsign_qemu//:toolchain`, the
`qemu-system-x86_64` found on `PATH` when that repository is made (the `qemu` module extension;
`rules_modsign_dependencies()` in WORKSPACE mode), with its path and `--version` recorded (the
repository is remade when the binary changes). To use another, e.g. a QEMU you build or
download, declare it and register it in your `MODULE.bazel` (your toolchains come first):

```starlark
load("@rules_modsign//rules:defs.bzl", "qemu_toolchain")

qemu_toolchain(
    name = "qemu_9",
    qemu = "@qemu_9//:qemu-system-x86_64",        # or qemu_path = "/opt/qemu-9/bin/qemu-system-x86_64"
    data = ["@qemu_9//:firmware"],                # files it reads at run time, if any
    version = "QEMU emulator version 9.2.0",
)

toolchain(
    name = "qemu_9_toolchain",
    exec_compatible_with = ["@platforms//os:linux", "@platforms//cpu:x86_64"],
    target_compatible_with = ["@platforms//os:linux", "@platforms//cpu:x86_64"],
    toolchain = ":qemu_9",
    toolchain_type = "@rules_modsign//rules/toolchains:qemu",
)
```

and `register_toolchains("//tools:qemu_9_toolchain")`.
""",
    attrs = {
        "qemu": attr.label(
            executable = True,
            allow_files = True,
            cfg = "exec",
            doc = "A qemu-system-x86_64 that is a Bazel target or file; it runs from the test's runfiles.",
        ),
        "qemu_path": attr.string(
            doc = "The absolute path of a qemu-system-x86_64 on the machine that runs the tests, e.g. `/usr/bin/qemu-system-x86_64`.",
        ),
        "version": attr.string(
            doc = "Its `--version` (first line): tests print it, and a change of it reruns them.",
        ),
        "data": attr.label_list(
            allow_files = True,
            cfg = "exec",
            doc = "Files QEMU reads at run time (firmware, option ROMs), put in the test's runfiles.",
        ),
        "missing": attr.string(
            doc = "Set by the default repository when no QEMU was found: tests then fail with this message.",
        ),
    },
    provides = [QemuInfo],
)

def modsign_tool(ctx):
    """The modsign of the resolved toolchain.

    Args:
      ctx: the context of a rule with `toolchains = [MODSIGN_TOOLCHAIN_TYPE]`.

    Returns:
      Its FilesToRunProvider: pass it as an action's `executable` or `tools`.
    """
    return ctx.toolchains[MODSIGN_TOOLCHAIN_TYPE].modsign.files_to_run
