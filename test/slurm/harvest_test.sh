#!/bin/bash
# Spawners as preemptible Slurm jobs that harvest idle nodes, started with the sbatch
# script Ferry installs: a spawner job in the low-priority partition `harvest` joins the
# manager and runs a function rank; a job of the partition `urgent` preempts it. The
# spawner must stop taking leases, tell the manager, end the function rank with the reason
# "node reclaimed by Slurm" and exit by itself within the partition's GraceTime; the job
# ends naming the rank and the reason, `ferry status` shows the spawner as departed with
# that reason, and a new spawner job joins again.
#   harvest_test.sh FERRY FAULT_RANK HARVEST_SBATCH MPI_RING
set -u
ferry=$(realpath "$1")
fault_rank=$(realpath "$2")
harvest_script=$(realpath "$3")
ring=$(realpath "$4")
source "$(dirname "$(realpath "$0")")/ferry_jobs.sh"
fail() {
  echo "FAIL: $*"
  for file in "$work"/*.out "$work"/*.log; do [ -f "$file" ] && { echo "--- $file"; tail -n 30 "$file"; }; done
  squeue 2>&1
  exit 1
}

grace_s=10
# The scheduler looks for jobs to preempt every second (by default, every 30-60 s).
slurm_cluster_config "PreemptType=preempt/partition_prio" "PreemptMode=CANCEL" \
  "SchedulerParameters=sched_interval=1,bf_interval=1"
slurm_cluster_partition harvest "Nodes=ALL PriorityTier=1 GraceTime=$grace_s PreemptMode=CANCEL State=UP"
slurm_cluster_partition urgent "Nodes=ALL PriorityTier=10 PreemptMode=OFF State=UP"
slurm_cluster_start 2
work=$(mktemp -d /tmp/ferry-slurm-harvest-XXXXXX)
trap cleanup EXIT
cd "$work" || exit 1

"$ferry" secret "$work/secret" >/dev/null || fail "ferry secret"
start_daemon manager --secret-file "$work/secret"
manager=$(address_of manager) || fail "no manager"
status_json() { "$ferry" status --manager "$manager" --json 2>/dev/null; }

# job_state JOB: Slurm's state of the job.
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
# wait_for_state JOB STATE...: waits up to 60 s until the job is in one of the states.
wait_for_state() {
  local job=$1 state
  shift
  for _ in $(seq 600); do
    state=$(job_state "$job")
    for wanted in "$@"; do [ "$state" = "$wanted" ] && return 0; done
    sleep 0.1
  done
  fail "job $job is $state, not $*"
}
# harvest NODE NAME: submits the installed sbatch script on NODE; prints the job id.
harvest() {
  FERRY=$ferry FERRY_MANAGER=$manager FERRY_SECRET_FILE=$work/secret FERRY_LISTEN=127.0.0.1 \
    sbatch --parsable --partition=harvest -w "$1" -o "$work/$2.out" "$harvest_script" --allow-root-owner
}
# wait_for_spawner ID: until the manager lists the spawner as up.
wait_for_spawner() {
  for _ in $(seq 300); do
    status_json | python3 -c '
import json, sys
spawners = json.load(sys.stdin)["spawners"]
sys.exit(0 if any(s["id"] == sys.argv[1] and s["state"] == "up" for s in spawners) else 1)' "$1" && return 0
    sleep 0.1
  done
  fail "spawner $1 did not join the manager"
}

# A spawner harvests node1, with the cores Slurm gave its job.
first=$(harvest node1 harvest1) || fail "sbatch of the harvest script"
wait_for_state "$first" RUNNING
wait_for_spawner "node1:slurm-$first"
status_json | python3 -c '
import json, sys
spawner = json.load(sys.stdin)["spawners"][0]
print("joined:", spawner)
sys.exit(0 if spawner["node"] == "node1" and spawner["cores"] == int(sys.argv[1]) else 1)' "$slurm_cpus_per_node" ||
  fail "the spawner does not serve node1 with the job's $slurm_cpus_per_node cores"
echo "ok: the harvest job's spawner joined as node1:slurm-$first"

# A function rank runs there and waits.
timeout -k 5 90 "$ferry" run -n 1 --functions 1 --mode warm --manager "$manager" -- "$fault_rank" 9 wait \
  >"$work/run.out" 2>&1 &
run=$!
for _ in $(seq 300); do grep -q "rank 1 ready" "$work/run.out" && break; sleep 0.1; done
grep -q "rank 1 ready" "$work/run.out" || fail "the function rank did not start"

# A job of the urgent partition takes node1 back.
urgent=$(sbatch --parsable --partition=urgent -w node1 --exclusive -o "$work/urgent.out" \
  --wrap 'echo "urgent job ran on $SLURMD_NODENAME"') || fail "sbatch of the urgent job"
wait "$run"
run_status=$?
[ "$run_status" -ne 0 ] && [ "$run_status" -ne 124 ] && [ "$run_status" -ne 137 ] ||
  fail "ferry run ended with status $run_status (0: not told; 124/137: it hung)"
grep -q "function rank 1.*node reclaimed by Slurm (node node1, job $first" "$work/run.out" ||
  fail "no message names function rank 1 and the reclaimed node"
echo "ok: the job ended with status $run_status: $(grep -m1 'node reclaimed by Slurm' "$work/run.out")"

wait_for_state "$first" PREEMPTED
wait_for_state "$urgent" COMPLETED
grep -q "urgent job ran on node1" "$work/urgent.out" || fail "the urgent job did not run"
grep -q "spawner node1:slurm-$first stopped" "$work/harvest1.out" ||
  fail "the spawner did not finish by itself within the GraceTime of $grace_s s"
echo "ok: the spawner left within the GraceTime; the urgent job ran"

# The manager keeps the departed spawner, its reason, and the lease that ended with it.
status_json >"$work/status.json" || fail "ferry status"
python3 - "$work/status.json" "node1:slurm-$first" <<'CHECK' || fail "ferry status does not show the departure"
import json, sys
status, spawner = json.load(open(sys.argv[1])), sys.argv[2]
departed = [s for s in status["departed_spawners"] if s["id"] == spawner]
leases = [l for l in status["leases"] if l["spawner"] == spawner]
print("departed:", departed)
print("its leases:", [(l["id"], l["state"], l["reason"]) for l in leases])
ok = (len(departed) == 1 and departed[0]["reason"].startswith("node reclaimed by Slurm")
      and all(s["id"] != spawner for s in status["spawners"])
      and leases and all(l["state"] == "revoked" and "node reclaimed by Slurm" in l["reason"] for l in leases))
sys.exit(0 if ok else 1)
CHECK
"$ferry" status --manager "$manager" >"$work/status.txt" || fail "ferry status (tables)"
grep -q "node1:slurm-$first .*left [0-9]*s ago: node reclaimed by Slurm" "$work/status.txt" ||
  fail "ferry status does not show the spawner that left: $(cat "$work/status.txt")"
echo "ok: ferry status keeps the departed spawner with its reason"

# Harvesting goes on: a new spawner job on node2 joins while the departed one stays listed.
second=$(harvest node2 harvest2) || fail "the second sbatch of the harvest script"
wait_for_state "$second" RUNNING
wait_for_spawner "node2:slurm-$second"
"$ferry" status --manager "$manager" >"$work/status.txt"
grep -q "node2:slurm-$second .*up, joined" "$work/status.txt" || fail "the new spawner is not shown as up"
grep -q "node1:slurm-$first .*left" "$work/status.txt" || fail "the departed spawner is no longer shown"
timeout -k 5 60 "$ferry" run -n 1 --functions 1 --mode warm --manager "$manager" -- "$ring" \
  >"$work/run2.out" 2>&1 || fail "the ring on the new spawner exited with $?"
[ "$(grep -c 'ring token 1, allreduce 1$' "$work/run2.out")" -eq 2 ] || fail "the ring on the new spawner: wrong sums"

# scancel signals every process of the job at once: the function rank may die of Slurm's
# SIGTERM before the spawner reads its own, and its owner must still be told why.
timeout -k 5 90 "$ferry" run -n 1 --functions 1 --mode warm --manager "$manager" -- "$fault_rank" 9 wait \
  >"$work/run3.out" 2>&1 &
run=$!
for _ in $(seq 300); do grep -q "rank 1 ready" "$work/run3.out" && break; sleep 0.1; done
grep -q "rank 1 ready" "$work/run3.out" || fail "the function rank did not start on the new spawner"
scancel "$second"
wait "$run"
grep -q "function rank 1.*node reclaimed by Slurm (node node2, job $second" "$work/run3.out" ||
  fail "after scancel, no message names function rank 1 and the reclaimed node"
wait_for_state "$second" CANCELLED
grep -q "spawner node2:slurm-$second stopped" "$work/harvest2.out" || fail "the cancelled spawner did not stop cleanly"
echo "ok: a new harvest job joined and ran a job; scancel ends it with the same reason"

pgrep -x "$(basename "$fault_rank")" >/dev/null && fail "processes are left: $(pgrep -a -x "$(basename "$fault_rank")")"
pgrep -f "ferry-worker" >/dev/null && fail "workers are left: $(pgrep -a -f ferry-worker)"
echo PASS
