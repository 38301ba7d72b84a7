#!/bin/bash
# A faulty function rank ends the whole job: non-zero exit, a message naming the rank and
# the cause, and no process of the program left behind.
#   fault_test.sh FERRY FAULT_PROGRAM crash|exit|abort|late-exit|lease|spawner
# A hang is caught by the outer `timeout 30` (exit 124), which fails the test.
set -u
ferry=$(realpath "$1")
program=$(realpath "$2")
scenario=$3
faulty=3   # with -n 2 --functions 2, ranks 2 and 3 are function ranks
program_name=$(basename "$program")
source "$(dirname "$0")/daemons.sh"
work=$(mktemp -d /tmp/ferry-fault-XXXXXX)

cleanup() {
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null; done
  pkill -9 -x "$program_name" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL ($scenario): $*"
  echo "--- ferry run output:"; cat "$work/out" 2>/dev/null
  exit 1
}


# Waits until every rank of the job has printed its "ready" line.
wait_for_ready() {
  for _ in $(seq 200); do
    [ "$(grep -c 'ready$' "$work/out")" -ge 4 ] && return 0
    kill -0 "$job" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

run_args=(-n 2 --functions 2 --mode warm)
case $scenario in
  crash) mode=crash; cause='signal|segmentation|SIGSEGV' ;;
  exit) mode=exit; cause='exit' ;;
  abort) mode=abort; cause='abort' ;;
  late-exit) mode=late-exit; cause='code 5' ;;
  lease|spawner)
    mode=wait
    "$ferry" secret "$work/secret" >/dev/null || fail "ferry secret failed"
    start_daemon manager --secret-file "$work/secret"
    manager=$(address_of manager) || fail "no manager"
    start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 4
    address_of spawner >/dev/null || fail "no spawner"
    for _ in $(seq 100); do
      "$ferry" status --manager "$manager" --json 2>/dev/null | grep -q '"cores_leased"' && break
      sleep 0.1
    done
    run_args+=(--manager "$manager")
    if [ "$scenario" = lease ]; then cause='lease'; else cause='spawner|lost|unreachable|connection'; fi ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac

# In the lease scenario the function ranks' leases last 2 s, renewed every second by their
# owner; stopping the owner (batch rank 1 owns rank 3) lets the lease of rank 3 expire.
if [ "$scenario" = lease ]; then export FERRY_LEASE_SECONDS=2; fi
timeout -k 5 30 "$ferry" run "${run_args[@]}" -- "$program" "$faulty" "$mode" >"$work/out" 2>&1 &
job=$!
if [ "$scenario" = spawner ]; then
  wait_for_ready || fail "the job never got all ranks ready"
  kill -9 "${daemons[1]}"
fi
if [ "$scenario" = lease ]; then
  wait_for_ready || fail "the job never got all ranks ready"
  owner=""
  for pid in $(pgrep -x "$program_name"); do
    environment=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null)
    if echo "$environment" | grep -qx 'OMPI_COMM_WORLD_RANK=1' && ! echo "$environment" | grep -q '^FERRY_ROLE='; then
      owner=$pid
    fi
  done
  [ -n "$owner" ] || fail "batch rank 1 not found"
  kill -STOP "$owner"
  sleep 3.5
  kill -CONT "$owner"
fi
wait "$job"
status=$?

[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "the job hung (killed by the outer timeout)"
[ "$status" -ne 0 ] || fail "the job exited with status 0"
messages=$(grep -v 'ready$' "$work/out")
echo "$messages" | grep -Eiq "rank $faulty\b" || [ "$scenario" = spawner ] || [ "$scenario" = lease ] ||
  fail "no message names rank $faulty"
echo "$messages" | grep -Eiq "rank [23]\b" || fail "no message names a function rank"
echo "$messages" | grep -Eiq "$cause" || fail "no message gives the cause ($cause)"
# An external spawner ends the function ranks of a finished job on its own schedule (SIGTERM,
# then SIGKILL after its grace period); the embedded one has done so before ferry exits.
if [ "$scenario" = lease ] || [ "$scenario" = spawner ]; then
  for _ in $(seq 50); do pgrep -x "$program_name" >/dev/null || break; sleep 0.1; done
fi
if pgrep -x "$program_name" >/dev/null; then
  fail "processes of $program_name are left: $(pgrep -a -x "$program_name")"
fi
echo "PASS ($scenario): exit status $status"
echo "$messages" | grep -Ei "rank [0-9]" | head -5
