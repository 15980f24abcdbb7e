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

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd_run() {
  local dir=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir)
        dir=$2
        shift 2
        ;;
      --)
        shift
        break
        ;;
      *) usage ;;
    esac
  done
  [[ $# -gt 0 ]] || usage
  rc_install_traps
  if [[ -z "$dir" ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/bazel-remote-storage.XXXXXX")
    rc_on_cleanup "rm -rf '$dir'"
  fi
  rc_bazel_remote_start "$dir"
  local status=0
  BAZEL_REMOTE_GRPC="grpc://127.0.0.1:$RC_GRPC_PORT" \
    BAZEL_REMOTE_HTTP="http://127.0.0.1:$RC_HTTP_PORT" \
    BAZEL_REMOTE_DIR="$dir" "$@" || status=$?
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
  if command -v ss >/dev/null 2>&1; then
    if ss -Hltnp | grep "pid=$pid," | awk '{print $4}' | grep -v '^127\.0\.0\.1:' | grep -q .; then
      ss -Hltnp | grep "pid=$pid," >&2
      rc_die "selftest: bazel-remote listens on a non-loopback address"
    fi
    [[ $(ss -Hltnp | grep -c "pid=$pid,") == 2 ]] || rc_die "selftest: expected exactly 2 listening sockets"
  fi

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
  # The gRPC port answers a real gRPC call: Capabilities.GetCapabilities with an
  # empty request (a 5-byte frame: not compressed, length 0), grpc-status 0.
  if curl --help all 2>/dev/null | grep -q -- --http2-prior-knowledge; then
    local hdrs
    hdrs=$(printf '\0\0\0\0\0' | curl -sS --max-time 10 --http2-prior-knowledge \
      -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @- -D - -o /dev/null \
      "http://127.0.0.1:$RC_GRPC_PORT/build.bazel.remote.execution.v2.Capabilities/GetCapabilities") ||
      rc_die "selftest: gRPC GetCapabilities failed"
    grep -qi '^grpc-status: 0' <<<"$hdrs" || rc_die "selftest: gRPC GetCapabilities: no grpc-status 0 in: $hdrs"
  fi
  rc_bazel_remote_stop
  kill -0 "$pid" 2>/dev/null && rc_die "selftest: bazel-remote (pid $pid) still running after stop"

  # Killed outright, the script's server still dies (PR_SET_PDEATHSIG or watchdog).
  local child_pid_file=$dir/child.pid
  TMPDIR=$dir bash -c 'source "$1"; rc_bazel_remote_start "$2" 2>/dev/null; echo "$RC_PID" >"$3"; exec sleep 600' \
    selftest "$here/lib.sh" "$dir/storage2" "$child_pid_file" &
  local sh_pid=$! i
  for i in $(seq 1 150); do
    [[ -s "$child_pid_file" ]] && break
    sleep 0.2
  done
  [[ -s "$child_pid_file" ]] || rc_die "selftest: the SIGKILL case did not start"
  local orphan
  orphan=$(cat "$child_pid_file")
  kill -KILL "$sh_pid"
  wait "$sh_pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$orphan" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$orphan" 2>/dev/null; then
    kill -KILL "$orphan" 2>/dev/null || true
    rc_die "selftest: bazel-remote (pid $orphan) outlived the shell that started it"
  fi
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
