#!/bin/bash
# Ferry's SPANK plugin in the test's own Slurm: `srun --ferry-functions=F` runs an
# unmodified MPI program with F function ranks, options given to sbatch and salloc reach
# the sruns inside, and bad values are refused by srun with a clear error.
#   spank_test.sh PLUGIN SHIM MPI_RING FERRY
set -u
plugin=$(realpath "$1")
shim=$(realpath "$2")
ring=$(realpath "$3")
ferry=$(realpath "$4")
here=$(dirname "$(realpath "$0")")
source "$here/slurm_cluster.sh"
source "$here/../rank_offload/daemons.sh"
slurm_cluster_require
[ -f "$plugin" ] || slurm_cluster_skip "the SPANK plugin was not built (Slurm's slurm/spank.h is missing)"

export OMPI_MCA_btl_vader_single_copy_mechanism=none
slurm_cluster_plugstack "required $plugin shim=$shim"
slurm_cluster_start 2
work=$(mktemp -d /tmp/ferry-slurm-spank-XXXXXX)
cleanup() {
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  slurm_cluster_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for file in "$work"/*.out; do [ -f "$file" ] && { echo "--- $file"; cat "$file"; }; done
  exit 1
}
cd "$work" || exit 1

srun --help 2>&1 | grep -q -- "--ferry-functions=F" || fail "srun --help does not offer --ferry-functions"

# world_of NAME: the MPI_COMM_WORLD size every rank of NAME.out saw, once per rank.
world_of() { sed -n 's/^rank [0-9]* of \([0-9]*\) .*/\1/p' "$work/$1.out" | sort | uniq -c | awk '{print $1 "x" $2}'; }

timeout -k 5 90 srun -N 2 -n 2 --ferry-functions=2 --ferry-mode=warm "$ring" >"$work/srun.out" 2>&1 ||
  fail "srun --ferry-functions=2 exited with $?"
[ "$(world_of srun)" = "4x4" ] || fail "srun -n 2 --ferry-functions=2: expected 4 ranks in a world of 4"
[ "$(grep -c 'ring token 6, allreduce 6$' "$work/srun.out")" -eq 4 ] || fail "wrong sums"
timeout -k 5 90 srun -n 2 "$ring" >"$work/plain.out" 2>&1 || fail "plain srun exited with $?"
[ "$(world_of plain)" = "2x2" ] || fail "srun without --ferry-functions: expected a world of 2"
echo "ok: srun -n 2 --ferry-functions=2 runs 4 ranks; without the option, 2"

"$ferry" secret "$work/secret" >/dev/null || fail "ferry secret"
start_daemon manager --secret-file "$work/secret"
manager=$(address_of manager) || fail "no manager"
start_daemon spawner --manager "$manager" --secret-file "$work/secret" --cores 2
address_of spawner >/dev/null || fail "no spawner"
timeout -k 5 90 srun -n 2 --ferry-functions=2 --ferry-mode=warm --ferry-manager="$manager" "$ring" \
  >"$work/manager.out" 2>&1 || fail "srun --ferry-manager exited with $?"
[ "$(world_of manager)" = "4x4" ] || fail "srun --ferry-manager: expected 4 ranks in a world of 4"
timeout 10 "$ferry" status --manager "$manager" >"$work/status.out" 2>&1 || fail "ferry status"
grep -q "slurm-[0-9]*\.0/" "$work/status.out" || fail "the manager saw no lease of the job step (FERRY_JOB)"
echo "ok: srun --ferry-manager leases from that manager, as slurm-<job>.<step>"

cat >"$work/job.sh" <<JOB
#!/bin/bash
echo "script: FERRY_FUNCTIONS=\${FERRY_FUNCTIONS:-unset} LD_PRELOAD=\${LD_PRELOAD:-unset}"
srun "$ring"
JOB
timeout -k 5 90 sbatch --wait -N 2 -n 2 --ferry-functions=1 --ferry-mode=warm -o "$work/sbatch.out" "$work/job.sh" \
  >/dev/null 2>"$work/sbatch_submit.out" || fail "sbatch --ferry-functions=1 exited with $?"
[ "$(world_of sbatch)" = "3x3" ] || fail "sbatch --ferry-functions=1 with srun inside: expected a world of 3"
grep -q "^script: FERRY_FUNCTIONS=unset LD_PRELOAD=unset$" "$work/sbatch.out" ||
  fail "the batch script itself got the shim or FERRY_* variables"
echo "ok: sbatch --ferry-functions=1 reaches the srun inside (world of 3), not the script"

timeout -k 5 90 salloc --quiet -N 2 -n 2 --ferry-functions=2 --ferry-mode=warm srun "$ring" >"$work/salloc.out" 2>&1 ||
  fail "salloc --ferry-functions=2 exited with $?"
[ "$(world_of salloc)" = "4x4" ] || fail "salloc --ferry-functions=2 with srun inside: expected a world of 4"
echo "ok: salloc --ferry-functions=2 reaches the srun inside"

# refused VALUE... : srun refuses each option before it starts anything, naming the value.
for bad in --ferry-functions=-1 --ferry-functions=two --ferry-functions= --ferry-functions=600000 \
           --ferry-mode=lukewarm --ferry-manager=nohost --ferry-manager=host:99999; do
  timeout -k 5 30 srun -n 1 "$bad" true >"$work/bad.out" 2>&1 && fail "srun accepted $bad"
  grep -q "ferry: --ferry-[a-z]*='${bad#*=}'" "$work/bad.out" || fail "no clear error for $bad: $(cat "$work/bad.out")"
  timeout -k 5 30 sbatch "$bad" --wrap true >"$work/bad.out" 2>&1 && fail "sbatch accepted $bad"
done
echo "ok: bad values are refused by srun and sbatch with a message naming them"

# A plugstack.conf whose shim is missing: srun --ferry-functions fails at once and says why.
sed -i "s|shim=$shim|shim=$work/missing.so|" "$slurm_dir/plugstack.conf"
timeout -k 5 30 srun -n 1 --ferry-functions=1 true >"$work/missing.out" 2>&1 && fail "srun ran without the shim"
grep -q "missing.so' is not readable" "$work/missing.out" || fail "no clear error for a missing shim"
timeout -k 5 30 srun -n 1 true >"$work/missing.out" 2>&1 || fail "srun without --ferry-functions needs the shim"
echo "ok: a missing shim is an error only for --ferry-functions"
echo PASS
