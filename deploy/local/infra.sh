#!/usr/bin/env bash
# Starts this stack's PostgreSQL, Redis and RabbitMQ on 127.0.0.1, each a process of our own
# with its data under $DATA_DIR, and waits until each answers. Safe to run twice.
#   infra.sh                      all three
#   infra.sh postgres rabbitmq    only those (fault.sh uses this to restart one)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$PID_DIR" "$LOG_DIR"
chmod 755 "$DATA_DIR"
mkdir -p "$REPO_ROOT/.local"
ln -sfn "$DATA_DIR" "$REPO_ROOT/.local/$STACK_NAME"

# Development secrets: generated once per stack, never committed.
SECRETS=$DATA_DIR/secrets.env
if [ ! -f "$SECRETS" ]; then
  gen() { head -c 24 /dev/urandom | base64 | tr -d '/+=' ; }
  umask 077
  cat > "$SECRETS" <<EOT
ERP_POSTGRES_PASSWORD=$(gen)
ERP_REDIS_PASSWORD=$(gen)
ERP_RABBITMQ_PASSWORD=$(gen)
ERP_TOKEN_KEY=$(head -c 32 /dev/urandom | base64)
ERP_OPERATOR_KEY=$(gen)
EOT
  umask 022
fi
# shellcheck disable=SC1090
. "$SECRETS"

start_postgres() {
  local bin pgdata=$DATA_DIR/postgres
  bin=$(pg_bin)
  if pid_alive postgres; then return; fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    log "postgres: initdb in $pgdata"
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pgdata"
    local pwfile=$DATA_DIR/.pgpw
    printf '%s\n' "$ERP_POSTGRES_PASSWORD" > "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    as_postgres "$bin/initdb" -D "$pgdata" -U erp --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --no-locale >"$LOG_DIR/initdb.log" 2>&1 \
      || die "initdb failed: $LOG_DIR/initdb.log"
    rm -f "$pwfile"
    cat >> "$pgdata/postgresql.conf" <<EOT
listen_addresses = '127.0.0.1'
port = $PORT_POSTGRES
unix_socket_directories = '$pgdata'
max_connections = 300
shared_buffers = 256MB
# A peak writes WAL fast (a claim is a heap row and three index entries): with the default 1GB a
# checkpoint started mid-peak and the full-page writes after it slowed every claim batch.
max_wal_size = 4GB
checkpoint_timeout = 15min
synchronous_commit = on
wal_level = replica
fsync = on
log_min_messages = warning
EOT
  fi
  [ "$(id -u)" = 0 ] && chown postgres "$LOG_DIR" 2>/dev/null || true
  log "postgres: starting on 127.0.0.1:$PORT_POSTGRES"
  rm -f "$pgdata/postmaster.pid"
  as_postgres "$bin/postgres" -D "$pgdata" </dev/null >"$LOG_DIR/postgres.log" 2>&1 &
  wait_tcp postgres "$PORT_POSTGRES" 60
  # The postmaster's own pid (not runuser's): stopping sends it SIGINT, PostgreSQL's fast shutdown.
  head -n 1 "$pgdata/postmaster.pid" > "$PID_DIR/postgres.pid"
  local deadline=$((SECONDS + 30))
  until PGPASSWORD=$ERP_POSTGRES_PASSWORD psql -h 127.0.0.1 -p "$PORT_POSTGRES" -U erp -d postgres -Atqc 'select 1' >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "postgres does not accept connections (log: $LOG_DIR/postgres.log)"
    sleep 0.3
  done
  PGPASSWORD=$ERP_POSTGRES_PASSWORD psql -h 127.0.0.1 -p "$PORT_POSTGRES" -U erp -d postgres -Atqc \
    "select 1 from pg_database where datname='redpacket'" | grep -q 1 \
    || PGPASSWORD=$ERP_POSTGRES_PASSWORD psql -h 127.0.0.1 -p "$PORT_POSTGRES" -U erp -d postgres -qc 'create database redpacket' >/dev/null
}

start_redis() {
  if pid_alive redis; then return; fi
  log "redis: starting on 127.0.0.1:$PORT_REDIS"
  mkdir -p "$DATA_DIR/redis"
  cat > "$DATA_DIR/redis/redis.conf" <<EOT
bind 127.0.0.1
port $PORT_REDIS
dir $DATA_DIR/redis
requirepass $ERP_REDIS_PASSWORD
save ""
appendonly no
daemonize no
EOT
  chmod 600 "$DATA_DIR/redis/redis.conf"
  redis-server "$DATA_DIR/redis/redis.conf" >"$LOG_DIR/redis.log" 2>&1 &
  echo $! > "$PID_DIR/redis.pid"
  wait_redis "$PORT_REDIS" "$ERP_REDIS_PASSWORD" 20
}

start_rabbitmq() {
  if pid_alive rabbitmq; then return; fi
  local dir=$DATA_DIR/rabbitmq
  mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
  cat > "$dir/rabbitmq.conf" <<EOT
listeners.tcp.1 = 127.0.0.1:$PORT_AMQP
loopback_users = none
default_user = erp
default_pass = $ERP_RABBITMQ_PASSWORD
default_vhost = /
log.console = true
log.console.level = warning
log.file = false
management.tcp.ip = 127.0.0.1
management.tcp.port = $PORT_RABBITMQ_MANAGEMENT
management.rates_mode = none
collect_statistics_interval = 1000
EOT
  # Quorum queues report their message counts on their own tick (default 5000 ms, not in
  # rabbitmq.conf's schema); with collect_statistics_interval it bounds how stale the management
  # API's ready/unacked counts are (the audit waits for them to hold still: docs/loadtest.md).
  cat > "$dir/advanced.config" <<EOT
[{rabbit, [{quorum_tick_interval, 1000}]}].
EOT
  chmod 600 "$dir/rabbitmq.conf"
  # The management API only (its agent and web server come with it): the audit reads
  # messages_ready and messages_unacknowledged per queue from it.
  echo '[rabbitmq_management].' > "$dir/enabled_plugins"
  export HOME=$dir/home RABBITMQ_NODENAME="erp$PORT_BASE@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$PORT_AMQP RABBITMQ_DIST_PORT=$PORT_ERLANG_DIST ERL_EPMD_PORT=$PORT_EPMD ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins \
    RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/rabbitmq.pid
  # Our own epmd on our own port, in the foreground, so stopping the stack stops it too.
  if ! pid_alive epmd; then
    epmd -port "$PORT_EPMD" -address 127.0.0.1 >"$LOG_DIR/epmd.log" 2>&1 &
    echo $! > "$PID_DIR/epmd.pid"
    wait_tcp epmd "$PORT_EPMD" 10
  fi
  log "rabbitmq: starting on 127.0.0.1:$PORT_AMQP (about 15 s)"
  rm -f "$dir/rabbitmq.pid"
  /usr/lib/rabbitmq/bin/rabbitmq-server </dev/null >"$LOG_DIR/rabbitmq.log" 2>&1 &
  wait_tcp rabbitmq "$PORT_AMQP" 90
  wait_tcp rabbitmq-management "$PORT_RABBITMQ_MANAGEMENT" 30
  # The Erlang VM's pid (the wrapper script's child): SIGTERM makes it stop gracefully.
  cp "$dir/rabbitmq.pid" "$PID_DIR/rabbitmq.pid"
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(postgres redis rabbitmq)
pids=()
for component in "${components[@]}"; do
  case "$component" in
    postgres|redis|rabbitmq) "start_$component" & pids+=($!) ;;
    *) die "unknown component '$component' (postgres, redis, rabbitmq)" ;;
  esac
done
for pid in "${pids[@]}"; do wait "$pid" || die "infrastructure did not start"; done

cat > "$STACK_ENV" <<EOT
# Written by deploy/local/infra.sh for stack $STACK_NAME; read by the services and the tests (KEY='value').
ERP_STACK='$STACK_NAME'
ERP_PORT_BASE='$PORT_BASE'
ERP_DATA_DIR='$DATA_DIR'
ERP_NGINX_URL='http://127.0.0.1:$PORT_NGINX'
ERP_POSTGRES='Host=127.0.0.1;Port=$PORT_POSTGRES;Database=redpacket;Username=erp;Password=$ERP_POSTGRES_PASSWORD;Maximum Pool Size=64;No Reset On Close=true'
ERP_REDIS='127.0.0.1:$PORT_REDIS,password=$ERP_REDIS_PASSWORD,abortConnect=false'
ERP_RABBITMQ='amqp://erp:$ERP_RABBITMQ_PASSWORD@127.0.0.1:$PORT_AMQP/'
ERP_RABBITMQ_MANAGEMENT='http://erp:$ERP_RABBITMQ_PASSWORD@127.0.0.1:$PORT_RABBITMQ_MANAGEMENT/'
ERP_TOKEN_KEY='$ERP_TOKEN_KEY'
ERP_OPERATOR_KEY='$ERP_OPERATOR_KEY'
EOT
chmod 600 "$STACK_ENV"
log "ready: ${components[*]} (postgres :$PORT_POSTGRES, redis :$PORT_REDIS, rabbitmq :$PORT_AMQP, management :$PORT_RABBITMQ_MANAGEMENT)"
