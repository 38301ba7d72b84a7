/* Environment queries: thread support, init/finalize state, version and timers. */
#include "mpi_check.h"

#include <stdio.h>
#include <string.h>

static const char *thread_level_name(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE: return "single";
    case MPI_THREAD_FUNNELED: return "funneled";
    case MPI_THREAD_SERIALIZED: return "serialized";
    case MPI_THREAD_MULTIPLE: return "multiple";
    default: return "unknown";
  }
}

static void check_thread_queries(int provided) {
  int queried = -1;
  CHECK_MPI(MPI_Query_thread(&queried));
  CHECK_INT(queried, provided, "Query_thread level");
  int is_main = 0;
  CHECK_MPI(MPI_Is_thread_main(&is_main));
  CHECK(is_main, "Is_thread_main is false on the thread that initialized MPI");
  int granted_at_least = provided >= MPI_THREAD_SERIALIZED;
  int all_at_least = 0;
  CHECK_MPI(MPI_Allreduce(&granted_at_least, &all_at_least, 1, MPI_INT, MPI_LAND,
                          MPI_COMM_WORLD));
  out("thread level granted %s", thread_level_name(provided));
  if (world_rank() == 0) out("every rank granted at least serialized: %d", all_at_least);
}

static void check_processor_name(void) {
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = -1;
  CHECK_MPI(MPI_Get_processor_name(name, &len));
  CHECK(len > 0 && len < MPI_MAX_PROCESSOR_NAME, "processor name length %d", len);
  CHECK_INT((long long)strlen(name), len, "processor name strlen");
  out("processor name non-empty");
}

static void check_timers(void) {
  double previous = MPI_Wtime();
  int monotonic = 1;
  for (int i = 0; i < 1000; ++i) {
    double now = MPI_Wtime();
    if (now < previous) monotonic = 0;
    previous = now;
  }
  CHECK(monotonic, "MPI_Wtime went backwards");
  double tick = MPI_Wtick();
  CHECK(tick > 0.0, "MPI_Wtick is not positive");
  out("wtime monotonic, wtick positive");
}

static void check_versions(void) {
  int version = 0;
  int subversion = 0;
  CHECK_MPI(MPI_Get_version(&version, &subversion));
  CHECK_INT(version, MPI_VERSION, "Get_version version");
  CHECK_INT(subversion, MPI_SUBVERSION, "Get_version subversion");
  char library[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = -1;
  CHECK_MPI(MPI_Get_library_version(library, &len));
  CHECK(len > 0, "library version string is empty");
  int open_mpi = strncmp(library, "Open MPI", 8) == 0;
  CHECK(open_mpi, "library version does not start with Open MPI");
  out("version %d.%d, library is Open MPI: %d", version, subversion, open_mpi);
}

int main(int argc, char **argv) {
  int flag = -1;
  if (MPI_Initialized(&flag) != MPI_SUCCESS || flag) {
    printf("FAIL Initialized is true before MPI_Init_thread\n");
    return 1;
  }
  int provided = -1;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
    printf("FAIL MPI_Init_thread\n");
    return 1;
  }
  CHECK_MPI(MPI_Initialized(&flag));
  CHECK(flag, "Initialized is false after MPI_Init_thread");
  CHECK_MPI(MPI_Finalized(&flag));
  CHECK(!flag, "Finalized is true before MPI_Finalize");
  if (world_rank() == 0) out("world size %d", world_size());
  check_thread_queries(provided);
  check_processor_name();
  check_timers();
  check_versions();
  finish("environment");
  MPI_Finalized(&flag);
  if (!flag) {
    printf("FAIL Finalized is false after MPI_Finalize\n");
    return 1;
  }
  return 0;
}
