# shellcheck shell=bash
# Shared by tools/remote_exec/*.sh: build, start and stop a local remote-execution engine.
#
#   source tools/remote_exec/lib.sh          # also sources tools/remote_cache/lib.sh
#   rc_install_traps
#   re_engine_start "$storage_dir" [BIND_DIR]...   # sets RE_PORT, RE_PID
#   ...                                      # bazel --remote_executor=grpc://127.0.0.1:$RE_PORT
#   rc_cleanup                               # stops it (also done by the EXIT trap)
#
# The engine is Bazel's own remote worker (src/tools/remote of Bazel 7.7.1, what Bazel's
# integration tests run remote execution against), from Debian's bazel-bootstrap-source
# package, compiled once with the chroot's javac against the classpath of Debian's Bazel
# server. It serves CAS, ByteStream, ActionCache, Capabilities and Execution on one gRPC
# port (REAPI 2.0, the only version Bazel 7.7.1 speaks; buildbox-casd 1.4.30, Debian's
# other engine, requires 2.1 or later and Bazel 7.7.1 refuses it).
#
# Two changes to Debian's source, each checked when it is applied: the server binds
# 127.0.0.1 instead of every address (NettyServerBuilder.forPort -> forAddress(loopback));
# an action without a timeout of its own (every build action: Bazel sets Action.timeout only
# for tests) may run 180 minutes instead of 15 (a kernel build on a loaded 2-core machine
# took longer than 15 and the worker reported it as timed out).
#
# It runs inside the launcher's chroot (tools/setup/common.sh: rms_in_chroot), so the
# actions it executes see the same Debian sid, compilers and QEMU as a local action.
# Storage (--cas_path: cas/ and ac/ as plain files named by digest; --work_path: one
# directory per running action, deleted when it ends) lives in the directory given to
# re_engine_start. The engine dies with the shell that started it (rc_spawn).

# shellcheck source=tools/remote_cache/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../remote_cache/lib.sh"
# shellcheck source=tools/setup/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../setup/common.sh"

RE_BAZEL_SOURCE=/usr/src/bazel-bootstrap # in the chroot: Debian's bazel-bootstrap-source
RE_CLASSPATH_FILE=/usr/share/bazel/bazel_classpath_debian_depends.txt
RE_SERVER_JAR=/usr/share/bazel/A-server.jar
RE_MAIN=com.google.devtools.build.remote.worker.RemoteWorker

RE_PID=          # the chroot wrapper (rc_spawn)
RE_JVM_PID=      # the worker itself (its --pid_file)
RE_WATCHDOG_PID=
RE_PORT=
RE_LOG=
RE_STORAGE=

# re_engine_version: the Debian version of bazel-bootstrap-source in the chroot.
re_engine_version() {
  dpkg-query --admindir="$RMS_ROOT/var/lib/dpkg" -W -f='${Version}' bazel-bootstrap-source 2>/dev/null ||
    rc_die "bazel-bootstrap-source is not installed in the chroot $RMS_ROOT (tools/bazel --provision installs it)"
}

# The jar's name changes with Debian's version and with RE_PATCHES (bump it when a change to
# the source changes).
RE_PATCHES=2
re_engine_jar() { echo "$RC_BIN_DIR/bazel-remote-worker-$(re_engine_version | tr -c 'A-Za-z0-9.\n' '_')-p$RE_PATCHES.jar"; }

# re_engine_build: compiles the worker into $RC_BIN_DIR once (flock; temp file + rename).
# Sets RE_JAR.
re_engine_build() {
  "$RMS_REPO/tools/setup/provision.sh"
  RE_JAR=$(re_engine_jar)
  [[ -f "$RE_JAR" ]] && return 0
  mkdir -p "$RC_BIN_DIR"
  (
    flock 9
    [[ -f "$RE_JAR" ]] && exit 0
    local t0=$SECONDS work
    rc_log "building Bazel's remote worker from Debian's bazel-bootstrap-source $(re_engine_version) (once; about 20 s)"
    work=$(rms_mktemp_shared remote-worker-build)
    # shellcheck disable=SC2016
    if ! rms_in_chroot -- bash -euc '
      src=$1 cpfile=$2 server=$3 work=$4
      worker=src/tools/remote/src/main/java/com/google/devtools/build/remote/worker
      mkdir -p "$work/src" "$work/classes"
      cp -r "$src/src/tools/remote/src/main/java/." "$work/src/"
      f=$work/src/com/google/devtools/build/remote/worker/RemoteWorker.java
      # Loopback only: the one change to Debian'"'"'s source.
      grep -q "NettyServerBuilder.forPort(workerOptions.listenPort)" "$f" ||
        { echo "RemoteWorker.java: the line to bind to loopback is not there" >&2; exit 1; }
      sed -i "s/NettyServerBuilder.forPort(workerOptions.listenPort)/NettyServerBuilder.forAddress(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), workerOptions.listenPort))/" "$f"
      grep -q "getLoopbackAddress(), workerOptions.listenPort" "$f"
      # Build actions have no timeout of their own: 180 minutes, not 15.
      f=$work/src/com/google/devtools/build/remote/worker/ExecutionServer.java
      grep -q ": TimeUnit.MINUTES.toMillis(15);" "$f" ||
        { echo "ExecutionServer.java: the default action timeout line is not there" >&2; exit 1; }
      sed -i "s/: TimeUnit.MINUTES.toMillis(15);/: TimeUnit.MINUTES.toMillis(180);/" "$f"
      grep -q ": TimeUnit.MINUTES.toMillis(180);" "$f"
      # The runfiles library (the worker asks it where its optional sandbox binary is).
      rf=$src/tools/java/runfiles
      cp=$server:$(tr "\n" ":" <"$cpfile")
      javac -nowarn -proc:none -encoding UTF-8 -d "$work/classes" -cp "$cp" \
        $(find "$work/src" -name "*.java") "$rf/Runfiles.java" "$rf/Util.java" "$rf/AutoBazelRepository.java"
      jar cf "$work/worker.jar" -C "$work/classes" .
    ' build "$RE_BAZEL_SOURCE" "$RE_CLASSPATH_FILE" "$RE_SERVER_JAR" "$work"; then
      rm -rf "$work"
      rc_die "building Bazel's remote worker failed (javac output above)"
    fi
    local tmp
    tmp=$(mktemp "$RC_BIN_DIR/.remote-worker.XXXXXX")
    cp "$work/worker.jar" "$tmp"
    rm -rf "$work"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$RE_JAR"
    rc_log "built $RE_JAR in $((SECONDS - t0)) s"
  ) 9>"$RC_BIN_DIR/.remote-worker.lock" || exit $?
}

# Ready: the worker wrote its pid file (after starting the gRPC server) and the port accepts.
_re_engine_ready() { [[ -s "$RE_STORAGE/worker.pid" ]] && ! rc_port_free "$RE_PORT"; }

# re_engine_start STORAGE_DIR [BIND_DIR]...: starts the engine on a free 127.0.0.1 port with
# its CAS, action cache and work directories in STORAGE_DIR, and waits until it has written
# its pid file (the gRPC server is started) and the port accepts connections. BIND_DIRs are
# directories its actions may read or write at the same absolute path (bind mounts of its
# chroot namespace). Jobs: $RULES_MODSIGN_REMOTE_EXEC_JOBS (default 4).
re_engine_start() {
  local dir=$1 attempt i
  shift
  [[ -n "$RE_PID" ]] && rc_die "the remote-execution engine is already started (pid $RE_PID)"
  re_engine_build
  mkdir -p "$dir/cas" "$dir/work" "$dir/runfiles"
  dir=$(cd "$dir" && pwd)
  RE_STORAGE=$dir
  RE_LOG=$(mktemp "${TMPDIR:-/tmp}/remote-worker.log.XXXXXX")
  RC_CLEANUPS+=("rm -f '$RE_LOG'")
  local binds=(--bind "$dir" --bind "$RC_BIN_DIR") b
  for b in "$@"; do binds+=(--bind "$b"); done
  for attempt in 1 2 3 4 5; do
    RE_PORT=$(rc_random_port)
    rm -f "$dir/worker.pid"
    # RUNFILES_DIR: the worker looks its optional sandbox helper up there; it is not used.
    rc_spawn "$RE_LOG" env RMS_CWD=/ bash -c 'source "$1"; shift; rms_in_chroot "$@"' re \
      "$RMS_REPO/tools/setup/common.sh" "${binds[@]}" -- \
      setpriv --pdeathsig TERM -- env "RUNFILES_DIR=$dir/runfiles" \
      java -Xmx2g -XX:+UseSerialGC -cp "$RE_JAR:$RE_SERVER_JAR:$(tr '\n' ':' <"$RMS_ROOT$RE_CLASSPATH_FILE")" "$RE_MAIN" \
      --listen_port="$RE_PORT" --cas_path="$dir/cas" --work_path="$dir/work" \
      --pid_file="$dir/worker.pid" --jobs="${RULES_MODSIGN_REMOTE_EXEC_JOBS:-4}"
    RE_PID=$RC_SPAWN_PID
    RE_WATCHDOG_PID=$RC_SPAWN_WATCHDOG
    if rc_await_start "the remote-execution engine" "$RE_PID" "$RE_LOG" 60 _re_engine_ready re_engine_stop; then
      RE_JVM_PID=$(cat "$dir/worker.pid")
      rc_log "remote-execution engine (Bazel's remote worker $(re_engine_version), pid $RE_JVM_PID) serving REAPI on 127.0.0.1:$RE_PORT, storage $dir"
      return 0
    fi
    RE_PID=
  done
  rc_die "remote-execution engine: no free port after 5 attempts"
}

# re_engine_stop: SIGTERM to the JVM (its shutdown hook stops the gRPC server), then SIGKILL;
# then the chroot wrapper that started it. The JVM also gets SIGTERM when that wrapper dies
# (setpriv --pdeathsig inside the chroot), so it never outlives this shell.
re_engine_stop() {
  local pid=$RE_PID watchdog=$RE_WATCHDOG_PID jvm=$RE_JVM_PID
  RE_PID=
  RE_JVM_PID=
  RE_WATCHDOG_PID=
  [[ "$jvm" =~ ^[0-9]+$ ]] && rc_stop "remote-execution engine" "$jvm"
  rc_stop "remote-execution engine (chroot wrapper)" "$pid" "$watchdog"
}

# Stop the engine first at cleanup (before bazel-remote and the registered cleanups).
re_cleanup() {
  local status=$?
  re_engine_stop
  (exit "$status")
  rc_cleanup
}

re_install_traps() {
  rc_install_traps
  trap re_cleanup EXIT
}
