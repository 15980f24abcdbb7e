"""guest_binary: a program that runs inside the QEMU guest, built for linux/x86_64 whatever the host."""

visibility(["//rules/..."])

GUEST_PLATFORM = Label("//rules/platforms:linux_x86_64")

GuestBinaryInfo = provider(
    doc = "A binary built for the QEMU guest, and the platform it was built for.",
    fields = {
        "executable": "File: the binary.",
        "os": "string: the OS its configuration targets (\"linux\"), or \"\" when not linux.",
        "cpu": "string: the CPU its configuration targets (\"x86_64\"), or \"\" when not x86_64.",
        "platform": "string: the label of its target platform.",
    },
)

def _guest_transition_impl(_settings, _attr):
    return {"//command_line_option:platforms": [str(GUEST_PLATFORM)]}

# The guest is an x86_64 Linux machine (qemu-system-x86_64), not the host nor the test's
# target platform: its binaries are built for that platform.
guest_transition = transition(
    implementation = _guest_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _guest_binary_impl(ctx):
    exe = ctx.attr.binary[DefaultInfo].files_to_run.executable
    if not exe:
        fail("guest_binary {}: {} is not executable".format(ctx.label, ctx.attr.binary.label))
    linux = ctx.target_platform_has_constraint(ctx.attr._linux[platform_common.ConstraintValueInfo])
    x86_64 = ctx.target_platform_has_constraint(ctx.attr._x86_64[platform_common.ConstraintValueInfo])
    return [
        DefaultInfo(files = depset([exe])),
        GuestBinaryInfo(
            executable = exe,
            os = "linux" if linux else "",
            cpu = "x86_64" if x86_64 else "",
            platform = str(ctx.fragments.platform.platform),
        ),
    ]

guest_binary = rule(
    implementation = _guest_binary_impl,
    doc = "`binary` built for the guest platform (linux/x86_64) through an incoming transition.",
    cfg = guest_transition,
    fragments = ["platform"],
    attrs = {
        "binary": attr.label(mandatory = True, executable = True, cfg = "target", doc = "A static binary for the guest, e.g. a go_binary with pure = \"on\"."),
        "_linux": attr.label(default = Label("@platforms//os:linux")),
        "_x86_64": attr.label(default = Label("@platforms//cpu:x86_64")),
    },
    provides = [GuestBinaryInfo],
)

def check_guest_binary(target, what):
    """Fails at analysis when a guest binary was not built for linux/x86_64.

    Args:
      target: a guest_binary target.
      what: how messages name the rule.

    Returns:
      Its executable File.
    """
    info = target[GuestBinaryInfo]
    if info.os != "linux" or info.cpu != "x86_64":
        fail("{}: the guest binary {} was built for {} ({}/{}), but the QEMU guest is linux/x86_64".format(
            what,
            target.label,
            info.platform,
            info.os or "?",
            info.cpu or "?",
        ))
    return info.executable
