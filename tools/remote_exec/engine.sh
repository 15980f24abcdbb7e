#!/usr/bin/env bash
# tools/remote_exec/engine.sh: a local remote-execution engine (REAPI) for the checks and
# for trying the rules under --remote_executor.
#
#   engine.sh build                        compile Bazel's remote worker from Debian's
#                                          bazel-bootstrap-source once into
#                                          ${XDG_CACHE_HOME:-~/.cache}/rules_modsign/bin
#                                          and print its path
#   engine.sh run [--dir DIR] [--bind DIR]... -- COMMAND [ARG]...
#                                          start the engine on 127.0.0.1 (a free port), run
#                                          COMMAND with
#                                            REMOTE_EXECUTOR=grpc://127.0.0.1:PORT
#                                            REMOTE_EXEC_DIR=<storage: cas/, work/>
#                                          in its environment, then stop the engine and
#                                          (without --dir) delete its storage. --bind: a
#                                          directory the engine's actions see at the same
#                                          path. Exits with COMMAND's status.
#   engine.sh selftest                     start, check it listens on loopback only and
#                                          answers GetCapabilities, stop, check nothing is
#                                          left, also when its shell is SIGKILLed
#
# The engine (tools/remote_exec/lib.sh) runs in the launcher's Debian sid chroot: the
# actions it executes use the same compilers, QEMU and tools as local ones. It stops
# whatever happens: exit, error, Ctrl-C, SIGTERM, and SIGKILL of this script
# (PR_SET_PDEATHSIG).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/remote_exec/lib.sh
source "$here/lib.sh"

usage() { rc_usage "${BASH_SOURCE[0]}" 27; }

cmd_run() {
  rc_parse_run_args usage "$@"
  local dir=$RC_RUN_DIR
  re_install_traps
  if [[ -z "$dir" ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/remote-exec-storage.XXXXXX")
    rc_on_cleanup "rm -rf '$dir'"
  fi
  re_engine_start "$dir" "${RC_RUN_BINDS[@]}"
  local status=0
  REMOTE_EXECUTOR="grpc://127.0.0.1:$RE_PORT" REMOTE_EXEC_DIR="$RE_STORAGE" "${RC_RUN_CMD[@]}" || status=$?
  exit "$status"
}

cmd_selftest() {
  re_install_traps
  local dir jvm caps
  dir=$(mktemp -d "${TMPDIR:-/tmp}/remote-exec-selftest.XXXXXX")
  rc_on_cleanup "rm -rf '$dir'"
  re_engine_start "$dir/storage"
  jvm=$RE_JVM_PID
  rc_assert_loopback_only "remote-execution engine" "$jvm" 1
  caps=$(rc_grpc_capabilities "$RE_PORT" | od -An -tx1 | tr -d ' \n')
  # ServerCapabilities.execution_capabilities (field 2: SHA256, exec_enabled): the engine
  # executes, it is not only a cache; high_api_version (field 5) 2.0: what Bazel 7.7.1 speaks.
  if [[ -n "$caps" ]]; then
    [[ "$caps" == *120408011001* ]] || rc_die "selftest: GetCapabilities has no execution capabilities: $caps"
    [[ "$caps" == *2a020802 ]] || rc_die "selftest: GetCapabilities' high API version is not 2.0: $caps"
  fi
  re_engine_stop
  kill -0 "$jvm" 2>/dev/null && rc_die "selftest: the engine (pid $jvm) still runs after stop"
  TMPDIR=$dir rc_assert_no_orphan "remote-execution engine" RE_JVM_PID "$here/lib.sh" re_engine_start "$dir/storage2"
  rc_log "selftest passed: REAPI GetCapabilities answered on 127.0.0.1 only, stopped; no orphan after SIGKILL of its shell"
}

case "${1:-}" in
  build)
    re_engine_build
    echo "$RE_JAR"
    ;;
  run)
    shift
    cmd_run "$@"
    ;;
  selftest) cmd_selftest ;;
  *) usage ;;
esac
