#!/usr/bin/env bash
# Shared by the local stack scripts: where a stack lives, its ports, and pid bookkeeping.
# A stack is named (dev for up.sh, test for test.sh); each has its own port base and data folder,
# so a developer's stack and the test suite's never collide.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_NAME=${ERP_STACK:-dev}
case "$STACK_NAME" in
  dev) DEFAULT_BASE=18000 ;;
  test) DEFAULT_BASE=19000 ;;
  *) DEFAULT_BASE=20000 ;;
esac
PORT_BASE=${ERP_PORT_BASE:-$DEFAULT_BASE}

# Data lives under /tmp (the postgres user cannot enter /root); .local/<stack> in the checkout
# is a git-ignored link to it, so each checkout and stack has one folder of its own.
CHECKOUT_ID=$(printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-8)
DATA_DIR=${ERP_DATA_DIR:-/tmp/erp-$CHECKOUT_ID-$STACK_NAME}
PID_DIR=$DATA_DIR/pids
LOG_DIR=$DATA_DIR/logs
STACK_ENV=$DATA_DIR/stack.env

PORT_NGINX=$((PORT_BASE + 80))
PORT_NGINX_INTERNAL=$((PORT_BASE + 81))
PORT_POSTGRES=$((PORT_BASE + 432))
PORT_REDIS=$((PORT_BASE + 379))
PORT_AMQP=$((PORT_BASE + 672))
PORT_EPMD=$((PORT_BASE + 369))
PORT_ERLANG_DIST=$((PORT_BASE + 673))
# RabbitMQ's management HTTP API (15672 by default), for the load-test audit's unacked counts.
PORT_RABBITMQ_MANAGEMENT=$((PORT_BASE + 156))
# Service replicas: replica i of a service listens on its base + i.
PORT_WEBPAGE=$((PORT_BASE + 100))
PORT_ACCOUNT=$((PORT_BASE + 110))
PORT_REDPACKET=$((PORT_BASE + 120))
PORT_MONITOR=$((PORT_BASE + 130))
SERVICES=(webpage account redpacket monitor)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

service_port() { # service replica-index
  local var="PORT_${1^^}"
  echo $(( ${!var} + $2 ))
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  echo "$dir"
}

# pid files: $PID_DIR/<name>.pid holds the pid of a process this stack started.
pid_alive() { [ -f "$PID_DIR/$1.pid" ] && pid_is_ours "$1" "$(cat "$PID_DIR/$1.pid")"; }

# What the command line of each recorded process contains (a service replica is briefly the
# services.sh subshell before it execs dotnet).
expected_cmdline() { # name
  case "$1" in
    svc-*) echo 'ElasticRedPacket\.|services\.sh' ;;
    postgres) echo 'postgres' ;;
    redis) echo 'redis-server' ;;
    rabbitmq) echo 'beam|rabbit' ;;
    epmd) echo 'epmd' ;;
    nginx) echo 'nginx' ;;
    *) echo '.' ;;
  esac
}

# True when pid is alive and still the process we recorded under name: after a crash the kernel
# may have given the pid to an unrelated process, which must not be signalled.
pid_is_ours() { # name pid
  local cmdline
  kill -0 "$2" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" =~ $(expected_cmdline "$1") ]]
}

stop_pid() { # name [timeout-seconds]
  local file="$PID_DIR/$1.pid" timeout=${2:-30} pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null && ! pid_is_ours "$1" "$pid"; then
    log "$1: pid $pid now belongs to another process ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)); forgetting it"
  elif kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((timeout * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$1 (pid $pid) did not stop in ${timeout}s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

# pid -> its start time (clock ticks after boot; field 22 of /proc/PID/stat, counted after the
# parenthesised command name, which may hold spaces): tells a reused pid apart.
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# "name pid start-time" for every live process this stack recorded and each of its descendants
# (nginx workers, PostgreSQL backends, the Erlang VM's helpers): what stopping must end.
stack_processes() {
  local file name pid tree started
  tree=$(ps -eo pid=,ppid=)
  for file in "$PID_DIR"/*.pid; do
    [ -e "$file" ] || continue
    name=$(basename "$file" .pid) pid=$(cat "$file")
    pid_is_ours "$name" "$pid" || continue
    for p in $pid $(echo "$tree" | awk -v root="$pid" '
        { parent[$1] = $2 }
        END { for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]; if (q == root && p != root) print p } }'); do
      # A child that exited since ps listed it has no start time: nothing left to stop.
      started=$(start_time "$p")
      if [ -n "$started" ]; then echo "$name $p $started"; fi
    done
  done
}

# Prints the processes of a stack_processes list that still run (same pid, same start time),
# waiting up to timeout seconds for them to go; returns 1 if any is left.
still_running() { # list timeout-seconds
  local deadline=$((SECONDS + $2)) left name pid started
  while :; do
    left=$(while read -r name pid started; do
      if [ -n "$pid" ] && [ -n "$started" ] && [ "$(start_time "$pid")" = "$started" ]; then
        echo "$name pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-100)"
      fi
    done <<<"$1")
    [ -z "$left" ] && return 0
    [ $SECONDS -lt $deadline ] || { echo "$left"; return 1; }
    sleep 0.5
  done
}

wait_tcp() { # name port timeout-seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "$1 did not open 127.0.0.1:$2 within $3 s (logs: $LOG_DIR)"
    sleep 0.3
  done
}

wait_redis() { # port password timeout-seconds: the TCP port opens before Redis can answer (loading)
  local deadline=$((SECONDS + $3))
  until [ "$(REDISCLI_AUTH=$2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null)" = PONG ]; do
    [ $SECONDS -lt $deadline ] || die "redis on 127.0.0.1:$1 did not answer PING within $3 s (logs: $LOG_DIR)"
    sleep 0.3
  done
}

wait_http() { # name url timeout-seconds
  local deadline=$((SECONDS + $3))
  until curl -fsS -o /dev/null --max-time 2 "$2" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "$1 did not answer $2 within $3 s (logs: $LOG_DIR)"
    sleep 0.5
  done
}

load_stack_env() { [ -f "$STACK_ENV" ] && set -a && . "$STACK_ENV" && set +a; }

stop_infra() { # component: stops one of the stack's servers by its recorded pid
  case "$1" in
    # PostgreSQL's fast shutdown is SIGINT; SIGTERM would wait for every client to disconnect.
    postgres) pid_alive postgres && kill -INT "$(cat "$PID_DIR/postgres.pid")" 2>/dev/null; stop_pid postgres 30 ;;
    redis) stop_pid redis 10 ;;
    rabbitmq) stop_pid rabbitmq 30 ;;
    *) die "unknown component '$1'" ;;
  esac
}
