#!/usr/bin/env bash
# Starts or stops replicas of the services: services.sh start <service> <replica> | stop <service> <replica>.
# A replica is the Release build run with this stack's settings on its own port.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

assembly() {
  case "$1" in
    webpage) echo Webpage ;; account) echo Account ;; redpacket) echo RedPacket ;; monitor) echo Monitor ;;
    *) die "unknown service '$1' (one of: ${SERVICES[*]})" ;;
  esac
}

start_replica() { # service replica
  local name=svc-$1-$2 port dll
  pid_alive "$name" && return 0
  port=$(service_port "$1" "$2")
  dll=$REPO_ROOT/services/$1/bin/Release/net10.0/ElasticRedPacket.$(assembly "$1").dll
  [ -f "$dll" ] || die "$dll is missing: build first (dotnet build ElasticRedPacket.sln -c Release)"
  load_stack_env || die "no $STACK_ENV: start the infrastructure first (deploy/local/infra.sh)"
  (
    cd "$REPO_ROOT/services/$1"
    export ASPNETCORE_URLS=http://127.0.0.1:$port ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production} \
      ConnectionStrings__Postgres=$ERP_POSTGRES ConnectionStrings__Redis=$ERP_REDIS ConnectionStrings__RabbitMQ=$ERP_RABBITMQ \
      Auth__TokenKey=$ERP_TOKEN_KEY Auth__OperatorKey=$ERP_OPERATOR_KEY \
      Services__AccountUrl=http://127.0.0.1:$PORT_NGINX_INTERNAL \
      ERP_REPLICA=$1-$2
    exec dotnet "$dll" </dev/null >>"$LOG_DIR/$name.log" 2>&1
  ) &
  echo $! > "$PID_DIR/$name.pid"
}

wait_ready() { # service replica timeout: fails at once, with its last log lines, if the replica exits
  local name=svc-$1-$2 url deadline
  url=http://127.0.0.1:$(service_port "$1" "$2")/readyz
  deadline=$((SECONDS + ${3:-90}))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if ! pid_alive "$name"; then
      tail -n 20 "$LOG_DIR/$name.log" >&2
      die "$1 replica $2 exited during start-up (log: $LOG_DIR/$name.log)"
    fi
    [ $SECONDS -lt $deadline ] || die "$1 replica $2 not ready at $url within ${3:-90} s (log: $LOG_DIR/$name.log)"
    sleep 0.5
  done
}

case "${1:-}" in
  start) start_replica "$2" "$3" ;;
  wait) wait_ready "$2" "$3" "${4:-90}" ;;
  stop) stop_pid "svc-$2-$3" 40 ;;
  *) die "usage: services.sh start|wait|stop <service> <replica>" ;;
esac
