#!/bin/bash
# FERRY_TRACE=1: `ferry run` of 1 batch + 1 function rank prints one timeline of every
# process's phases, in time order and in the order they must happen, including the waiting
# mode each rank chose and why; without FERRY_TRACE nothing of it is printed.
#   trace_test.sh FERRY MPI_RING
set -u
ferry=$(realpath "$1")
program=$(realpath "$2")
work=$(mktemp -d /tmp/ferry-trace-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out"; exit 1; }

FERRY_TRACE=1 timeout -k 5 120 "$ferry" run -n 1 --functions 1 -- "$program" >"$work/out" 2>&1 ||
  fail "the traced job failed"
grep -q "^ferry trace: start-up and shut-down" "$work/out" || fail "no timeline"
# The timeline: "  MS  (+STEP)  PROCESS  PHASE", PROCESS padded to the longest name.
sed -n '/^ferry trace: start-up and shut-down/,/^ferry run: /p' "$work/out" | sed '1d;$d' >"$work/timeline"
[ -s "$work/timeline" ] || fail "an empty timeline"
awk '{ if ($1 + 0 < previous) bad = 1; previous = $1 + 0 } END { exit bad }' "$work/timeline" ||
  fail "the timeline is not in time order"

line_of() {  # the first line of the timeline with PROCESS and PHASE, or fail
  local number
  number=$(grep -n -F -- "$1" "$work/timeline" | grep -F -- "  $2" | head -1 | cut -d: -f1)
  [ -n "$number" ] || fail "no phase '$2' of '$1' in the timeline"
  echo "$number"
}
order=(
  "ferry run|started"
  "ferry run|embedded manager and spawner started"
  "ferry run|launcher started"
  "rank 0 (batch)|MPI_Init entered"
  "rank 0 (batch)|lease 1 granted"
  "ferry run|spawner: spawn request for lease 1"
  "ferry run|spawner: lease 1 started pid"
  "rank 1 (function)|shim loaded"
  "rank 1 (function)|MPI_Init entered"
  "rank 1 (function)|hello sent to rank 0"
  "rank 0 (batch)|hellos of its 1 function ranks received"
  "rank 1 (function)|address table received"
  "rank 1 (function)|MPI_Init returned"
  "rank 1 (function)|MPI_Finalize returned"
  "rank 0 (batch)|its function ranks exited"
  "rank 0 (batch)|MPI_Finalize returned"
  "ferry run|launcher exited"
  "ferry run|done"
)
previous=0
for step in "${order[@]}"; do
  number=$(line_of "${step%%|*}" "${step#*|}") || exit 1
  (( number > previous )) || fail "'$step' comes before the phase it must follow"
  previous=$number
done

# Each rank says how it waits; the default is the policy's choice from what it saw.
for rank in "rank 0 (batch)" "rank 1 (function)"; do
  choice=$(grep -F -- "$rank" "$work/timeline" | grep -oE "waits [a-z]+ \(chosen: [0-9.]+ busy on [0-9]+ CPUs(, shared)?\)") ||
    fail "$rank does not say how it waits"
  read -r mode busy cores shared <<<"$(sed -E 's/waits ([a-z]+) \(chosen: ([0-9.]+) busy on ([0-9]+) CPUs(, shared)?\)/\1 \2 \3 \4/' <<<"$choice")"
  expected=$(awk -v busy="$busy" -v cores="$cores" 'BEGIN { print (busy > cores ? "adaptive, shared" : "hot") }')
  [ "$mode$shared" = "$expected" ] || fail "$rank waits $mode${shared} with $busy busy on $cores CPUs, expected $expected"
done

FERRY_TRACE=1 timeout -k 5 120 "$ferry" run -n 1 --functions 1 --mode warm -- "$program" >"$work/out" 2>&1 ||
  fail "the traced warm job failed"
grep -q "rank 1 (function) *waits warm (asked for; " "$work/out" || fail "an explicit mode is not reported as asked for"

# An explicit mode learns whether its cores are shared too: 4 ranks outnumber this
# machine's CPUs unless it has more than 4.
FERRY_TRACE=1 timeout -k 5 120 "$ferry" run -n 2 --functions 2 --mode hot -- "$program" >"$work/out" 2>&1 ||
  fail "the traced hot job of 4 ranks failed"
if (( $(nproc) < 4 )); then
  grep -q "rank 3 (function) *waits hot (asked for; [0-9.]* busy on [0-9]* CPUs, shared)" "$work/out" ||
    fail "an explicit mode on shared cores does not know they are shared"
fi

timeout -k 5 120 "$ferry" run -n 1 --functions 1 -- "$program" >"$work/out" 2>&1 || fail "the untraced job failed"
grep -q "ferry trace" "$work/out" && fail "a job without FERRY_TRACE printed trace lines"
echo "ok"
