/* Prints, for each rank, what Open MPI was told of the node's topology before MPI_Init:
 * "rank R: topology file in the session base" when OMPI_MCA_hwloc_base_topo_file names an
 * XML file under OMPI_MCA_orte_tmpdir_base, "rank R: no topology file" when it is unset,
 * and what is wrong otherwise. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *describe(void) {
  const char *file = getenv("OMPI_MCA_hwloc_base_topo_file");
  const char *base = getenv("OMPI_MCA_orte_tmpdir_base");
  if (file == NULL) return "no topology file";
  if (base == NULL || strncmp(file, base, strlen(base)) != 0) return "a topology file outside the session base";
  FILE *in = fopen(file, "r");
  if (in == NULL) return "a topology file that cannot be read";
  char start[6] = {0};
  const size_t got = fread(start, 1, sizeof start - 1, in);
  fclose(in);
  return got == 5 && strcmp(start, "<?xml") == 0 ? "topology file in the session base" : "a topology file that is not XML";
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  printf("rank %d: %s\n", rank, describe());
  fflush(stdout);
  MPI_Finalize();
  return 0;
}
