/* Derived datatypes sent between every pair of ranks and received as the same type, as a
   packed MPI_BYTE stream and as a packed MPI_INT stream; counts and elements. */
#include "mpi_check.h"

#include <string.h>

enum { MAX_UNITS = 16, COPIES = 2, BUFFER_INTS = 128, SENTINEL = 0x5a5a5a5a };

/* A datatype and its type map written out by hand: the byte offsets of its 4-byte units
   in type-map order, its extent, and how many basic elements one copy holds. */
struct Case {
  const char *name;
  MPI_Datatype type;
  int units;
  int unit_offsets[MAX_UNITS];
  MPI_Aint extent;
  int elements;
  int ints_only;
};

static MPI_Datatype commit(MPI_Datatype type) {
  CHECK_MPI(MPI_Type_commit(&type));
  return type;
}

static MPI_Datatype make_indexed(void) {
  int lengths[3] = {1, 3, 2};
  int displacements[3] = {0, 4, 9};
  MPI_Datatype type;
  CHECK_MPI(MPI_Type_indexed(3, lengths, displacements, MPI_INT, &type));
  return type;
}

static void build_simple_cases(struct Case *cases) {
  MPI_Datatype t;
  CHECK_MPI(MPI_Type_contiguous(5, MPI_INT, &t));
  cases[0] = (struct Case){"contiguous", commit(t), 5, {0, 4, 8, 12, 16}, 20, 5, 1};
  CHECK_MPI(MPI_Type_vector(3, 2, 4, MPI_INT, &t));
  cases[1] = (struct Case){"vector", commit(t), 6, {0, 4, 16, 20, 32, 36}, 40, 6, 1};
  CHECK_MPI(MPI_Type_create_hvector(3, 2, 20, MPI_INT, &t));
  cases[2] = (struct Case){"hvector", commit(t), 6, {0, 4, 20, 24, 40, 44}, 48, 6, 1};
  cases[3] = (struct Case){"indexed", commit(make_indexed()), 6, {0, 16, 20, 24, 36, 40}, 44,
                           6, 1};
  int lengths[3] = {2, 1, 2};
  MPI_Aint byte_displacements[3] = {4, 24, 40};
  CHECK_MPI(MPI_Type_create_hindexed(3, lengths, byte_displacements, MPI_INT, &t));
  cases[4] = (struct Case){"hindexed", commit(t), 5, {4, 8, 24, 40, 44}, 44, 5, 1};
  int block_displacements[3] = {1, 5, 10};
  CHECK_MPI(MPI_Type_create_indexed_block(3, 2, block_displacements, MPI_INT, &t));
  cases[5] = (struct Case){"indexed_block", commit(t), 6, {4, 8, 20, 24, 40, 44}, 44, 6, 1};
}

static void build_composite_cases(struct Case *cases) {
  MPI_Datatype t;
  int lengths[3] = {1, 1, 3};
  MPI_Aint displacements[3] = {0, 8, 16};
  MPI_Datatype members[3] = {MPI_INT, MPI_DOUBLE, MPI_INT};
  CHECK_MPI(MPI_Type_create_struct(3, lengths, displacements, members, &t));
  cases[6] = (struct Case){"struct", commit(t), 6, {0, 8, 12, 16, 20, 24}, 32, 5, 0};
  int sizes[2] = {4, 6};
  int subsizes[2] = {2, 3};
  int starts[2] = {1, 2};
  CHECK_MPI(MPI_Type_create_subarray(2, sizes, subsizes, starts, MPI_ORDER_C, MPI_INT, &t));
  cases[7] = (struct Case){"subarray", commit(t), 6, {32, 36, 40, 56, 60, 64}, 96, 6, 1};
  MPI_Datatype strided;
  CHECK_MPI(MPI_Type_vector(2, 1, 3, MPI_INT, &strided));
  CHECK_MPI(MPI_Type_create_resized(strided, 0, 20, &t));
  CHECK_MPI(MPI_Type_free(&strided));
  cases[8] = (struct Case){"resized", commit(t), 2, {0, 12}, 20, 2, 1};
  MPI_Datatype inner = make_indexed();
  CHECK_MPI(MPI_Type_create_hvector(2, 1, 48, inner, &t));
  CHECK_MPI(MPI_Type_free(&inner));
  cases[9] = (struct Case){"nested hvector of indexed",
                           commit(t),
                           12,
                           {0, 16, 20, 24, 36, 40, 48, 64, 68, 72, 84, 88},
                           92,
                           12,
                           1};
}

enum { CASE_COUNT = 10 };

static int source_value(int sender, int unit) { return sender * 100000 + unit + 1; }

static void fill_source(int *buf, int sender) {
  for (int i = 0; i < BUFFER_INTS; ++i) buf[i] = source_value(sender, i);
}

static void check_layout(const struct Case *c) {
  MPI_Aint lb = 0;
  MPI_Aint extent = 0;
  CHECK_MPI(MPI_Type_get_extent(c->type, &lb, &extent));
  CHECK_INT(extent, c->extent, c->name);
  int size = 0;
  CHECK_MPI(MPI_Type_size(c->type, &size));
  CHECK_INT(size, c->units * 4, c->name);
}

/* A typed receive writes exactly the type map's units of every copy and nothing else. */
static void check_typed(const struct Case *c, const int *received, int sender) {
  int expected[BUFFER_INTS];
  for (int i = 0; i < BUFFER_INTS; ++i) expected[i] = SENTINEL;
  for (int copy = 0; copy < COPIES; ++copy)
    for (int u = 0; u < c->units; ++u) {
      int index = (int)((copy * c->extent + c->unit_offsets[u]) / 4);
      expected[index] = source_value(sender, index);
    }
  for (int i = 0; i < BUFFER_INTS; ++i)
    if (received[i] != expected[i])
      fail_at(__FILE__, __LINE__, "%s from %d: int %d is %d, expected %d", c->name, sender, i,
              received[i], expected[i]);
}

/* A packed receive holds the type map's units in order, copy after copy. */
static void check_packed(const struct Case *c, const int *received, int sender) {
  for (int copy = 0; copy < COPIES; ++copy)
    for (int u = 0; u < c->units; ++u) {
      int index = (int)((copy * c->extent + c->unit_offsets[u]) / 4);
      CHECK_INT(received[copy * c->units + u], source_value(sender, index), c->name);
    }
}

static void check_counts(const struct Case *c, const MPI_Status *status, int sender) {
  CHECK_INT(status->MPI_SOURCE, sender, "source of a typed message");
  int count = -1;
  CHECK_MPI(MPI_Get_count(status, c->type, &count));
  CHECK_INT(count, COPIES, c->name);
  CHECK_MPI(MPI_Get_elements(status, c->type, &count));
  CHECK_INT(count, COPIES * c->elements, c->name);
  CHECK_MPI(MPI_Get_count(status, MPI_BYTE, &count));
  CHECK_INT(count, COPIES * c->units * 4, c->name);
}

enum ReceiveAs { AS_TYPE, AS_BYTES, AS_INTS };

static void exchange(const struct Case *c, enum ReceiveAs as, int step) {
  int rank = world_rank();
  int size = world_size();
  int dst = (rank + step) % size;
  int src = (rank + size - step) % size;
  int outgoing[BUFFER_INTS];
  int incoming[BUFFER_INTS];
  fill_source(outgoing, rank);
  for (int i = 0; i < BUFFER_INTS; ++i) incoming[i] = SENTINEL;
  MPI_Status status;
  int tag = 10 * step + (int)as;
  if (as == AS_TYPE) {
    CHECK_MPI(MPI_Sendrecv(outgoing, COPIES, c->type, dst, tag, incoming, COPIES, c->type, src,
                           tag, MPI_COMM_WORLD, &status));
    check_typed(c, incoming, src);
    check_counts(c, &status, src);
    return;
  }
  int units = COPIES * c->units;
  MPI_Datatype stream = as == AS_BYTES ? MPI_BYTE : MPI_INT;
  int count = as == AS_BYTES ? units * 4 : units;
  CHECK_MPI(MPI_Sendrecv(outgoing, COPIES, c->type, dst, tag, incoming, count, stream, src, tag,
                         MPI_COMM_WORLD, &status));
  check_packed(c, incoming, src);
  int got = -1;
  CHECK_MPI(MPI_Get_count(&status, stream, &got));
  CHECK_INT(got, count, c->name);
}

/* One more int than a whole number of copies: Get_count is undefined, Get_elements exact. */
static void check_partial(const struct Case *c) {
  int rank = world_rank();
  int size = world_size();
  int dst = (rank + 1) % size;
  int src = (rank + size - 1) % size;
  int outgoing[BUFFER_INTS];
  int incoming[BUFFER_INTS];
  fill_source(outgoing, rank);
  for (int i = 0; i < BUFFER_INTS; ++i) incoming[i] = SENTINEL;
  MPI_Status status;
  int sent = c->units + 1;
  CHECK_MPI(MPI_Sendrecv(outgoing, sent, MPI_INT, dst, 5, incoming, COPIES, c->type, src, 5,
                         MPI_COMM_WORLD, &status));
  int count = 0;
  CHECK_MPI(MPI_Get_count(&status, c->type, &count));
  CHECK_INT(count, MPI_UNDEFINED, c->name);
  CHECK_MPI(MPI_Get_elements(&status, c->type, &count));
  CHECK_INT(count, sent, c->name);
  int index = (int)((c->extent + c->unit_offsets[0]) / 4);
  CHECK_INT(incoming[index], source_value(src, c->units), c->name);
}

static void run_case(const struct Case *c) {
  check_layout(c);
  int size = world_size();
  for (int step = 1; step < size; ++step) {
    exchange(c, AS_TYPE, step);
    exchange(c, AS_BYTES, step);
    if (c->ints_only) exchange(c, AS_INTS, step);
  }
  if (c->ints_only) check_partial(c);
  if (world_rank() == 0)
    out("%s: size %d extent %ld elements %d, typed%s from every peer: ok", c->name,
        c->units * 4, (long)c->extent, c->elements,
        c->ints_only ? ", bytes, ints, partial" : ", bytes");
}

/* Variables apart from each other in memory, described by absolute addresses and sent
   from and received into MPI_BOTTOM: a non-contiguous type whose buffer is null. */
static int bottom_ints[3];
static char bottom_gap[256];
static double bottom_double;
static int received_ints[3];
static char received_gap[256];
static double received_double;

static MPI_Datatype absolute_struct(int *ints, double *value) {
  MPI_Aint displacements[2];
  int lengths[2] = {3, 1};
  MPI_Datatype types[2] = {MPI_INT, MPI_DOUBLE}, type;
  CHECK_MPI(MPI_Get_address(ints, &displacements[0]));
  CHECK_MPI(MPI_Get_address(value, &displacements[1]));
  CHECK_MPI(MPI_Type_create_struct(2, lengths, displacements, types, &type));
  CHECK_MPI(MPI_Type_commit(&type));
  return type;
}

static void check_bottom(void) {
  const int rank = world_rank(), size = world_size();
  const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  memset(bottom_gap, 1, sizeof bottom_gap);
  memset(received_gap, 2, sizeof received_gap);
  for (int i = 0; i < 3; ++i) bottom_ints[i] = rank * (i + 1);
  bottom_double = rank + 0.5;
  MPI_Datatype outgoing = absolute_struct(bottom_ints, &bottom_double);
  MPI_Datatype incoming = absolute_struct(received_ints, &received_double);
  CHECK_MPI(MPI_Sendrecv(MPI_BOTTOM, 1, outgoing, next, 90, MPI_BOTTOM, 1, incoming, prev, 90, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE));
  for (int i = 0; i < 3; ++i) CHECK_INT(received_ints[i], prev * (i + 1), "an int received through MPI_BOTTOM");
  CHECK(received_double == prev + 0.5, "the double received through MPI_BOTTOM");
  CHECK(received_gap[0] == 2 && received_gap[255] == 2, "memory between the received variables was written");
  CHECK_MPI(MPI_Type_free(&outgoing));
  CHECK_MPI(MPI_Type_free(&incoming));
  if (rank == 0) out("scattered variables through MPI_BOTTOM: from %d, ints %d %d %d", prev, received_ints[0],
                     received_ints[1], received_ints[2]);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  struct Case cases[CASE_COUNT];
  memset(cases, 0, sizeof cases);
  build_simple_cases(cases);
  build_composite_cases(cases);
  if (world_rank() == 0) out("world size %d", world_size());
  for (int i = 0; i < CASE_COUNT; ++i) run_case(&cases[i]);
  for (int i = 0; i < CASE_COUNT; ++i) CHECK_MPI(MPI_Type_free(&cases[i].type));
  check_bottom();
  out("all datatype cases verified on this rank");
  finish("datatypes");
  return 0;
}
