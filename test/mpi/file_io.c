/* MPI-IO without shared file pointers: open and close (create, exclusive create,
   delete on close), explicit offsets, individual file pointers, collective access, file
   views, and the calls that inspect or change a file: size, info, amode, atomicity, group,
   sync. Rank 0 prints a checksum of each file as written, every rank one of what it read. */
#include "io_common.h"
#include "mpi_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BLOCK = 1000, STRIPE = 4, STRIPES = 64 };

static char directory[512];
static int rank, size;

static void explicit_offsets(void) {
  MPI_File file = io_open(directory, "explicit", MPI_MODE_CREATE | MPI_MODE_RDWR);
  int amode = 0;
  CHECK_MPI(MPI_File_get_amode(file, &amode));
  CHECK_INT(amode, MPI_MODE_CREATE | MPI_MODE_RDWR, "MPI_File_get_amode");
  int *mine = io_values(rank, 1, BLOCK);
  MPI_Status status;
  CHECK_MPI(MPI_File_write_at(file, (MPI_Offset)rank * BLOCK * 4, mine, BLOCK, MPI_INT, &status));
  io_check_count(&status, BLOCK);
  CHECK_MPI(MPI_File_sync(file));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_sync(file));
  int next = (rank + 1) % size;
  int *theirs = calloc(BLOCK, sizeof(int));
  CHECK_MPI(MPI_File_read_at(file, (MPI_Offset)next * BLOCK * 4, theirs, BLOCK, MPI_INT, &status));
  io_check_count(&status, BLOCK);
  io_check_values(theirs, next, 1, BLOCK, "read_at");
  MPI_Offset bytes = 0;
  CHECK_MPI(MPI_File_get_size(file, &bytes));
  CHECK_INT(bytes, (MPI_Offset)size * BLOCK * 4, "MPI_File_get_size");
  CHECK_MPI(MPI_File_close(&file));
  CHECK(file == MPI_FILE_NULL, "MPI_File_close left the handle");
  free(mine);
  free(theirs);
  io_record(directory, "explicit offsets", "explicit");
}

static void individual_pointers(void) {
  MPI_File file = io_open(directory, "individual", MPI_MODE_CREATE | MPI_MODE_RDWR);
  int *mine = io_values(rank, 2, BLOCK);
  CHECK_MPI(MPI_File_seek(file, (MPI_Offset)rank * BLOCK * 4, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_write(file, mine, BLOCK / 2, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_File_write(file, mine + BLOCK / 2, BLOCK / 2, MPI_INT, MPI_STATUS_IGNORE));
  MPI_Offset position = -1, byte = -1;
  CHECK_MPI(MPI_File_get_position(file, &position));
  CHECK_INT(position, (MPI_Offset)(rank + 1) * BLOCK * 4, "MPI_File_get_position");
  CHECK_MPI(MPI_File_get_byte_offset(file, position, &byte));
  CHECK_INT(byte, position, "MPI_File_get_byte_offset");
  CHECK_MPI(MPI_File_seek(file, -(MPI_Offset)BLOCK * 4, MPI_SEEK_CUR));
  int *back = calloc(BLOCK, sizeof(int));
  MPI_Status status;
  CHECK_MPI(MPI_File_read(file, back, BLOCK, MPI_INT, &status));
  io_check_count(&status, BLOCK);
  io_check_values(back, rank, 2, BLOCK, "read");
  CHECK_MPI(MPI_File_sync(file));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_seek(file, 0, MPI_SEEK_END));
  CHECK_MPI(MPI_File_get_position(file, &position));
  CHECK_INT(position, (MPI_Offset)size * BLOCK * 4, "position after MPI_SEEK_END");
  CHECK_MPI(MPI_File_close(&file));
  free(mine);
  free(back);
  io_record(directory, "individual file pointers", "individual");
}

/* Rank r owns every size-th stripe of STRIPE ints, starting with stripe r. */
static void set_striped_view(MPI_File file, MPI_Datatype *filetype) {
  MPI_Datatype stripe;
  CHECK_MPI(MPI_Type_contiguous(STRIPE, MPI_INT, &stripe));
  CHECK_MPI(MPI_Type_create_resized(stripe, 0, (MPI_Aint)size * STRIPE * 4, filetype));
  CHECK_MPI(MPI_Type_commit(filetype));
  CHECK_MPI(MPI_Type_free(&stripe));
  CHECK_MPI(MPI_File_set_view(file, (MPI_Offset)rank * STRIPE * 4, MPI_INT, *filetype, "native",
                              MPI_INFO_NULL));
}

static void check_view(MPI_File file) {
  MPI_Offset disp = -1;
  MPI_Datatype etype, filetype;
  char datarep[MPI_MAX_DATAREP_STRING];
  CHECK_MPI(MPI_File_get_view(file, &disp, &etype, &filetype, datarep));
  CHECK_INT(disp, (MPI_Offset)rank * STRIPE * 4, "view displacement");
  CHECK(etype == MPI_INT, "view etype is not MPI_INT");
  CHECK(strcmp(datarep, "native") == 0, "view datarep is %s", datarep);
  int type_size = 0;
  CHECK_MPI(MPI_Type_size(filetype, &type_size));
  CHECK_INT(type_size, STRIPE * 4, "filetype size");
  MPI_Aint lb, extent;
  CHECK_MPI(MPI_Type_get_extent(filetype, &lb, &extent));
  CHECK_INT(extent, (MPI_Aint)size * STRIPE * 4, "filetype extent");
  CHECK_MPI(MPI_Type_free(&filetype));
  CHECK_MPI(MPI_File_get_type_extent(file, MPI_DOUBLE, &extent));
  CHECK_INT(extent, 8, "MPI_File_get_type_extent");
}

static void collective_with_view(void) {
  MPI_File file = io_open(directory, "striped", MPI_MODE_CREATE | MPI_MODE_RDWR);
  MPI_Datatype filetype;
  set_striped_view(file, &filetype);
  check_view(file);
  const int count = STRIPE * STRIPES;
  int *mine = io_values(rank, 3, count);
  MPI_Status status;
  CHECK_MPI(MPI_File_write_all(file, mine, count, MPI_INT, &status));
  io_check_count(&status, count);
  MPI_Offset position = -1, byte = -1;
  CHECK_MPI(MPI_File_get_position(file, &position));
  CHECK_INT(position, count, "position in etypes after write_all");
  CHECK_MPI(MPI_File_get_byte_offset(file, position, &byte));
  CHECK_INT(byte, (MPI_Offset)(STRIPES * size + rank) * STRIPE * 4, "MPI_File_get_byte_offset");
  int *second = io_values(rank, 4, count);
  CHECK_MPI(MPI_File_write_at_all(file, count, second, count, MPI_INT, &status));
  io_check_count(&status, count);
  CHECK_MPI(MPI_File_sync(file));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_sync(file));
  int *back = calloc((size_t)count, sizeof(int));
  CHECK_MPI(MPI_File_seek(file, 0, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_read_all(file, back, count, MPI_INT, &status));
  io_check_count(&status, count);
  io_check_values(back, rank, 3, count, "read_all");
  CHECK_MPI(MPI_File_read_at_all(file, count, back, count, MPI_INT, &status));
  io_check_values(back, rank, 4, count, "read_at_all");
  /* The neighbour's stripes, through a view of one's own. */
  CHECK_MPI(MPI_File_set_view(file, 0, MPI_BYTE, MPI_BYTE, "native", MPI_INFO_NULL));
  CHECK_MPI(MPI_File_read_at(file, (MPI_Offset)((rank + 1) % size) * STRIPE * 4, back, STRIPE,
                             MPI_INT, &status));
  io_check_values(back, (rank + 1) % size, 3, STRIPE, "neighbour's first stripe");
  CHECK_MPI(MPI_File_close(&file));
  CHECK_MPI(MPI_Type_free(&filetype));
  free(mine);
  free(second);
  free(back);
  io_record(directory, "collective with a striped view", "striped");
}

static void size_info_and_modes(void) {
  MPI_File file = io_open(directory, "metadata", MPI_MODE_CREATE | MPI_MODE_RDWR | MPI_MODE_UNIQUE_OPEN);
  MPI_Offset bytes = -1;
  CHECK_MPI(MPI_File_set_size(file, 1000));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_get_size(file, &bytes));
  CHECK_INT(bytes, 1000, "size after MPI_File_set_size");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_preallocate(file, 4096));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_get_size(file, &bytes));
  CHECK_INT(bytes, 4096, "size after MPI_File_preallocate");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_set_size(file, 3000));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_get_size(file, &bytes));
  CHECK_INT(bytes, 3000, "size after shrinking");
  int flag = -1;
  CHECK_MPI(MPI_File_get_atomicity(file, &flag));
  CHECK_INT(flag, 0, "atomicity at open");
  CHECK_MPI(MPI_File_set_atomicity(file, 1));
  CHECK_MPI(MPI_File_get_atomicity(file, &flag));
  CHECK_INT(flag != 0, 1, "atomicity after setting it");
  int value = io_value(rank, 5, 0);
  CHECK_MPI(MPI_File_write_at_all(file, rank * 4, &value, 1, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  int read_back = 0, next = (rank + 1) % size;
  CHECK_MPI(MPI_File_read_at(file, next * 4, &read_back, 1, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_INT(read_back, io_value(next, 5, 0), "atomic read of the neighbour's write");
  CHECK_MPI(MPI_File_set_atomicity(file, 0));
  MPI_Info info;
  CHECK_MPI(MPI_Info_create(&info));
  CHECK_MPI(MPI_Info_set(info, "access_style", "read_mostly"));
  CHECK_MPI(MPI_File_set_info(file, info));
  CHECK_MPI(MPI_Info_free(&info));
  CHECK_MPI(MPI_File_get_info(file, &info));
  CHECK(info != MPI_INFO_NULL, "MPI_File_get_info gave MPI_INFO_NULL");
  CHECK_MPI(MPI_Info_free(&info));
  MPI_Group group, world_group;
  int compared = -1;
  CHECK_MPI(MPI_File_get_group(file, &group));
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  CHECK_MPI(MPI_Group_compare(group, world_group, &compared));
  CHECK_INT(compared, MPI_IDENT, "file group against the world's");
  int group_rank = -1;
  CHECK_MPI(MPI_Group_rank(group, &group_rank));
  CHECK_INT(group_rank, rank, "rank in the file group");
  CHECK_MPI(MPI_Group_free(&group));
  CHECK_MPI(MPI_Group_free(&world_group));
  MPI_Fint fortran = MPI_File_c2f(file);
  CHECK(MPI_File_f2c(fortran) == file, "MPI_File_f2c(MPI_File_c2f) is not the file");
  CHECK_MPI(MPI_File_close(&file));
  io_record(directory, "size, info, modes", "metadata");
}

static void exclusive_create(void) {
  char path[1024];
  io_path(path, sizeof path, directory, "explicit");
  MPI_File file = MPI_FILE_NULL;
  int code = MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_EXCL | MPI_MODE_WRONLY,
                           MPI_INFO_NULL, &file);
  int error_class = MPI_SUCCESS;
  MPI_Error_class(code, &error_class);
  CHECK(code != MPI_SUCCESS, "exclusive create of an existing file succeeded");
  CHECK(file == MPI_FILE_NULL, "a failed open gave a handle");
  out("exclusive create of an existing file: error class %s",
      error_class == MPI_ERR_FILE_EXISTS ? "MPI_ERR_FILE_EXISTS" : "another");
  io_path(path, sizeof path, directory, "exclusive");
  CHECK_MPI(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_EXCL | MPI_MODE_WRONLY,
                          MPI_INFO_NULL, &file));
  int value = io_value(rank, 6, 0);
  CHECK_MPI(MPI_File_write_at_all(file, rank * 4, &value, 1, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_File_close(&file));
  io_record(directory, "exclusive create", "exclusive");
}

static void delete_on_close_and_delete(void) {
  char path[1024];
  io_path(path, sizeof path, directory, "scratch");
  MPI_File file = io_open(directory, "scratch", MPI_MODE_CREATE | MPI_MODE_RDWR | MPI_MODE_DELETE_ON_CLOSE);
  int amode = 0;
  CHECK_MPI(MPI_File_get_amode(file, &amode));
  CHECK_INT(amode, MPI_MODE_CREATE | MPI_MODE_RDWR | MPI_MODE_DELETE_ON_CLOSE, "amode with delete on close");
  int value = io_value(rank, 7, 0);
  CHECK_MPI(MPI_File_write_at_all(file, rank * 4, &value, 1, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(access(path, F_OK) == 0, "the file went before it was closed");
  CHECK_MPI(MPI_File_close(&file));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(access(path, F_OK) != 0, "MPI_MODE_DELETE_ON_CLOSE left the file");
  out("delete on close: gone");
  io_path(path, sizeof path, directory, "exclusive");
  if (rank == 0) CHECK_MPI(MPI_File_delete(path, MPI_INFO_NULL));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(access(path, F_OK) != 0, "MPI_File_delete left the file");
  out("MPI_File_delete: gone");
  out_flush();
}

/* Each half of the world (even and odd ranks) writes a file of its own. */
static void files_of_subcommunicators(void) {
  MPI_Comm half;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half));
  char name[32], path[1024];
  snprintf(name, sizeof name, "half%d", rank % 2);
  io_path(path, sizeof path, directory, name);
  MPI_File file;
  CHECK_MPI(MPI_File_open(half, path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &file));
  int half_rank;
  CHECK_MPI(MPI_Comm_rank(half, &half_rank));
  int *mine = io_values(rank, 8, BLOCK);
  CHECK_MPI(MPI_File_write_at_all(file, (MPI_Offset)half_rank * BLOCK * 4, mine, BLOCK, MPI_INT,
                                  MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_File_close(&file));
  CHECK_MPI(MPI_Comm_free(&half));
  free(mine);
  io_record(directory, "even ranks' file", "half0");
  if (size > 1) io_record(directory, "odd ranks' file", "half1");
}

static MPI_File handled_file = MPI_FILE_NULL;
static int handled_calls, handled_class, handled_own_file;

static void count_error(MPI_File *file, int *code, ...) {
  ++handled_calls;
  MPI_Error_class(*code, &handled_class);
  handled_own_file = *file == handled_file;
}

static const char *class_name(int error_class) {
  switch (error_class) {
    case MPI_ERR_ACCESS: return "MPI_ERR_ACCESS";
    case MPI_ERR_NO_SUCH_FILE: return "MPI_ERR_NO_SUCH_FILE";
    case MPI_ERR_OTHER: return "MPI_ERR_OTHER";
    case MPI_ERR_IO: return "MPI_ERR_IO";
    case MPI_ERR_AMODE: return "MPI_ERR_AMODE";
    case MPI_ERR_READ_ONLY: return "MPI_ERR_READ_ONLY";
    case MPI_ERR_UNSUPPORTED_OPERATION: return "MPI_ERR_UNSUPPORTED_OPERATION";
    default: return "another class";
  }
}

/* A handler of our own on a file (freed by us once set: the file keeps it), one on
   MPI_FILE_NULL for failed opens and for the files opened next. */
static void error_handlers(void) {
  MPI_Errhandler handler, current;
  CHECK_MPI(MPI_File_create_errhandler(count_error, &handler));
  const MPI_Errhandler made = handler;
  MPI_File file = io_open(directory, "handled", MPI_MODE_CREATE | MPI_MODE_WRONLY);
  CHECK_MPI(MPI_File_get_errhandler(file, &current));
  CHECK(current == MPI_ERRORS_RETURN, "a new file's handler is not MPI_ERRORS_RETURN");
  CHECK_MPI(MPI_Errhandler_free(&current));
  CHECK_MPI(MPI_File_set_errhandler(file, handler));
  CHECK_MPI(MPI_Errhandler_free(&handler));
  handled_file = file;
  int value = 0;
  int code = MPI_File_read_at(file, 0, &value, 1, MPI_INT, MPI_STATUS_IGNORE);
  CHECK(code != MPI_SUCCESS, "reading a write-only file succeeded");
  out("read of a write-only file: handler called %d time(s), %s, with the file: %s", handled_calls,
      class_name(handled_class), handled_own_file ? "yes" : "no");
  CHECK_MPI(MPI_File_call_errhandler(file, MPI_ERR_IO));
  out("MPI_File_call_errhandler: handler called %d time(s), %s, with the file: %s", handled_calls,
      class_name(handled_class), handled_own_file ? "yes" : "no");
  CHECK_MPI(MPI_File_get_errhandler(file, &current));
  CHECK(current == made, "MPI_File_get_errhandler is not the handler set");
  CHECK_MPI(MPI_File_close(&file));
  CHECK_MPI(MPI_File_set_errhandler(MPI_FILE_NULL, current));
  handled_calls = 0;
  handled_file = MPI_FILE_NULL;
  char path[1024];
  io_path(path, sizeof path, directory, "missing/file");
  code = MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_RDONLY, MPI_INFO_NULL, &file);
  CHECK(code != MPI_SUCCESS, "opening a missing file succeeded");
  out("open of a missing file: handler called %d time(s), %s", handled_calls, class_name(handled_class));
  file = io_open(directory, "handled", MPI_MODE_RDONLY);
  MPI_Errhandler inherited;
  CHECK_MPI(MPI_File_get_errhandler(file, &inherited));
  CHECK(inherited == made, "a new file did not start with MPI_FILE_NULL's handler");
  CHECK_MPI(MPI_Errhandler_free(&inherited));
  CHECK_MPI(MPI_File_close(&file));
  CHECK_MPI(MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN));
  CHECK_MPI(MPI_Errhandler_free(&current));
  out_flush();
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  rank = world_rank();
  size = world_size();
  io_make_directory(directory, sizeof directory);
  explicit_offsets();
  individual_pointers();
  collective_with_view();
  size_info_and_modes();
  exclusive_create();
  delete_on_close_and_delete();
  files_of_subcommunicators();
  error_handlers();
  io_remove_directory(directory);
  finish("file_io");
  return 0;
}
