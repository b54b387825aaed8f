#!/usr/bin/env bash
# Grab throughput through nginx against a running local stack (deploy/local/up.sh; 2 redpacket and
# 2 account replicas by default): creates users (bulk endpoint) and their tokens (login), a campaign
# with one released batch of packets, runs wrk for a bounded time, prints grabs/s, latency
# percentiles, outcome counts, then checks the ledger and closes its campaigns (what is left in their
# queues is drained and expired by monitor).
#   ERP_STACK=test ERP_PORT_BASE=21000 bench/grab-wrk.sh [users] [packets] [seconds] [connections]
# ERP_BENCH_CPU_SHARE=1 adds the CPU per grab of each stack process (bench/cpu-share.sh).
# ERP_BENCH_WARMUP_SECONDS (10; 0: none): a warm-up run on a campaign of its own first, not counted.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
users=${1:-50000} packets=${2:-40000} seconds=${3:-15} connections=${4:-64}
[ "$seconds" -le 60 ] || die "keep it bounded: at most 60 s"
load_stack_env || die "no $STACK_ENV: start the stack first (deploy/local/up.sh)"
command -v wrk >/dev/null || die "wrk is not installed: ERP_WITH_WRK=1 deploy/local/install.sh installs it"

work=$DATA_DIR/bench
mkdir -p "$work"
log "building the seed helper"
dotnet build "$here/seed" -c Release --disable-build-servers -nologo -v quiet -clp:ErrorsOnly >"$work/seed-build.log" 2>&1 || { tail -n 20 "$work/seed-build.log"; die "seed build failed"; }
seed() { dotnet "$here/seed/bin/Release/net10.0/ElasticRedPacket.Bench.Seed.dll" "$@"; }

log "seeding $users users (bulk + login) and a campaign of $packets packets"
campaign=$(seed seed "$ERP_NGINX_URL" "$ERP_OPERATOR_KEY" "$ERP_POSTGRES" "$ERP_RABBITMQ" "$users" "$packets" "$work/tokens.txt" | tail -n 1)
# Warm-up, excluded from the figures: the services' code is compiled by the JIT (tiered, with PGO)
# while it first serves, which took 10% of redpacket's CPU in the first 20 s of a cold run. A small
# campaign of its own sells out during the warm-up, so both the won and the sold_out paths are warm.
warmup=${ERP_BENCH_WARMUP_SECONDS:-10}
if [ "$warmup" -gt 0 ]; then
  warm_campaign=$(seed campaign "$ERP_POSTGRES" "$ERP_RABBITMQ" "$((warmup * 3000))" | tail -n 1)
  log "warm-up: campaign $warm_campaign, $((warmup * 3000)) packets, wrk ${warmup}s (not counted)"
  ERP_BENCH_TOKENS=$work/tokens.txt ERP_BENCH_CAMPAIGN=$warm_campaign \
    wrk -t2 -c"$connections" -d"${warmup}s" -s "$here/grab.lua" "$ERP_NGINX_URL" >"$work/warmup.txt"
  sleep 2 # the per-user rate-limit windows of the warm-up's grabs pass
fi
log "campaign $campaign; wrk -t2 -c$connections -d${seconds}s through nginx $ERP_NGINX_URL"
# ERP_BENCH_CPU_SHARE=1: also print the CPU each stack process spent per grab (bench/cpu-share.sh).
cpu_share=()
[ "${ERP_BENCH_CPU_SHARE:-0}" = 1 ] && cpu_share=("$here/cpu-share.sh" 0 --)
ERP_BENCH_TOKENS=$work/tokens.txt ERP_BENCH_CAMPAIGN=$campaign \
  "${cpu_share[@]}" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$here/grab.lua" "$ERP_NGINX_URL" | tee "$work/wrk.txt"
sleep 1
seed check "$ERP_POSTGRES" "$ERP_RABBITMQ" "$campaign"
# Close both campaigns (monitor drains and expires the packets left): packets left in quorum queues
# cost RabbitMQ CPU and memory in every later run (305 such queues holding 4 million packets doubled
# its CPU per grab: docs/performance.md).
for id in "$campaign" ${warm_campaign:+"$warm_campaign"}; do
  curl -sf -X POST -H "X-Operator-Key: $ERP_OPERATOR_KEY" "$ERP_NGINX_URL/api/campaigns/$id/close" >/dev/null \
    && log "campaign $id closed" || log "closing campaign $id failed; it is left as it is"
done
