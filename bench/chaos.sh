#!/usr/bin/env bash
# The longer chaos run (issue 7): the load-test harness grabs a campaign through the ingress while
# faults hit the stack on a schedule, then the harness audits guarantees 1-5 against the ledger,
# the queue and monitor. Prints, per fault, the requests in the seconds it affected, the errors
# by outcome and the time until grabs were won again without errors, then the audit verdict.
#
#   bench/chaos.sh [--stack-env PATH] [--duration SECONDS] [--rate N] [--schedule SPEC]
#
# --stack-env  stack.env of a running stack (default .local/dev/stack.env; ERP_STACK_ENV also works)
# --duration   measured seconds of load (default 90; a 2 s warm-up precedes it)
# --rate       grabs per second, open model (default 500)
# --schedule   "SECONDS:ACTION;..." from the start of the load, run in order (a step whose time has
#              passed runs at once); ACTION is a fault.sh command (kill redpacket 1, restart postgres,
#              crash rabbitmq, flush-redis, ...), "start <service> <replica>" (services.sh start +
#              wait) or "scale <service> <n>" (scale.sh). Steps that would begin in the last 25 s
#              are skipped: that calm end lets the load claim what the faults returned to the queue.
#              RabbitMQ goes last by default: its restart takes 5 s on an idle machine, 45 s on a busy one.
# --summary DIR  only (re)write DIR/chaos.md from a finished run's folder
# Guarantee 5 under kill -9: per kill step the audit allows up to 1024 requests (the harness's
# --max-in-flight) that the killed replica decided and counted but never answered (--audit-cut-off).
# Bounded: the harness is killed (by pid) 240 s after the load should have ended. The report
# (harness report.* plus chaos.md) goes to loadtests/reports/chaos-<UTC time>/.
# Exit code: the harness's (0 pass, 2 audit failed, 3 harness error), or 4 when a fault step failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

# chaos.md from a run folder: the harness's per-second timeline cut into one window per fault step.
write_summary() { # run folder
  python3 - "$1/harness/report.json" "$1/faults.tsv" "$1/chaos.md" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
timeline = {s["second"]: s for s in report["timeline"]}
normal = {"won", "already_won", "sold_out", "try_again", "rate_limited", "not_started"}
steps, skipped = [], []
lines_in = open(sys.argv[2]).read().splitlines()
warmup, rate, duration = (int(x) for x in lines_in[0].split("\t"))  # the header line: warm-up, rate, duration
for line in lines_in[1:]:
    begin, end, code, action = line.split("\t")
    if code == "skipped":
        skipped.append(action)
        continue
    steps.append((int(begin) / 1000 - warmup, int(end) / 1000 - warmup, int(code), action))
lines = [f"# Chaos run: grab-peak {rate}/s for {duration} s with faults", "",
         f"Command line of the harness: `{report['commandLine']}`", "",
         "A step's window runs from the second before it (this script's clock matches the harness's seconds",
         "to within one) to the first whole second after it returned with no error and grabs won (or sold",
         "out): that is \"recovered after\". A window is cut short where the next step's begins.", "",
         "| s (measured) | fault | took | requests in its window | errors (by outcome) | recovered after |",
         "|---|---|---|---|---|---|"]
for i, (begin, end, code, action) in enumerate(steps):
    first, next_begin = max(int(begin) - 1, 0), (int(steps[i + 1][0]) - 1 if i + 1 < len(steps) else max(timeline) + 1)
    # Recovered: the first whole second after the fault step returned with no error and grabs won (or sold out).
    recovered = next((s for s in range(int(end) + 1, max(timeline) + 1) if timeline.get(s, {}).get("errors", 1) == 0
                      and timeline[s]["outcomes"].get("won", 0) + timeline[s]["outcomes"].get("sold_out", 0) > 0), None)
    window = range(first, min(recovered if recovered is not None else next_begin, next_begin))
    seconds = [timeline[s] for s in window if s in timeline]
    requests = sum(s["started"] for s in seconds)
    errors = {}
    for s in seconds:
        for outcome, count in s["outcomes"].items():
            if outcome not in normal and count:
                errors[outcome] = errors.get(outcome, 0) + count
    error_text = ", ".join(f"{n} {o}" for o, n in sorted(errors.items(), key=lambda x: -x[1])) or "0"
    after = f"{recovered - begin:.1f} s" if recovered is not None else "not within the run"
    after += " (the next step began first)" if recovered is not None and recovered > next_begin else ""
    lines.append(f"| {begin:.1f} | {action}{'' if code == 0 else f' (exit {code})'} | {end - begin:.1f} s | {requests} | {error_text} | {after} |")
totals = report["totals"]
audit = report.get("audit") or {"checks": []}
passed = all(c["passed"] for c in audit["checks"]) and audit["checks"]
lines += [f"Skipped (no time left): {', '.join(skipped)}" for _ in [0] if skipped]
lines += ["", f"Totals: {totals['requests']} requests, {totals['errors']} errors ({totals['errorRate']:.3%}), {totals['dropped']} dropped; "
          + ", ".join(f"{o['outcome']} {o['count']}" for o in report["outcomes"]), "",
          f"Audit: {'PASS' if passed else 'FAIL'}"]
lines += [f"- {'ok  ' if c['passed'] else 'FAIL'} {c['name']}: {c['detail']}" for c in audit["checks"]]
text = "\n".join(lines) + "\n"
open(sys.argv[3], "w").write(text)
print(text)
PY
}

stack_env=${ERP_STACK_ENV:-$repo/.local/dev/stack.env}
duration=90 rate=500 summary_only=""
schedule="8:kill redpacket 1;12:start redpacket 1;20:restart postgres;28:restart redis;33:flush-redis;36:scale redpacket 3;42:scale redpacket 2;50:restart rabbitmq"
while [ $# -gt 0 ]; do
  case "$1" in
    --stack-env) stack_env=$2; shift 2 ;;
    --duration) duration=${2%s}; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --schedule) schedule=$2; shift 2 ;;
    --summary) summary_only=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 3 ;;
  esac
done
if [ -n "$summary_only" ]; then write_summary "$summary_only"; exit 0; fi
[ -f "$stack_env" ] || { echo "error: $stack_env not found: start a stack (deploy/local/up.sh) or give --stack-env" >&2; exit 3; }
[[ $duration =~ ^[0-9]+$ && $duration -ge 20 && $duration -le 600 ]] || { echo "error: --duration must be 20-600 seconds" >&2; exit 3; }
[[ $rate =~ ^[0-9]+$ && $rate -ge 1 && $rate -le 5000 ]] || { echo "error: --rate must be 1-5000" >&2; exit 3; }
value() { grep "^$1=" "$stack_env" | cut -d= -f2- | tr -d "'\""; }
# The stack scripts find the stack by these, exactly as the test suite does.
export ERP_STACK ERP_PORT_BASE ERP_DATA_DIR
ERP_STACK=$(value ERP_STACK) ERP_PORT_BASE=$(value ERP_PORT_BASE) ERP_DATA_DIR=$(value ERP_DATA_DIR)
warmup=2
# A campaign releasing a batch every second until 20 s before the end (a fifth of the grab rate
# each, so every healthy second has wins), twice as many users as packets: grabs go on through
# every fault, and the calm end claims what the faults returned to the queue before the audit.
calm=25
batches=$(( duration - 20 )); packets=$(( batches * rate / 5 )); accounts=$(( packets * 2 ))


dotnet build "$repo/loadtests/ElasticRedPacket.LoadTests" -c Release --disable-build-servers --nologo -v q >/dev/null
harness="$repo/loadtests/ElasticRedPacket.LoadTests/bin/Release/net10.0/erp-loadtest.dll"
out=$repo/loadtests/reports/chaos-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"
faults=$out/faults.tsv
printf '%s\t%s\t%s\n' "$warmup" "$rate" "$duration" > "$faults"
echo "chaos: grab-peak at $rate/s for ${duration}s (+${warmup}s warm-up), $packets packets in $batches batches, $accounts users; report in $out" >&2

# A replica killed with -9 may have decided (and counted) the requests in flight to it without
# answering them: the audit allows at most --max-in-flight such requests per kill step.
in_flight=1024
kills=$(grep -o 'kill [a-z]' <<<"$schedule" | wc -l)
dotnet "$harness" grab-peak --stack-env "$stack_env" --rate "$rate" --duration "${duration}s" --warmup "${warmup}s" \
  --accounts "$accounts" --packets "$packets" --batches "$batches" --interval 1s --start-delay 0s \
  --max-in-flight "$in_flight" --audit-cut-off $(( kills * in_flight )) \
  --out "$out/harness" >"$out/harness.log" 2>&1 &
harness_pid=$!
stop_harness() { kill "$harness_pid" 2>/dev/null || true; }
trap stop_harness EXIT

# The schedule counts from the harness's first progress line (the load, warm-up included, has begun).
deadline=$(( $(date +%s) + 300 ))
until grep -q '^\[' "$out/harness.log" 2>/dev/null; do
  kill -0 "$harness_pid" 2>/dev/null || { echo "error: the harness stopped before the load began:" >&2; tail -n 5 "$out/harness.log" >&2; exit 3; }
  [ "$(date +%s)" -lt "$deadline" ] || { echo "error: the load did not begin within 300 s" >&2; exit 3; }
  sleep 0.2
done
load_start=$(( $(date +%s%N) / 1000000 - 1000 ))   # the first line is printed one second in
now_ms() { echo $(( $(date +%s%N) / 1000000 - load_start )); }

failed_step=0
IFS=';' read -ra steps <<< "$schedule"
for step in "${steps[@]}"; do
  at=${step%%:*} action=${step#*:}
  if [ $(( $(now_ms) / 1000 )) -ge $(( warmup + duration - calm )) ] || [ "$at" -ge $(( warmup + duration - calm )) ]; then
    echo "  skipped (within the last ${calm} s): $action" >&2
    printf '%s\t%s\t%s\t%s\n' "$(now_ms)" "$(now_ms)" skipped "$action" >> "$faults"
    continue
  fi
  wait_ms=$(( at * 1000 - $(now_ms) ))
  [ "$wait_ms" -le 0 ] || sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  begin=$(now_ms)
  read -ra words <<< "$action"
  set +e
  case "${words[0]}" in
    start) bash "$repo/deploy/local/services.sh" start "${words[1]}" "${words[2]}" && bash "$repo/deploy/local/services.sh" wait "${words[1]}" "${words[2]}" 120 ;;
    scale) bash "$repo/deploy/local/scale.sh" "${words[1]}" "${words[2]}" ;;
    *) bash "$repo/deploy/local/fault.sh" "${words[@]}" ;;
  esac >>"$out/faults.log" 2>&1
  code=$?
  set -e
  end=$(now_ms)
  printf '%s\t%s\t%s\t%s\n' "$begin" "$end" "$code" "$action" >> "$faults"
  echo "  [$((begin / 1000)).$((begin % 1000 / 100)) s] $action: $(( end - begin )) ms, exit $code" >&2
  [ "$code" -eq 0 ] || failed_step=1
done

# Bounded wait for the harness (load, then its audit waits up to 15 s, then the report).
limit=$(( $(date +%s) + duration + warmup + 240 ))
while kill -0 "$harness_pid" 2>/dev/null && [ "$(date +%s)" -lt "$limit" ]; do sleep 1; done
kill -0 "$harness_pid" 2>/dev/null && { echo "error: the harness did not finish in time; stopped" >&2; stop_harness; }
set +e; wait "$harness_pid"; harness_code=$?; set -e
trap - EXIT
[ -f "$out/harness/report.json" ] || { echo "error: no report (harness exit $harness_code):" >&2; tail -n 20 "$out/harness.log" >&2; exit 3; }

write_summary "$out"
[ "$failed_step" -eq 0 ] || { echo "a fault step failed: see $out/faults.log" >&2; exit 4; }
exit "$harness_code"
