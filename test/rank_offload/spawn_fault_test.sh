#!/bin/bash
# Faults of spawned ranks (MPI_Comm_spawn):
#   crash     a child dies of SIGSEGV: the job ends, non-zero, naming the child and the cause
#   refused   spawns that cannot be satisfied return MPI_ERR_SPAWN and error codes; the job goes on
#   spawner   the children's spawner is killed (SIGKILL): the job ends naming a spawned rank
#   release   children that disconnect and finalize: their leases end while the parent runs
#   renew     children on 2 s leases that work for 5 s: renewed unnoticed, the job ends cleanly
#   reclaim   the children's spawner is told to stop (SIGTERM, its node is reclaimed): the
#             job ends, naming the spawned rank and the node
#   inflight  a freed send is still in flight when the parents disconnect: disconnect
#             completes it before the parents overwrite the data
#   placement the info key host names the spawner (or node) the children run on; a name
#             that matches none gives MPI_ERR_SPAWN
#   reclaim_survive  the same while the parents handle errors: they go on and end with 0
#   survive   a child dies of SIGSEGV under MPI_ERRORS_RETURN: the parents and its siblings
#             get errors where they need it, the rest of the job goes on and ends with 0
# Each leaves no process of the program behind; a hang is caught by `timeout 60` (exit 124).
#   spawn_fault_test.sh FERRY PROGRAM SCENARIO
set -u
ferry=$(realpath "$1")
program=$(realpath "$2")
scenario=$3
program_name=$(basename "$program")
source "$(dirname "$0")/daemons.sh"
work=$(mktemp -d /tmp/ferry-spawn-fault-XXXXXX)

cleanup() {
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null; done
  pkill -9 -x "$program_name" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL ($scenario): $*"
  echo "--- ferry run output:"; cat "$work/out" 2>/dev/null
  for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log:"; tail -20 "$log"; }; done
  exit 1
}

# expect_lines TEXT...: the job's output has a line containing each TEXT.
expect_lines() {
  for line in "$@"; do grep -qF "$line" "$work/out" || fail "missing: $line"; done
}

# The batch rank and its function rank run on the first spawner (of CORES cores, 1 by
# default: then the children can only go to a second one, which the test kills or stops).
start_cluster() {
  "$ferry" secret "$work/secret" >/dev/null || fail "ferry secret failed"
  start_daemon manager --secret-file "$work/secret"
  manager=$(address_of manager) || fail "no manager"
  start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores "${1:-1}"
  address_of spawner >/dev/null || fail "no first spawner"
  for _ in $(seq 100); do
    "$ferry" status --manager "$manager" --json 2>/dev/null | grep -q '"cores_leased"' && break
    sleep 0.1
  done
}

run_args=(-n 1 --functions 1 --mode warm)
case $scenario in
  crash|refused|survive|inflight|renew) mode=$scenario; export FERRY_LOCAL_CORES=4 ;;
  release)
    mode=release
    start_cluster
    start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 2
    address_of spawner >/dev/null || fail "no second spawner"
    run_args+=(--manager "$manager")
    export SPAWN_FAULT_GO=$work/go ;;
  placement)
    mode=placement
    start_cluster 4
    # The first spawner keeps the most free cores: only the placement sends children away.
    start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 2 --id chosen-spawner
    address_of spawner >/dev/null || fail "no second spawner"
    run_args+=(--manager "$manager")
    export SPAWN_FAULT_HOST=chosen-spawner ;;
  spawner|reclaim|reclaim_survive)
    [ "$scenario" = reclaim_survive ] && export SPAWN_FAULT_RETURN=1
    mode=wait
    start_cluster
    run_args+=(--manager "$manager")
    export SPAWN_FAULT_GO=$work/go ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac

timeout -k 5 60 "$ferry" run "${run_args[@]}" -- "$program" "$mode" >"$work/out" 2>&1 &
job=$!
if [ "$scenario" = spawner ] || [ "$scenario" = reclaim ] || [ "$scenario" = reclaim_survive ]; then
  # The job's own ranks hold the first spawner's core: the second one gets the children.
  for _ in $(seq 100); do
    "$ferry" status --manager "$manager" --json 2>/dev/null | grep -q '"cores_leased": *1' && break
    sleep 0.1
  done
  start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 2 --grace-ms 2000
  for _ in $(seq 100); do
    [ "$("$ferry" status --manager "$manager" --json 2>/dev/null | grep -c '"cores_leased"')" -ge 2 ] && break
    sleep 0.1
  done
  touch "$work/go"
  for _ in $(seq 300); do
    [ "$(grep -c 'ready$' "$work/out")" -ge 2 ] && break
    kill -0 "$job" 2>/dev/null || fail "the job ended before its children were ready"
    sleep 0.1
  done
  [ "$(grep -c 'ready$' "$work/out")" -ge 2 ] || fail "the children never got ready"
  if [ "$scenario" = spawner ]; then kill -9 "${daemons[2]}"; else kill -TERM "${daemons[2]}"; fi
fi
if [ "$scenario" = release ]; then
  for _ in $(seq 300); do
    grep -q 'children gone' "$work/out" && break
    kill -0 "$job" 2>/dev/null || fail "the job ended before its children were gone"
    sleep 0.1
  done
  # The children's leases (owner .../spawnPID) end while the parent still runs.
  ended=0
  for _ in $(seq 100); do
    "$ferry" status --manager "$manager" --json >"$work/status.json" 2>/dev/null
    ended=$(python3 -c '
import json, sys
leases = json.load(open(sys.argv[1]))["leases"]
spawned = [l for l in leases if "/spawn" in l.get("owner", "")]
print(len(spawned) if spawned and all(l.get("state") != "active" for l in spawned) else 0)' "$work/status.json")
    [ "$ended" -ge 2 ] && break
    sleep 0.1
  done
  [ "$ended" -ge 2 ] || { cat "$work/status.json"; fail "the children's leases did not end while the parent ran"; }
  kill -0 "$job" 2>/dev/null || fail "the parent ended too early"
  touch "$work/go"
fi
wait "$job"
status=$?

[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "the job hung (killed by the outer timeout)"
messages=$(grep -v 'ready$' "$work/out")
if [ "$scenario" = release ] || [ "$scenario" = renew ]; then
  [ "$status" -eq 0 ] || fail "the job failed (status $status)"
  [ "$(grep -c 'parent done' "$work/out")" -eq 2 ] || fail "the parents did not finish"
  if [ "$scenario" = renew ]; then
    grep -Eiq "expired|revoked" "$work/out" && fail "a lease ended under the children"
  fi
elif [ "$scenario" = reclaim_survive ]; then
  [ "$status" -eq 0 ] || fail "the job failed (status $status)"
  for parent in 0 1; do expect_lines "parent $parent: receive from a child whose node went: MPI_ERR_OTHER"; done
  grep -Eq "spawned rank [01] .*reclaimed.*the job goes on" "$work/out" || fail "no message names the child and the node"
elif [ "$scenario" = survive ]; then
  [ "$status" -eq 0 ] || fail "the job failed (status $status)"
  for parent in 0 1; do
    expect_lines "parent $parent: any-source receive pending at the crash: MPI_ERR_OTHER, names the child: yes" \
      "parent $parent: receive from the crashed child: MPI_ERR_OTHER" \
      "parent $parent: send to the crashed child: MPI_ERR_OTHER" \
      "parent $parent: probe of the crashed child: MPI_ERR_OTHER" \
      "parent $parent: barrier with the children: MPI_ERR_OTHER" \
      "parent $parent: the other children answer: 10 12" "parent $parent: spawn after the crash: ok"
  done
  for child in 0 2; do expect_lines "child $child: receive from the crashed sibling: MPI_ERR_OTHER"; done
  grep -Eq "spawned rank 1 .*signal 11.*the job goes on" "$work/out" || fail "no message names the crashed child"
elif [ "$scenario" = inflight ]; then
  [ "$status" -eq 0 ] || fail "the job failed (status $status)"
  expect_lines "child: the data came intact"
  [ "$(grep -cF "parent: disconnected" "$work/out")" -eq 2 ] || fail "the parents did not both disconnect"
elif [ "$scenario" = placement ]; then
  [ "$status" -eq 0 ] || fail "the job failed (status $status)"
  for line in "spawn with the root's host: ok" "spawn with host=no-such-node: MPI_ERR_SPAWN"; do
    [ "$(grep -cF "$line" "$work/out")" -eq 2 ] || fail "missing (twice): $line"
  done
  "$ferry" status --manager "$manager" --json >"$work/status.json" || fail "ferry status failed"
  python3 - "$work/status.json" <<'CHECK' || fail "the children did not run on the chosen spawner"
import json, sys
status = json.load(open(sys.argv[1]))
spawned = [l for l in status["leases"] if "/spawn" in l.get("owner", "")]
print("spawned leases:", [(l["id"], l["spawner"]) for l in spawned])
sys.exit(0 if len(spawned) == 2 and all(l["spawner"] == "chosen-spawner" for l in spawned) else 1)
CHECK
elif [ "$scenario" = refused ]; then
  [ "$status" -eq 0 ] || fail "the job failed (status $status)"
  expect_lines "too many children: MPI_ERR_SPAWN, every code MPI_ERR_SPAWN: yes, intercomm null: yes" \
    "missing program: MPI_ERR_SPAWN, codes MPI_ERR_SPAWN" "its error string names the program: yes" \
    "spawn after the failures: ok"
else
  [ "$status" -ne 0 ] || fail "the job exited with status 0"
  echo "$messages" | grep -Eiq "spawned rank [01]" || fail "no message names a spawned rank"
  case $scenario in
    crash) echo "$messages" | grep -Eiq 'signal|segmentation|SIGSEGV' || fail "no message gives the cause (SIGSEGV)" ;;
    reclaim)
      echo "$messages" | grep -Eiq "reclaimed" || fail "no message says the node was reclaimed"
      echo "$messages" | grep -q "$(hostname)" || fail "no message names the node $(hostname)" ;;
  esac
fi
for _ in $(seq 50); do pgrep -x "$program_name" >/dev/null || break; sleep 0.1; done
if pgrep -x "$program_name" >/dev/null; then
  fail "processes of $program_name are left: $(pgrep -a -x "$program_name")"
fi
echo "PASS ($scenario): exit status $status"
echo "$messages" | grep -Ei "spawned rank|MPI_ERR_SPAWN|spawn after" | head -5
