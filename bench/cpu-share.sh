#!/usr/bin/env bash
# CPU spent by each process tree of a running local stack (nginx, the servers, every service
# replica) while a command runs, and per unit of work: where the CPU of a grab goes.
#   bench/cpu-share.sh <units> -- <command...>     e.g. bench/cpu-share.sh 1 -- sleep 10
# <units>: divide by this (e.g. the request count); with 0 the script reads the last "UNITS=<n>"
# line the command prints. Reads /proc; stops nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
units=${1:?units}; shift
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || die "usage: bench/cpu-share.sh <units> -- <command...>"
ticks=$(getconf CLK_TCK)

tree() { # a pid and all its descendants
  local pid=$1; echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do tree "$child"; done
}
cpu_of() { # utime+stime of the live tree plus the root's reaped children, in ticks
  local total=0 f
  for p in $(tree "$1"); do
    f=$(cut -d' ' -f14-17 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f; total=$((total + $1 + $2))
    [ "$p" = "$root" ] && total=$((total + $3 + $4))
  done
  echo "$total"
}
snapshot() {
  for file in "$PID_DIR"/*.pid; do
    local name; name=$(basename "$file" .pid); root=$(cat "$file")
    [ -d "/proc/$root" ] && echo "$name $(cpu_of "$root")"
  done
}

# The whole machine: busy (user+nice+system+irq+softirq), idle (+iowait) and steal ticks, so a run
# says whether the two cores were saturated and how much the hypervisor took.
machine() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6, $9 }' /proc/stat; }
cores=$(nproc)

before=$(snapshot)
machine_before=$(machine)
start=$(date +%s.%N)
out=$(mktemp)
"$@" | tee "$out"
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
after=$(snapshot)
machine_after=$(machine)
[ "$units" = 0 ] && units=$(grep -o 'UNITS=[0-9]*' "$out" | tail -n 1 | cut -d= -f2)
rm -f "$out"
[ -n "$units" ] && [ "$units" -gt 0 ] || die "no unit count"

echo
printf '%-16s %10s %8s %12s\n' process "cpu s" "cores" "us/unit"
join <(echo "$before" | sort) <(echo "$after" | sort) | awk -v t="$ticks" -v e="$elapsed" -v u="$units" '
  { s = ($3 - $2) / t; sum += s; printf "%-16s %10.2f %8.2f %12.1f\n", $1, s, s / e, s * 1e6 / u }
  END { printf "%-16s %10.2f %8.2f %12.1f\n", "stack total", sum, sum / e, sum * 1e6 / u;
        printf "(%d units in %.1f s; the load generator itself is not counted)\n", u, e }'
echo "$machine_before $machine_after" | awk -v n="$cores" '
  { busy = $4 - $1; idle = $5 - $2; stolen = $6 - $3; all = busy + idle + stolen
    printf "machine (%d cores): %.2f busy (stack, load generator and anything else), %.2f idle, %.2f stolen by the hypervisor\n",
      n, n * busy / all, n * idle / all, n * stolen / all }'
