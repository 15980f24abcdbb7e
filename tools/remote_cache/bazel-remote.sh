#!/usr/bin/env bash
# tools/remote_cache/bazel-remote.sh: a local bazel-remote for checks and for trying
# the rules with a real remote cache.
#
#   bazel-remote.sh build                  build bazel-remote v2.6.1 once into
#                                          ${XDG_CACHE_HOME:-~/.cache}/rules_modsign/bin
#                                          and print its path
#   bazel-remote.sh run [--dir DIR] -- COMMAND [ARG]...
#                                          start bazel-remote on 127.0.0.1 (free gRPC and
#                                          HTTP ports), run COMMAND with
#                                            BAZEL_REMOTE_GRPC=grpc://127.0.0.1:PORT
#                                            BAZEL_REMOTE_HTTP=http://127.0.0.1:PORT
#                                            BAZEL_REMOTE_DIR=<storage directory>
#                                          in its environment, then stop bazel-remote and
#                                          (without --dir) delete its storage. Exits with
#                                          COMMAND's status.
#   bazel-remote.sh selftest               start, store and read back a blob over HTTP,
#                                          check gRPC answers, stop, check nothing is left
#
# The server stops whatever happens: normal exit, error, Ctrl-C, SIGTERM; and if
# this script is killed with SIGKILL, the kernel sends the server SIGTERM
# (PR_SET_PDEATHSIG).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/remote_cache/lib.sh
source "$here/lib.sh"

usage() { rc_usage "${BASH_SOURCE[0]}" 22; }

cmd_run() {
  rc_parse_run_args usage "$@"
  ((${#RC_RUN_BINDS[@]} == 0)) || usage
  local dir=$RC_RUN_DIR
  rc_install_traps
  if [[ -z "$dir" ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/bazel-remote-storage.XXXXXX")
    rc_on_cleanup "rm -rf '$dir'"
  fi
  rc_bazel_remote_start "$dir"
  local status=0
  BAZEL_REMOTE_GRPC="grpc://127.0.0.1:$RC_GRPC_PORT" \
    BAZEL_REMOTE_HTTP="http://127.0.0.1:$RC_HTTP_PORT" \
    BAZEL_REMOTE_DIR="$dir" "${RC_RUN_CMD[@]}" || status=$?
  exit "$status"
}

cmd_selftest() {
  rc_install_traps
  local dir pid body sum got
  dir=$(mktemp -d "${TMPDIR:-/tmp}/bazel-remote-selftest.XXXXXX")
  rc_on_cleanup "rm -rf '$dir'"
  rc_bazel_remote_start "$dir/storage"
  pid=$RC_PID

  # Listening on 127.0.0.1 only: no socket of the server is bound to another address.
  rc_assert_loopback_only bazel-remote "$pid" 2

  body="rules_modsign bazel-remote selftest $RANDOM$RANDOM"
  sum=$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)
  printf '%s' "$body" | curl -fsS -X PUT --data-binary @- "http://127.0.0.1:$RC_HTTP_PORT/cas/$sum" ||
    rc_die "selftest: PUT /cas/$sum failed"
  got=$(curl -fsS "http://127.0.0.1:$RC_HTTP_PORT/cas/$sum") || rc_die "selftest: GET /cas/$sum failed"
  [[ "$got" == "$body" ]] || rc_die "selftest: GET returned different bytes"
  # Stored uncompressed, as a plain file named by its digest: what keyscan reads.
  find "$dir/storage/cas.v2" -type f -name "$sum-*.v1" | grep -q . ||
    rc_die "selftest: blob not found as a plain file in the storage"
  grep -rqF "$body" "$dir/storage/cas.v2" || rc_die "selftest: blob content not found in the storage"
  # A missing blob is a 404, not an error of the server.
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RC_HTTP_PORT/cas/$(printf x | sha256sum | cut -d' ' -f1)")
  [[ "$code" == 404 ]] || rc_die "selftest: missing blob gave HTTP $code, want 404"
  rc_grpc_capabilities "$RC_GRPC_PORT" >/dev/null
  rc_bazel_remote_stop
  kill -0 "$pid" 2>/dev/null && rc_die "selftest: bazel-remote (pid $pid) still running after stop"

  # Killed outright, the script's server still dies (PR_SET_PDEATHSIG or watchdog).
  TMPDIR=$dir rc_assert_no_orphan bazel-remote RC_PID "$here/lib.sh" rc_bazel_remote_start "$dir/storage2"
  rc_log "selftest passed: PUT/GET over HTTP, gRPC answered, loopback only, stopped; no orphan after SIGKILL of its shell"
}

case "${1:-}" in
  build)
    rc_bazel_remote_build
    echo "$RC_BAZEL_REMOTE"
    ;;
  run)
    shift
    cmd_run "$@"
    ;;
  selftest) cmd_selftest ;;
  *) usage ;;
esac
