#pragma once
// `ferry doctor`'s checks of a Slurm cluster: Slurm's commands and controller, munge,
// PMIx (how Open MPI's ranks wire up under srun) and Ferry's SPANK plugin. A machine
// without Slurm gets an [info] line, not warnings: ferry run uses mpirun there.

namespace ferry::cli {

class Report;

/// srun and sinfo on PATH, and `sinfo` reaching the controller that slurm.conf names.
void check_slurm(Report& report);
/// `munge -n | unmunge` through the socket slurm.conf's AuthInfo names (or munge's default).
void check_munge(Report& report);
/// `srun --mpi=list` offers pmix; without srun, whether the PMIx library is installed.
void check_pmix(Report& report);
/// The plugstack.conf that slurm.conf names lists ferry_spank.so, and srun offers --ferry-functions.
void check_spank_plugin(Report& report);

}  // namespace ferry::cli
