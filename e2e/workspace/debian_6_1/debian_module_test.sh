#!/usr/bin/env bash
# A module built against Debian's 6.1 headers and signed with the MOK has what Debian's kernel
# checks: the vermagic of Debian's own modules (the same release, SMP preempt mod_unload
# modversions), a SHA-256 signature by the MOK that verifies with the MOK certificate and not
# with Debian's build certificate; Debian's own dummy.ko verifies with the certificate
# extracted from the image and not with the MOK. modinfo (kmod) is the oracle for the fields.
set -euo pipefail
modsign=$1 release_file=$2 unsigned=$3 mok=$4 foreign=$5 dummy=$6 debian_cert=$7
shift 7
mok_cert=""
for f in "$@"; do [[ $f == *.pem ]] && mok_cert=$f; done
[[ -n $mok_cert ]] || { echo "FAIL: no PEM certificate among $*"; exit 1; }

fails=0
check() { # DESCRIPTION COMMAND...
  local d=$1
  shift
  if "$@"; then echo "ok: $d"; else echo "FAIL: $d"; fails=$((fails + 1)); fi
}
refused() { ! "$@" >/dev/null 2>&1; }

modinfo=$(command -v modinfo || true)
for p in /sbin/modinfo /usr/sbin/modinfo; do [[ -n $modinfo || ! -x $p ]] || modinfo=$p; done
if [[ -z $modinfo ]]; then
  echo "FAIL: modinfo (Debian package kmod) not found: it is this test's oracle"
  exit 1
fi
field() { "$modinfo" -F "$1" "$2"; }

release=$(cat "$release_file")
debian_vermagic=$(field vermagic "$dummy")
for m in "$unsigned" "$mok" "$foreign"; do
  v=$(field vermagic "$m")
  echo "vermagic of $m: $v"
  check "$m has the vermagic of Debian's own modules ($debian_vermagic)" [ "$v" == "$debian_vermagic" ]
  check "its vermagic starts with the release $release" [ "${v%% *}" == "$release" ]
done
check "hello_mok is signed with sha256 (modinfo)" [ "$(field sig_hashalgo "$mok")" == sha256 ]
check "hello_mok's signer is the MOK (modinfo)" [ "$(field signer "$mok")" == "rules_modsign e2e MOK" ]
check "the unsigned module has no signature (modinfo)" [ -z "$(field signer "$unsigned")" ]
check "hello_mok verifies with the MOK certificate" "$modsign" verify --cert "$mok_cert" "$mok"
check "hello_mok does not verify with Debian's build certificate" refused "$modsign" verify --cert "$debian_cert" "$mok"
check "hello_foreign does not verify with the MOK certificate" refused "$modsign" verify --cert "$mok_cert" "$foreign"
check "the unsigned module does not verify" refused "$modsign" verify --cert "$mok_cert" "$unsigned"
check "Debian's dummy.ko verifies with the certificate from Debian's image" "$modsign" verify --cert "$debian_cert" "$dummy"
check "Debian's dummy.ko does not verify with the MOK" refused "$modsign" verify --cert "$mok_cert" "$dummy"
check "Debian's dummy.ko is signed with sha256 by the build key (modinfo)" [ "$(field sig_hashalgo "$dummy")" == sha256 ]
[[ $fails -eq 0 ]] || { echo "$fails check(s) failed"; exit 1; }
echo "PASS"
