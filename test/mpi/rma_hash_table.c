/* A distributed hash table in one-sided windows, filled by every rank at once: each slot
   is claimed with MPI_Compare_and_swap on its key (linear probing on collisions) and its
   count raised with MPI_Accumulate, all under MPI_Win_lock_all, so ranks contend for the
   same slots. What the table holds afterwards (its keys, their counts) does not depend on
   who won which race. */
#include "mpi_check.h"

#include <stdint.h>

enum { SLOTS_PER_RANK = 1024, INSERTS = 600, KEY_RANGE = 1500 };

static int64_t key_of(int rank, int i) { return 1 + (int64_t)((i * 7919 + rank * 131) % KEY_RANGE); }

static uint64_t hash_of(int64_t key) { return (uint64_t)key * 0x9E3779B97F4A7C15ULL >> 17; }

/* Inserts `key` (or counts it again) and returns how many slots it probed. */
static int insert(MPI_Win keys, MPI_Win counts, int size, int64_t key) {
  const uint64_t hash = hash_of(key);
  const int64_t empty = 0, one = 1;
  for (int probe = 0; probe < size * SLOTS_PER_RANK; ++probe) {
    const uint64_t place = hash + (uint64_t)probe;
    const int owner = (int)(place % (uint64_t)size);
    const MPI_Aint slot = (MPI_Aint)((place / (uint64_t)size) % SLOTS_PER_RANK);
    int64_t found = -1;
    CHECK_MPI(MPI_Compare_and_swap(&key, &empty, &found, MPI_INT64_T, owner, slot, keys));
    CHECK_MPI(MPI_Win_flush(owner, keys));
    if (found == empty || found == key) {
      CHECK_MPI(MPI_Accumulate(&one, 1, MPI_INT64_T, owner, slot, 1, MPI_INT64_T, MPI_SUM, counts));
      return probe + 1;
    }
  }
  fail_at(__FILE__, __LINE__, "the table is full");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int rank = world_rank(), size = world_size();
  int64_t *key_slots = NULL, *count_slots = NULL;
  MPI_Win keys, counts;
  CHECK_MPI(MPI_Win_allocate(SLOTS_PER_RANK * sizeof(int64_t), sizeof(int64_t), MPI_INFO_NULL, MPI_COMM_WORLD,
                             &key_slots, &keys));
  CHECK_MPI(MPI_Win_allocate(SLOTS_PER_RANK * sizeof(int64_t), sizeof(int64_t), MPI_INFO_NULL, MPI_COMM_WORLD,
                             &count_slots, &counts));
  for (int s = 0; s < SLOTS_PER_RANK; ++s) key_slots[s] = count_slots[s] = 0;
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));

  CHECK_MPI(MPI_Win_lock_all(0, keys));
  CHECK_MPI(MPI_Win_lock_all(0, counts));
  long long probes = 0;
  for (int i = 0; i < INSERTS; ++i) probes += insert(keys, counts, size, key_of(rank, i));
  CHECK_MPI(MPI_Win_unlock_all(counts));
  CHECK_MPI(MPI_Win_unlock_all(keys));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(probes >= INSERTS, "%lld probes for %d inserts", probes, INSERTS);

  /* Each rank reads its own part of the table; the totals are the same for every order in
     which the inserts landed. */
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, keys));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, counts));
  long long local[3] = {0, 0, 0}; /* distinct keys, inserts, sum of key * count */
  for (int s = 0; s < SLOTS_PER_RANK; ++s) {
    if (key_slots[s] == 0) {
      CHECK_INT(count_slots[s], 0, "count of an empty slot");
      continue;
    }
    CHECK(count_slots[s] > 0, "key %lld has count %lld", (long long)key_slots[s], (long long)count_slots[s]);
    local[0] += 1;
    local[1] += count_slots[s];
    local[2] += key_slots[s] * count_slots[s];
  }
  CHECK_MPI(MPI_Win_unlock(rank, counts));
  CHECK_MPI(MPI_Win_unlock(rank, keys));
  long long total[3] = {0, 0, 0};
  CHECK_MPI(MPI_Allreduce(local, total, 3, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD));
  CHECK_INT(total[1], (long long)INSERTS * size, "inserts counted");

  /* The same figures computed without the table. */
  if (rank == 0) {
    static long long expected_counts[KEY_RANGE + 1];
    long long distinct = 0, weighted = 0;
    for (int r = 0; r < size; ++r)
      for (int i = 0; i < INSERTS; ++i) expected_counts[key_of(r, i)] += 1;
    for (int k = 1; k <= KEY_RANGE; ++k) {
      if (expected_counts[k] == 0) continue;
      distinct += 1;
      weighted += (long long)k * expected_counts[k];
    }
    CHECK_INT(total[0], distinct, "distinct keys in the table");
    CHECK_INT(total[2], weighted, "sum of key times count");
  }
  out("table: %lld distinct keys, %lld inserts, key-count sum %lld", total[0], total[1], total[2]);
  CHECK_MPI(MPI_Win_free(&counts));
  CHECK_MPI(MPI_Win_free(&keys));
  finish("rma_hash_table");
  return 0;
}
