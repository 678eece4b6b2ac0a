#!/usr/bin/env bash
#
# Pulse local infrastructure: a NATS server with JetStream and a single-node
# Apache Cassandra, installed into a cache dir and run as plain background
# processes (no Docker). See docs/local-infra.md.
#
#   scripts/infra.sh install [nats|cassandra|all]
#   scripts/infra.sh up      [--timeout S] [nats|cassandra|all]   install if needed, start, wait until healthy
#   scripts/infra.sh down    [nats|cassandra|all]   SIGTERM, then SIGKILL after 30 s
#   scripts/infra.sh status                         one line per server; exit 3 unless all healthy
#   scripts/infra.sh wait    [--timeout S] [nats|cassandra|all]   wait until healthy, start nothing
#   scripts/infra.sh reset   [nats|cassandra|all]   down + delete the instance's data
#   scripts/infra.sh env                            export lines for the instance's URLs
#   scripts/infra.sh nodetool <args...>             Cassandra nodetool against this instance
#
# The instance is selected by environment variables, so several instances
# (e.g. the dev demo and the test suite) can run side by side:
#   PULSE_RUN_DIR                 .run/dev   data, logs, pid files, rendered configs
#   PULSE_NATS_PORT               4222
#   PULSE_NATS_MONITOR_PORT       8222
#   PULSE_CASSANDRA_PORT          9042       CQL (native protocol)
#   PULSE_CASSANDRA_STORAGE_PORT  7000       internode
#   PULSE_CASSANDRA_JMX_PORT      storage port + 199 (7199)
#   PULSE_CASSANDRA_HEAP          1G         -Xms = -Xmx
#   PULSE_CASSANDRA_MLOCK         0          1 = let Cassandra mlockall() its memory when run as root
#   PULSE_CACHE_DIR               .cache     installed binaries/jars, shared by all instances
#   PULSE_INFRA_TIMEOUT           seconds to wait for health (default: NATS 30, Cassandra 180)
#   PULSE_INFRA_STOP_TIMEOUT      seconds between SIGTERM and SIGKILL (default 30)
#   PULSE_NATS_AUTH               0          1 = one NATS user per service, least-privilege permissions
#                                            (helm/pulse/files/nats-permissions.json); cluster profile: 1
#   PULSE_NATS_TLS                0          1 = clients (and routes) must use TLS, test CA in $RUN_DIR/tls;
#                                            cluster profile: 1
#   PULSE_CASSANDRA_AUTH          0          1 = PasswordAuthenticator + roles (cluster profile: 1)
#   PULSE_CASSANDRA_TLS           0          1 = client TLS required, test CA in $RUN_DIR/tls (cluster: 1)
#   PULSE_CASSANDRA_INTERNODE_TLS 0          1 = TLS between the nodes of a ring (cluster: 1)
# Relative paths are resolved against the repository root, not the cwd.

set -euo pipefail
# Bash 5.2: make '&' in ${var//pattern/replacement} literal again.
shopt -u patsub_replacement 2>/dev/null || true

readonly NATS_VERSION=2.15.2
readonly CASSANDRA_VERSION=5.0.9
readonly MAVEN_DEPENDENCY_PLUGIN_VERSION=3.8.1

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
INFRA_DIR=$REPO_ROOT/infra
readonly SCRIPT_DIR REPO_ROOT INFRA_DIR

# ---------------------------------------------------------------------------
# output helpers

# Progress goes to stdout; warnings, errors and failure reports to stderr.
info() { printf 'pulse infra: %s\n' "$*"; }
log() { printf 'pulse infra: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

abspath() {
  local p=${1%/}
  [[ -n $p ]] || p=/
  case $p in
    /*) printf '%s\n' "$p" ;;
    *) printf '%s\n' "$REPO_ROOT/$p" ;;
  esac
}

check_port_var() {
  local name=$1 value=$2
  if [[ ! $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name must be a TCP port number (1-65535), got '$value'"
  fi
}

# Microseconds since the epoch (bash 5 EPOCHREALTIME, fallback to date).
now_us() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    printf '%s\n' "${EPOCHREALTIME/[.,]/}"
  else
    printf '%s000000\n' "$(date +%s)"
  fi
}

# Seconds (one decimal) elapsed since a now_us timestamp.
elapsed() {
  local d=$(($(now_us) - $1))
  printf '%d.%ds' $((d / 1000000)) $((d % 1000000 / 100000))
}

# ---------------------------------------------------------------------------
# configuration

CACHE_DIR=$(abspath "${PULSE_CACHE_DIR:-.cache}")
RUN_DIR=$(abspath "${PULSE_RUN_DIR:-.run/dev}")

NATS_PORT=${PULSE_NATS_PORT:-4222}
NATS_MONITOR_PORT=${PULSE_NATS_MONITOR_PORT:-8222}
CASSANDRA_PORT=${PULSE_CASSANDRA_PORT:-9042}
CASSANDRA_STORAGE_PORT=${PULSE_CASSANDRA_STORAGE_PORT:-7000}
check_port_var PULSE_NATS_PORT "$NATS_PORT"
check_port_var PULSE_NATS_MONITOR_PORT "$NATS_MONITOR_PORT"
check_port_var PULSE_CASSANDRA_PORT "$CASSANDRA_PORT"
check_port_var PULSE_CASSANDRA_STORAGE_PORT "$CASSANDRA_STORAGE_PORT"
CASSANDRA_SSL_STORAGE_PORT=$((CASSANDRA_STORAGE_PORT + 1))
CASSANDRA_JMX_PORT=${PULSE_CASSANDRA_JMX_PORT:-$((CASSANDRA_STORAGE_PORT + 199))}
check_port_var PULSE_CASSANDRA_JMX_PORT "$CASSANDRA_JMX_PORT"
CASSANDRA_ADDRESS=${PULSE_CASSANDRA_ADDRESS:-127.0.0.1}
[[ $CASSANDRA_ADDRESS =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
  die "PULSE_CASSANDRA_ADDRESS must be a loopback address (127.x.y.z), got '$CASSANDRA_ADDRESS'"
CASSANDRA_SEEDS=${PULSE_CASSANDRA_SEEDS:-$CASSANDRA_ADDRESS:$CASSANDRA_STORAGE_PORT}
# Token allocation optimised for this replication factor (3 in the cluster profile).
CASSANDRA_ALLOC_RF=${PULSE_CASSANDRA_ALLOC_RF:-1}
[[ $CASSANDRA_ALLOC_RF =~ ^[1-9]$ ]] || die "PULSE_CASSANDRA_ALLOC_RF must be 1-9, got '$CASSANDRA_ALLOC_RF'"
# Extra JVM system properties, space-separated (the cluster profile shortens the ring delay).
CASSANDRA_JVM_EXTRA=${PULSE_CASSANDRA_JVM_EXTRA:-}
# NATS cluster (empty: a standalone server): the route port and the other servers' routes.
NATS_CLUSTER_PORT=${PULSE_NATS_CLUSTER_PORT:-}
[[ -z $NATS_CLUSTER_PORT ]] || check_port_var PULSE_NATS_CLUSTER_PORT "$NATS_CLUSTER_PORT"
NATS_ROUTES=${PULSE_NATS_ROUTES:-}
# JetStream fsync policy: empty = the server default (every 2 minutes), or 'always', or a
# duration such as 1s. See docs/local-infra.md "Durability".
NATS_SYNC_INTERVAL=${PULSE_NATS_SYNC_INTERVAL:-}
[[ -z $NATS_SYNC_INTERVAL || $NATS_SYNC_INTERVAL == always || $NATS_SYNC_INTERVAL =~ ^[0-9]+(ms|s|m)$ ]] ||
  die "PULSE_NATS_SYNC_INTERVAL must be empty, 'always' or a duration like 1s or 2m, got '$NATS_SYNC_INTERVAL'"
# NATS users and TLS (docs/security.md "NATS"): passwords generated once into NATS_SECRETS_DIR
# (<user>.password, mode 600), the test CA of scripts/gen-test-ca.sh in NATS_TLS_DIR.
NATS_AUTH=${PULSE_NATS_AUTH:-0}
NATS_TLS=${PULSE_NATS_TLS:-0}
[[ $NATS_AUTH == [01] ]] || die "PULSE_NATS_AUTH must be 0 or 1, got '$NATS_AUTH'"
[[ $NATS_TLS == [01] ]] || die "PULSE_NATS_TLS must be 0 or 1, got '$NATS_TLS'"
NATS_SECRETS_DIR=$(abspath "${PULSE_NATS_SECRETS_DIR:-$RUN_DIR/secrets/nats}")
NATS_TLS_DIR=$(abspath "${PULSE_NATS_TLS_DIR:-$RUN_DIR/tls}")
NATS_PERMISSIONS=$REPO_ROOT/helm/pulse/files/nats-permissions.json
# Auth and TLS (docs/security.md): off by default in the single profile, on in the cluster profile.
CASSANDRA_AUTH=${PULSE_CASSANDRA_AUTH:-0}
CASSANDRA_TLS=${PULSE_CASSANDRA_TLS:-0}
CASSANDRA_INTERNODE_TLS=${PULSE_CASSANDRA_INTERNODE_TLS:-0}
for flag in "PULSE_CASSANDRA_AUTH=$CASSANDRA_AUTH" "PULSE_CASSANDRA_TLS=$CASSANDRA_TLS" \
  "PULSE_CASSANDRA_INTERNODE_TLS=$CASSANDRA_INTERNODE_TLS"; do
  [[ ${flag#*=} == [01] ]] || die "${flag%%=*} must be 0 or 1, got '${flag#*=}'"
done
# Roles and grants after `up` (a ring's nodes skip it: the cluster profile runs it once, RF 3).
CASSANDRA_AUTH_SETUP=${PULSE_CASSANDRA_AUTH_SETUP:-1}
CASSANDRA_TLS_DIR=$(abspath "${PULSE_CASSANDRA_TLS_DIR:-$RUN_DIR/tls}")
CASSANDRA_SECRETS_DIR=$(abspath "${PULSE_CASSANDRA_SECRETS_DIR:-$RUN_DIR/secrets/cassandra}")
CASSANDRA_HEAP=${PULSE_CASSANDRA_HEAP:-1G}
[[ $CASSANDRA_HEAP =~ ^[0-9]+[kKmMgG]?$ ]] ||
  die "PULSE_CASSANDRA_HEAP must look like 512M or 1G, got '$CASSANDRA_HEAP'"
STOP_TIMEOUT=${PULSE_INFRA_STOP_TIMEOUT:-30}
[[ $STOP_TIMEOUT =~ ^[0-9]+$ ]] || die "PULSE_INFRA_STOP_TIMEOUT must be a number of seconds"
if [[ -n ${PULSE_INFRA_TIMEOUT:-} ]]; then
  [[ $PULSE_INFRA_TIMEOUT =~ ^[0-9]+$ ]] || die "PULSE_INFRA_TIMEOUT must be a number of seconds"
fi

# installed artifacts (shared)
NATS_BIN=$CACHE_DIR/bin/nats-server
CASSANDRA_HOME=$CACHE_DIR/cassandra-$CASSANDRA_VERSION
CASSANDRA_LIB=$CASSANDRA_HOME/lib
CASSANDRA_MARKER=$CASSANDRA_HOME/.installed

# per-instance state
NATS_DIR=$RUN_DIR/nats
NATS_CONF=$NATS_DIR/nats.conf
NATS_DATA=$NATS_DIR/data
NATS_LOG=$NATS_DIR/logs/nats.log
NATS_PIDFILE=$NATS_DIR/nats.pid

CASSANDRA_DIR=$RUN_DIR/cassandra
CASSANDRA_CONF=$CASSANDRA_DIR/cassandra.yaml
CASSANDRA_DATA=$CASSANDRA_DIR/data
CASSANDRA_LOGDIR=$CASSANDRA_DIR/logs
CASSANDRA_LOG=$CASSANDRA_LOGDIR/system.log
CASSANDRA_OUT=$CASSANDRA_LOGDIR/cassandra.out
CASSANDRA_PIDFILE=$CASSANDRA_DIR/cassandra.pid

# temp dirs removed on exit
TMP_PATHS=()
cleanup() {
  local p
  for p in "${TMP_PATHS[@]}"; do rm -rf -- "$p"; done
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# prerequisites

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    return 1
  fi
}

require_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' not found — install Go 1.21+ (https://go.dev/dl/, or apt-get install golang-go where it is 1.21+); it is needed once, to build nats-server v$NATS_VERSION into $CACHE_DIR/bin"
  local v major minor
  v=$(go version 2>/dev/null || true)
  if [[ $v =~ go([0-9]+)\.([0-9]+) ]]; then
    major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
    if ((major == 1 && minor < 21)); then
      die "'go' is too old ($v) — install Go 1.21+ (https://go.dev/dl/); nats-server v$NATS_VERSION needs Go 1.26, which Go 1.21+ fetches automatically through the module proxy"
    fi
  fi
}

require_java() {
  local java v major
  java=$(java_bin) ||
    die "'java' not found — install a Java 17 runtime (apt-get install openjdk-17-jre-headless) or set JAVA_HOME; Cassandra $CASSANDRA_VERSION runs on Java 17"
  v=$("$java" -version 2>&1 | head -n 1)
  if [[ $v =~ \"1\.([0-9]+) ]]; then
    major=${BASH_REMATCH[1]}
  elif [[ $v =~ \"([0-9]+) ]]; then
    major=${BASH_REMATCH[1]}
  else
    die "cannot tell the Java version of $java (got: $v)"
  fi
  ((major >= 17)) ||
    die "'java' is Java $major ($java) — Cassandra $CASSANDRA_VERSION is run with Java 17 here: install openjdk-17-jre-headless or point JAVA_HOME at a JDK 17"
  if ((major > 17)); then
    log "warning: Java $major detected; Cassandra $CASSANDRA_VERSION officially supports Java 11 and 17 only"
  fi
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "'mvn' not found — install Maven 3.6+ (apt-get install maven); it is needed once, to fetch the Cassandra $CASSANDRA_VERSION jars from Maven Central into $CASSANDRA_HOME"
}

require_python() {
  command -v python3 >/dev/null 2>&1 ||
    die "'python3' not found — install it (apt-get install python3); it is used to check that Cassandra answers CQL"
}

# ---------------------------------------------------------------------------
# install

nats_installed_version() {
  [[ -x $NATS_BIN ]] || return 1
  local out
  out=$("$NATS_BIN" --version 2>/dev/null) || return 1
  [[ $out =~ v([0-9]+\.[0-9]+\.[0-9]+[^[:space:]]*) ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

install_nats() {
  local have
  have=$(nats_installed_version || true)
  [[ $have == "$NATS_VERSION" ]] && return 0
  require_go
  if [[ -n $have ]]; then
    info "nats-server in $NATS_BIN is v$have, pinned version is v$NATS_VERSION: re-installing"
  fi
  info "installing nats-server v$NATS_VERSION with 'go install' (about a minute on a cold Go cache)"
  local start tmp
  start=$(now_us)
  mkdir -p "$CACHE_DIR/bin"
  tmp=$(mktemp -d "$CACHE_DIR/.nats-build.XXXXXX")
  TMP_PATHS+=("$tmp")
  GOBIN=$tmp CGO_ENABLED=0 GOFLAGS=-trimpath \
    go install "github.com/nats-io/nats-server/v2@v$NATS_VERSION" ||
    die "'go install github.com/nats-io/nats-server/v2@v$NATS_VERSION' failed (see above); the Go module proxy must be reachable"
  mv -f -- "$tmp/nats-server" "$NATS_BIN"
  have=$(nats_installed_version || true)
  [[ $have == "$NATS_VERSION" ]] ||
    die "installed $NATS_BIN reports version '${have:-?}', expected $NATS_VERSION"
  info "nats-server v$NATS_VERSION installed in $(elapsed "$start") → $NATS_BIN"
}

cassandra_installed() {
  [[ -f $CASSANDRA_MARKER && -f $CASSANDRA_LIB/cassandra-all-$CASSANDRA_VERSION.jar ]] &&
    [[ $(head -n 1 "$CASSANDRA_MARKER") == "cassandra-all $CASSANDRA_VERSION" ]]
}

write_cassandra_pom() {
  cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/infra.sh: the runtime classpath of Cassandra $CASSANDRA_VERSION. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.pulse.infra</groupId>
  <artifactId>cassandra-runtime</artifactId>
  <version>$CASSANDRA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>$CASSANDRA_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>$MAVEN_DEPENDENCY_PLUGIN_VERSION</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
EOF
}

install_cassandra() {
  cassandra_installed && return 0
  require_java
  require_mvn
  info "installing Cassandra $CASSANDRA_VERSION jars from Maven Central (about a minute on a cold ~/.m2)"
  local start stage count
  start=$(now_us)
  mkdir -p "$CACHE_DIR"
  stage=$(mktemp -d "$CACHE_DIR/.cassandra-$CASSANDRA_VERSION.XXXXXX")
  TMP_PATHS+=("$stage")
  write_cassandra_pom "$stage/pom.xml"
  # Output goes to a log shown only on failure (Maven 3.8 prints stray colour
  # codes even with -q -B).
  if ! mvn -B -ntp -f "$stage/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$stage/lib" -DincludeScope=runtime >"$stage/mvn.log" 2>&1; then
    tail -n 40 -- "$stage/mvn.log" >&2
    die "Maven could not fetch org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION and its dependencies (see above); Maven Central must be reachable"
  fi
  [[ -f $stage/lib/cassandra-all-$CASSANDRA_VERSION.jar ]] ||
    die "Maven finished but $stage/lib/cassandra-all-$CASSANDRA_VERSION.jar is missing"
  count=$(find "$stage/lib" -name '*.jar' | wc -l)
  {
    printf 'cassandra-all %s\n' "$CASSANDRA_VERSION"
    printf 'jars %s\n' "$count"
    printf 'installed %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$stage/.installed"
  rm -rf -- "$CASSANDRA_HOME"
  mv -- "$stage" "$CASSANDRA_HOME"
  info "Cassandra $CASSANDRA_VERSION installed in $(elapsed "$start") ($count jars) → $CASSANDRA_LIB"
}

# Serialise installs between concurrent invocations (dev + tests starting at once).
with_install_lock() {
  mkdir -p "$CACHE_DIR"
  if command -v flock >/dev/null 2>&1; then
    local fd
    exec {fd}>"$CACHE_DIR/.install.lock"
    flock "$fd"
    "$@" # on failure the script exits, which releases the lock
    flock -u "$fd"
    exec {fd}>&-
  else
    "$@"
  fi
}

install_services() {
  local svc
  for svc in "$@"; do
    case $svc in
      nats) with_install_lock install_nats ;;
      cassandra) with_install_lock install_cassandra ;;
    esac
  done
}

# ---------------------------------------------------------------------------
# processes

# True if $1 is a live (non-zombie) process whose command line contains $2
# and whose executable name is $3.
proc_matches() {
  local pid=$1 needle=$2 comm=$3 c
  local -a argv
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  read -r c 2>/dev/null <"/proc/$pid/comm" || return 1
  [[ $c == "$comm" ]] || return 1
  # A zombie (exited, not yet reaped) has an empty command line.
  mapfile -d '' -t argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [[ " ${argv[*]} " == *"$needle"* ]]
}

# Prints the pid of a running server: from the pid file, or (if the pid file
# was lost) by looking for a process started with this instance's config.
find_pid() {
  local pidfile=$1 needle=$2 comm=$3 pid f
  if [[ -s $pidfile ]]; then
    pid=$(head -n 1 "$pidfile")
    if proc_matches "$pid" "$needle" "$comm"; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  local c
  for f in /proc/[0-9]*/comm; do
    read -r c 2>/dev/null <"$f" || continue
    [[ $c == "$comm" ]] || continue
    pid=${f#/proc/}
    pid=${pid%/comm}
    if proc_matches "$pid" "$needle" "$comm"; then
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 1
}

nats_pid() { find_pid "$NATS_PIDFILE" "$NATS_CONF" nats-server; }
cassandra_pid() { find_pid "$CASSANDRA_PIDFILE" "-Dcassandra.config=file://$CASSANDRA_CONF" java; }

svc_pid() {
  case $1 in
    nats) nats_pid ;;
    cassandra) cassandra_pid ;;
  esac
}

# True if something accepts TCP connections on ${2:-127.0.0.1}:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null
}

# Start "$@" in its own session, detached from the terminal, with stdout and
# stderr appended to $2 and the working directory $3; the server's own pid is
# written to $1. The child first closes every inherited descriptor above 2
# (our lock files, pipes of whoever ran this script) so a long-running server
# holds none of them.
# shellcheck disable=SC2016  # expanded by the child shell
SPAWN_WRAPPER='for f in /proc/$$/fd/*; do f=${f##*/}; if ((f > 2)); then eval "exec $f>&-"; fi; done
echo $$ >"$0"
exec "$@"'
spawn() {
  local pidfile=$1 logfile=$2 workdir=$3 detach=nohup
  shift 3
  rm -f -- "$pidfile"
  command -v setsid >/dev/null 2>&1 && detach=setsid
  (cd -- "$workdir" && exec "$detach" bash -c "$SPAWN_WRAPPER" "$pidfile" "$@") \
    </dev/null >>"$logfile" 2>&1 &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start ${1##*/} (no pid file after 5 s); see $logfile"
}

# Replace {{KEY}} placeholders of template $1 with the KEY=VALUE pairs that
# follow and write the result to $2.
render() {
  local template=$1 out=$2 content kv key value
  shift 2
  [[ -f $template ]] || die "missing template $template"
  content=$(<"$template")
  for kv in "$@"; do
    key=${kv%%=*}
    value=${kv#*=}
    content=${content//"{{$key}}"/"$value"}
  done
  if [[ $content =~ \{\{([A-Z_]+)\}\} ]]; then
    die "template $template: no value for {{${BASH_REMATCH[1]}}}"
  fi
  {
    printf '# GENERATED by scripts/infra.sh from %s — edit that template, not this file.\n' \
      "${template#"$REPO_ROOT"/}"
    printf '%s\n' "$content"
  } >"$out.tmp"
  mv -f -- "$out.tmp" "$out"
}

file_size() {
  if [[ -f $1 ]]; then stat -c %s -- "$1"; else echo 0; fi
}

# Size of Cassandra's system.log when this invocation started the server, so a
# failure report shows only what the new process logged.
CASSANDRA_LOG_OFFSET=

# tail_log FILE N [OFFSET]: the last N lines of FILE, counting only what was
# written after byte OFFSET (if given) and after the last "==== ... starting"
# marker this script writes. Very long lines (Cassandra logs its whole config
# and classpath) are cut at 500 characters.
tail_log() {
  local f=$1 n=$2 offset=${3:-0}
  if [[ ! -s $f ]]; then
    log "($f is empty or missing)"
    return 0
  fi
  (($(file_size "$f") >= offset)) || offset=0 # rotated since
  local text
  text=$(tail -c "+$((offset + 1))" -- "$f" |
    awk '/^==== .* starting /{buf = ""; next} {buf = buf $0 "\n"} END {printf "%s", buf}' |
    tail -n "$n" | cut -c 1-500)
  if [[ -z $text ]]; then
    log "(nothing new in $f)"
  else
    log "last $n lines of $f:"
    printf '%s\n' "$text" >&2
  fi
}

show_logs() {
  case $1 in
    nats) tail_log "$NATS_LOG" 40 ;;
    cassandra)
      tail_log "$CASSANDRA_LOG" 40 "$CASSANDRA_LOG_OFFSET"
      # JVM start-up failures (bad flags, too little memory) only reach stdout/stderr.
      tail_log "$CASSANDRA_OUT" 40
      ;;
  esac
  return 0
}

# ---------------------------------------------------------------------------
# health checks

nats_healthy() {
  local url="http://127.0.0.1:$NATS_MONITOR_PORT/healthz?js-enabled-only=true" body
  if command -v curl >/dev/null 2>&1; then
    body=$(curl -fsS --noproxy '*' --max-time 2 "$url" 2>/dev/null) || return 1
  else
    require_python
    body=$(python3 -c '
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(opener.open(sys.argv[1], timeout=2).read().decode())
' "$url" 2>/dev/null) || return 1
  fi
  [[ $body == *'"status":"ok"'* ]]
}

# Speaks the CQL native protocol (v4): OPTIONS must be answered by SUPPORTED,
# then STARTUP + "SELECT release_version FROM system.local". Prints the
# release version on success; exit status 0 only if the server answered.
CQL_PROBE_PY=$(
  cat <<'PY'
import socket, ssl, struct, sys

host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
cafile = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None  # client TLS required
VERSION = 0x04  # request, protocol v4
OP_ERROR, OP_STARTUP, OP_READY, OP_AUTHENTICATE = 0x00, 0x01, 0x02, 0x03
OP_OPTIONS, OP_SUPPORTED, OP_QUERY, OP_RESULT = 0x05, 0x06, 0x07, 0x08


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed by server")
        buf += chunk
    return buf


def request(sock, stream, opcode, body=b""):
    sock.sendall(struct.pack(">BBhBi", VERSION, 0, stream, opcode, len(body)) + body)
    version, _flags, _stream, op, length = struct.unpack(">BBhBi", recv_exact(sock, 9))
    data = recv_exact(sock, length)
    if version != 0x80 | VERSION:
        raise RuntimeError("unexpected response version 0x%02x" % version)
    if op == OP_ERROR:
        code, = struct.unpack(">i", data[:4])
        (mlen,) = struct.unpack(">H", data[4:6])
        raise RuntimeError("server error 0x%04x: %s" % (code, data[6:6 + mlen].decode("utf-8", "replace")))
    return op, data


def short_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def short(self):
        return struct.unpack(">H", self.take(2))[0]

    def string(self):
        return self.take(self.short()).decode()


sock = socket.create_connection((host, port), timeout=timeout)
sock.settimeout(timeout)
if cafile:
    sock = ssl.create_default_context(cafile=cafile).wrap_socket(sock, server_hostname=host)
try:
    op, _ = request(sock, 0, OP_OPTIONS)
    if op != OP_SUPPORTED:
        raise RuntimeError("OPTIONS answered with opcode 0x%02x, expected SUPPORTED" % op)
    op, _ = request(sock, 1, OP_STARTUP, struct.pack(">H", 1) + short_string("CQL_VERSION") + short_string("3.0.0"))
    if op == OP_AUTHENTICATE:
        print("unknown (authentication required)")
        sys.exit(0)
    if op != OP_READY:
        raise RuntimeError("STARTUP answered with opcode 0x%02x, expected READY" % op)
    query = b"SELECT release_version FROM system.local"
    op, data = request(sock, 2, OP_QUERY, struct.pack(">i", len(query)) + query + struct.pack(">HB", 0x0001, 0))
    if op != OP_RESULT:
        raise RuntimeError("QUERY answered with opcode 0x%02x, expected RESULT" % op)
    r = Reader(data)
    if r.int() != 0x0002:
        raise RuntimeError("QUERY result is not a set of rows")
    flags, columns = r.int(), r.int()
    if flags & 0x0002:  # has_more_pages: paging state
        r.take(r.int())
    if not flags & 0x0004:  # column metadata present
        if flags & 0x0001:  # global table spec
            r.string(); r.string()
        for _ in range(columns):
            if not flags & 0x0001:
                r.string(); r.string()
            r.string()
            r.short()  # release_version is a varchar: no type parameters
    if r.int() < 1:
        raise RuntimeError("system.local returned no rows")
    n = r.int()
    print(r.take(n).decode() if n >= 0 else "null")
finally:
    sock.close()
PY
)

# Prints the Cassandra release version if CQL answers.
cassandra_cql_version() {
  local ca=""
  ((CASSANDRA_TLS)) && ca=$CASSANDRA_TLS_DIR/ca.pem
  python3 -c "$CQL_PROBE_PY" "$CASSANDRA_ADDRESS" "$CASSANDRA_PORT" 3 "$ca" 2>/dev/null
}

cassandra_healthy() { cassandra_cql_version >/dev/null; }

svc_healthy() {
  case $1 in
    nats) nats_healthy ;;
    cassandra) cassandra_healthy ;;
  esac
}

svc_timeout() {
  if [[ -n ${PULSE_INFRA_TIMEOUT:-} ]]; then
    printf '%s\n' "$PULSE_INFRA_TIMEOUT"
  else
    case $1 in
      nats) echo 30 ;;
      cassandra) echo 180 ;;
    esac
  fi
}

# wait_healthy SERVICE START_US [STARTED]: poll until healthy or timeout. If
# STARTED is 1 (we just started it) or the server is seen running, the server
# exiting fails the wait immediately.
wait_healthy() {
  local svc=$1 start=$2 seen=${3:-0} timeout deadline pid="" interval=0.5
  if [[ $svc == cassandra ]]; then
    require_python
    interval=1
  fi
  timeout=$(svc_timeout "$svc")
  deadline=$(($(now_us) + timeout * 1000000))
  while :; do
    if svc_healthy "$svc"; then
      info "$svc healthy after $(elapsed "$start")"
      return 0
    fi
    if pid=$(svc_pid "$svc"); then
      seen=1
    elif ((seen)); then
      log "$svc exited before becoming healthy"
      show_logs "$svc"
      return 1
    fi
    if (($(now_us) >= deadline)); then
      if ((seen)); then
        log "$svc (pid $pid) not healthy after ${timeout}s"
      else
        log "$svc not healthy after ${timeout}s, and no $svc process of this instance ($RUN_DIR) is running"
      fi
      show_logs "$svc"
      return 1
    fi
    sleep "$interval"
  done
}

# ---------------------------------------------------------------------------
# start

# Fails if one of the ports (NAME=PORT or NAME=PORT@HOST) is taken by something that is not
# this instance.
check_ports_free() {
  local svc=$1 spec name port host
  shift
  for spec in "$@"; do
    name=${spec%%=*}
    port=${spec#*=}
    host=127.0.0.1
    if [[ $port == *@* ]]; then
      host=${port#*@}
      port=${port%@*}
    fi
    if port_in_use "$port" "$host"; then
      die "cannot start $svc: $host:$port ($name) is already in use by another process (another instance with a different PULSE_RUN_DIR? check with 'ss -ltnp')"
    fi
  done
}

start_nats() {
  local pid
  if pid=$(nats_pid); then
    info "nats already running (pid $pid)"
    return 0
  fi
  local -a ports=("PULSE_NATS_PORT=$NATS_PORT" "PULSE_NATS_MONITOR_PORT=$NATS_MONITOR_PORT")
  [[ -z $NATS_CLUSTER_PORT ]] || ports+=("PULSE_NATS_CLUSTER_PORT=$NATS_CLUSTER_PORT")
  check_ports_free nats "${ports[@]}"
  mkdir -p "$NATS_DATA" "$(dirname "$NATS_LOG")"
  local cluster_block="# standalone server: no cluster block" sync_block="# sync_interval: server default (2m)"
  local tls_block="# PULSE_NATS_TLS=0: plain-text clients" auth_block="# PULSE_NATS_AUTH=0: no users, every client may do anything"
  local route_tls=""
  if ((NATS_TLS)); then
    ensure_test_ca "$NATS_TLS_DIR"
    tls_block="tls {
  cert_file: \"$NATS_TLS_DIR/server.pem\"
  key_file: \"$NATS_TLS_DIR/server.key\"
  ca_file: \"$NATS_TLS_DIR/ca.pem\"
  timeout: 2
}"
    # Routes: both ends present the server certificate (serverAuth+clientAuth) and verify the peer.
    route_tls="  tls {
    cert_file: \"$NATS_TLS_DIR/server.pem\"
    key_file: \"$NATS_TLS_DIR/server.key\"
    ca_file: \"$NATS_TLS_DIR/ca.pem\"
    verify: true
    timeout: 2
  }
"
  fi
  if ((NATS_AUTH)); then
    require_python
    python3 "$INFRA_DIR/nats/nats-auth.py" passwords "$NATS_PERMISSIONS" "$NATS_SECRETS_DIR" ||
      die "could not create the NATS passwords in $NATS_SECRETS_DIR"
    auth_block=$(python3 "$INFRA_DIR/nats/nats-auth.py" render "$NATS_PERMISSIONS" "$NATS_SECRETS_DIR") ||
      die "could not render the NATS users from $NATS_PERMISSIONS"
  fi
  if [[ -n $NATS_CLUSTER_PORT ]]; then
    local route routes=""
    IFS=, read -r -a route_list <<<"$NATS_ROUTES"
    for route in "${route_list[@]}"; do
      [[ -n $route ]] && routes+="    \"nats-route://$route\""$'\n'
    done
    cluster_block="cluster {
  name: \"pulse\"
  listen: \"127.0.0.1:$NATS_CLUSTER_PORT\"
$route_tls  routes: [
$routes  ]
}"
  fi
  [[ -z $NATS_SYNC_INTERVAL ]] || sync_block="sync_interval: $NATS_SYNC_INTERVAL"
  render "$INFRA_DIR/nats/nats.conf" "$NATS_CONF" \
    "NATS_PORT=$NATS_PORT" "NATS_MONITOR_PORT=$NATS_MONITOR_PORT" "NATS_DATA_DIR=$NATS_DATA" \
    "NATS_CLUSTER_BLOCK=$cluster_block" "NATS_SYNC_INTERVAL=$sync_block" \
    "NATS_TLS_BLOCK=$tls_block" "NATS_AUTH_BLOCK=$auth_block"
  # It holds the users' password hashes (or, without bcrypt, the passwords).
  chmod 600 "$NATS_CONF"
  "$NATS_BIN" -t -c "$NATS_CONF" >/dev/null 2>&1 || {
    "$NATS_BIN" -t -c "$NATS_CONF" >&2 || true
    die "nats-server rejected $NATS_CONF"
  }
  printf '\n==== %s starting nats-server v%s ====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NATS_VERSION" >>"$NATS_LOG"
  spawn "$NATS_PIDFILE" "$NATS_LOG" "$NATS_DIR" "$NATS_BIN" -c "$NATS_CONF"
  info "nats starting (pid $(<"$NATS_PIDFILE")) on 127.0.0.1:$NATS_PORT, monitor 127.0.0.1:$NATS_MONITOR_PORT, log $NATS_LOG"
}

# The throw-away test CA in directory $1: the server certificate NATS uses and the PKCS#12 stores
# Cassandra reads (scripts/gen-test-ca.sh keeps a valid existing set). Serialised: the servers
# and nodes of a cluster share one directory.
ensure_test_ca() {
  local dir=$1
  mkdir -p "$(dirname "$dir")"
  (
    flock 9
    bash "$SCRIPT_DIR/gen-test-ca.sh" "$dir" >/dev/null
  ) 9>"$dir.lock" || die "could not generate the test CA in $dir (scripts/gen-test-ca.sh)"
}

# JVM flags from infra/cassandra/jvm17-server.options: one per line, '#' comments.
read_jvm_options() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -z $line || $line == \#* ]] && continue
    printf '%s\n' "$line"
  done <"$INFRA_DIR/cassandra/jvm17-server.options"
}

# Roles and grants (scripts/cassandra-auth-setup.mjs, run with Node and cassandra-driver from
# node_modules): system_auth at replication factor $1, a new superuser pulse_admin instead of the
# default cassandra one, and the least-privilege role pulse. Passwords in CASSANDRA_SECRETS_DIR.
# $2: comma-separated contact points.
cassandra_auth_setup() {
  local rf=$1 contact_points=$2 start
  command -v node >/dev/null 2>&1 || die "'node' not found — it runs scripts/cassandra-auth-setup.mjs (roles and grants)"
  [[ -d $REPO_ROOT/node_modules/cassandra-driver ]] ||
    die "node_modules/cassandra-driver is missing — run 'npm ci' first (scripts/cassandra-auth-setup.mjs needs it)"
  start=$(now_us)
  PULSE_CASSANDRA_CONTACT_POINTS=$contact_points \
    PULSE_CASSANDRA_SECRETS_DIR=$CASSANDRA_SECRETS_DIR \
    PULSE_CASSANDRA_AUTH_RF=$rf \
    PULSE_CASSANDRA_TLS_CA_FILE=$( ((CASSANDRA_TLS)) && printf '%s' "$CASSANDRA_TLS_DIR/ca.pem") \
    node "$SCRIPT_DIR/cassandra-auth-setup.mjs" || die "setting up Cassandra roles failed (see above)"
  info "cassandra roles ready in $(elapsed "$start"): pulse (password in $CASSANDRA_SECRETS_DIR/pulse.password), superuser pulse_admin"
}

start_cassandra() {
  local pid java jamm
  if pid=$(cassandra_pid); then
    info "cassandra already running (pid $pid)"
    return 0
  fi
  require_java
  require_python
  check_ports_free cassandra "PULSE_CASSANDRA_PORT=$CASSANDRA_PORT@$CASSANDRA_ADDRESS" \
    "PULSE_CASSANDRA_STORAGE_PORT=$CASSANDRA_STORAGE_PORT@$CASSANDRA_ADDRESS" "PULSE_CASSANDRA_JMX_PORT=$CASSANDRA_JMX_PORT"
  mkdir -p "$CASSANDRA_DATA"/{data,commitlog,hints,saved_caches,cdc_raw} \
    "$CASSANDRA_LOGDIR" "$CASSANDRA_DIR/triggers"
  local authenticator=AllowAllAuthenticator authorizer=AllowAllAuthorizer
  if ((CASSANDRA_AUTH)); then
    authenticator=PasswordAuthenticator authorizer=CassandraAuthorizer
  fi
  local client_tls="client_encryption_options:
  enabled: false" server_tls="server_encryption_options:
  internode_encryption: none"
  if ((CASSANDRA_TLS || CASSANDRA_INTERNODE_TLS)); then
    ensure_test_ca "$CASSANDRA_TLS_DIR"
    local store_password
    store_password=$(<"$CASSANDRA_TLS_DIR/store-password")
  fi
  if ((CASSANDRA_TLS)); then
    client_tls="client_encryption_options:
  enabled: true
  optional: false
  keystore: $CASSANDRA_TLS_DIR/server.p12
  keystore_password: $store_password
  store_type: PKCS12
  require_client_auth: false
  protocol: TLS
  accepted_protocols: [TLSv1.2, TLSv1.3]"
  fi
  if ((CASSANDRA_INTERNODE_TLS)); then
    server_tls="server_encryption_options:
  internode_encryption: all
  legacy_ssl_storage_port_enabled: false
  keystore: $CASSANDRA_TLS_DIR/server.p12
  keystore_password: $store_password
  truststore: $CASSANDRA_TLS_DIR/truststore.p12
  truststore_password: $store_password
  store_type: PKCS12
  require_client_auth: true
  require_endpoint_verification: true
  protocol: TLS
  accepted_protocols: [TLSv1.2, TLSv1.3]"
  fi
  render "$INFRA_DIR/cassandra/cassandra.yaml" "$CASSANDRA_CONF" \
    "CASSANDRA_PORT=$CASSANDRA_PORT" "STORAGE_PORT=$CASSANDRA_STORAGE_PORT" \
    "SSL_STORAGE_PORT=$CASSANDRA_SSL_STORAGE_PORT" "DATA_DIR=$CASSANDRA_DATA" \
    "ADDRESS=$CASSANDRA_ADDRESS" "SEEDS=$CASSANDRA_SEEDS" "ALLOC_RF=$CASSANDRA_ALLOC_RF" \
    "AUTHENTICATOR=$authenticator" "AUTHORIZER=$authorizer" \
    "CLIENT_ENCRYPTION=$client_tls" "SERVER_ENCRYPTION=$server_tls"
  # It may hold the key store password.
  chmod 600 "$CASSANDRA_CONF"

  java=$(java_bin)
  local -a args
  mapfile -t args < <(read_jvm_options)
  args+=("-Xms$CASSANDRA_HEAP" "-Xmx$CASSANDRA_HEAP")
  local extra
  for extra in $CASSANDRA_JVM_EXTRA; do args+=("$extra"); done
  # jamm measures object sizes for memtable accounting; Cassandra loads it as an agent.
  for jamm in "$CASSANDRA_LIB"/jamm-*.jar; do
    [[ -f $jamm ]] && args+=("-javaagent:$jamm")
  done
  args+=(
    "-XX:HeapDumpPath=$CASSANDRA_LOGDIR"
    "-XX:ErrorFile=$CASSANDRA_LOGDIR/hs_err_pid%p.log"
    "-Xlog:gc=info,safepoint=info:file=$CASSANDRA_LOGDIR/gc.log:time,uptime,pid,tid,level:filecount=5,filesize=10m"
    "-Dcassandra.config=file://$CASSANDRA_CONF"
    "-Dcassandra.storagedir=$CASSANDRA_DATA"
    "-Dcassandra.logdir=$CASSANDRA_LOGDIR"
    "-Dcassandra.triggers_dir=$CASSANDRA_DIR/triggers"
    "-Dlogback.configurationFile=$INFRA_DIR/cassandra/logback.xml"
    "-Dcassandra.jmx.local.port=$CASSANDRA_JMX_PORT"
    "-Dcom.sun.management.jmxremote.authenticate=false"
    "-Djava.rmi.server.hostname=127.0.0.1"
    -cp "$CASSANDRA_LIB/*"
    org.apache.cassandra.service.CassandraDaemon
  )
  # Cassandra calls mlockall(MCL_CURRENT) at start-up. As root (CAP_IPC_LOCK) that
  # succeeds and pins the whole committed heap in RAM (~1.5 GB RSS per instance);
  # a normal user hits RLIMIT_MEMLOCK and Cassandra just logs a warning. Drop the
  # capability so root behaves like a normal user: memory stays pageable.
  local -a launcher=()
  if ((EUID == 0)) && [[ ${PULSE_CASSANDRA_MLOCK:-0} != 1 ]] && command -v setpriv >/dev/null 2>&1; then
    launcher=(setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock)
  fi
  CASSANDRA_LOG_OFFSET=$(file_size "$CASSANDRA_LOG")
  printf '\n==== %s starting Cassandra %s ====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$CASSANDRA_VERSION" >>"$CASSANDRA_OUT"
  MALLOC_ARENA_MAX=4 spawn "$CASSANDRA_PIDFILE" "$CASSANDRA_OUT" "$CASSANDRA_DIR" \
    "${launcher[@]}" "$java" "${args[@]}"
  info "cassandra starting (pid $(<"$CASSANDRA_PIDFILE"), heap $CASSANDRA_HEAP) on $CASSANDRA_ADDRESS:$CASSANDRA_PORT (CQL), storage $CASSANDRA_STORAGE_PORT, JMX $CASSANDRA_JMX_PORT, log $CASSANDRA_LOG"
}

# Serialise start/stop within one instance (run dir).
with_instance_lock() {
  mkdir -p "$RUN_DIR"
  if command -v flock >/dev/null 2>&1; then
    local fd
    exec {fd}>"$RUN_DIR/.infra.lock"
    flock "$fd"
    "$@" # on failure the script exits, which releases the lock
    flock -u "$fd"
    exec {fd}>&-
  else
    "$@"
  fi
}

# ---------------------------------------------------------------------------
# stop

stop_service() {
  local svc=$1 pidfile pid deadline
  case $svc in
    nats) pidfile=$NATS_PIDFILE ;;
    cassandra) pidfile=$CASSANDRA_PIDFILE ;;
  esac
  if ! pid=$(svc_pid "$svc"); then
    rm -f -- "$pidfile"
    info "$svc not running"
    return 0
  fi
  local start
  start=$(now_us)
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((start + STOP_TIMEOUT * 1000000))
  while svc_pid "$svc" >/dev/null && (($(now_us) < deadline)); do
    sleep 0.2
  done
  if svc_pid "$svc" >/dev/null; then
    log "$svc (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$(($(now_us) + 10 * 1000000))
    while svc_pid "$svc" >/dev/null && (($(now_us) < deadline)); do
      sleep 0.2
    done
    svc_pid "$svc" >/dev/null && die "$svc (pid $pid) survived SIGKILL"
  fi
  rm -f -- "$pidfile"
  info "$svc stopped (pid $pid) in $(elapsed "$start")"
}

# ---------------------------------------------------------------------------
# commands

# Sets SVCS to the servers named by $1 (nats, cassandra or all).
SVCS=()
parse_services() {
  case ${1:-all} in
    all) SVCS=(nats cassandra) ;;
    nats | cassandra) SVCS=("$1") ;;
    *) die "unknown server '$1' (expected nats, cassandra or all)" ;;
  esac
}

cmd_install() {
  parse_services "${1:-all}"
  install_services "${SVCS[@]}"
  local svc
  for svc in "${SVCS[@]}"; do
    case $svc in
      nats) info "nats-server v$NATS_VERSION: $NATS_BIN" ;;
      cassandra) info "Cassandra $CASSANDRA_VERSION: $CASSANDRA_LIB ($(sed -n 's/^jars //p' "$CASSANDRA_MARKER") jars)" ;;
    esac
  done
}

# Every port of one instance must be different (a typo here otherwise shows up
# as a confusing bind error or a health check talking to the wrong server).
check_distinct_ports() {
  local -A owner=()
  local spec name port
  for spec in "PULSE_NATS_PORT=$NATS_PORT" "PULSE_NATS_MONITOR_PORT=$NATS_MONITOR_PORT" \
    "PULSE_CASSANDRA_PORT=$CASSANDRA_PORT" "PULSE_CASSANDRA_STORAGE_PORT=$CASSANDRA_STORAGE_PORT" \
    "PULSE_CASSANDRA_JMX_PORT=$CASSANDRA_JMX_PORT"; do
    name=${spec%%=*}
    port=${spec#*=}
    [[ -z ${owner[$port]:-} ]] ||
      die "${owner[$port]} and $name are both $port — every port of an instance must be different"
    owner[$port]=$name
  done
}

cmd_up() {
  check_distinct_ports
  parse_services "${1:-all}"
  local svc rc=0
  local -A started=()
  install_services "${SVCS[@]}"
  for svc in "${SVCS[@]}"; do
    started[$svc]=$(now_us)
    with_instance_lock "start_$svc"
  done
  for svc in "${SVCS[@]}"; do
    wait_healthy "$svc" "${started[$svc]}" 1 || rc=1
  done
  if ((rc == 0 && CASSANDRA_AUTH && CASSANDRA_AUTH_SETUP)) && [[ -n ${started[cassandra]:-} ]]; then
    cassandra_auth_setup 1 "$CASSANDRA_ADDRESS:$CASSANDRA_PORT"
  fi
  return "$rc"
}

cmd_down() {
  parse_services "${1:-all}"
  local svc
  for svc in "${SVCS[@]}"; do
    with_instance_lock stop_service "$svc"
  done
}

cmd_wait() {
  parse_services "${1:-all}"
  local svc rc=0 start
  start=$(now_us)
  for svc in "${SVCS[@]}"; do
    wait_healthy "$svc" "$start" || rc=1
  done
  return "$rc"
}

cmd_reset() {
  parse_services "${1:-all}"
  local svc dir
  for svc in "${SVCS[@]}"; do
    with_instance_lock stop_service "$svc"
    case $svc in
      nats) dir=$NATS_DATA ;;
      cassandra) dir=$CASSANDRA_DATA ;;
    esac
    rm -rf -- "$dir"
    info "$svc data deleted ($dir)"
  done
}

cmd_status() {
  local rc=0 pid state health version
  # nats
  if pid=$(nats_pid); then
    state="running  pid $pid"
    if nats_healthy; then health=healthy; else health="NOT healthy" rc=3; fi
  else
    state="stopped  pid -"
    health="-"
    rc=3
    if port_in_use "$NATS_PORT"; then health="(port $NATS_PORT in use by another process)"; fi
  fi
  printf '%-10s %-18s client 127.0.0.1:%s  monitor 127.0.0.1:%s  %s  [%s]\n' \
    nats "$state" "$NATS_PORT" "$NATS_MONITOR_PORT" "$health" "$NATS_DIR"
  # cassandra
  if pid=$(cassandra_pid); then
    state="running  pid $pid"
    if command -v python3 >/dev/null 2>&1 && version=$(cassandra_cql_version); then
      health="healthy (CQL, Cassandra $version)"
    else
      health="NOT healthy (CQL not answering yet)"
      rc=3
    fi
  else
    state="stopped  pid -"
    health="-"
    rc=3
    if port_in_use "$CASSANDRA_PORT" "$CASSANDRA_ADDRESS"; then health="(port $CASSANDRA_PORT in use by another process)"; fi
  fi
  printf '%-10s %-18s cql %s:%s  storage %s:%s  jmx 127.0.0.1:%s  %s  [%s]\n' \
    cassandra "$state" "$CASSANDRA_ADDRESS" "$CASSANDRA_PORT" "$CASSANDRA_ADDRESS" "$CASSANDRA_STORAGE_PORT" "$CASSANDRA_JMX_PORT" "$health" "$CASSANDRA_DIR"
  return "$rc"
}

cmd_env() {
  printf 'export PULSE_NATS_URL=%q\n' "$(nats_scheme)://127.0.0.1:$NATS_PORT"
  printf 'export PULSE_NATS_MONITOR_URL=%q\n' "http://127.0.0.1:$NATS_MONITOR_PORT"
  nats_security_env
  printf 'export PULSE_CASSANDRA_CONTACT_POINTS=%q\n' "$CASSANDRA_ADDRESS:$CASSANDRA_PORT"
  printf 'export PULSE_CASSANDRA_LOCAL_DC=%q\n' "datacenter1"
  cassandra_security_env
}

nats_scheme() { if ((NATS_TLS)); then echo tls; else echo nats; fi; }

# What NATS clients need (docs/security.md "NATS"): the CA, and the directory of the users'
# password files — each service takes PULSE_NATS_USER=<service> and
# PULSE_NATS_PASSWORD_FILE=$PULSE_NATS_AUTH_DIR/<service>.password (libs/testing's runners do).
nats_security_env() {
  if ((NATS_TLS)); then
    printf 'export PULSE_NATS_TLS_CA_FILE=%q\n' "$NATS_TLS_DIR/ca.pem"
  fi
  if ((NATS_AUTH)); then
    printf 'export PULSE_NATS_AUTH_DIR=%q\n' "$NATS_SECRETS_DIR"
  fi
  return 0
}

# The store's credentials and CA (docs/security.md): the role pulse, never the superuser.
cassandra_security_env() {
  if ((CASSANDRA_AUTH)); then
    printf 'export PULSE_CASSANDRA_USERNAME=pulse\n'
    printf 'export PULSE_CASSANDRA_PASSWORD_FILE=%q\n' "$CASSANDRA_SECRETS_DIR/pulse.password"
  fi
  if ((CASSANDRA_TLS)); then
    printf 'export PULSE_CASSANDRA_TLS_CA_FILE=%q\n' "$CASSANDRA_TLS_DIR/ca.pem"
  fi
  return 0
}

cmd_nodetool() {
  cassandra_installed || die "Cassandra is not installed; run: scripts/infra.sh install cassandra"
  require_java
  local java opt
  java=$(java_bin)
  # The tool needs the same module openings as the server (jvm17-clients.options upstream).
  local -a args=()
  while IFS= read -r opt; do
    case $opt in
      --add-exports=* | --add-opens=* | -Djdk.attach.* | -Dio.netty.*) args+=("$opt") ;;
      *) ;;
    esac
  done < <(read_jvm_options)
  exec "$java" -Xmx128m "${args[@]}" -cp "$CASSANDRA_LIB/*" \
    "-Dlogback.configurationFile=$INFRA_DIR/cassandra/logback-tools.xml" \
    org.apache.cassandra.tools.NodeTool -h 127.0.0.1 -p "$CASSANDRA_JMX_PORT" "$@"
}

# ---------------------------------------------------------------------------
# cluster profile: three NATS servers in one JetStream cluster and a three-node Cassandra ring
# on 127.0.0.1, .2 and .3, each node an ordinary instance of this script with its own run dir
# and ports (see docs/local-infra.md "Cluster profile").

CLUSTER_NODES=3
CLUSTER_RUN_DIR=$(abspath "${PULSE_RUN_DIR:-.run/cluster}")
CLUSTER_NATS_PORT=${PULSE_NATS_PORT:-24222}
CLUSTER_NATS_MONITOR_PORT=${PULSE_NATS_MONITOR_PORT:-28222}
CLUSTER_NATS_ROUTE_PORT=${PULSE_NATS_CLUSTER_PORT:-26222}
CLUSTER_CASSANDRA_PORT=${PULSE_CASSANDRA_PORT:-29042}
CLUSTER_CASSANDRA_STORAGE_PORT=${PULSE_CASSANDRA_STORAGE_PORT:-27000}
CLUSTER_CASSANDRA_HEAP=${PULSE_CASSANDRA_HEAP:-512M}
# NATS users and client/route TLS are on by default in the cluster profile (docs/security.md "NATS");
# one set of passwords and one test CA for the three servers.
CLUSTER_NATS_AUTH=${PULSE_NATS_AUTH:-1}
CLUSTER_NATS_TLS=${PULSE_NATS_TLS:-1}
CLUSTER_NATS_SECRETS_DIR=$(abspath "${PULSE_NATS_SECRETS_DIR:-$CLUSTER_RUN_DIR/secrets/nats}")
CLUSTER_NATS_TLS_DIR=$(abspath "${PULSE_NATS_TLS_DIR:-$CLUSTER_RUN_DIR/tls}")
# Credentials and TLS are on by default in the cluster profile (docs/security.md); one test CA and
# one set of role passwords for the whole ring.
CLUSTER_CASSANDRA_AUTH=${PULSE_CASSANDRA_AUTH:-1}
CLUSTER_CASSANDRA_TLS=${PULSE_CASSANDRA_TLS:-1}
CLUSTER_CASSANDRA_INTERNODE_TLS=${PULSE_CASSANDRA_INTERNODE_TLS:-1}
CLUSTER_CASSANDRA_TLS_DIR=$(abspath "${PULSE_CASSANDRA_TLS_DIR:-$CLUSTER_RUN_DIR/tls}")
CLUSTER_CASSANDRA_SECRETS_DIR=$(abspath "${PULSE_CASSANDRA_SECRETS_DIR:-$CLUSTER_RUN_DIR/secrets/cassandra}")

cluster_routes() {
  local i routes=""
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    routes+="${routes:+,}127.0.0.1:$((CLUSTER_NATS_ROUTE_PORT + i - 1))"
  done
  printf '%s\n' "$routes"
}

# Runs this script for node $1 (1-3) with that node's instance settings.
on_node() {
  local i=$1
  shift
  PULSE_PROFILE=single \
    PULSE_RUN_DIR="$CLUSTER_RUN_DIR/node$i" \
    PULSE_CACHE_DIR="$CACHE_DIR" \
    PULSE_NATS_PORT=$((CLUSTER_NATS_PORT + i - 1)) \
    PULSE_NATS_MONITOR_PORT=$((CLUSTER_NATS_MONITOR_PORT + i - 1)) \
    PULSE_NATS_CLUSTER_PORT=$((CLUSTER_NATS_ROUTE_PORT + i - 1)) \
    PULSE_NATS_ROUTES="$(cluster_routes)" \
    PULSE_NATS_AUTH="$CLUSTER_NATS_AUTH" \
    PULSE_NATS_TLS="$CLUSTER_NATS_TLS" \
    PULSE_NATS_SECRETS_DIR="$CLUSTER_NATS_SECRETS_DIR" \
    PULSE_NATS_TLS_DIR="$CLUSTER_NATS_TLS_DIR" \
    PULSE_CASSANDRA_ADDRESS="127.0.0.$i" \
    PULSE_CASSANDRA_PORT="$CLUSTER_CASSANDRA_PORT" \
    PULSE_CASSANDRA_STORAGE_PORT="$CLUSTER_CASSANDRA_STORAGE_PORT" \
    PULSE_CASSANDRA_JMX_PORT=$((CLUSTER_CASSANDRA_STORAGE_PORT + 199 + i - 1)) \
    PULSE_CASSANDRA_SEEDS="127.0.0.1:$CLUSTER_CASSANDRA_STORAGE_PORT" \
    PULSE_CASSANDRA_ALLOC_RF=3 \
    PULSE_CASSANDRA_HEAP="$CLUSTER_CASSANDRA_HEAP" \
    PULSE_CASSANDRA_AUTH="$CLUSTER_CASSANDRA_AUTH" \
    PULSE_CASSANDRA_AUTH_SETUP=0 \
    PULSE_CASSANDRA_TLS="$CLUSTER_CASSANDRA_TLS" \
    PULSE_CASSANDRA_INTERNODE_TLS="$CLUSTER_CASSANDRA_INTERNODE_TLS" \
    PULSE_CASSANDRA_TLS_DIR="$CLUSTER_CASSANDRA_TLS_DIR" \
    PULSE_CASSANDRA_SECRETS_DIR="$CLUSTER_CASSANDRA_SECRETS_DIR" \
    PULSE_CASSANDRA_JVM_EXTRA="-Dcassandra.ring_delay_ms=5000 -Dcassandra.skip_wait_for_gossip_to_settle=0 ${PULSE_CASSANDRA_JVM_EXTRA:-}" \
    bash "$SCRIPT_DIR/infra.sh" "$@"
}

# Every server of the cluster answers, JetStream has a meta leader, and the ring has every node
# up and normal.
cluster_formed() {
  local i body
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    body=$(curl -fsS --noproxy '*' --max-time 2 \
      "http://127.0.0.1:$((CLUSTER_NATS_MONITOR_PORT + i - 1))/healthz" 2>/dev/null) || return 1
    [[ $body == *'"status":"ok"'* ]] || return 1
  done
  local up
  up=$(on_node 1 nodetool status 2>/dev/null | grep -c '^UN ') || return 1
  ((up == CLUSTER_NODES))
}

cluster_up() {
  local i pids=() rc=0 start
  start=$(now_us)
  on_node 1 install all
  # Passwords and certificates once, before the three servers render their configs in parallel.
  if ((NATS_AUTH)); then
    require_python
    python3 "$INFRA_DIR/nats/nats-auth.py" passwords "$NATS_PERMISSIONS" "$NATS_SECRETS_DIR" ||
      die "could not create the NATS passwords in $NATS_SECRETS_DIR"
  fi
  if ((NATS_TLS)); then ensure_test_ca "$NATS_TLS_DIR"; fi
  # NATS servers start together: JetStream needs a quorum of them to elect a meta leader.
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    on_node "$i" up "$@" nats &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  ((rc == 0)) || die "a NATS server of the cluster did not start (see above)"
  # Cassandra nodes join one after the other (two nodes bootstrapping at once is refused).
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    on_node "$i" up "$@" cassandra || die "Cassandra node $i (127.0.0.$i) did not start (see above)"
  done
  local deadline=$(($(now_us) + 120 * 1000000))
  until cluster_formed; do
    (($(now_us) < deadline)) || die "the cluster did not form in 120 s: check 'scripts/infra.sh --profile cluster status'"
    sleep 1
  done
  if ((CASSANDRA_AUTH)); then
    local i contact_points=""
    for ((i = 1; i <= CLUSTER_NODES; i++)); do contact_points+="${contact_points:+,}127.0.0.$i:$CLUSTER_CASSANDRA_PORT"; done
    cassandra_auth_setup "$CLUSTER_NODES" "$contact_points"
    # Cassandra's docs: after raising system_auth's replication factor, repair it so every
    # replica holds the roles (node 1 replicates every range at RF 3: one repair covers all).
    on_node 1 nodetool repair --full system_auth >/dev/null ||
      die "nodetool repair system_auth failed"
  fi
  info "cluster formed in $(elapsed "$start"): $CLUSTER_NODES NATS servers with a JetStream meta leader, $CLUSTER_NODES Cassandra nodes up and normal"
}

cluster_each() {
  local i rc=0
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    on_node "$i" "$@" | sed "s/^/node$i: /" || rc=$?
  done
  return "$rc"
}

cluster_parallel() {
  local i pids=() rc=0
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    on_node "$i" "$@" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  return "$rc"
}

cluster_env() {
  local i nats="" monitor="" cassandra=""
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    nats+="${nats:+,}$(nats_scheme)://127.0.0.1:$((CLUSTER_NATS_PORT + i - 1))"
    monitor+="${monitor:+,}http://127.0.0.1:$((CLUSTER_NATS_MONITOR_PORT + i - 1))"
    cassandra+="${cassandra:+,}127.0.0.$i:$CLUSTER_CASSANDRA_PORT"
  done
  printf 'export PULSE_NATS_URL=%q\n' "$nats"
  printf 'export PULSE_NATS_MONITOR_URL=%q\n' "${monitor%%,*}"
  nats_security_env
  printf 'export PULSE_CASSANDRA_CONTACT_POINTS=%q\n' "$cassandra"
  printf 'export PULSE_CASSANDRA_LOCAL_DC=%q\n' "datacenter1"
  printf 'export PULSE_STREAM_REPLICAS=3\n'
  printf 'export PULSE_CASSANDRA_REPLICATION_FACTOR=3\n'
  cassandra_security_env
}

cluster_main() {
  # The ring's auth/TLS settings stand for this invocation's (env lines, role set-up).
  CASSANDRA_AUTH=$CLUSTER_CASSANDRA_AUTH CASSANDRA_TLS=$CLUSTER_CASSANDRA_TLS
  CASSANDRA_TLS_DIR=$CLUSTER_CASSANDRA_TLS_DIR CASSANDRA_SECRETS_DIR=$CLUSTER_CASSANDRA_SECRETS_DIR
  NATS_AUTH=$CLUSTER_NATS_AUTH NATS_TLS=$CLUSTER_NATS_TLS
  NATS_SECRETS_DIR=$CLUSTER_NATS_SECRETS_DIR NATS_TLS_DIR=$CLUSTER_NATS_TLS_DIR
  local cmd=${1:-help}
  (($# > 0)) && shift
  case $cmd in
    install) on_node 1 install "$@" ;;
    up) cluster_up "$@" ;;
    down) cluster_parallel down "$@" ;;
    reset) cluster_parallel reset "$@" ;;
    wait) cluster_each wait "$@" ;;
    status)
      local rc=0
      cluster_each status || rc=3
      if cluster_formed; then info "cluster formed"; else info "cluster NOT formed" && rc=3; fi
      return "$rc"
      ;;
    env) cluster_env ;;
    nodetool) on_node 1 nodetool "$@" ;;
    node)
      # node N <command> ...: one node, e.g. `node 2 down cassandra` in a fault test
      [[ ${1:-} =~ ^[1-3]$ ]] || die "usage: infra.sh --profile cluster node 1|2|3 <command> [args]"
      local n=$1
      shift
      on_node "$n" "$@"
      ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

usage() {
  cat <<EOF
usage: scripts/infra.sh <command> [nats|cassandra|all]

  install  fetch/build nats-server v$NATS_VERSION and Cassandra $CASSANDRA_VERSION into $CACHE_DIR
  up       install if needed, start in the background, wait until healthy [--timeout SECONDS]
  down     stop (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s)
  status   one line per server (exit 3 unless everything is healthy)
  wait     wait until healthy without starting anything [--timeout SECONDS]
  reset    down + delete the instance's data
  env      print export lines with this instance's URLs
  nodetool <args>  run Cassandra's nodetool against this instance (JMX port $CASSANDRA_JMX_PORT)

instance: PULSE_RUN_DIR=$RUN_DIR
  nats       client $NATS_PORT, monitor $NATS_MONITOR_PORT
  cassandra  cql $CASSANDRA_PORT, storage $CASSANDRA_STORAGE_PORT, jmx $CASSANDRA_JMX_PORT
See docs/local-infra.md.
EOF
}

main() {
  local profile=${PULSE_PROFILE:-single}
  if [[ ${1:-} == --profile ]]; then
    (($# >= 2)) || die "--profile needs a name (single or cluster)"
    profile=$2
    shift 2
  elif [[ ${1:-} == --profile=* ]]; then
    profile=${1#--profile=}
    shift
  fi
  case $profile in
    single) ;;
    cluster)
      cluster_main "$@"
      return
      ;;
    *) die "unknown profile '$profile' (single or cluster)" ;;
  esac
  local cmd=${1:-help}
  (($# > 0)) && shift
  case $cmd in
    install | up | down | wait | reset)
      # [--timeout SECONDS] (up, wait) and at most one server name
      local -a rest=()
      while (($# > 0)); do
        case $1 in
          --timeout | --timeout=*)
            [[ $cmd == up || $cmd == wait ]] || die "'$cmd' does not take --timeout"
            if [[ $1 == --timeout=* ]]; then
              PULSE_INFRA_TIMEOUT=${1#--timeout=}
            else
              (($# >= 2)) || die "--timeout needs a number of seconds"
              PULSE_INFRA_TIMEOUT=$2
              shift
            fi
            [[ $PULSE_INFRA_TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"
            ;;
          -*) die "unknown option '$1' for '$cmd'" ;;
          *) rest+=("$1") ;;
        esac
        shift
      done
      ((${#rest[@]} <= 1)) || die "'$cmd' takes at most one server name (nats, cassandra or all)"
      "cmd_$cmd" "${rest[@]}"
      ;;
    status | env)
      (($# == 0)) || die "'$cmd' takes no arguments"
      "cmd_$cmd"
      ;;
    nodetool) cmd_nodetool "$@" ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
