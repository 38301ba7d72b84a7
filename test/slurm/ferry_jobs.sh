# Sourced by the tests that run Ferry jobs under the test's own Slurm, once they have set
# `ferry` and `fault_rank`: the Slurm harness, ferry daemons (daemons.sh), a skip (77)
# without Slurm or mpirun, cleanup() (daemons, Slurm, leftover fault_rank processes and
# $work) for the test's trap, and Open MPI's settings for root and 2 cores.
ferry_jobs_here=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
source "$ferry_jobs_here/slurm_cluster.sh"
slurm_cluster_require
command -v mpirun >/dev/null || slurm_cluster_skip "mpirun is not installed"

source "$ferry_jobs_here/../rank_offload/daemons.sh"
cleanup() {
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  slurm_cluster_stop
  pkill -9 -x "$(basename "$fault_rank")" 2>/dev/null
  rm -rf "$work"
}

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
