#!/usr/bin/env bash
# The whole test suite. Starts a stack of its own (stack 'test': ports 19xxx, fresh data), runs
# every test project against it, stops everything it started (also when tests fail or it is
# interrupted), and ends with one line: "N passed, N failed, N skipped" over all projects.
export ERP_STACK=${ERP_STACK:-test}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
results=$DATA_DIR/test-results

# Stops the stack, then checks that every process it had recorded (and their children) is gone.
leftovers=
cleanup() {
  local started
  started=$(stack_processes)
  bash "$here/down.sh" || true
  leftovers=$(still_running "$started" 10) || log "still running after down.sh:"$'\n'"$leftovers"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh stack every run: tests never depend on what an earlier run left behind.
bash "$here/down.sh" >/dev/null 2>&1
rm -rf "$DATA_DIR"
export ERP_WITH_BROWSER=1 ERP_WITH_WRK=1
bash "$here/up.sh" || { echo "the test stack did not start"; cleanup; trap - EXIT; echo "0 passed, 1 failed"; exit 1; }
export ERP_STACK_ENV=$STACK_ENV
mkdir -p "$results"

passed=0 failed=0 skipped=0 projects=0
summary=()
cd "$REPO_ROOT"
for project in tests/*/*.Tests.csproj loadtests/*.Tests/*.Tests.csproj deploy/*.Tests/*.Tests.csproj; do
  [ -f "$project" ] || continue
  name=$(basename "$project" .csproj)
  projects=$((projects + 1))
  log "testing $name"
  timeout "${ERP_TEST_PROJECT_TIMEOUT:-900}" dotnet test "$project" -c Release --no-build --disable-build-servers --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
    >"$results/$name.log" 2>&1
  code=$?
  trx=$results/$name.trx
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    p=$(get passed) f=$(( $(get failed) + $(get error) + $(get timeout) + $(get aborted) )) t=$(get total) e=$(get executed)
    s=$(( t - e ))
  else
    p=0 f=1 s=0
  fi
  [ "$code" -ne 0 ] && [ "$f" -eq 0 ] && f=1   # the runner failed without a failed test: count it
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  summary+=("$(printf '  %-45s %4d passed, %d failed, %d skipped' "$name" "$p" "$f" "$s")")
  if [ "$f" -ne 0 ]; then
    grep -E '^\s+(Failed|Error Message|  at |Stack Trace)' "$results/$name.log" | head -n 60
  fi
done

# Stop the stack before the summary, so the totals stay the last line of the output.
cleanup
trap - EXIT
echo
echo "Test projects ($projects), results in $results:"
printf '%s\n' "${summary[@]}"
if [ -n "$leftovers" ]; then
  echo "  stack processes still running after down.sh (counted as 1 failure):"
  echo "$leftovers" | sed 's/^/    /'
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$projects" -gt 0 ]
