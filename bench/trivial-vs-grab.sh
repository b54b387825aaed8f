#!/usr/bin/env bash
# The ratio benchmark (issue 5): in one run, the throughput of a trivial endpoint through the
# ingress and of the full grab path through the same ingress, measured by the same client (the
# load-test harness, closed model: N virtual users as fast as answers come), then the ratio.
# Target: grab >= 0.30 x trivial.
#
# Throughput means capacity: each half runs at every user count of --users and its best counts.
# One fixed count understates one of the two: a grab waits for grouped verify and claim round trips,
# so 96 users leave the grab path partly idle, while the trivial endpoint already peaks there.
# Every level is printed, with the ratio at equal users beside the ratio of the bests.
#
#   bench/trivial-vs-grab.sh [--stack-env PATH] [--users N[,N...]] [--duration D] [--wrk] [--trivial-only]
#
# --stack-env   stack.env of a running stack (default .local/dev/stack.env; ERP_STACK_ENV also works)
# --users       virtual users (keep-alive connections), one or a comma-separated list, each used by both
#               halves (default 64,128,256,512: the grab path, whose requests wait for shared round trips,
#               still gains from 256 to 512 users while the trivial endpoint peaks near 128)
# --duration    measured seconds of each run (default 10s; a 2 s warm-up precedes each trivial run)
# --wrk         also measure the trivial endpoint with wrk (-t2 -c<users>), as a sanity check of the harness
# --trivial-only  skip the grab half (before the grab path exists)
# --grab-accounts users = packets of each grab run (default 500000: more than 20 s of grabs claimed at
#                 18,500/s in session 11's fast hour; the grab figure counts won answers only, and the script
#                 says so when users ran out and cheaper already_won answers appeared)
# --grab-warmup   unmeasured start of each grab run (default 10s: a replica started just before spends the first
#                 seconds in the JIT); the load starts only once monitor
#                 reports every packet released (the harness's --await-release)
# Exit code: 0 ratio met, 1 ratio below 0.30, 3 a run failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
stack_env=${ERP_STACK_ENV:-$repo/.local/dev/stack.env}
users=64,128,256,512 duration=10s with_wrk=0 trivial_only=0 grab_accounts=500000 grab_warmup=10s
while [ $# -gt 0 ]; do
  case "$1" in
    --stack-env) stack_env=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --wrk) with_wrk=1; shift ;;
    --trivial-only) trivial_only=1; shift ;;
    --grab-accounts) grab_accounts=$2; shift 2 ;;
    --grab-warmup) grab_warmup=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 3 ;;
  esac
done
[[ $users =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "error: --users must be a number or a comma-separated list of numbers (got '$users')" >&2; exit 3; }
IFS=, read -r -a levels <<< "$users"
[ "$with_wrk" = 0 ] || command -v wrk >/dev/null || { echo "error: wrk is not installed: ERP_WITH_WRK=1 deploy/local/install.sh installs it" >&2; exit 3; }
[ -f "$stack_env" ] || { echo "error: $stack_env not found: start a stack (deploy/local/up.sh) or give --stack-env" >&2; exit 3; }
nginx=$(grep '^ERP_NGINX_URL=' "$stack_env" | cut -d= -f2- | tr -d "'\"")

dotnet build "$repo/loadtests/ElasticRedPacket.LoadTests" -c Release --disable-build-servers --nologo -v q >/dev/null
harness="$repo/loadtests/ElasticRedPacket.LoadTests/bin/Release/net10.0/erp-loadtest.dll"
out=$repo/loadtests/reports/bench-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"

throughput() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["throughput"])' "$1/report.json"; }
# The grab figure: won answers per measured second. An already_won (the run reused a user) skips the claim, so
# counting it would flatter the grab path.
won_throughput() {
  python3 - "$1/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
won = sum(o["count"] for o in report["outcomes"] if o["outcome"] == "won")
others = sum(o["count"] for o in report["outcomes"] if o["outcome"] != "won")
if others:
    print(f"note: {others} answers were not won (users ran out?); the grab figure counts the {won} won only: raise --grab-accounts", file=sys.stderr)
print(round(won / report["measuredSeconds"], 1))
PY
}

run_half() { # name users scenario extra-args...
  local name=$1 users=$2 scenario=$3; shift 3
  echo "== $name: $scenario, $users users, $duration" >&2
  set +e
  dotnet "$harness" "$scenario" --stack-env "$stack_env" --users "$users" --duration "$duration" --warmup 2s \
    --connections "$users" --out "$out/$name" --quiet "$@" >"$out/$name.log" 2>&1
  local code=$?
  set -e
  if [ ! -f "$out/$name/report.json" ]; then
    echo "error: the $name half did not run (exit $code); see $out/$name.log" >&2; tail -n 5 "$out/$name.log" >&2; exit 3
  fi
  grep -E 'requests in|latency ms|outcomes|status codes|audit FAIL' "$out/$name.log" >&2 || true
  if [ "$scenario" = grab-peak ]; then won_throughput "$out/$name"; else throughput "$out/$name"; fi
}

declare -A trivial grab
for n in "${levels[@]}"; do
  trivial[$n]=$(run_half "trivial-$n" "$n" trivial)
  echo "trivial (harness, $n users): ${trivial[$n]} req/s   GET $nginx/_stack/webpage/healthz" >&2
  if [ "$with_wrk" = 1 ]; then
    wrk_rps=$(wrk -t2 -c"$n" -d"$duration" "$nginx/_stack/webpage/healthz" | awk '/Requests\/sec/ {print $2}')
    echo "trivial (wrk -t2 -c$n): $wrk_rps req/s" >&2
  fi
done
[ "$trivial_only" = 1 ] && exit 0

# The grab half: the full path (ingress -> redpacket -> account verify -> queue -> ledger), every
# measured answer a claim: more users and packets than the run can use (each user wins once; a
# repeat would be a cheap already_won), all released at once in a campaign of the run's own, and the
# load starts once the release is done (publishing the packets costs RabbitMQ CPU the measured grabs
# should not share). Check the printed outcomes: they should be all "won".
for n in "${levels[@]}"; do
  grab[$n]=$(run_half "grab-$n" "$n" grab-peak --accounts "$grab_accounts" --packets "$grab_accounts" --batches 1 --start-delay 0s --await-release 120s --close-after --warmup "$grab_warmup" --login-parallelism 128)
  echo "grab    (harness, $n users): ${grab[$n]} won/s   POST $nginx/api/grab" >&2
done

args=()
for n in "${levels[@]}"; do args+=("$n" "${trivial[$n]}" "${grab[$n]}"); done
python3 - "${args[@]}" <<'PY'
import sys
rows = [(int(sys.argv[i]), float(sys.argv[i + 1]), float(sys.argv[i + 2])) for i in range(1, len(sys.argv), 3)]
print(f"{'users':>6} {'trivial req/s':>14} {'grab won/s':>11} {'ratio':>6}")
for users, trivial, grab in rows:
    print(f"{users:>6} {trivial:>14.1f} {grab:>11.1f} {grab / trivial if trivial else 0:>6.2f}")
best_trivial = max(rows, key=lambda r: r[1])
best_grab = max(rows, key=lambda r: r[2])
ratio = best_grab[2] / best_trivial[1] if best_trivial[1] else 0
print(f"best trivial: {best_trivial[1]:.1f} req/s ({best_trivial[0]} users); best grab: {best_grab[2]:.1f} won/s ({best_grab[0]} users)")
print(f"ratio grab/trivial: {ratio:.2f} (target >= 0.30): {'met' if ratio >= 0.30 else 'NOT met'}")
sys.exit(0 if ratio >= 0.30 else 1)
PY
