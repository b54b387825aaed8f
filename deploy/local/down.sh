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
for component in postgres redis rabbitmq; do stop_infra "$component" & done
wait
stop_pid epmd 5
log "stack '$STACK_NAME' stopped"
