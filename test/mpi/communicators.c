/* Communicators and groups: construction, comparison, attributes, names, error handlers,
   Fortran handle conversion, and communication on every derived communicator. */
#include "mpi_check.h"

#include <string.h>

enum { MAX_RANKS = 8 };

static const char *compare_name(int result) {
  switch (result) {
    case MPI_IDENT: return "ident";
    case MPI_CONGRUENT: return "congruent";
    case MPI_SIMILAR: return "similar";
    case MPI_UNEQUAL: return "unequal";
    default: return "invalid";
  }
}

/* A ring exchange and an allreduce of world ranks prove the communicator carries traffic
   between the right processes. */
static void exercise(MPI_Comm comm, const char *label) {
  int rank;
  int size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int me = world_rank();
  int from_prev = -1;
  CHECK_MPI(MPI_Sendrecv(&me, 1, MPI_INT, (rank + 1) % size, 3, &from_prev, 1, MPI_INT,
                         (rank + size - 1) % size, 3, comm, MPI_STATUS_IGNORE));
  int members[MAX_RANKS];
  CHECK_MPI(MPI_Allgather(&me, 1, MPI_INT, members, 1, MPI_INT, comm));
  CHECK_INT(members[rank], me, "own entry of allgather");
  CHECK_INT(from_prev, members[(rank + size - 1) % size], "ring neighbour on a derived comm");
  int sum = 0;
  CHECK_MPI(MPI_Allreduce(&me, &sum, 1, MPI_INT, MPI_SUM, comm));
  int expected = 0;
  for (int r = 0; r < size; ++r) expected += members[r];
  CHECK_INT(sum, expected, "allreduce of world ranks");
  out("%s: rank %d of %d, world rank of previous %d, sum of world ranks %d", label, rank, size,
      from_prev, sum);
}

static void check_dup_and_compare(void) {
  MPI_Comm dup;
  MPI_Comm idup;
  MPI_Request request;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
  CHECK_MPI(MPI_Comm_idup(dup, &idup, &request));
  CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
  int results[4];
  CHECK_MPI(MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_WORLD, &results[0]));
  CHECK_MPI(MPI_Comm_compare(MPI_COMM_WORLD, dup, &results[1]));
  MPI_Comm reversed;
  MPI_Comm parity;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, 0, -world_rank(), &reversed));
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, world_rank() % 2, 0, &parity));
  CHECK_MPI(MPI_Comm_compare(MPI_COMM_WORLD, reversed, &results[2]));
  CHECK_MPI(MPI_Comm_compare(MPI_COMM_WORLD, parity, &results[3]));
  CHECK_INT(results[0], MPI_IDENT, "compare world with itself");
  CHECK_INT(results[1], MPI_CONGRUENT, "compare world with its dup");
  CHECK_INT(results[2], MPI_SIMILAR, "compare world with a reordered split");
  CHECK_INT(results[3], MPI_UNEQUAL, "compare world with a parity split");
  int inter = 1;
  CHECK_MPI(MPI_Comm_test_inter(dup, &inter));
  CHECK(!inter, "a dup of MPI_COMM_WORLD reports being an intercommunicator");
  if (world_rank() == 0)
    out("compare: self %s, dup %s, reordered %s, parity split %s; test_inter %d",
        compare_name(results[0]), compare_name(results[1]), compare_name(results[2]),
        compare_name(results[3]), inter);
  exercise(dup, "dup");
  exercise(idup, "idup");
  exercise(reversed, "split reversed");
  CHECK_MPI(MPI_Comm_free(&idup));
  CHECK_MPI(MPI_Comm_free(&dup));
  CHECK_MPI(MPI_Comm_free(&reversed));
  CHECK_MPI(MPI_Comm_free(&parity));
  CHECK(dup == MPI_COMM_NULL, "Comm_free did not null the handle");
}

static void check_split(void) {
  int rank = world_rank();
  int size = world_size();
  MPI_Comm colors;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, rank % 3, size - rank, &colors));
  int expected_rank = 0;
  int expected_size = 0;
  for (int r = 0; r < size; ++r)
    if (r % 3 == rank % 3) {
      ++expected_size;
      expected_rank += r > rank;
    }
  int got_rank;
  int got_size;
  MPI_Comm_rank(colors, &got_rank);
  MPI_Comm_size(colors, &got_size);
  CHECK_INT(got_rank, expected_rank, "split rank with reversing keys");
  CHECK_INT(got_size, expected_size, "split size");
  exercise(colors, "split color rank%3");
  CHECK_MPI(MPI_Comm_free(&colors));
  MPI_Comm some;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, rank == size - 1 ? MPI_UNDEFINED : 1, rank, &some));
  if (rank == size - 1) {
    CHECK(some == MPI_COMM_NULL, "MPI_UNDEFINED color did not give MPI_COMM_NULL");
    out("split with MPI_UNDEFINED: MPI_COMM_NULL");
  } else {
    exercise(some, "split without the last rank");
    CHECK_MPI(MPI_Comm_free(&some));
  }
  MPI_Comm shared;
  CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL,
                                &shared));
  int shared_size;
  MPI_Comm_size(shared, &shared_size);
  if (rank == 0) out("split_type shared: size %d", shared_size);
  CHECK_MPI(MPI_Comm_free(&shared));
}

static void check_create(void) {
  int rank = world_rank();
  int size = world_size();
  MPI_Group world_group;
  MPI_Group without_first;
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  int first = 0;
  CHECK_MPI(MPI_Group_excl(world_group, 1, &first, &without_first));
  MPI_Comm created;
  CHECK_MPI(MPI_Comm_create(MPI_COMM_WORLD, without_first, &created));
  if (rank == 0) {
    CHECK(created == MPI_COMM_NULL, "Comm_create gave a comm to a non-member");
    out("comm_create without rank 0: MPI_COMM_NULL");
  } else {
    exercise(created, "comm_create without rank 0");
    CHECK_MPI(MPI_Comm_free(&created));
  }
  int ends[2] = {size - 1, 0};
  MPI_Group ends_group;
  CHECK_MPI(MPI_Group_incl(world_group, 2, ends, &ends_group));
  if (rank == 0 || rank == size - 1) {
    CHECK_MPI(MPI_Comm_create_group(MPI_COMM_WORLD, ends_group, 17, &created));
    exercise(created, "comm_create_group last and first");
    CHECK_MPI(MPI_Comm_free(&created));
  }
  CHECK_MPI(MPI_Group_free(&ends_group));
  CHECK_MPI(MPI_Group_free(&without_first));
  CHECK_MPI(MPI_Group_free(&world_group));
}

static void check_groups(void) {
  int size = world_size();
  MPI_Group world_group;
  MPI_Group evens;
  MPI_Group odds;
  MPI_Group joined;
  MPI_Group common;
  MPI_Group rest;
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  int group_size;
  int group_rank;
  CHECK_MPI(MPI_Group_size(world_group, &group_size));
  CHECK_MPI(MPI_Group_rank(world_group, &group_rank));
  CHECK_INT(group_size, size, "world group size");
  CHECK_INT(group_rank, world_rank(), "world group rank");
  int even_range[1][3] = {{0, size - 1, 2}};
  CHECK_MPI(MPI_Group_range_incl(world_group, 1, even_range, &evens));
  CHECK_MPI(MPI_Group_difference(world_group, evens, &odds));
  CHECK_MPI(MPI_Group_union(evens, odds, &joined));
  CHECK_MPI(MPI_Group_intersection(world_group, evens, &common));
  CHECK_MPI(MPI_Group_difference(joined, odds, &rest));
  int odd_ranks[MAX_RANKS];
  int translated[MAX_RANKS];
  int odd_count;
  CHECK_MPI(MPI_Group_size(odds, &odd_count));
  CHECK_INT(odd_count, size / 2, "odd group size");
  for (int i = 0; i < odd_count; ++i) odd_ranks[i] = i;
  CHECK_MPI(MPI_Group_translate_ranks(odds, odd_count, odd_ranks, world_group, translated));
  for (int i = 0; i < odd_count; ++i) CHECK_INT(translated[i], 2 * i + 1, "translate_ranks");
  int union_vs_world;
  int common_vs_evens;
  int rest_vs_evens;
  int evens_vs_odds;
  CHECK_MPI(MPI_Group_compare(joined, world_group, &union_vs_world));
  CHECK_MPI(MPI_Group_compare(common, evens, &common_vs_evens));
  CHECK_MPI(MPI_Group_compare(rest, evens, &rest_vs_evens));
  CHECK_MPI(MPI_Group_compare(evens, odds, &evens_vs_odds));
  CHECK_INT(union_vs_world, size > 2 ? MPI_SIMILAR : MPI_IDENT, "union of evens and odds");
  CHECK_INT(common_vs_evens, MPI_IDENT, "intersection with evens");
  CHECK_INT(rest_vs_evens, MPI_IDENT, "union minus odds");
  CHECK_INT(evens_vs_odds, MPI_UNEQUAL, "evens and odds");
  int my_even_rank;
  CHECK_MPI(MPI_Group_rank(evens, &my_even_rank));
  CHECK_INT(my_even_rank, world_rank() % 2 ? MPI_UNDEFINED : world_rank() / 2, "even rank");
  if (world_rank() == 0)
    out("groups: odds %d translated to world from 1 by 2, union %s, intersection %s, "
        "difference %s, evens vs odds %s",
        odd_count, compare_name(union_vs_world), compare_name(common_vs_evens),
        compare_name(rest_vs_evens), compare_name(evens_vs_odds));
  MPI_Group *all[] = {&world_group, &evens, &odds, &joined, &common, &rest};
  for (int i = 0; i < 6; ++i) CHECK_MPI(MPI_Group_free(all[i]));
  CHECK(world_group == MPI_GROUP_NULL, "Group_free did not null the handle");
}

static int copies;
static int deletions;

static int copy_attribute(MPI_Comm comm, int keyval, void *extra, void *in, void *out_value,
                          int *flag) {
  (void)comm;
  (void)keyval;
  (void)extra;
  ++copies;
  *(void **)out_value = (char *)in + 1;
  *flag = 1;
  return MPI_SUCCESS;
}

static int delete_attribute(MPI_Comm comm, int keyval, void *value, void *extra) {
  (void)comm;
  (void)keyval;
  (void)value;
  (void)extra;
  ++deletions;
  return MPI_SUCCESS;
}

static void check_attributes(void) {
  int keyval;
  CHECK_MPI(MPI_Comm_create_keyval(copy_attribute, delete_attribute, &keyval, NULL));
  MPI_Comm first;
  MPI_Comm second;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &first));
  static char base[4];
  CHECK_MPI(MPI_Comm_set_attr(first, keyval, base));
  CHECK_MPI(MPI_Comm_dup(first, &second));
  CHECK_INT(copies, 1, "copy callback calls after dup");
  void *value = NULL;
  int flag = 0;
  CHECK_MPI(MPI_Comm_get_attr(second, keyval, &value, &flag));
  CHECK(flag && value == base + 1, "copied attribute value");
  CHECK_MPI(MPI_Comm_delete_attr(first, keyval));
  CHECK_INT(deletions, 1, "delete callback calls after delete_attr");
  CHECK_MPI(MPI_Comm_get_attr(first, keyval, &value, &flag));
  CHECK(!flag, "deleted attribute still present");
  CHECK_MPI(MPI_Comm_free(&second));
  CHECK_MPI(MPI_Comm_free(&first));
  CHECK_INT(deletions, 2, "delete callback calls after free");
  CHECK_MPI(MPI_Comm_free_keyval(&keyval));
  int *tag_ub = NULL;
  CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &flag));
  CHECK(flag, "MPI_TAG_UB is not set");
  int *wtime_global = NULL;
  int global_flag = 0;
  CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &wtime_global,
                              &global_flag));
  CHECK(global_flag, "MPI_WTIME_IS_GLOBAL is not set");
  if (world_rank() == 0)
    out("attributes: %d copy, %d deletes; tag_ub >= 32767: %d; wtime_is_global set: %d",
        copies, deletions, *tag_ub >= 32767, global_flag);
}

/* The MPI-1 names, deprecated but still exported by Open MPI and still called by old codes:
   MPI_Keyval_create's callbacks have the signatures of MPI_Comm_create_keyval's. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void check_mpi1_attributes(void) {
  const int copies_before = copies, deletions_before = deletions;
  int keyval, dup_keyval;
  CHECK_MPI(MPI_Keyval_create(copy_attribute, delete_attribute, &keyval, NULL));
  CHECK_MPI(MPI_Keyval_create(MPI_DUP_FN, MPI_NULL_DELETE_FN, &dup_keyval, NULL));
  MPI_Comm first;
  MPI_Comm second;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &first));
  static char base[4];
  CHECK_MPI(MPI_Attr_put(first, keyval, base));
  CHECK_MPI(MPI_Attr_put(first, dup_keyval, base + 2));
  CHECK_MPI(MPI_Comm_dup(first, &second));
  CHECK_INT(copies - copies_before, 1, "MPI-1 copy callback calls after dup");
  void *value = NULL;
  int flag = 0;
  CHECK_MPI(MPI_Attr_get(second, keyval, &value, &flag));
  CHECK(flag && value == base + 1, "attribute value copied by the MPI-1 callback");
  CHECK_MPI(MPI_Attr_get(second, dup_keyval, &value, &flag));
  CHECK(flag && value == base + 2, "attribute value copied by MPI_DUP_FN");
  CHECK_MPI(MPI_Attr_delete(second, keyval));
  CHECK_INT(deletions - deletions_before, 1, "MPI-1 delete callback calls after Attr_delete");
  CHECK_MPI(MPI_Attr_get(second, keyval, &value, &flag));
  CHECK(!flag, "attribute deleted by Attr_delete still present");
  CHECK_MPI(MPI_Comm_free(&second));
  CHECK_MPI(MPI_Comm_free(&first));
  CHECK_INT(deletions - deletions_before, 2, "MPI-1 delete callback calls after free");
  CHECK_MPI(MPI_Keyval_free(&keyval));
  CHECK_MPI(MPI_Keyval_free(&dup_keyval));
  CHECK(keyval == MPI_KEYVAL_INVALID, "Keyval_free did not reset the keyval");
  if (world_rank() == 0)
    out("MPI-1 attributes: %d copy, %d deletes", copies - copies_before, deletions - deletions_before);
}
#pragma GCC diagnostic pop

static void check_names(void) {
  char name[MPI_MAX_OBJECT_NAME];
  int len = 0;
  CHECK_MPI(MPI_Comm_get_name(MPI_COMM_WORLD, name, &len));
  CHECK(strcmp(name, "MPI_COMM_WORLD") == 0, "name of MPI_COMM_WORLD is '%s'", name);
  MPI_Comm dup;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
  CHECK_MPI(MPI_Comm_set_name(dup, "ferry test comm"));
  CHECK_MPI(MPI_Comm_get_name(dup, name, &len));
  CHECK(strcmp(name, "ferry test comm") == 0 && len == 15, "name of a dup is '%s'", name);
  MPI_Fint fortran = MPI_Comm_c2f(dup);
  MPI_Comm back = MPI_Comm_f2c(fortran);
  CHECK(back == dup, "c2f/f2c round trip changed the handle");
  exercise(back, "dup through c2f/f2c");
  CHECK_MPI(MPI_Comm_free(&dup));
  if (world_rank() == 0) out("names: MPI_COMM_WORLD, '%s'; c2f/f2c round trip: ok", name);
}

static int handler_calls;
static int handler_class;

static void count_error(MPI_Comm *comm, int *code, ...) {
  (void)comm;
  ++handler_calls;
  MPI_Error_class(*code, &handler_class);
}

static void check_errhandlers(void) {
  int size = world_size();
  int payload = 1;
  MPI_Comm dup;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
  CHECK_MPI(MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN));
  int rc = MPI_Send(&payload, 1, MPI_INT, size + 5, 0, dup);
  int error_class = MPI_SUCCESS;
  MPI_Error_class(rc, &error_class);
  CHECK_INT(error_class, MPI_ERR_RANK, "class of a send to an invalid rank");
  MPI_Errhandler handler;
  CHECK_MPI(MPI_Comm_create_errhandler(count_error, &handler));
  CHECK_MPI(MPI_Comm_set_errhandler(dup, handler));
  /* The communicator keeps the handler alive after the user frees the handle. */
  const MPI_Errhandler created = handler;
  CHECK_MPI(MPI_Errhandler_free(&handler));
  MPI_Errhandler current;
  CHECK_MPI(MPI_Comm_get_errhandler(dup, &current));
  CHECK(current == created, "Comm_get_errhandler returned another handler");
  CHECK_MPI(MPI_Errhandler_free(&current));
  rc = MPI_Send(&payload, 1, MPI_INT, size + 5, 0, dup);
  CHECK(rc != MPI_SUCCESS, "a send to an invalid rank succeeded");
  CHECK_INT(handler_calls, 1, "user error handler calls");
  CHECK_INT(handler_class, MPI_ERR_RANK, "class seen by the user error handler");
  /* A duplicate inherits it and keeps it after the original is gone. */
  MPI_Comm inherited;
  CHECK_MPI(MPI_Comm_dup(dup, &inherited));
  CHECK_MPI(MPI_Comm_free(&dup));
  rc = MPI_Send(&payload, 1, MPI_INT, size + 5, 0, inherited);
  CHECK_INT(handler_calls, 2, "user error handler calls on the duplicate");
  CHECK_MPI(MPI_Comm_free(&inherited));
  if (world_rank() == 0)
    out("errhandlers: errors_return gives MPI_ERR_RANK, user handler called, kept alive by the communicator");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int size = world_size();
  CHECK(size <= MAX_RANKS, "at most %d ranks supported", MAX_RANKS);
  int rank;
  CHECK_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  CHECK_INT(rank, world_rank(), "Comm_rank");
  if (rank == 0) out("world size %d", size);
  exercise(MPI_COMM_WORLD, "world");
  check_dup_and_compare();
  check_split();
  check_create();
  check_groups();
  check_attributes();
  check_mpi1_attributes();
  check_names();
  check_errhandlers();
  finish("communicators");
  return 0;
}
