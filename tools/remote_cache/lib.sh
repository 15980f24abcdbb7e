# shellcheck shell=bash
# Shared by tools/remote_cache/*.sh: build, start and stop a local bazel-remote.
#
#   source tools/remote_cache/lib.sh
#   trap rc_cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
#   rc_bazel_remote_start "$storage_dir"     # sets RC_GRPC_PORT, RC_HTTP_PORT, RC_PID
#   ...
#   rc_cleanup                                # stops it (also done by the EXIT trap)
#
# The server listens on 127.0.0.1 only (gRPC and HTTP, ports picked at run time),
# stores blobs uncompressed (so every byte Bazel uploaded can be scanned), and dies
# with the shell that started it: rc_cleanup stops it, and in case that shell is
# killed outright, the server gets SIGTERM from the kernel (PR_SET_PDEATHSIG via
# setpriv) or, without setpriv, from a watchdog.

RC_BAZEL_REMOTE_MODULE=github.com/buchgr/bazel-remote/v2
RC_BAZEL_REMOTE_VERSION=v2.6.1
RC_CACHE=${RULES_MODSIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_modsign}
RC_BIN_DIR=$RC_CACHE/bin
RC_BAZEL_REMOTE=$RC_BIN_DIR/bazel-remote-$RC_BAZEL_REMOTE_VERSION

RC_PID=
RC_WATCHDOG_PID=
RC_GRPC_PORT=
RC_HTTP_PORT=
RC_LOG=
RC_CLEANUPS=()

rc_log() { printf 'remote_cache: %s\n' "$*" >&2; }
rc_die() {
  printf 'remote_cache: error: %s\n' "$*" >&2
  exit 2
}

rc_go() {
  if command -v go >/dev/null 2>&1; then
    go "$@"
  elif [[ -x /usr/local/go/bin/go ]]; then
    /usr/local/go/bin/go "$@"
  else
    rc_die "no Go toolchain (go on PATH or /usr/local/go/bin/go) to build bazel-remote"
  fi
}

# rc_bazel_remote_build: builds bazel-remote from the module proxy's source of the
# exact version (the proxy does not list its versions, so @latest is refused) into
# $RC_BIN_DIR, once. Safe when interrupted (temp file + rename) or run twice at once
# (flock).
rc_bazel_remote_build() {
  [[ -x "$RC_BAZEL_REMOTE" ]] && return 0
  mkdir -p "$RC_BIN_DIR"
  (
    flock 9
    [[ -x "$RC_BAZEL_REMOTE" ]] && exit 0
    local t0=$SECONDS dir tmp
    rc_log "building bazel-remote $RC_BAZEL_REMOTE_VERSION (once; about 3 minutes on 2 cores)"
    dir=$(rc_go mod download -json "$RC_BAZEL_REMOTE_MODULE@$RC_BAZEL_REMOTE_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -n "$dir" && -f "$dir/go.mod" ]] ||
      rc_die "go mod download $RC_BAZEL_REMOTE_MODULE@$RC_BAZEL_REMOTE_VERSION gave no source directory"
    tmp=$(mktemp "$RC_BIN_DIR/.bazel-remote.XXXXXX")
    # Built as its own main module (its go.mod and go.sum, not this project's):
    # rules_modsign's go.mod never sees bazel-remote's dependencies. Pure Go
    # (CGO_ENABLED=0) so the cgo zstd library and a C compiler are not needed.
    if ! (cd "$dir" && GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0 \
      rc_go build -trimpath -buildvcs=false -o "$tmp" .); then
      rm -f "$tmp"
      rc_die "building bazel-remote failed"
    fi
    chmod 0755 "$tmp"
    mv -f "$tmp" "$RC_BAZEL_REMOTE"
    rc_log "built $RC_BAZEL_REMOTE in $((SECONDS - t0)) s"
  ) 9>"$RC_BIN_DIR/.bazel-remote.lock" || exit $?
}

# rc_port_free PORT: true if nothing accepts connections on 127.0.0.1:PORT.
rc_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

rc_random_port() {
  local p
  while :; do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    rc_port_free "$p" && {
      echo "$p"
      return 0
    }
  done
}

# rc_spawn LOG COMMAND [ARG]...: starts COMMAND in the background (stdin /dev/null, stdout
# and stderr to LOG) so that it dies with this shell: the kernel sends it SIGTERM when this
# shell dies (PR_SET_PDEATHSIG via setpriv; it survives the execs of a chroot wrapper), or,
# without setpriv, a watchdog does. Sets RC_SPAWN_PID and RC_SPAWN_WATCHDOG (empty with
# setpriv). Shared by bazel-remote and the remote-execution engine (tools/remote_exec).
rc_spawn() {
  local log=$1
  shift
  local pdeath=()
  if command -v setpriv >/dev/null 2>&1 && setpriv --help 2>&1 | grep -q -- --pdeathsig; then
    pdeath=(setpriv --pdeathsig TERM --)
  fi
  "${pdeath[@]}" "$@" >"$log" 2>&1 </dev/null &
  RC_SPAWN_PID=$!
  RC_SPAWN_WATCHDOG=
  if ((${#pdeath[@]} == 0)); then
    local pid=$RC_SPAWN_PID
    (
      trap '' INT
      while kill -0 "$$" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 2; done
      kill -TERM "$pid" 2>/dev/null
    ) >/dev/null 2>&1 &
    RC_SPAWN_WATCHDOG=$!
  fi
}

# rc_stop NAME PID [WATCHDOG_PID]: graceful stop (SIGTERM, 15 s), then SIGKILL; then the
# watchdog. Does nothing for an empty or finished PID.
rc_stop() {
  local name=$1 pid=$2 watchdog=${3:-} i
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 75); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      rc_log "$name (pid $pid) ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    rc_log "$name (pid $pid) stopped"
  fi
  if [[ -n "$watchdog" ]]; then
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
  fi
}

# rc_assert_loopback_only NAME PID COUNT: every listening TCP socket of PID is on 127.0.0.1
# (or ::ffff:127.0.0.1), and there are COUNT of them. Needs ss; without it, says so.
rc_assert_loopback_only() {
  local name=$1 pid=$2 count=$3 socks
  if ! command -v ss >/dev/null 2>&1; then
    rc_log "selftest: no ss; the listening addresses of $name were not checked"
    return 0
  fi
  socks=$(ss -Hltnp | grep "pid=$pid," | awk '{print $4}' | sort -u)
  if grep -vE '^(\[::ffff:)?127\.0\.0\.1\]?:' <<<"$socks" | grep -q .; then
    ss -Hltnp | grep "pid=$pid," >&2
    rc_die "selftest: $name listens on a non-loopback address"
  fi
  [[ $(grep -c . <<<"$socks") == "$count" ]] ||
    rc_die "selftest: expected $name to listen on exactly $count addresses, got: $(tr '\n' ' ' <<<"$socks")"
}

# rc_grpc_capabilities PORT: a real REAPI call to grpc://127.0.0.1:PORT,
# Capabilities.GetCapabilities with an empty request (a 5-byte frame: not compressed,
# length 0) and a RequestMetadata naming the tool (which Bazel's remote worker requires); dies unless the answer has grpc-status 0. Prints the response body (the
# ServerCapabilities message, framed). Without curl's HTTP/2 support, says so and returns.
rc_grpc_capabilities() {
  local port=$1 hdrs body
  if ! curl --help all 2>/dev/null | grep -q -- --http2-prior-knowledge; then
    rc_log "selftest: curl has no HTTP/2; the gRPC call was not made"
    return 0
  fi
  body=$(mktemp "${TMPDIR:-/tmp}/rc_grpc.XXXXXX")
  hdrs=$(printf '\0\0\0\0\0' | curl -sS --max-time 10 --http2-prior-knowledge \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "build.bazel.remote.execution.v2.requestmetadata-bin: $(printf '\n\017\n\rrules_modsign' | base64 -w0)" \
    --data-binary @- -D - -o "$body" \
    "http://127.0.0.1:$port/build.bazel.remote.execution.v2.Capabilities/GetCapabilities") || {
    rm -f "$body"
    rc_die "selftest: gRPC GetCapabilities on 127.0.0.1:$port failed"
  }
  grep -qi '^grpc-status: 0' <<<"$hdrs" || {
    rm -f "$body"
    rc_die "selftest: gRPC GetCapabilities: no grpc-status 0 in: $hdrs"
  }
  cat "$body"
  rm -f "$body"
}

# rc_assert_no_orphan NAME PID_VAR LIB START_FUNCTION ARG...: in a child shell, sources
# LIB, runs START_FUNCTION ARG... (which must set the variable PID_VAR to the server's pid),
# then SIGKILLs that shell; the server it started must die with it (PR_SET_PDEATHSIG or the
# watchdog). Uses $TMPDIR for its file.
rc_assert_no_orphan() {
  local name=$1 pid_var=$2 lib=$3
  shift 3
  local pid_file i orphan sh_pid
  pid_file=$(mktemp "${TMPDIR:-/tmp}/rc_orphan.XXXXXX")
  rm -f "$pid_file"
  bash -c 'source "$1"; pid_file=$2 pid_var=$3; shift 3; "$@" 2>/dev/null; echo "${!pid_var}" >"$pid_file"; exec sleep 600' \
    selftest "$lib" "$pid_file" "$pid_var" "$@" &
  sh_pid=$!
  for i in $(seq 1 600); do
    [[ -s "$pid_file" ]] && break
    sleep 0.2
  done
  [[ -s "$pid_file" ]] || rc_die "selftest: the SIGKILL case of $name did not start"
  orphan=$(cat "$pid_file")
  rm -f "$pid_file"
  kill -KILL "$sh_pid"
  wait "$sh_pid" 2>/dev/null || true
  for i in $(seq 1 75); do
    kill -0 "$orphan" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$orphan" 2>/dev/null; then
    kill -KILL "$orphan" 2>/dev/null || true
    rc_die "selftest: $name (pid $orphan) outlived the shell that started it"
  fi
}

_rc_bazel_remote_ready() {
  curl -fsS -o /dev/null "http://127.0.0.1:$RC_HTTP_PORT/status" 2>/dev/null && ! rc_port_free "$RC_GRPC_PORT"
}

# rc_await_start NAME PID LOG SECONDS READY STOP: waits while PID lives until the command
# READY succeeds (return 0). If PID exits because its port was taken between the check and
# the bind, returns 1 (the caller retries with other ports). Otherwise (no answer within
# SECONDS: STOP is run; or another exit) prints LOG and dies.
rc_await_start() {
  local name=$1 pid=$2 log=$3 secs=$4 ready=$5 stop=$6 i
  for i in $(seq 1 $((secs * 5))); do
    kill -0 "$pid" 2>/dev/null || break
    "$ready" && return 0
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    rc_log "$name did not answer within $secs s; its log:"
    sed 's/^/  /' "$log" >&2
    "$stop"
    rc_die "$name failed to start"
  fi
  wait "$pid" 2>/dev/null || true
  if grep -qi "address already in use" "$log"; then
    rc_log "port taken while starting $name, retrying with other ports"
    return 1
  fi
  rc_log "$name exited while starting; its log:"
  sed 's/^/  /' "$log" >&2
  rc_die "$name failed to start"
}

# rc_parse_run_args USAGE_FN [--dir DIR] [--bind DIR]... -- COMMAND [ARG]...: the options of
# a server script's `run`; sets RC_RUN_DIR, RC_RUN_BINDS (array) and RC_RUN_CMD (array).
rc_parse_run_args() {
  local usage=$1
  shift
  RC_RUN_DIR=""
  RC_RUN_BINDS=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir | --bind)
        [[ $# -ge 2 ]] || "$usage"
        if [[ "$1" == --dir ]]; then RC_RUN_DIR=$2; else RC_RUN_BINDS+=("$2"); fi
        shift 2
        ;;
      --)
        shift
        break
        ;;
      *) "$usage" ;;
    esac
  done
  [[ $# -gt 0 ]] || "$usage"
  RC_RUN_CMD=("$@")
}

# rc_parse_check_args USAGE_FN OPTION_FN ARG...: the options both checks take, --targets
# PATTERNS, --self-test-only, --no-self-test and --keep (setting RC_TARGETS, RC_SELF_TEST,
# RC_MAIN_CHECK, RC_KEEP); any other option goes to `OPTION_FN OPTION [VALUE]`, which sets
# RC_OPTION_ARGS to how many arguments it took (1 or 2), or calls USAGE_FN.
rc_parse_check_args() {
  local usage=$1 option=$2
  shift 2
  RC_TARGETS=""
  RC_SELF_TEST=1
  RC_MAIN_CHECK=1
  RC_KEEP=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --targets)
        [[ $# -ge 2 ]] || "$usage"
        RC_TARGETS=$2
        shift 2
        ;;
      --self-test-only) RC_MAIN_CHECK=0 && shift ;;
      --no-self-test) RC_SELF_TEST=0 && shift ;;
      --keep) RC_KEEP=1 && shift ;;
      *)
        RC_OPTION_ARGS=0
        "$option" "$@"
        ((RC_OPTION_ARGS > 0)) || "$usage"
        shift "$RC_OPTION_ARGS"
        ;;
    esac
  done
}

# rc_usage FILE LAST: prints lines 2 to LAST of FILE's header comment (its usage) and exits 2.
rc_usage() {
  sed -n "2,$2p" "$1" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# rc_check_tmp PREFIX: the temp dir of a check (mode 0700, in RC_TMP), deleted at exit unless
# RC_KEEP=1, seen by the chroot'ed Bazel at the same path (output bases, logs, key copies);
# builds the host tools into RC_TMP/bin (rc_host_tools).
rc_check_tmp() {
  RC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  chmod 0700 "$RC_TMP"
  if ((${RC_KEEP:-0})); then
    rc_on_cleanup "rc_log 'kept $RC_TMP'"
  else
    rc_on_cleanup "chmod -R u+w '$RC_TMP' 2>/dev/null; rm -rf '$RC_TMP'"
  fi
  export RULES_MODSIGN_EXTRA_BINDS="${RULES_MODSIGN_EXTRA_BINDS:-} $RC_TMP"
  rc_host_tools "$RC_TMP/bin"
}

# rc_genrule NAME SRC OUT CMD [TAG]: prints a genrule for a check's self-test workspace.
rc_genrule() {
  printf 'genrule(\n    name = "%s",\n    srcs = ["%s"],\n    outs = ["%s"],\n    cmd = "%s",\n' "$1" "$2" "$3" "$4"
  [[ -n "${5:-}" ]] && printf '    tags = ["%s"],\n' "$5"
  printf ')\n\n'
}

# rc_bazel_remote_start STORAGE_DIR [MAX_SIZE_GIB]: starts bazel-remote on free
# 127.0.0.1 ports and waits until both its HTTP and gRPC ports answer. A port
# taken between the check and the bind makes bazel-remote exit: then it retries
# with other ports.
rc_bazel_remote_start() {
  local dir=$1 max_size=${2:-20} attempt i
  [[ -n "$RC_PID" ]] && rc_die "bazel-remote already started (pid $RC_PID)"
  rc_bazel_remote_build
  mkdir -p "$dir"
  RC_LOG=$(mktemp "${TMPDIR:-/tmp}/bazel-remote.log.XXXXXX")
  RC_CLEANUPS+=("rm -f '$RC_LOG'")
  for attempt in 1 2 3 4 5; do
    RC_HTTP_PORT=$(rc_random_port)
    RC_GRPC_PORT=$(rc_random_port)
    [[ "$RC_HTTP_PORT" == "$RC_GRPC_PORT" ]] && continue
    rc_spawn "$RC_LOG" "$RC_BAZEL_REMOTE" \
      --dir "$dir" --max_size "$max_size" \
      --storage_mode uncompressed \
      --http_address "127.0.0.1:$RC_HTTP_PORT" \
      --grpc_address "127.0.0.1:$RC_GRPC_PORT"
    RC_PID=$RC_SPAWN_PID
    RC_WATCHDOG_PID=$RC_SPAWN_WATCHDOG
    if rc_await_start bazel-remote "$RC_PID" "$RC_LOG" 30 _rc_bazel_remote_ready rc_bazel_remote_stop; then
      rc_log "bazel-remote $RC_BAZEL_REMOTE_VERSION (pid $RC_PID) serving gRPC on 127.0.0.1:$RC_GRPC_PORT and HTTP on 127.0.0.1:$RC_HTTP_PORT, storage $dir"
      return 0
    fi
    RC_PID=
  done
  rc_die "bazel-remote: no free port pair after 5 attempts"
}

# rc_bazel_remote_stop: graceful stop (SIGTERM, 15 s), then SIGKILL. Idempotent.
rc_bazel_remote_stop() {
  local pid=$RC_PID watchdog=$RC_WATCHDOG_PID
  RC_PID=
  RC_WATCHDOG_PID=
  rc_stop bazel-remote "$pid" "$watchdog"
}

# rc_on_cleanup CMD: run CMD (eval'd) at cleanup, after bazel-remote stops, in
# reverse order of registration.
rc_on_cleanup() { RC_CLEANUPS+=("$1"); }

# rc_cleanup: the EXIT trap. Stops bazel-remote, then runs the registered cleanups.
rc_cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  rc_bazel_remote_stop
  for ((i = ${#RC_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${RC_CLEANUPS[$i]}" || true
  done
  RC_CLEANUPS=()
  return "$status"
}

# rc_install_traps: stop everything on exit, Ctrl-C or SIGTERM.
rc_install_traps() {
  trap rc_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# --- Shared by the remote-cache and remote-execution checks --------------------------------

RC_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# rc_host_tools DIR: builds keyscan, execlog and modsign with the host Go into DIR (they
# never run inside Bazel) and sets RC_KEYSCAN, RC_EXECLOG, RC_MODSIGN.
rc_host_tools() {
  local dir=$1
  mkdir -p "$dir"
  (cd "$RC_REPO" && rc_go build -o "$dir/" ./tools/keyscan/cmd/keyscan ./tools/remote_cache/cmd/execlog ./signer/cmd/modsign) ||
    rc_die "building keyscan, execlog and modsign failed"
  RC_KEYSCAN=$dir/keyscan
  RC_EXECLOG=$dir/execlog
  RC_MODSIGN=$dir/modsign
}

# rc_bazel_in OUTPUT_BASE DIR ARGS...: tools/bazel in DIR with its own output base.
rc_bazel_in() {
  local ob=$1 dir=$2
  shift 2
  (cd "$dir" && "$RC_REPO/tools/bazel" --output_base="$ob" "$@")
}

# rc_bazel_stop OUTPUT_BASE DIR: stops the Bazel server of that output base, if any.
rc_bazel_stop() { [[ -d "$1" ]] && (cd "$2" && "$RC_REPO/tools/bazel" --output_base="$1" shutdown) >/dev/null 2>&1 || true; }

# rc_ci_key DIR: a production-style key and certificate, DIR/key.pem and DIR/cert.pem (mode
# 0700 directory), made outside the workspace the way a CI secret store would hold them.
rc_ci_key() {
  local dir=$1
  mkdir -p "$dir"
  chmod 0700 "$dir"
  "$RC_MODSIGN" keygen --cn "rules_modsign check CI key" --type rsa2048 \
    --key "$dir/key.pem" --cert "$dir/cert.pem" >/dev/null || rc_die "modsign keygen of the CI key failed"
}

# rc_self_test_workspace DIR: a throwaway Bzlmod workspace (MODULE.bazel, .bazelrc) and two
# dummy private keys, DIR/leaked_dummy.key.pem (RSA) and DIR/protected_dummy.key.pem (P-256),
# for a check's test of itself; the caller writes BUILD.bazel.
rc_self_test_workspace() {
  local ws=$1
  mkdir -p "$ws"
  "$RC_KEYSCAN" genkey --type rsa2048 --out "$ws/leaked_dummy.key.pem"
  "$RC_KEYSCAN" genkey --type p256 --out "$ws/protected_dummy.key.pem"
  # The launcher's offline settings override these modules; Bazel refuses overrides
  # of modules that are not in the graph, so the workspace depends on them.
  cat >"$ws/MODULE.bazel" <<'MODULE'
module(name = "rules_modsign_check_leak")

bazel_dep(name = "rules_shell", version = "0.3.0")
bazel_dep(name = "rules_go", version = "0.65.0")
bazel_dep(name = "gazelle", version = "0.54.0")
MODULE
  echo 'common --noenable_workspace' >"$ws/.bazelrc"
}

# rc_collect_keys KEYS_DIR LOG EXECROOT OUTPUT_BASE KERNEL_KEYS_DIR CI_KEY: copies (mode
# 0600) every private key a build used into KEYS_DIR and lists them in KEYS_DIR/list
# (keyscan --key-list): CI_KEY, the --key arguments of every ModsignSign and ModsignKeygen
# spawn in LOG, every *.key.pem in bazel-out, and every kernel build key recorded in
# KERNEL_KEYS_DIR. Sets RC_N_SIGN_KEYS, RC_N_KERNEL_KEYS and RC_SIGN_KEY_ARGS (distinct
# --key arguments of ModsignSign).
rc_collect_keys() {
  local keys=$1 log=$2 execroot=$3 ob=$4 kernel_keys=$5 ci_key=$6 p f n=0
  mkdir -p "$keys"
  chmod 0700 "$keys"
  : >"$keys/list"
  _rc_add_key() { # NAME FILE
    local name=$1 file=$2 sum
    [[ -f "$file" ]] || rc_die "key file $file (for $name) does not exist"
    sum=$(sha256sum <"$file" | cut -c1-64)
    grep -q "^#$sum\$" "$keys/list" && return 0
    n=$((n + 1))
    install -m 0600 "$file" "$keys/$n.pem"
    printf '#%s\n%s=%s\n' "$sum" "$name" "$keys/$n.pem" >>"$keys/list"
  }
  _rc_add_key "ci-key(module_signing_key @ci_key)" "$ci_key"
  # The keys the sign and keygen actions were given (--key): x509_keypair keys
  # (bazel-out/...) and module_signing_key keys (source files or external repos).
  RC_N_TOKEN_KEYS=0
  while read -r p; do
    [[ -n "$p" ]] || continue
    if [[ "$p" == pkcs11:* ]]; then
      # A key in a PKCS#11 token never exists as a file: nothing of it to look for, but the
      # e2e token's imported TEST-ONLY key (below) is a file the scan can use.
      RC_N_TOKEN_KEYS=$((RC_N_TOKEN_KEYS + 1))
      continue
    fi
    f=$execroot/$p
    [[ -e "$f" ]] || f=$ob/$p
    _rc_add_key "$p" "$(readlink -f "$f")"
  done < <("$RC_EXECLOG" flag-values --flag --key --mnemonic ModsignSign --mnemonic ModsignKeygen "$log")
  if ((RC_N_TOKEN_KEYS > 0)); then
    # e2e/workspace/MODULE.bazel imports this TEST-ONLY key into its SoftHSM2 token.
    _rc_add_key "pkcs11-imported(e2e softhsm_token)" "$RC_REPO/tools/verdict/testdata/keys/test-only-rsa2048.key.pem"
    rc_log "$RC_N_TOKEN_KEYS signing actions used a key in a PKCS#11 token (no key file; the token's imported TEST-ONLY key is scanned for)"
  fi
  # Every x509_keypair key in bazel-out, used for signing or not.
  while read -r f; do
    _rc_add_key "${f#"$execroot"/}" "$f"
  done < <(find "$execroot/bazel-out/" -name '*.key.pem' -type f 2>/dev/null | sort)
  RC_N_SIGN_KEYS=$n
  RC_SIGN_KEY_ARGS=$("$RC_EXECLOG" flag-values --flag --key --mnemonic ModsignSign "$log" | wc -l)
  RC_N_KERNEL_KEYS=0
  while read -r f; do
    _rc_add_key "kernel-build-key:$(basename "$f")" "$f"
    RC_N_KERNEL_KEYS=$((RC_N_KERNEL_KEYS + 1))
  done < <(find "$kernel_keys" -type f | sort)
}

# rc_prune_disk_cache DISK_CACHE HAS_RESULT: deletes from DISK_CACHE/ac every action result
# for which the command `HAS_RESULT HASH` succeeds (the remote holds it), so that the disk
# cache can only answer for what never went to the remote (key generation). Sets RC_PRUNED
# and RC_KEPT.
rc_prune_disk_cache() {
  local disk=$1 has=$2 f
  RC_PRUNED=0
  RC_KEPT=0
  [[ -d "$disk/ac" ]] || return 0
  while read -r f; do
    if "$has" "$(basename "$f")"; then
      rm -f "$f"
      RC_PRUNED=$((RC_PRUNED + 1))
    else
      RC_KEPT=$((RC_KEPT + 1))
    fi
  done < <(find "$disk/ac" -type f)
}
