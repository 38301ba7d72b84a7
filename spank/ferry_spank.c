/* Ferry's SPANK plugin: --ferry-functions, --ferry-mode and --ferry-manager for srun,
 * salloc and sbatch. A step's tasks then start with the MPI shim preloaded and the FERRY_*
 * variables it reads, so an unmodified program runs with function ranks:
 *
 *   srun -n 2 --ferry-functions=2 ./app      # MPI_COMM_WORLD has 4 ranks
 *
 * plugstack.conf:  required /usr/local/lib/slurm/ferry_spank.so [shim=/path/libferry_mpi.so]
 *
 * Options given to salloc or sbatch reach the sruns of the allocation through Slurm's own
 * SPANK option environment. The batch script, the extern and the interactive step run
 * without the shim: only tasks of job steps are MPI ranks. Without --ferry-manager (and
 * without FERRY_MANAGER or FERRY_SPAWNERS in the environment) every batch rank leases its
 * function ranks from an embedded manager and spawner on its own node. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/spank.h>

#include "spank/options.h"

SPANK_PLUGIN(ferry, 1);

enum { option_functions = 1, option_mode, option_manager };

/* Slurm calls each option's callback once per process that loads the plugin. */
static long functions = -1; /* -1: --ferry-functions not given */
static char mode[16] = "";
static char manager[256] = "";
static char shim[PATH_MAX] = FERRY_SPANK_DEFAULT_SHIM;

static int copy_value(char* destination, size_t size, const char* value, const char* option) {
  if (strlen(value) >= size) {
    slurm_error("ferry: --%s value is too long", option);
    return -1;
  }
  strcpy(destination, value);
  return 0;
}

static int take_option(int which, const char* value, int remote) {
  char error[512] = "";
  (void)remote;
  switch (which) {
    case option_functions:
      if (ferry_spank_parse_functions(value, &functions, error, sizeof error) == 0) return 0;
      break;
    case option_mode:
      if (ferry_spank_check_mode(value, error, sizeof error) == 0) {
        return copy_value(mode, sizeof mode, value, "ferry-mode");
      }
      break;
    case option_manager:
      if (ferry_spank_check_manager(value, error, sizeof error) == 0) {
        return copy_value(manager, sizeof manager, value, "ferry-manager");
      }
      break;
    default:
      snprintf(error, sizeof error, "unknown option");
  }
  slurm_error("ferry: %s", error);
  return -1;
}

static struct spank_option options[] = {
    {"ferry-functions", "F", "run F more ranks of the MPI program as Ferry function ranks on leased executors", 1,
     option_functions, take_option},
    {"ferry-mode", "MODE", "how Ferry's ranks wait: auto (default), hot, warm or adaptive", 1, option_mode,
     take_option},
    {"ferry-manager", "HOST:PORT",
     "Ferry manager to lease function ranks from (default: one embedded per batch rank, on its node)", 1,
     option_manager, take_option},
};

int slurm_spank_init(spank_t spank, int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "shim=", 5) == 0) {
      if (copy_value(shim, sizeof shim, argv[i] + 5, "shim") != 0) return -1;
    } else {
      slurm_error("ferry: unknown plugstack.conf argument '%s' (known: shim=PATH)", argv[i]);
      return -1;
    }
  }
  for (size_t i = 0; i < sizeof options / sizeof options[0]; ++i) {
    if (spank_option_register(spank, &options[i]) != ESPANK_SUCCESS) {
      slurm_error("ferry: cannot register --%s", options[i].name);
      return -1;
    }
  }
  return 0;
}

/* In srun, salloc and sbatch: a shim that is not there fails the command, not the tasks. */
int slurm_spank_init_post_opt(spank_t spank, int argc, char** argv) {
  (void)argc;
  (void)argv;
  if (spank_remote(spank) || functions <= 0) return 0;
  if (access(shim, R_OK) != 0) {
    slurm_error("ferry: --ferry-functions needs the MPI shim, but '%s' is not readable (plugstack.conf: shim=PATH)",
                shim);
    return -1;
  }
  return 0;
}

static int set_variable(spank_t spank, const char* name, const char* value) {
  if (spank_setenv(spank, name, value, 1) != ESPANK_SUCCESS) {
    slurm_error("ferry: cannot set %s for the task", name);
    return -1;
  }
  return 0;
}

/* The shim first, then whatever the task would have preloaded anyway. */
static int preload_shim(spank_t spank) {
  char current[4096] = "";
  char preload[sizeof current + PATH_MAX + 1];
  const spank_err_t found = spank_getenv(spank, "LD_PRELOAD", current, sizeof current);
  if (found != ESPANK_SUCCESS && found != ESPANK_ENV_NOEXIST) {
    slurm_error("ferry: cannot read the task's LD_PRELOAD: %s", spank_strerror(found));
    return -1;
  }
  if (strstr(current, shim) != NULL) return 0;
  snprintf(preload, sizeof preload, "%s%s%s", shim, current[0] != '\0' ? ":" : "", current);
  return set_variable(spank, "LD_PRELOAD", preload);
}

static int is_job_step(spank_t spank) {
  uint32_t step = 0;
  if (spank_get_item(spank, S_JOB_STEPID, &step) != ESPANK_SUCCESS) return 0;
  return step != SLURM_BATCH_SCRIPT && step != SLURM_EXTERN_CONT && step != SLURM_INTERACTIVE_STEP;
}

/* In each task of a step, as its user, just before the program starts. */
int slurm_spank_task_init(spank_t spank, int argc, char** argv) {
  (void)argc;
  (void)argv;
  if (functions <= 0 || !is_job_step(spank)) return 0;
  uint32_t job = 0, step = 0;
  spank_get_item(spank, S_JOB_ID, &job);
  spank_get_item(spank, S_JOB_STEPID, &step);
  char text[64];
  snprintf(text, sizeof text, "%ld", functions);
  if (set_variable(spank, "FERRY_FUNCTIONS", text) != 0) return -1;
  snprintf(text, sizeof text, "slurm-%u.%u", job, step);
  if (set_variable(spank, "FERRY_JOB", text) != 0) return -1;
  if (mode[0] != '\0' && set_variable(spank, "FERRY_MODE", mode) != 0) return -1;
  if (manager[0] != '\0' && set_variable(spank, "FERRY_MANAGER", manager) != 0) return -1;
  return preload_shim(spank);
}
