/* MPI-IO that coordinates ranks: shared file pointers, ordered access, split collectives,
   nonblocking access (waited on together with point-to-point requests) and sequential
   files. Shared-pointer accesses in rank order (a token passed along) give a file that is
   the same in every run; concurrent ones are checked for every record landing once. */
#include "io_common.h"
#include "mpi_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PIECE = 250, RECORD = 64, STRIPE = 4, STRIPES = 16 };

static char directory[512];
static int rank, size;

/* Waits for the rank before this one; pass_token() lets the next one go. */
static void take_token(void) {
  if (rank > 0) CHECK_MPI(MPI_Recv(NULL, 0, MPI_INT, rank - 1, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
}
static void pass_token(void) {
  if (rank + 1 < size) CHECK_MPI(MPI_Send(NULL, 0, MPI_INT, rank + 1, 7, MPI_COMM_WORLD));
}

static int all_pieces(void) { return PIECE * size * (size + 1) / 2; }

static void shared_in_rank_order(void) {
  MPI_File file = io_open(directory, "shared", MPI_MODE_CREATE | MPI_MODE_RDWR);
  const int count = PIECE * (rank + 1);
  int *mine = io_values(rank, 11, count);
  MPI_Status status;
  take_token();
  CHECK_MPI(MPI_File_write_shared(file, mine, count, MPI_INT, &status));
  pass_token();
  io_check_count(&status, count);
  CHECK_MPI(MPI_File_sync(file));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  MPI_Offset position = -1;
  CHECK_MPI(MPI_File_get_position_shared(file, &position));
  CHECK_INT(position, (MPI_Offset)all_pieces() * 4, "shared pointer after write_shared");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_seek_shared(file, 0, MPI_SEEK_SET));
  int *back = calloc((size_t)count, sizeof(int));
  take_token();
  CHECK_MPI(MPI_File_read_shared(file, back, count, MPI_INT, &status));
  pass_token();
  io_check_count(&status, count);
  io_check_values(back, rank, 11, count, "read_shared in rank order");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_seek_shared(file, -(MPI_Offset)PIECE * 4, MPI_SEEK_END));
  CHECK_MPI(MPI_File_get_position_shared(file, &position));
  CHECK_INT(position, (MPI_Offset)(all_pieces() - PIECE) * 4, "shared pointer after seek to the end");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_seek_shared(file, -(MPI_Offset)PIECE * 4, MPI_SEEK_CUR));
  CHECK_MPI(MPI_File_get_position_shared(file, &position));
  CHECK_INT(position, (MPI_Offset)(all_pieces() - 2 * PIECE) * 4, "shared pointer after a relative seek");
  CHECK_MPI(MPI_File_close(&file));
  free(mine);
  free(back);
  io_record(directory, "write_shared in rank order", "shared");
}

/* Every rank writes its records through the shared pointer at once; rank 0 then checks
   that each landed exactly once. */
static void shared_concurrently(void) {
  MPI_File file = io_open(directory, "concurrent", MPI_MODE_CREATE | MPI_MODE_RDWR);
  enum { RECORDS = 8 };
  int record_buf[RECORD];
  MPI_Request requests[RECORDS / 2];
  int pending[RECORDS / 2][RECORD];
  for (int r = 0; r < RECORDS; ++r) {
    int *target = r % 2 ? pending[r / 2] : record_buf;
    for (int i = 0; i < RECORD; ++i) target[i] = io_value(rank, 100 + r, i);
    if (r % 2)
      CHECK_MPI(MPI_File_iwrite_shared(file, target, RECORD, MPI_INT, &requests[r / 2]));
    else
      CHECK_MPI(MPI_File_write_shared(file, target, RECORD, MPI_INT, MPI_STATUS_IGNORE));
  }
  CHECK_MPI(MPI_Waitall(RECORDS / 2, requests, MPI_STATUSES_IGNORE));
  CHECK_MPI(MPI_File_sync(file));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  MPI_Offset bytes = 0;
  CHECK_MPI(MPI_File_get_size(file, &bytes));
  CHECK_INT(bytes, (MPI_Offset)size * RECORDS * RECORD * 4, "size after concurrent write_shared");
  if (rank == 0) {
    int total = size * RECORDS;
    int *all = malloc(sizeof(int) * (size_t)total * RECORD);
    char *seen = calloc((size_t)total, 1);
    CHECK_MPI(MPI_File_read_at(file, 0, all, total * RECORD, MPI_INT, MPI_STATUS_IGNORE));
    for (int k = 0; k < total; ++k) {
      const int *rec = all + (size_t)k * RECORD;
      int owner = -1, salt = -1;
      for (int o = 0; o < size && owner < 0; ++o)
        for (int r = 0; r < RECORDS; ++r)
          if (rec[0] == io_value(o, 100 + r, 0)) owner = o, salt = 100 + r;
      CHECK(owner >= 0, "record %d belongs to no rank", k);
      for (int i = 0; i < RECORD; ++i)
        CHECK_INT(rec[i], io_value(owner, salt, i), "element of a concurrent record");
      int slot = owner * RECORDS + salt - 100;
      CHECK(!seen[slot], "record %d of rank %d written twice", salt - 100, owner);
      seen[slot] = 1;
    }
    out("concurrent write_shared and iwrite_shared: %d records, each once", total);
    free(all);
    free(seen);
  }
  /* Reading them back concurrently: every rank gets whole records, all of them together once. */
  CHECK_MPI(MPI_File_seek_shared(file, 0, MPI_SEEK_SET));
  int got[RECORDS][RECORD];
  MPI_Request reads[RECORDS];
  for (int r = 0; r < RECORDS; ++r) CHECK_MPI(MPI_File_iread_shared(file, got[r], RECORD, MPI_INT, &reads[r]));
  CHECK_MPI(MPI_Waitall(RECORDS, reads, MPI_STATUSES_IGNORE));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  long long mine = 0, sum = 0;
  for (int r = 0; r < RECORDS; ++r) mine += got[r][RECORD - 1] - got[r][0];
  CHECK_MPI(MPI_Allreduce(&mine, &sum, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD));
  CHECK_INT(sum, (long long)size * RECORDS * (RECORD - 1), "records read back through iread_shared");
  out("concurrent iread_shared: every record whole");
  CHECK_MPI(MPI_File_close(&file));
  out_flush();
}

static void ordered(void) {
  MPI_File file = io_open(directory, "ordered", MPI_MODE_CREATE | MPI_MODE_RDWR);
  CHECK_MPI(MPI_File_set_view(file, 0, MPI_INT, MPI_INT, "native", MPI_INFO_NULL));
  const int count = PIECE * (rank + 1);
  int *first = io_values(rank, 12, count), *second = io_values(rank, 13, count);
  MPI_Status status;
  CHECK_MPI(MPI_File_write_ordered(file, first, count, MPI_INT, &status));
  io_check_count(&status, count);
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  MPI_Offset position = -1;
  CHECK_MPI(MPI_File_get_position_shared(file, &position));
  CHECK_INT(position, all_pieces(), "shared pointer in etypes after write_ordered");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_write_ordered_begin(file, second, count, MPI_INT));
  CHECK_MPI(MPI_File_write_ordered_end(file, second, &status));
  io_check_count(&status, count);
  CHECK_MPI(MPI_File_sync(file));
  CHECK_MPI(MPI_File_seek_shared(file, 0, MPI_SEEK_SET));
  int *back = calloc((size_t)count, sizeof(int));
  CHECK_MPI(MPI_File_read_ordered(file, back, count, MPI_INT, &status));
  io_check_count(&status, count);
  io_check_values(back, rank, 12, count, "read_ordered");
  CHECK_MPI(MPI_File_read_ordered_begin(file, back, count, MPI_INT));
  CHECK_MPI(MPI_File_read_ordered_end(file, back, &status));
  io_check_values(back, rank, 13, count, "read_ordered_begin/end");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_get_position_shared(file, &position));
  CHECK_INT(position, 2 * all_pieces(), "shared pointer after reading everything");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  /* A new view resets the shared pointer. */
  CHECK_MPI(MPI_File_set_view(file, 0, MPI_BYTE, MPI_BYTE, "native", MPI_INFO_NULL));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_File_get_position_shared(file, &position));
  CHECK_INT(position, 0, "shared pointer after MPI_File_set_view");
  CHECK_MPI(MPI_File_close(&file));
  free(first);
  free(second);
  free(back);
  io_record(directory, "write_ordered", "ordered");
}

static void split_collectives(void) {
  MPI_File file = io_open(directory, "split", MPI_MODE_CREATE | MPI_MODE_RDWR);
  MPI_Datatype stripe, filetype;
  CHECK_MPI(MPI_Type_contiguous(STRIPE, MPI_INT, &stripe));
  CHECK_MPI(MPI_Type_create_resized(stripe, 0, (MPI_Aint)size * STRIPE * 4, &filetype));
  CHECK_MPI(MPI_Type_commit(&filetype));
  CHECK_MPI(MPI_File_set_view(file, (MPI_Offset)rank * STRIPE * 4, MPI_INT, filetype, "native",
                              MPI_INFO_NULL));
  const int count = STRIPE * STRIPES;
  int *a = io_values(rank, 14, count), *b = io_values(rank, 15, count);
  MPI_Status status;
  CHECK_MPI(MPI_File_write_all_begin(file, a, count, MPI_INT));
  CHECK_MPI(MPI_File_write_all_end(file, a, &status));
  io_check_count(&status, count);
  CHECK_MPI(MPI_File_write_at_all_begin(file, count, b, count, MPI_INT));
  CHECK_MPI(MPI_File_write_at_all_end(file, b, &status));
  io_check_count(&status, count);
  CHECK_MPI(MPI_File_sync(file));
  int *back = calloc((size_t)count, sizeof(int));
  CHECK_MPI(MPI_File_seek(file, 0, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_read_all_begin(file, back, count, MPI_INT));
  CHECK_MPI(MPI_File_read_all_end(file, back, &status));
  io_check_values(back, rank, 14, count, "read_all_begin/end");
  CHECK_MPI(MPI_File_read_at_all_begin(file, count, back, count, MPI_INT));
  CHECK_MPI(MPI_File_read_at_all_end(file, back, &status));
  io_check_values(back, rank, 15, count, "read_at_all_begin/end");
  CHECK_MPI(MPI_File_close(&file));
  CHECK_MPI(MPI_Type_free(&stripe));
  CHECK_MPI(MPI_Type_free(&filetype));
  free(a);
  free(b);
  free(back);
  io_record(directory, "split collectives", "split");
}

/* Four nonblocking writes per rank, waited on in one call with a point-to-point exchange. */
static void nonblocking(void) {
  MPI_File file = io_open(directory, "nonblocking", MPI_MODE_CREATE | MPI_MODE_RDWR);
  const int block = PIECE * 4; /* each rank owns a block of four pieces, one per call */
  const MPI_Offset base = (MPI_Offset)rank * block * 4;
  int *data[4];
  for (int k = 0; k < 4; ++k) data[k] = io_values(rank, 20 + k, PIECE);
  MPI_Request requests[6];
  int token_out = rank, token_in = -1;
  const int next = (rank + 1) % size, previous = (rank + size - 1) % size;
  CHECK_MPI(MPI_Irecv(&token_in, 1, MPI_INT, previous, 9, MPI_COMM_WORLD, &requests[0]));
  CHECK_MPI(MPI_File_iwrite_at(file, base, data[0], PIECE, MPI_INT, &requests[1]));
  CHECK_MPI(MPI_File_seek(file, base + PIECE * 4, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_iwrite(file, data[1], PIECE, MPI_INT, &requests[2]));
  CHECK_MPI(MPI_File_iwrite_at_all(file, base + 2 * PIECE * 4, data[2], PIECE, MPI_INT, &requests[3]));
  CHECK_MPI(MPI_File_seek(file, base + 3 * PIECE * 4, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_iwrite_all(file, data[3], PIECE, MPI_INT, &requests[4]));
  CHECK_MPI(MPI_Isend(&token_out, 1, MPI_INT, next, 9, MPI_COMM_WORLD, &requests[5]));
  MPI_Status statuses[6];
  CHECK_MPI(MPI_Waitall(6, requests, statuses));
  CHECK_INT(token_in, previous, "token received beside the file writes");
  for (int k = 1; k <= 4; ++k) io_check_count(&statuses[k], PIECE);
  CHECK_MPI(MPI_File_sync(file));
  int *back[4];
  for (int k = 0; k < 4; ++k) back[k] = calloc(PIECE, sizeof(int));
  CHECK_MPI(MPI_File_iread_at(file, base, back[0], PIECE, MPI_INT, &requests[0]));
  CHECK_MPI(MPI_File_seek(file, base + PIECE * 4, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_iread(file, back[1], PIECE, MPI_INT, &requests[1]));
  CHECK_MPI(MPI_File_iread_at_all(file, base + 2 * PIECE * 4, back[2], PIECE, MPI_INT, &requests[2]));
  CHECK_MPI(MPI_File_seek(file, base + 3 * PIECE * 4, MPI_SEEK_SET));
  CHECK_MPI(MPI_File_iread_all(file, back[3], PIECE, MPI_INT, &requests[3]));
  for (int k = 0; k < 4; ++k) {
    int index = -1;
    CHECK_MPI(MPI_Waitany(4, requests, &index, MPI_STATUS_IGNORE));
  }
  static const char *const names[4] = {"iread_at", "iread", "iread_at_all", "iread_all"};
  for (int k = 0; k < 4; ++k) io_check_values(back[k], rank, 20 + k, PIECE, names[k]);
  CHECK_MPI(MPI_File_close(&file));
  for (int k = 0; k < 4; ++k) {
    free(data[k]);
    free(back[k]);
  }
  io_record(directory, "nonblocking access", "nonblocking");
}

static void sequential_file(void) {
  MPI_File file = io_open(directory, "sequential", MPI_MODE_CREATE | MPI_MODE_WRONLY | MPI_MODE_SEQUENTIAL);
  int amode = 0;
  CHECK_MPI(MPI_File_get_amode(file, &amode));
  CHECK_INT(amode, MPI_MODE_CREATE | MPI_MODE_WRONLY | MPI_MODE_SEQUENTIAL, "amode of a sequential file");
  const int count = PIECE * (rank + 1);
  int *mine = io_values(rank, 30, count);
  CHECK_MPI(MPI_File_write_ordered(file, mine, count, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_File_write_ordered(file, mine, count, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_File_close(&file));
  free(mine);
  io_record(directory, "sequential file", "sequential");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  rank = world_rank();
  size = world_size();
  io_make_directory(directory, sizeof directory);
  shared_in_rank_order();
  shared_concurrently();
  ordered();
  split_collectives();
  nonblocking();
  sequential_file();
  io_remove_directory(directory);
  finish("file_shared");
  return 0;
}
