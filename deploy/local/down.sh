#!/usr/bin/env bash
# Stops exactly what this stack started, by the pids it recorded: services first (they drain),
# then nginx, then the infrastructure. Data stays in $DATA_DIR for the next start.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -d "$PID_DIR" ] || { log "stack '$STACK_NAME' has nothing running"; exit 0; }
for file in "$PID_DIR"/svc-*.pid; do
  [ -e "$file" ] || continue
  name=$(basename "$file" .pid)
  stop_pid "$name" 40 &
done
wait
stop_pid nginx 10
# PostgreSQL's fast shutdown is SIGINT; SIGTERM would wait for clients to disconnect.
if pid_alive postgres; then kill -INT "$(cat "$PID_DIR/postgres.pid")" 2>/dev/null || true; fi
stop_pid postgres 30 &
stop_pid redis 10 &
stop_pid rabbitmq 30 &
wait
stop_pid epmd 5
log "stack '$STACK_NAME' stopped"
