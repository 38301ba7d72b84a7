#!/bin/bash
# A loaded machine is not a fault: a job of 1 batch + 1 function rank that exchanges
# messages for SECONDS while busy loops are pinned over every core (BUSY_PER_CORE each)
# must finish with every message right and print no UCX or connection error.
#   loaded_machine_test.sh FERRY LONG_EXCHANGE MODE [SECONDS]
set -u
ferry=$(realpath "$1")
program=$(realpath "$2")
mode=$3
seconds=${4:-25}
busy_per_core=${BUSY_PER_CORE:-3}
work=$(mktemp -d /tmp/ferry-loaded-XXXXXX)
busy=()
cleanup() {
  ((${#busy[@]})) && kill "${busy[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL ($mode): $*"
  echo "--- ferry run output:"; cat "$work/out"
  exit 1
}

for cpu in $(seq 0 $(($(nproc) - 1))); do
  for _ in $(seq "$busy_per_core"); do
    taskset -c "$cpu" sh -c 'while :; do :; done' &
    busy+=($!)
  done
done

timeout -k 5 $((seconds * 4 + 60)) "$ferry" run -n 1 --functions 1 --mode "$mode" -- "$program" "$seconds" \
  >"$work/out" 2>&1
status=$?
[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "the job hung (killed by the outer timeout)"
[ "$status" -eq 0 ] || fail "the job failed with status $status"
grep -Eq "^long-exchange [0-9]+ ok$" "$work/out" || fail "no checked result"
if grep -Eiq "ucx +(error|warn)|endpoint timeout|lost the connection|missed [0-9]+ heartbeats" "$work/out"; then
  fail "an error or warning was printed"
fi
echo "PASS ($mode, $busy_per_core busy loops per core): $(grep -E '^long-exchange' "$work/out") rounds in $seconds s"
