#!/usr/bin/env bash
#
# A local trace viewer for the demo: Zipkin's server (its executable jar from Maven Central,
# pinned and checksum-verified, cached in .cache/zipkin) with in-memory storage, run as a plain
# JVM process. The services send it spans with the OpenTelemetry SDK's standard Zipkin exporter
# (OTEL_TRACES_EXPORTER=zipkin, OTEL_EXPORTER_ZIPKIN_ENDPOINT; see docs/operations.md).
#
# Why Zipkin and not Jaeger: `go install github.com/jaegertracing/jaeger/cmd/jaeger` builds a
# Jaeger whose UI is a placeholder page — the UI bundle is built from a separate repository and
# is in no package registry this project can reach — while Zipkin's jar ships its UI.
#
#   scripts/trace-viewer.sh install                 download the pinned jar (once)
#   scripts/trace-viewer.sh up [--timeout S]        install if needed, start, wait until healthy
#   scripts/trace-viewer.sh down                    SIGTERM, then SIGKILL after 20 s
#   scripts/trace-viewer.sh status                  one line; exit 3 unless healthy
#   scripts/trace-viewer.sh env                     export lines for the services
#
#   PULSE_RUN_DIR           .run/dev   pid file, log
#   PULSE_TRACES_PORT       9411       HTTP: UI at /zipkin/, spans at /api/v2/spans
#   PULSE_TRACES_MAX_SPANS  200000     spans kept in memory (the oldest traces are dropped)
#   PULSE_TRACES_HEAP       256m
#   PULSE_CACHE_DIR         .cache
set -euo pipefail

readonly ZIPKIN_VERSION=3.6.1
readonly ZIPKIN_SHA1=5800cc1f3d2eb8f38d2d6905d59f9a0414b6d7dd
readonly ZIPKIN_URL=https://repo1.maven.org/maven2/io/zipkin/zipkin-server/$ZIPKIN_VERSION/zipkin-server-$ZIPKIN_VERSION-exec.jar

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)

abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$REPO_ROOT/$1" ;; esac; }
info() { printf 'pulse traces: %s\n' "$*"; }
die() {
  printf 'pulse traces: %s\n' "$*" >&2
  exit 1
}

RUN_DIR=$(abspath "${PULSE_RUN_DIR:-.run/dev}")/zipkin
CACHE_DIR=$(abspath "${PULSE_CACHE_DIR:-.cache}")/zipkin
PORT=${PULSE_TRACES_PORT:-9411}
MAX_SPANS=${PULSE_TRACES_MAX_SPANS:-200000}
HEAP=${PULSE_TRACES_HEAP:-256m}
JAR=$CACHE_DIR/zipkin-server-$ZIPKIN_VERSION-exec.jar
PID_FILE=$RUN_DIR/zipkin.pid
LOG_FILE=$RUN_DIR/zipkin.log

[[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT <= 65535)) || die "PULSE_TRACES_PORT must be a TCP port, got '$PORT'"
[[ $MAX_SPANS =~ ^[0-9]+$ ]] || die "PULSE_TRACES_MAX_SPANS must be a whole number, got '$MAX_SPANS'"

install() {
  [[ -s $JAR ]] && return 0
  command -v java >/dev/null || die "java is required (OpenJDK 17+)"
  mkdir -p "$CACHE_DIR"
  info "downloading Zipkin $ZIPKIN_VERSION from Maven Central"
  curl -fsSL --retry 3 -o "$JAR.part" "$ZIPKIN_URL" || die "could not download $ZIPKIN_URL"
  local sum
  sum=$(sha1sum "$JAR.part" | cut -d' ' -f1)
  if [[ $sum != "$ZIPKIN_SHA1" ]]; then
    rm -f "$JAR.part"
    die "checksum mismatch for $ZIPKIN_URL: got $sum, want $ZIPKIN_SHA1"
  fi
  mv -f "$JAR.part" "$JAR"
}

running_pid() {
  [[ -s $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

healthy() { curl -fsS --noproxy '*' --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '"UP"'; }

up() {
  local timeout=60
  if [[ ${1:-} == --timeout ]]; then
    timeout=${2:?--timeout needs seconds}
  fi
  install
  mkdir -p "$RUN_DIR"
  if ! running_pid >/dev/null; then
    if healthy; then die "port $PORT already answers as a Zipkin that this instance did not start (PULSE_TRACES_PORT)"; fi
    # Settings through the environment variables Zipkin documents (zipkin-server README).
    QUERY_PORT=$PORT STORAGE_TYPE=mem MEM_MAX_SPANS=$MAX_SPANS COLLECTOR_ACTIVEMQ_ENABLED=false \
      COLLECTOR_KAFKA_ENABLED=false COLLECTOR_RABBITMQ_ENABLED=false COLLECTOR_SCRIBE_ENABLED=false \
      nohup java "-Xms64m" "-Xmx$HEAP" -XX:+UseSerialGC -jar "$JAR" >"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  fi
  local deadline=$((SECONDS + timeout))
  until healthy; do
    running_pid >/dev/null || die "Zipkin exited during start-up; see $LOG_FILE"
    ((SECONDS < deadline)) || die "Zipkin did not answer on port $PORT in $timeout s; see $LOG_FILE"
    sleep 0.5
  done
  info "Zipkin $ZIPKIN_VERSION ready: http://127.0.0.1:$PORT/zipkin/"
}

down() {
  local pid
  pid=$(running_pid) || {
    rm -f "$PID_FILE"
    return 0
  }
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  info "Zipkin stopped"
}

status() {
  if healthy; then
    info "Zipkin: up on http://127.0.0.1:$PORT/zipkin/"
  else
    info "Zipkin: down"
    return 3
  fi
}

env_lines() {
  printf 'export OTEL_TRACES_EXPORTER=zipkin\n'
  printf 'export OTEL_EXPORTER_ZIPKIN_ENDPOINT=%q\n' "http://127.0.0.1:$PORT/api/v2/spans"
  printf 'export PULSE_TRACES_UI_URL=%q\n' "http://127.0.0.1:$PORT/zipkin/"
}

cmd=${1:-help}
(($# > 0)) && shift
case $cmd in
  install) install ;;
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  env) env_lines ;;
  *) die "usage: scripts/trace-viewer.sh install|up|down|status|env" ;;
esac
