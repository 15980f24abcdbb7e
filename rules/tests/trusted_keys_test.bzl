"""Analysis tests of trusted_keys."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//rules:defs.bzl", "ModuleSigningKeyInfo", "TrustedKeysInfo", "trusted_keys")
load(":helpers.bzl", "action_writing", "assert_inputs_exactly", "assert_private_key_confined")

def _trusted_keys_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    actions = analysistest.target_actions(env)
    info = target[TrustedKeysInfo]
    name = target.label.name
    key = ctx.attr.key[ModuleSigningKeyInfo]
    certs = [key.cert, ctx.file.other_cert]
    revoked = ctx.attr.expect_revoked
    revoked_modules = ctx.files.expect_revoked_modules
    revoked_certs = [ctx.file.other_cert] if revoked else []
    has_blacklist = revoked or bool(revoked_modules)

    # Outputs and provider.
    asserts.equals(env, name + ".pem", info.bundle.basename)
    asserts.equals(env, name + ".config", info.fragment.basename)
    expected_files = [info.bundle, info.fragment]
    if has_blacklist:
        asserts.true(env, info.blacklist != None, "revoked or revoked_modules is set: there must be a blacklist")
        if info.blacklist:
            asserts.equals(env, name + ".blacklist", info.blacklist.basename)
            expected_files.append(info.blacklist)
    else:
        asserts.equals(env, None, info.blacklist, "no revoked certificates: no blacklist")
    asserts.equals(env, sorted([f.path for f in expected_files]), sorted([f.path for f in target[DefaultInfo].files.to_list()]))
    asserts.equals(env, ctx.attr.expect_hash, info.hash)
    asserts.equals(env, sorted(ctx.attr.expect_hashes), sorted(info.hashes))
    asserts.equals(env, sorted([c.path for c in certs]), sorted([c.path for c in info.certs.to_list()]))
    asserts.equals(env, revoked_certs, info.revoked.to_list())
    asserts.equals(env, [f.path for f in revoked_modules], [f.path for f in info.revoked_modules.to_list()])

    # Actions: the bundle, the blacklist only with revocations, the fragment.
    mnemonics = sorted([a.mnemonic for a in actions])
    asserts.equals(
        env,
        sorted(["FileWrite", "ModsignTrustedKeys"] + (["ModsignTrustedKeys"] if has_blacklist else [])),
        mnemonics,
    )
    bundle = action_writing(env, actions, info.bundle)
    if bundle:
        asserts.equals(env, "ModsignTrustedKeys", bundle.mnemonic)
        asserts.equals(env, "cert-bundle", bundle.argv[1])
        assert_inputs_exactly(env, bundle, certs, ctx.attr._modsign)
    if has_blacklist and info.blacklist:
        bl = action_writing(env, actions, info.blacklist)
        if bl:
            asserts.equals(env, "ModsignTrustedKeys", bl.mnemonic)
            asserts.equals(env, "blacklist", bl.argv[1])
            assert_inputs_exactly(env, bl, revoked_certs + revoked_modules, ctx.attr._modsign)
            for m in revoked_modules:
                asserts.true(env, m.path in bl.argv and bl.argv[bl.argv.index(m.path) - 1] == "--module", "the blacklist action must get --module " + m.path)

    # The fragment's content, written at analysis.
    frag = action_writing(env, actions, info.fragment)
    if frag:
        asserts.equals(env, "FileWrite", frag.mnemonic)
        lines = frag.content.splitlines()
        for want in [
            "CONFIG_MODULES=y",
            "CONFIG_MODULE_SIG=y",
            "CONFIG_MODULE_SIG_FORCE=y",
            "CONFIG_MODULE_SIG_ALL=y",
            "CONFIG_MODULE_SIG_{}=y".format(ctx.attr.expect_hash.upper().replace("-", "_")),
            "CONFIG_MODULE_SIG_HASH=\"{}\"".format(ctx.attr.expect_hash),
            "CONFIG_MODULE_SIG_KEY=\"certs/signing_key.pem\"",
            "CONFIG_SYSTEM_TRUSTED_KEYRING=y",
        ] + ctx.attr.expect_lines:
            asserts.true(env, want in lines, "the fragment lacks {}:\n{}".format(want, frag.content))
        asserts.equals(
            env,
            has_blacklist,
            "CONFIG_SYSTEM_BLACKLIST_KEYRING=y" in lines,
            "CONFIG_SYSTEM_BLACKLIST_KEYRING=y must be there exactly when certificates or modules are revoked",
        )
        sig_choices = [line for line in lines if line.startswith("CONFIG_MODULE_SIG_SHA")]
        asserts.equals(env, 1, len(sig_choices), "one MODULE_SIG_SHA* choice: {}".format(sig_choices))

        # The fragment names no file: kernel_build sets the paths of the bundle and blacklist.
        for line in lines:
            asserts.false(env, line.startswith("CONFIG_SYSTEM_TRUSTED_KEYS="), "the fragment must not set SYSTEM_TRUSTED_KEYS: " + line)
            asserts.false(env, line.startswith("CONFIG_SYSTEM_BLACKLIST_HASH_LIST="), "the fragment must not set SYSTEM_BLACKLIST_HASH_LIST: " + line)

    assert_private_key_confined(env, actions, key.key)
    return analysistest.end(env)

trusted_keys_test = analysistest.make(
    _trusted_keys_test_impl,
    attrs = {
        "key": attr.label(default = ":test_key", providers = [ModuleSigningKeyInfo]),
        "other_cert": attr.label(default = "testdata/test-only-other-rsa2048.crt.pem", allow_single_file = True),
        "expect_revoked": attr.bool(default = False),
        "expect_revoked_modules": attr.label_list(allow_files = True),
        "expect_hash": attr.string(default = "sha512"),
        "expect_hashes": attr.string_list(mandatory = True),
        "expect_lines": attr.string_list(),
        "_modsign": attr.label(default = "//signer/cmd/modsign", cfg = "exec", executable = True),
    },
)

_SHA2 = ["sha224", "sha256", "sha384", "sha512"]
_SHA3 = ["sha3-256", "sha3-384", "sha3-512"]

def trusted_keys_test_suite(name):
    """The trusted_keys tests; the targets under test are tagged manual.

    Args:
      name: the test_suite's name.
    """
    trusted_keys(
        name = "trusted_plain",
        certs = [":test_key", "testdata/test-only-other-rsa2048.crt.pem"],
        tags = ["manual"],
    )
    trusted_keys_test(
        name = "trusted_plain_test",
        target_under_test = ":trusted_plain",
        expect_hashes = _SHA2,
    )
    trusted_keys(
        name = "trusted_revoked",
        certs = [":test_key", "testdata/test-only-other-rsa2048.crt.pem"],
        hash = "sha256",
        revoked = ["testdata/test-only-other-rsa2048.crt.pem"],
        tags = ["manual"],
    )
    trusted_keys_test(
        name = "trusted_revoked_test",
        target_under_test = ":trusted_revoked",
        expect_hash = "sha256",
        expect_hashes = _SHA2,
        expect_revoked = True,
    )
    trusted_keys(
        name = "trusted_sha3",
        certs = [":test_key", "testdata/test-only-other-rsa2048.crt.pem"],
        hash = "sha3-384",
        tags = ["manual"],
    )
    trusted_keys_test(
        name = "trusted_sha3_test",
        target_under_test = ":trusted_sha3",
        expect_hash = "sha3-384",
        expect_hashes = _SHA2 + _SHA3,
        expect_lines = ["CONFIG_CRYPTO_SHA3=y"],
    )
    trusted_keys(
        name = "trusted_revoked_module",
        certs = [":test_key", "testdata/test-only-other-rsa2048.crt.pem"],
        revoked_modules = [":signed_fixture"],
        tags = ["manual"],
    )
    trusted_keys_test(
        name = "trusted_revoked_module_test",
        target_under_test = ":trusted_revoked_module",
        expect_hashes = _SHA2,
        expect_revoked_modules = [":signed_fixture"],
    )
    native.test_suite(
        name = name,
        tests = [":trusted_plain_test", ":trusted_revoked_test", ":trusted_revoked_module_test", ":trusted_sha3_test"],
    )
