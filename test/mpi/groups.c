/* Groups made and freed in many ways: empty results, predefined groups, random subsets
   turned into communicators with MPI_Comm_create and MPI_Comm_create_group. */
#include "mpi_check.h"

#include <stdlib.h>

static const char *comparison(int result) {
  switch (result) {
    case MPI_IDENT: return "ident";
    case MPI_CONGRUENT: return "congruent";
    case MPI_SIMILAR: return "similar";
    case MPI_UNEQUAL: return "unequal";
    default: return "?";
  }
}

/* A group that may be MPI_GROUP_EMPTY: its size, and how it compares to MPI_GROUP_EMPTY. */
static void describe(const char *what, MPI_Group group) {
  int size = -1, rank = -2, result = -1;
  CHECK_MPI(MPI_Group_size(group, &size));
  CHECK_MPI(MPI_Group_rank(group, &rank));
  CHECK_MPI(MPI_Group_compare(group, MPI_GROUP_EMPTY, &result));
  out("%s: size %d, rank %s, against MPI_GROUP_EMPTY %s", what, size,
      rank == MPI_UNDEFINED ? "undefined" : "defined", comparison(result));
}

static void empty_results(void) {
  MPI_Group world, self, group;
  int n = world_size();
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world));
  CHECK_MPI(MPI_Comm_group(MPI_COMM_SELF, &self));

  CHECK_MPI(MPI_Group_incl(world, 0, NULL, &group));
  describe("incl of none", group);
  CHECK_MPI(MPI_Group_free(&group));
  CHECK(group == MPI_GROUP_NULL, "freed group is not MPI_GROUP_NULL");

  int *all = malloc(sizeof(int) * (size_t)n);
  for (int i = 0; i < n; ++i) all[i] = i;
  CHECK_MPI(MPI_Group_excl(world, n, all, &group));
  describe("excl of all", group);
  CHECK_MPI(MPI_Group_free(&group));
  free(all);

  int none[1][3] = {{0, 0, 1}};
  CHECK_MPI(MPI_Group_range_incl(world, 0, none, &group));
  describe("range_incl of no ranges", group);
  CHECK_MPI(MPI_Group_free(&group));

  int everything[1][3] = {{0, n - 1, 1}};
  CHECK_MPI(MPI_Group_range_excl(world, 1, everything, &group));
  describe("range_excl of everything", group);
  CHECK_MPI(MPI_Group_free(&group));

  CHECK_MPI(MPI_Group_difference(world, world, &group));
  describe("world minus world", group);
  CHECK_MPI(MPI_Group_free(&group));

  MPI_Group others;
  int me = world_rank();
  CHECK_MPI(MPI_Group_excl(world, 1, &me, &others));
  CHECK_MPI(MPI_Group_intersection(others, self, &group));
  describe("others and self", group);
  CHECK_MPI(MPI_Group_free(&group));
  CHECK_MPI(MPI_Group_union(others, self, &group));
  int result;
  CHECK_MPI(MPI_Group_compare(group, world, &result));
  out("others with self against world: %s", comparison(result));
  CHECK_MPI(MPI_Group_free(&group));
  CHECK_MPI(MPI_Group_free(&others));

  CHECK_MPI(MPI_Group_union(MPI_GROUP_EMPTY, MPI_GROUP_EMPTY, &group));
  describe("empty with empty", group);
  CHECK_MPI(MPI_Group_free(&group));
  CHECK_MPI(MPI_Group_incl(MPI_GROUP_EMPTY, 0, NULL, &group));
  describe("incl of the empty group", group);
  CHECK_MPI(MPI_Group_free(&group));

  CHECK_MPI(MPI_Group_free(&self));
  CHECK_MPI(MPI_Group_free(&world));
}

/* The same pseudo-random sequence on every rank. */
static unsigned next_random(unsigned *state) {
  *state = *state * 1103515245u + 12345u;
  return (*state >> 16) & 0x7fff;
}

static void random_subsets(int rounds) {
  int n = world_size(), me = world_rank();
  unsigned state = 2024;
  MPI_Group world;
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world));
  int *ranks = malloc(sizeof(int) * (size_t)n);
  long long created = 0, members_seen = 0, sums = 0;
  for (int round = 0; round < rounds; ++round) {
    int count = 0;
    for (int r = 0; r < n; ++r) {
      if (next_random(&state) % 2) ranks[count++] = r;
    }
    /* Reverse the order every other round: group order is rank order in the new comm. */
    if (round % 2) {
      for (int i = 0; i < count / 2; ++i) {
        int t = ranks[i];
        ranks[i] = ranks[count - 1 - i];
        ranks[count - 1 - i] = t;
      }
    }
    MPI_Group subset;
    CHECK_MPI(MPI_Group_incl(world, count, ranks, &subset));
    int in_subset;
    CHECK_MPI(MPI_Group_rank(subset, &in_subset));
    MPI_Comm comm;
    if (round % 3 == 0) {
      if (in_subset != MPI_UNDEFINED) {
        CHECK_MPI(MPI_Comm_create_group(MPI_COMM_WORLD, subset, round, &comm));
      } else {
        comm = MPI_COMM_NULL;
      }
    } else {
      CHECK_MPI(MPI_Comm_create(MPI_COMM_WORLD, subset, &comm));
    }
    CHECK((comm != MPI_COMM_NULL) == (in_subset != MPI_UNDEFINED), "membership of round %d", round);
    if (comm != MPI_COMM_NULL) {
      int size, rank, sum = 0;
      CHECK_MPI(MPI_Comm_size(comm, &size));
      CHECK_MPI(MPI_Comm_rank(comm, &rank));
      CHECK_INT(size, count, "size of a created communicator");
      CHECK_INT(rank, in_subset, "rank in a created communicator");
      CHECK_MPI(MPI_Allreduce(&me, &sum, 1, MPI_INT, MPI_SUM, comm));
      MPI_Group back;
      CHECK_MPI(MPI_Comm_group(comm, &back));
      int result;
      CHECK_MPI(MPI_Group_compare(back, subset, &result));
      CHECK_INT(result, MPI_IDENT, "group of a created communicator");
      CHECK_MPI(MPI_Group_free(&back));
      CHECK_MPI(MPI_Comm_free(&comm));
      ++created;
      members_seen += size;
      sums += sum;
    }
    CHECK_MPI(MPI_Group_free(&subset));
  }
  free(ranks);
  CHECK_MPI(MPI_Group_free(&world));
  out("random subsets: %lld communicators, %lld members, sum %lld", created, members_seen, sums);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  for (int i = 0; i < 3; ++i) empty_results();
  random_subsets(300);
  finish("groups");
  return 0;
}
