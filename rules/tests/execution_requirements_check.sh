#!/usr/bin/env bash
# rules/tests/execution_requirements_check.sh: the execution requirements of the real actions.
#
#   rules/tests/execution_requirements_check.sh [--strict]
#
# Bazel 7's Starlark Action objects do not expose execution_info, so the analysis tests
# check the requirements the rules declare; this script checks the actions themselves, as
# `bazel aquery` (root workspace) reports them for the targets of //rules/tests:
#   - ModsignKeygen: no-remote, no-remote-cache and no-remote-exec;
#   - ModsignSign, ModsignCertExtract: no-remote-exec, and nothing that keeps the output out
#     of a cache (no-remote, no-remote-cache, no-cache, local);
#   - KernelBuild, KernelModule, QemuInitramfs, ModsignTrustedKeys, ModsignCertinfo and the
#     Go compiles (GoCompilePkg, GoLink): nothing that keeps them off a remote executor or
#     out of a cache (README "Remote execution": compiles run remotely);
#   - the QEMU test (TestRunner of kernel_module_qemu_test): no-remote-exec;
#   - every action that reads a file holding a private key (the test keys: *.key.pem and
#     the combined key+certificate *.combined.pem) has no-remote-exec or stronger.
# The combined-file target (//rules/tests:test_key_combined) is a known failure of the
# rules for now: it is reported but only fails the check with --strict.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
strict=0
[[ ${1:-} == --strict ]] && strict=1
cd "$root"

targets="//rules/tests:qemu_on_a + //rules/private/qemu/mkinitramfs + //rules/tests:test_keypair + //rules/tests:test_key + //rules/tests:signed_fixture + //rules/tests:signed_keyid_sha256 + //rules/tests:batch + //rules/tests:trusted_plain + //rules/tests:trusted_revoked + //rules/tests:analysed_kernel + //rules/tests:module_on_a + //rules/tests:test_key_combined + //rules/tests:trusted_test_key"
json=$(mktemp "${TMPDIR:-/tmp}/rules_modsign_aquery.XXXXXX")
trap 'rm -f "$json"' EXIT
tools/bazel aquery --output=jsonproto "$targets" >"$json"

python3 - "$json" "$strict" <<'EOF'
import json, sys

data = json.load(open(sys.argv[1]))
strict = sys.argv[2] == "1"
frags = {f["id"]: f for f in data.get("pathFragments", [])}
def path(fid):
    parts = []
    while fid:
        f = frags[fid]
        parts.append(f["label"])
        fid = f.get("parentId")
    return "/".join(reversed(parts))
arts = {a["id"]: path(a["pathFragmentId"]) for a in data.get("artifacts", [])}
depsets = {d["id"]: d for d in data.get("depSetOfFiles", [])}
def files(ids, seen=None):
    seen = set() if seen is None else seen
    out = []
    for i in ids:
        if i in seen:
            continue
        seen.add(i)
        d = depsets[i]
        out += [arts[a] for a in d.get("directArtifactIds", [])]
        out += files(d.get("transitiveDepSetIds", []), seen)
    return out
targets = {t["id"]: t["label"] for t in data.get("targets", [])}

NO_EXEC = {"no-remote-exec", "no-remote", "local"}
REMOTE_OK = ("KernelBuild", "KernelModule", "QemuInitramfs", "ModsignTrustedKeys", "ModsignCertinfo", "GoCompilePkg", "GoLink")
NO_CACHE = {"no-remote-cache", "no-remote", "no-cache", "local"}
failures, known = [], []
counts = {}
for a in data.get("actions", []):
    m = a["mnemonic"]
    info = {e["key"] for e in a.get("executionInfo", [])}
    label = targets.get(a.get("targetId"), "?")
    outs = [arts[o] for o in a.get("outputIds", [])]
    what = "{} {} ({})".format(m, label, ", ".join(o.rsplit("/", 1)[-1] for o in outs))
    counts[m] = counts.get(m, 0) + 1
    print("  {:<22} {:<45} {}".format(m, label, sorted(info) or "-"))
    if m == "ModsignKeygen":
        missing = {"no-remote", "no-remote-cache", "no-remote-exec"} - info
        if missing:
            failures.append("{}: lacks {}".format(what, sorted(missing)))
    if m in ("ModsignSign", "ModsignCertExtract"):
        if "no-remote-exec" not in info:
            failures.append("{}: lacks no-remote-exec".format(what))
    if m in ("ModsignSign", "ModsignCertExtract") + REMOTE_OK:
        if info & NO_CACHE:
            failures.append("{}: {} keeps a cacheable output out of the cache".format(what, sorted(info & NO_CACHE)))
    if m in REMOTE_OK and info & NO_EXEC:
        failures.append("{}: {} keeps a compile off the remote executor".format(what, sorted(info & NO_EXEC)))
    if m == "TestRunner" and "no-remote-exec" not in info:
        failures.append("{}: a QEMU test lacks no-remote-exec (it runs this machine's QEMU)".format(what))
    keys = [f for f in files(a.get("inputDepSetIds", [])) if f.endswith(".key.pem") or f.endswith(".combined.pem")]
    if keys and not (info & NO_EXEC):
        msg = "{}: reads the private key {} but may run on a remote executor ({})".format(what, keys, sorted(info) or "no requirements")
        (known if "test_key_combined" in label or any(k.endswith(".combined.pem") for k in keys) else failures).append(msg)

print("actions per mnemonic:", ", ".join("{} {}".format(k, v) for k, v in sorted(counts.items())))
for want in ["ModsignKeygen", "ModsignSign", "ModsignCertExtract", "KernelBuild", "KernelModule", "ModsignTrustedKeys", "ModsignCertinfo", "QemuInitramfs", "TestRunner", "GoCompilePkg", "GoLink"]:
    if counts.get(want, 0) == 0:
        failures.append("no {} action found: the query no longer covers it".format(want))
for k in known:
    print("KNOWN ISSUE: " + k)
for f in failures:
    print("FAIL: " + f)
if failures or (strict and known):
    sys.exit(1)
print("PASS")
EOF
