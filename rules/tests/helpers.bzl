"""Helpers shared by the analysis tests of rules_modsign."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules/private:common.bzl", "KEYGEN_EXECUTION_REQUIREMENTS", "SIGN_EXECUTION_REQUIREMENTS")
load("//rules/private:kernel.bzl", "KERNEL_BUILD_EXECUTION_REQUIREMENTS")

# What the rules pass as execution_requirements, per mnemonic (the rest pass none).
# Bazel 7's Starlark Action object has no `execution_info` (Bazel 8 adds it), so under
# Bazel 7 the tests check these declared requirements, and execution_requirements_test.sh
# checks that `bazel aquery` shows exactly them on the real actions.
DECLARED_EXECUTION_REQUIREMENTS = {
    "ModsignKeygen": KEYGEN_EXECUTION_REQUIREMENTS,
    "ModsignSign": SIGN_EXECUTION_REQUIREMENTS,
    # Proposed: module_signing_key extracting the certificate of a combined key file.
    "ModsignCertExtract": SIGN_EXECUTION_REQUIREMENTS,
    "KernelBuild": KERNEL_BUILD_EXECUTION_REQUIREMENTS,
    "KernelModule": KERNEL_BUILD_EXECUTION_REQUIREMENTS,
}

def execution_info(action):
    """The action's execution info: the real one where Bazel exposes it, else the declared one."""
    if hasattr(action, "execution_info"):
        return action.execution_info
    return DECLARED_EXECUTION_REQUIREMENTS.get(action.mnemonic, {})

# Execution requirements that keep an action's inputs away from a remote executor.
NO_REMOTE_EXEC = ["no-remote-exec", "no-remote", "local"]

# Execution requirements that keep an action's outputs out of a remote cache.
NO_REMOTE_CACHE = ["no-remote-cache", "no-remote", "no-cache", "local"]

def actions_with_mnemonic(actions, mnemonic):
    return [a for a in actions if a.mnemonic == mnemonic]

def only_action(env, actions, mnemonic):
    """Returns the one action with `mnemonic`, or None after recording a failure."""
    found = actions_with_mnemonic(actions, mnemonic)
    asserts.equals(
        env,
        1,
        len(found),
        "expected exactly one {} action, got {} (mnemonics: {})".format(mnemonic, len(found), [a.mnemonic for a in actions]),
    )
    return found[0] if len(found) == 1 else None

def action_writing(env, actions, file):
    """Finds the action that writes `file`.

    Args:
      env: the analysistest env.
      actions: the actions of the target under test.
      file: an output File.

    Returns:
      The action whose outputs include `file`, or None after recording a failure.
    """
    for a in actions:
        if file in a.outputs.to_list():
            return a
    asserts.true(env, False, "no action writes {}".format(file.short_path))
    return None

def has_any(info, keys):
    return [k for k in keys if k in info]

def assert_never_remote_exec(env, action, why):
    asserts.true(
        env,
        len(has_any(execution_info(action), NO_REMOTE_EXEC)) > 0,
        "{} action {}: {} but its execution_info {} lets it run on a remote executor".format(
            action.mnemonic,
            [f.short_path for f in action.outputs.to_list()],
            why,
            execution_info(action),
        ),
    )

def assert_private_key_confined(env, actions, key):
    """Every action that reads or writes the private key `key` stays on this machine.

    Reading it: never on a remote executor (no-remote-exec or stronger).
    Writing it: additionally never into a remote cache (no-remote-cache or stronger).

    Args:
      env: the analysistest env.
      actions: the actions to check.
      key: the private key File.
    """
    for a in actions:
        if key in a.inputs.to_list():
            assert_never_remote_exec(env, a, "reads the private key " + key.short_path)
        if key in a.outputs.to_list():
            assert_never_remote_exec(env, a, "writes the private key " + key.short_path)
            asserts.true(
                env,
                len(has_any(execution_info(a), NO_REMOTE_CACHE)) > 0,
                "{} writes the private key {} but its execution_info {} lets the output into a remote cache".format(
                    a.mnemonic,
                    key.short_path,
                    execution_info(a),
                ),
            )

def tool_files(target):
    """The files a tool target brings into an action.

    Args:
      target: an executable target (exec configuration).

    Returns:
      Its executable, runfiles and runfiles manifest.
    """
    info = target[DefaultInfo]
    files = [info.files_to_run.executable] + info.default_runfiles.files.to_list()
    if info.files_to_run.runfiles_manifest:
        files.append(info.files_to_run.runfiles_manifest)
    return files

def assert_inputs_exactly(env, action, expected, tool):
    """The action's inputs are exactly `expected` plus the files of `tool`.

    Args:
      env: the analysistest env.
      action: the action.
      expected: the Files it must read besides the tool.
      tool: the tool's target, in the exec configuration.
    """
    tools = tool_files(tool)
    inputs = action.inputs.to_list()
    asserts.true(
        env,
        tools[0] in inputs,
        "{}: the tool {} is not an input ({})".format(action.mnemonic, tools[0].short_path, [f.short_path for f in inputs]),
    )

    # Besides the tool's files, Bazel 7 adds a runfiles middleman (an internal artifact).
    got = sorted([f.path for f in inputs if f not in tools and "/internal/_middlemen/" not in f.path])
    asserts.equals(
        env,
        sorted([f.path for f in expected]),
        got,
        "{}: the inputs besides the tool".format(action.mnemonic),
    )

def arg_after(argv, flag):
    """Finds a flag's value in a command line.

    Args:
      argv: the command line.
      flag: the flag, e.g. "--out".

    Returns:
      The argument following the first `flag` in argv, or None.
    """
    for i in range(len(argv) - 1):
        if argv[i] == flag:
            return argv[i + 1]
    return None

def provider_fields(info):
    return sorted([f for f in dir(info) if f not in ("to_json", "to_proto")])

def _failure_test_impl(ctx):
    env = analysistest.begin(ctx)
    for m in ctx.attr.messages:
        asserts.expect_failure(env, m)
    return analysistest.end(env)

failure_test = analysistest.make(
    _failure_test_impl,
    expect_failure = True,
    attrs = {"messages": attr.string_list(mandatory = True, doc = "Substrings of the expected analysis error.")},
)
