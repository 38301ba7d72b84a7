#!/bin/bash
# `ferry run --launcher srun` under the test's own Slurm (two nodes): batch ranks from
# srun --mpi=pmix, function ranks on the embedded cluster of `ferry run` or on a manager
# given with --manager, inside salloc and inside an sbatch script. Output and exit codes
# must be those of the same job under mpirun.
#   launcher_test.sh FERRY MPI_RING CONFORMANCE_PROGRAM FAULT_RANK
set -u
ferry=$(realpath "$1")
ring=$(realpath "$2")
conformance=$(realpath "$3")
fault_rank=$(realpath "$4")
source "$(dirname "$(realpath "$0")")/ferry_jobs.sh"
fail() {
  echo "FAIL: $*"
  for file in "$work"/*.out; do [ -f "$file" ] && { echo "--- $file"; cat "$file"; }; done
  exit 1
}

slurm_cluster_start 2
work=$(mktemp -d /tmp/ferry-slurm-launcher-XXXXXX)
trap cleanup EXIT
cd "$work" || exit 1

run=("$ferry" run -n 2 --functions 2 --mode warm)
srun_run=("${run[@]}" --launcher srun)

# in_salloc NAME COMMAND...: COMMAND in a two-node allocation, output to NAME.out; its status.
in_salloc() {
  local name=$1
  shift
  timeout -k 5 90 salloc --quiet -N 2 -n 2 "$@" >"$work/$name.out" 2>&1
}

# in_sbatch NAME COMMAND...: COMMAND as a two-node batch job, output to NAME.out; the
# job's exit code, as scontrol reports it once the job has ended.
in_sbatch() {
  local name=$1 job state code
  shift
  printf '#!/bin/bash\nexec' >"$work/$name.sh"
  printf ' %q' "$@" >>"$work/$name.sh"
  job=$(sbatch --parsable -N 2 -n 2 -o "$work/$name.out" "$work/$name.sh") || fail "sbatch $name"
  for _ in $(seq 600); do
    state=$(scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case $state in PENDING|RUNNING|CONFIGURING|COMPLETING|"") sleep 0.1 ;; *) break ;; esac
  done
  code=$(scontrol show job "$job" | sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\1 \2/p')
  [ -n "$code" ] || fail "job $job of $name has no exit code (state $state)"
  read -r status signal <<<"$code"
  [ "$signal" -eq 0 ] || status=$((128 + signal))
  return "$status"
}

ranks_of() { grep -o '^rank [0-9]* of [0-9]*' "$work/$1.out" | sort; }

# A normal program: the ring of 2 batch + 2 function ranks, as mpirun runs it.
timeout -k 5 90 "${run[@]}" -- "$ring" >"$work/ring_mpirun.out" 2>&1 || fail "ring under mpirun"
in_salloc ring_salloc "${srun_run[@]}" -- "$ring" || fail "ring in salloc exited with $?"
[ "$(ranks_of ring_salloc)" = "$(ranks_of ring_mpirun)" ] || fail "ring in salloc differs from mpirun"
[ "$(grep -c 'ring token 6, allreduce 6$' "$work/ring_salloc.out")" -eq 4 ] || fail "ring in salloc: wrong sums"
in_sbatch ring_sbatch "${srun_run[@]}" -- "$ring" || fail "ring in sbatch exited with $?"
[ "$(ranks_of ring_sbatch)" = "$(ranks_of ring_mpirun)" ] || fail "ring in sbatch differs from mpirun"
grep -q "^ferry run: 4 ranks (2 batch + 2 function)" "$work/ring_sbatch.out" || fail "no summary in sbatch's output"
echo "ok: ring (2 batch + 2 function) in salloc and in sbatch"

# A conformance program: the same output as Slurm's own run of 4 ranks.
timeout -k 5 90 srun -N 2 -n 4 "$conformance" >"$work/conformance_reference.out" 2>&1 ||
  fail "the reference srun of $(basename "$conformance") exited with $?"
in_salloc conformance "${srun_run[@]}" -- "$conformance" || fail "$(basename "$conformance") exited with $?"
diff <(grep -v '^ferry run:' "$work/conformance.out") "$work/conformance_reference.out" ||
  fail "$(basename "$conformance") differs from srun -n 4"
echo "ok: $(basename "$conformance") in salloc"

# Function ranks from a manager given with --manager.
"$ferry" secret "$work/secret" >/dev/null || fail "ferry secret"
start_daemon manager --secret-file "$work/secret"
manager=$(address_of manager) || fail "no manager"
start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 4
address_of spawner >/dev/null || fail "no spawner"
in_salloc ring_manager "${srun_run[@]}" --manager "$manager" -- "$ring" || fail "ring with --manager exited with $?"
[ "$(ranks_of ring_manager)" = "$(ranks_of ring_mpirun)" ] || fail "ring with --manager differs from mpirun"
echo "ok: ring with --manager in salloc"

# Failures: a batch rank (1) or a function rank (3) exits with 3 or crashes.
for fault in "1 exit" "3 exit" "1 crash" "3 crash"; do
  read -r rank mode <<<"$fault"
  name="${mode}_$rank"
  timeout -k 5 60 "${run[@]}" -- "$fault_rank" $rank $mode >"$work/${name}_mpirun.out" 2>&1
  expected=$?
  [ "$expected" -ne 0 ] && [ "$expected" -ne 124 ] || fail "$name under mpirun: status $expected"
  in_salloc "${name}_salloc" "${srun_run[@]}" -- "$fault_rank" $rank $mode
  status=$?
  [ "$status" -eq "$expected" ] || fail "$name in salloc: status $status, mpirun gives $expected"
  in_sbatch "${name}_sbatch" "${srun_run[@]}" -- "$fault_rank" $rank $mode
  status=$?
  [ "$status" -eq "$expected" ] || fail "$name in sbatch: status $status, mpirun gives $expected"
  if [ "$rank" -eq 3 ]; then
    for where in mpirun salloc sbatch; do
      grep -q "function rank 3 .*\(exit\|signal\|Segmentation\|SIGSEGV\)" "$work/${name}_$where.out" ||
        fail "$name under $where: no message names function rank 3 and the cause"
    done
  fi
  pgrep -x "$(basename "$fault_rank")" >/dev/null && fail "$name: processes are left: $(pgrep -a -x "$(basename "$fault_rank")")"
  echo "ok: rank $rank $mode: exit status $expected as under mpirun, in salloc and in sbatch"
done
echo PASS
