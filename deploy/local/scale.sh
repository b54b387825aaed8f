#!/usr/bin/env bash
# Changes the replica count of one service while the stack runs (the local `kubectl scale`):
#   deploy/local/scale.sh redpacket 4
# Scale-out: new replicas start and must pass /readyz before nginx sends them traffic.
# Scale-in: nginx stops routing to the surplus replicas first (a graceful reload: old workers finish
# their requests), then each surplus replica gets SIGTERM and drains (readiness off, in-flight
# requests finish, buffered messages are committed or returned) before it exits.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here=$(dirname "${BASH_SOURCE[0]}")

service=${1:-}; target=${2:-}
[[ " ${SERVICES[*]} " == *" $service "* ]] || die "usage: scale.sh <${SERVICES[*]// /|}> <replicas>"
[[ "$target" =~ ^[0-9]+$ ]] && [ "$target" -ge 1 ] && [ "$target" -le 9 ] || die "replicas must be 1..9 (ports base+N0..N9)"
[ -f "$DATA_DIR/replicas/$service" ] || die "stack '$STACK_NAME' is not running (no $DATA_DIR/replicas/$service)"
current=$(cat "$DATA_DIR/replicas/$service")

if [ "$target" -gt "$current" ]; then
  for i in $(seq "$current" $((target - 1))); do
    log "$service replica $i: starting on 127.0.0.1:$(service_port "$service" "$i")"
    bash "$here/services.sh" start "$service" "$i"
  done
  for i in $(seq "$current" $((target - 1))); do bash "$here/services.sh" wait "$service" "$i" 120; done
  echo "$target" > "$DATA_DIR/replicas/$service"
  bash "$here/nginx.sh"
elif [ "$target" -lt "$current" ]; then
  echo "$target" > "$DATA_DIR/replicas/$service"
  bash "$here/nginx.sh"
  # Requests already proxied to a removed replica finish on nginx's old workers; give them a moment.
  sleep "${ERP_SCALE_IN_GRACE:-1}"
  for i in $(seq "$target" $((current - 1))); do
    log "$service replica $i: draining"
    bash "$here/services.sh" stop "$service" "$i" &
  done
  wait
fi
log "$service: $target replica(s)"
