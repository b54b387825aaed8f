#!/usr/bin/env bash
# Faults for chaos tests and drills on a running stack, always on processes the stack started:
#   fault.sh restart postgres|redis|rabbitmq   stop the server (graceful) and start it again
#   fault.sh crash postgres|redis|rabbitmq     kill -9 the server, then start it again
#   fault.sh kill <service> <replica>          kill -9 one service replica (it stays down; scale.sh or services.sh start brings it back)
#   fault.sh flush-redis                       FLUSHALL: every cached user and rate-limit window is gone
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here=$(dirname "${BASH_SOURCE[0]}")

case "${1:-}" in
  restart)
    log "restarting ${2:?component}"
    stop_infra "$2"
    bash "$here/infra.sh" "$2" ;;
  crash)
    pid_alive "${2:?component}" || die "$2 is not running"
    log "kill -9 $2 (pid $(cat "$PID_DIR/$2.pid"))"
    kill -KILL "$(cat "$PID_DIR/$2.pid")"
    rm -f "$PID_DIR/$2.pid"
    sleep 1
    bash "$here/infra.sh" "$2" ;;
  kill)
    name=svc-${2:?service}-${3:?replica}
    pid_alive "$name" || die "$2 replica $3 is not running"
    log "kill -9 $2 replica $3 (pid $(cat "$PID_DIR/$name.pid"))"
    kill -KILL "$(cat "$PID_DIR/$name.pid")"
    rm -f "$PID_DIR/$name.pid" ;;
  flush-redis)
    load_stack_env
    . "$DATA_DIR/secrets.env"
    REDISCLI_AUTH=$ERP_REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$PORT_REDIS" FLUSHALL ;;
  *) die "usage: fault.sh restart|crash <postgres|redis|rabbitmq> | kill <service> <replica> | flush-redis" ;;
esac
