#!/usr/bin/env bash
# The whole system on this machine: installs what is missing, starts PostgreSQL, Redis, RabbitMQ,
# builds and starts the four services (2 replicas of redpacket and account by default) and nginx
# as the ingress, all on 127.0.0.1. Running it again starts only what is not running.
#   ERP_REPLICAS_REDPACKET=3 ERP_REPLICAS_ACCOUNT=2 ERP_REPLICAS_MONITOR=1 ERP_REPLICAS_WEBPAGE=1 deploy/local/up.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here=$(dirname "${BASH_SOURCE[0]}")

bash "$here/install.sh"
bash "$here/infra.sh"

if [ -z "${ERP_SKIP_BUILD:-}" ]; then
  log "building (Release)"
  dotnet build "$REPO_ROOT/ElasticRedPacket.sln" -c Release --disable-build-servers -nologo -v quiet -clp:ErrorsOnly >"$LOG_DIR/build.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/build.log"; die "build failed (full log: $LOG_DIR/build.log)"; }
fi

mkdir -p "$DATA_DIR/replicas"
declare -A default_replicas=([webpage]=1 [account]=2 [redpacket]=2 [monitor]=1)
for s in "${SERVICES[@]}"; do
  var="ERP_REPLICAS_${s^^}"
  count=${!var:-$(cat "$DATA_DIR/replicas/$s" 2>/dev/null || echo "${default_replicas[$s]}")}
  echo "$count" > "$DATA_DIR/replicas/$s"
done

# Start order: monitor and account first (monitor applies migrations; redpacket calls account).
for s in monitor account redpacket webpage; do
  for i in $(seq 0 $(( $(cat "$DATA_DIR/replicas/$s") - 1 ))); do
    log "$s replica $i: starting on 127.0.0.1:$(service_port "$s" "$i")"
    bash "$here/services.sh" start "$s" "$i"
  done
done
for s in monitor account redpacket webpage; do
  for i in $(seq 0 $(( $(cat "$DATA_DIR/replicas/$s") - 1 ))); do
    bash "$here/services.sh" wait "$s" "$i" 120
  done
done
bash "$here/nginx.sh"
for s in "${SERVICES[@]}"; do wait_http "$s through nginx" "http://127.0.0.1:$PORT_NGINX/_stack/$s/readyz" 30; done

cat <<EOT

ElasticRedPacket is up (stack '$STACK_NAME', data in $DATA_DIR, logs in $LOG_DIR):
  grab page        http://127.0.0.1:$PORT_NGINX/
  operator monitor http://127.0.0.1:$PORT_NGINX/monitor
  APIs             http://127.0.0.1:$PORT_NGINX/api/grab  /api/accounts  /api/campaigns
  readiness        http://127.0.0.1:$PORT_NGINX/_stack/<webpage|account|redpacket|monitor>/readyz
  rabbitmq mgmt    http://127.0.0.1:$PORT_RABBITMQ_MANAGEMENT/   (user erp; ERP_RABBITMQ_MANAGEMENT in $STACK_ENV)
  operator key     $(grep ERP_OPERATOR_KEY "$STACK_ENV" | cut -d= -f2- | tr -d "'")   (generated; in $STACK_ENV)
Replicas: $(for s in "${SERVICES[@]}"; do printf '%s=%s ' "$s" "$(cat "$DATA_DIR/replicas/$s")"; done)
Stop with: ERP_STACK=$STACK_NAME deploy/local/down.sh
EOT
