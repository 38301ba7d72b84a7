/* Parallel HDF5 through MPI-IO: every rank writes its block of rows of a chunked 2-D
   dataset collectively, rank 0 an attribute; the file is reopened and every rank reads its
   neighbour's block back collectively and checks it. Usage: chunked_dataset FILE */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { ROWS = 64, COLS = 48 };

#define CHECK(cond, what)                                                        \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, (what));           \
      MPI_Abort(MPI_COMM_WORLD, 1);                                              \
    }                                                                            \
  } while (0)

static int value(int row, int col) { return row * 1000 + col; }

static hid_t mpio_access(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  CHECK(H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) >= 0, "H5Pset_fapl_mpio");
  return fapl;
}

static hid_t collective_transfer(void) {
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  CHECK(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) >= 0, "H5Pset_dxpl_mpio");
  return dxpl;
}

/* The hyperslab of `owner`'s block of rows in `space`, and a memory space of its size. */
static hid_t select_block(hid_t space, int owner) {
  hsize_t start[2] = {(hsize_t)owner * ROWS, 0}, count[2] = {ROWS, COLS};
  CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0, "H5Sselect_hyperslab");
  return H5Screate_simple(2, count, NULL);
}

static void write_file(const char *path, int rank, int size) {
  hid_t fapl = mpio_access();
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  CHECK(file >= 0, "H5Fcreate");
  hsize_t dims[2] = {(hsize_t)size * ROWS, COLS}, chunk[2] = {ROWS / 2, COLS / 4};
  hid_t space = H5Screate_simple(2, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  CHECK(H5Pset_chunk(dcpl, 2, chunk) >= 0, "H5Pset_chunk");
  hid_t dataset = H5Dcreate2(file, "blocks", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  CHECK(dataset >= 0, "H5Dcreate2");
  int *data = malloc(sizeof(int) * ROWS * COLS);
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS; ++c) data[r * COLS + c] = value(rank * ROWS + r, c);
  hid_t memory = select_block(space, rank);
  hid_t dxpl = collective_transfer();
  CHECK(H5Dwrite(dataset, H5T_NATIVE_INT, memory, space, dxpl, data) >= 0, "H5Dwrite");
  hid_t scalar = H5Screate(H5S_SCALAR);
  hid_t attribute = H5Acreate2(dataset, "ranks", H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT);
  CHECK(H5Awrite(attribute, H5T_NATIVE_INT, &size) >= 0, "H5Awrite");
  H5Aclose(attribute);
  H5Sclose(scalar);
  H5Pclose(dxpl);
  H5Sclose(memory);
  H5Dclose(dataset);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(file);
  H5Pclose(fapl);
  free(data);
}

static void read_back(const char *path, int rank, int size) {
  hid_t fapl = mpio_access();
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  CHECK(file >= 0, "H5Fopen");
  hid_t dataset = H5Dopen2(file, "blocks", H5P_DEFAULT);
  hid_t space = H5Dget_space(dataset);
  const int neighbour = (rank + 1) % size;
  hid_t memory = select_block(space, neighbour);
  hid_t dxpl = collective_transfer();
  int *data = calloc(ROWS * COLS, sizeof(int));
  CHECK(H5Dread(dataset, H5T_NATIVE_INT, memory, space, dxpl, data) >= 0, "H5Dread");
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS; ++c) CHECK(data[r * COLS + c] == value(neighbour * ROWS + r, c), "data read back");
  H5Pclose(dxpl);
  H5Sclose(memory);
  H5Sclose(space);
  H5Dclose(dataset);
  H5Fclose(file);
  H5Pclose(fapl);
  free(data);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  CHECK(argc == 2, "usage: chunked_dataset FILE");
  write_file(argv[1], rank, size);
  read_back(argv[1], rank, size);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) printf("chunked_dataset: %d ranks wrote and read back %s\n", size, "blocks");
  MPI_Finalize();
  return 0;
}
