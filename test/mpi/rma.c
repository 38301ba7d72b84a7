/* One-sided communication: every synchronization mode with every operation, derived
   datatypes on both sides, every predefined accumulate operation under contention, a
   distributed counter under passive-target locks, window attributes and errors. */
#include "mpi_check.h"

#include <stdio.h>
#include <string.h>

enum { WINDOW_INTS = 16, SPAN = 4 };

enum Sync { FENCE, LOCK, LOCK_ALL, PSCW, SYNC_COUNT };
static const char *const sync_names[SYNC_COUNT] = {"fence", "lock", "lock_all", "pscw"};

enum Operation { PUT, GET, ACC, GET_ACC, FETCH_OP, CAS, RPUT, RGET, RACC, RGET_ACC, OPERATION_COUNT };
static const char *const operation_names[OPERATION_COUNT] = {
    "Put", "Get", "Accumulate", "Get_accumulate", "Fetch_and_op", "Compare_and_swap",
    "Rput", "Rget", "Raccumulate", "Rget_accumulate"};

static int initial_value(int rank, int i) { return rank * 1000 + i; }

/* A window of WINDOW_INTS ints holding initial_value(rank, i), made by MPI_Win_create or
   MPI_Win_allocate. */
static MPI_Win make_window(int allocate, int *storage, int **base) {
  MPI_Win win;
  const int rank = world_rank();
  if (allocate) {
    CHECK_MPI(MPI_Win_allocate(WINDOW_INTS * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, base, &win));
  } else {
    *base = storage;
    for (int i = 0; i < WINDOW_INTS; ++i) storage[i] = initial_value(rank, i);
    CHECK_MPI(MPI_Win_create(storage, WINDOW_INTS * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &win));
  }
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win));
  for (int i = 0; i < WINDOW_INTS; ++i) (*base)[i] = initial_value(rank, i);
  CHECK_MPI(MPI_Win_unlock(rank, win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  return win;
}

static MPI_Group single_group(int rank) {
  MPI_Group world, one;
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world));
  CHECK_MPI(MPI_Group_incl(world, 1, &rank, &one));
  CHECK_MPI(MPI_Group_free(&world));
  return one;
}

/* Rank r accesses its right neighbour and is accessed by its left one. */
static void open_epoch(int sync, MPI_Win win, int target, int origin) {
  switch (sync) {
    case FENCE: CHECK_MPI(MPI_Win_fence(0, win)); break;
    case LOCK: CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, target, 0, win)); break;
    case LOCK_ALL: CHECK_MPI(MPI_Win_lock_all(0, win)); break;
    default: {
      MPI_Group exposed_to = single_group(origin), access_to = single_group(target);
      CHECK_MPI(MPI_Win_post(exposed_to, 0, win));
      CHECK_MPI(MPI_Win_start(access_to, 0, win));
      CHECK_MPI(MPI_Group_free(&exposed_to));
      CHECK_MPI(MPI_Group_free(&access_to));
    }
  }
}

static void close_epoch(int sync, MPI_Win win, int target) {
  switch (sync) {
    case FENCE: CHECK_MPI(MPI_Win_fence(0, win)); break;
    case LOCK: CHECK_MPI(MPI_Win_unlock(target, win)); break;
    case LOCK_ALL:
      CHECK_MPI(MPI_Win_flush(target, win));
      CHECK_MPI(MPI_Win_unlock_all(win));
      break;
    default:
      CHECK_MPI(MPI_Win_complete(win));
      CHECK_MPI(MPI_Win_wait(win));
  }
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
}

static void issue(int operation, MPI_Win win, int target, int *origin, int *result) {
  const int rank = world_rank();
  MPI_Request request = MPI_REQUEST_NULL;
  int one = rank + 1, compare = initial_value(target, 8);
  switch (operation) {
    case PUT: CHECK_MPI(MPI_Put(origin, SPAN, MPI_INT, target, 0, SPAN, MPI_INT, win)); break;
    case GET: CHECK_MPI(MPI_Get(result, SPAN, MPI_INT, target, 4, SPAN, MPI_INT, win)); break;
    case ACC: CHECK_MPI(MPI_Accumulate(origin, SPAN, MPI_INT, target, 0, SPAN, MPI_INT, MPI_SUM, win)); break;
    case GET_ACC:
      CHECK_MPI(MPI_Get_accumulate(origin, SPAN, MPI_INT, result, SPAN, MPI_INT, target, 4, SPAN, MPI_INT, MPI_SUM, win));
      break;
    case FETCH_OP: CHECK_MPI(MPI_Fetch_and_op(&one, result, MPI_INT, target, 8, MPI_SUM, win)); break;
    case CAS: CHECK_MPI(MPI_Compare_and_swap(&one, &compare, result, MPI_INT, target, 8, win)); break;
    case RPUT: CHECK_MPI(MPI_Rput(origin, SPAN, MPI_INT, target, 0, SPAN, MPI_INT, win, &request)); break;
    case RGET: CHECK_MPI(MPI_Rget(result, SPAN, MPI_INT, target, 4, SPAN, MPI_INT, win, &request)); break;
    case RACC:
      CHECK_MPI(MPI_Raccumulate(origin, SPAN, MPI_INT, target, 0, SPAN, MPI_INT, MPI_MAX, win, &request));
      break;
    default:
      CHECK_MPI(MPI_Rget_accumulate(origin, SPAN, MPI_INT, result, SPAN, MPI_INT, target, 4, SPAN, MPI_INT,
                                    MPI_REPLACE, win, &request));
  }
  if (request != MPI_REQUEST_NULL) {
    MPI_Status status;
    CHECK_MPI(MPI_Wait(&request, &status));
    CHECK(request == MPI_REQUEST_NULL, "a completed request is MPI_REQUEST_NULL");
  }
}

static void record_memory(const char *what, MPI_Win win, const int *base) {
  const int rank = world_rank();
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win));
  out("%s memory %d %d %d %d | %d %d %d %d | %d", what, base[0], base[1], base[2], base[3], base[4], base[5],
      base[6], base[7], base[8]);
  CHECK_MPI(MPI_Win_unlock(rank, win));
}

static void every_sync_every_operation(void) {
  const int rank = world_rank(), size = world_size();
  const int target = (rank + 1) % size, origin_rank = (rank + size - 1) % size;
  int storage[WINDOW_INTS];
  for (int sync = 0; sync < SYNC_COUNT; ++sync) {
    for (int operation = 0; operation < OPERATION_COUNT; ++operation) {
      int *base = NULL;
      MPI_Win win = make_window((sync + operation) % 2, storage, &base);
      int origin[SPAN], result[SPAN] = {-1, -1, -1, -1};
      for (int i = 0; i < SPAN; ++i) origin[i] = rank * 100 + i * 7 + 5000;
      open_epoch(sync, win, target, origin_rank);
      issue(operation, win, target, origin, result);
      close_epoch(sync, win, target);
      char what[64];
      snprintf(what, sizeof what, "%s %s", sync_names[sync], operation_names[operation]);
      out("%s result %d %d %d %d", what, result[0], result[1], result[2], result[3]);
      record_memory(what, win, base);
      CHECK_MPI(MPI_Win_free(&win));
      CHECK(win == MPI_WIN_NULL, "MPI_Win_free sets MPI_WIN_NULL");
    }
    out_flush();
  }
}

/* Origin: every other int of 8 (a vector); target: an indexed type over 12 ints. */
static void derived_datatypes(void) {
  const int rank = world_rank(), size = world_size();
  const int target = (rank + 1) % size;
  MPI_Datatype every_other, scattered;
  CHECK_MPI(MPI_Type_vector(4, 1, 2, MPI_INT, &every_other));
  CHECK_MPI(MPI_Type_commit(&every_other));
  const int lengths[3] = {2, 1, 1}, displacements[3] = {1, 5, 9};
  CHECK_MPI(MPI_Type_indexed(3, lengths, displacements, MPI_INT, &scattered));
  CHECK_MPI(MPI_Type_commit(&scattered));
  int storage[WINDOW_INTS], *base = NULL;
  for (int pass = 0; pass < 3; ++pass) {
    MPI_Win win = make_window(pass == 1, storage, &base);
    int origin[8], fetched[8];
    for (int i = 0; i < 8; ++i) {
      origin[i] = rank * 10 + i;
      fetched[i] = -1;
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    if (pass == 0) CHECK_MPI(MPI_Put(origin, 1, every_other, target, 0, 1, scattered, win));
    if (pass == 1) CHECK_MPI(MPI_Accumulate(origin, 1, every_other, target, 2, 1, scattered, MPI_SUM, win));
    if (pass == 2) CHECK_MPI(MPI_Get(fetched, 1, every_other, target, 0, 1, scattered, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    out("derived pass %d fetched %d %d %d %d %d %d %d %d", pass, fetched[0], fetched[1], fetched[2], fetched[3],
        fetched[4], fetched[5], fetched[6], fetched[7]);
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win));
    out("derived pass %d memory %d %d %d %d %d %d %d %d %d %d %d %d", pass, base[0], base[1], base[2], base[3],
        base[4], base[5], base[6], base[7], base[8], base[9], base[10], base[11]);
    CHECK_MPI(MPI_Win_unlock(rank, win));
    CHECK_MPI(MPI_Win_free(&win));
  }
  CHECK_MPI(MPI_Type_free(&every_other));
  CHECK_MPI(MPI_Type_free(&scattered));
  out_flush();
}

/* Every rank applies every operation to its own slot of rank 0's window at once. */
static void every_operation_under_contention(void) {
  static const MPI_Op ops[] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN, MPI_BAND, MPI_BOR,
                               MPI_BXOR, MPI_LAND, MPI_LOR, MPI_LXOR};
  static const char *const names[] = {"SUM", "PROD", "MAX", "MIN", "BAND", "BOR", "BXOR", "LAND", "LOR", "LXOR"};
  enum { OPS = sizeof ops / sizeof ops[0] };
  const int rank = world_rank(), size = world_size();
  int *ints = NULL;
  MPI_Win win;
  CHECK_MPI(MPI_Win_allocate((OPS + 1) * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &ints, &win));
  double *doubles = NULL;
  MPI_Win double_win;
  CHECK_MPI(MPI_Win_allocate(2 * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &doubles,
                             &double_win));
  int *pairs = NULL;
  MPI_Win pair_win;
  CHECK_MPI(MPI_Win_allocate(2 * sizeof(int), 2 * sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &pairs, &pair_win));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win));
  for (int i = 0; i < OPS; ++i) ints[i] = 6 + i % 3;
  ints[OPS] = -1;
  CHECK_MPI(MPI_Win_unlock(rank, win));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, double_win));
  doubles[0] = 0.5;
  doubles[1] = 0.0;
  CHECK_MPI(MPI_Win_unlock(rank, double_win));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, pair_win));
  pairs[0] = -5;
  pairs[1] = -1;
  CHECK_MPI(MPI_Win_unlock(rank, pair_win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));

  CHECK_MPI(MPI_Win_lock_all(0, win));
  for (int i = 0; i < OPS; ++i) {
    const int value = (rank + 3) * (i + 1) % 11 + (i >= 7 ? rank % 2 : 1);
    CHECK_MPI(MPI_Accumulate(&value, 1, MPI_INT, 0, i, 1, MPI_INT, ops[i], win));
  }
  if (rank == size - 1) CHECK_MPI(MPI_Accumulate(&rank, 1, MPI_INT, 0, OPS, 1, MPI_INT, MPI_REPLACE, win));
  CHECK_MPI(MPI_Win_flush_all(win));
  CHECK_MPI(MPI_Win_unlock_all(win));

  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, double_win));
  const double quarter = 0.25 * (rank + 1);
  CHECK_MPI(MPI_Accumulate(&quarter, 1, MPI_DOUBLE, 0, 0, 1, MPI_DOUBLE, MPI_SUM, double_win));
  CHECK_MPI(MPI_Win_unlock(0, double_win));

  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, pair_win));
  const int pair[2] = {(rank * 7) % 5, rank};
  CHECK_MPI(MPI_Accumulate(pair, 1, MPI_2INT, 0, 0, 1, MPI_2INT, MPI_MAXLOC, pair_win));
  CHECK_MPI(MPI_Win_unlock(0, pair_win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));

  int fetched[OPS + 1];
  int none = 0;
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
  for (int i = 0; i <= OPS; ++i)
    CHECK_MPI(MPI_Get_accumulate(&none, 0, MPI_INT, &fetched[i], 1, MPI_INT, 0, i, 1, MPI_INT, MPI_NO_OP, win));
  CHECK_MPI(MPI_Win_unlock(0, win));
  double sum = 0;
  int maxloc[2];
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, double_win));
  CHECK_MPI(MPI_Get(&sum, 1, MPI_DOUBLE, 0, 0, 1, MPI_DOUBLE, double_win));
  CHECK_MPI(MPI_Win_unlock(0, double_win));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, pair_win));
  CHECK_MPI(MPI_Get(maxloc, 1, MPI_2INT, 0, 0, 1, MPI_2INT, pair_win));
  CHECK_MPI(MPI_Win_unlock(0, pair_win));
  if (rank == 1) {
    for (int i = 0; i < OPS; ++i) out("contention %s %d", names[i], fetched[i]);
    out("contention REPLACE %d", fetched[OPS]);
    out("contention double SUM %.3f", sum);
    out("contention MAXLOC %d at %d", maxloc[0], maxloc[1]);
  }
  CHECK_MPI(MPI_Win_free(&win));
  CHECK_MPI(MPI_Win_free(&double_win));
  CHECK_MPI(MPI_Win_free(&pair_win));
  out_flush();
}

/* A counter on rank 0 that every rank increments at once: with MPI_Fetch_and_op under
   shared locks, and with a get-increment-put under exclusive locks. */
static void distributed_counter(void) {
  enum { INCREMENTS = 40 };
  const int rank = world_rank(), size = world_size();
  long *counters = NULL;
  MPI_Win win;
  CHECK_MPI(MPI_Win_allocate(2 * sizeof(long), sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD, &counters, &win));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win));
  counters[0] = counters[1] = 0;
  CHECK_MPI(MPI_Win_unlock(rank, win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  long fetched_sum = 0;
  const long one = 1;
  for (int i = 0; i < INCREMENTS; ++i) {
    long fetched = -1, value = -1;
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
    CHECK_MPI(MPI_Fetch_and_op(&one, &fetched, MPI_LONG, 0, 0, MPI_SUM, win));
    CHECK_MPI(MPI_Win_unlock(0, win));
    fetched_sum += fetched;
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win));
    CHECK_MPI(MPI_Get(&value, 1, MPI_LONG, 0, 1, 1, MPI_LONG, win));
    CHECK_MPI(MPI_Win_flush(0, win));
    ++value;
    CHECK_MPI(MPI_Put(&value, 1, MPI_LONG, 0, 1, 1, MPI_LONG, win));
    CHECK_MPI(MPI_Win_unlock(0, win));
  }
  long all_fetched = 0;
  CHECK_MPI(MPI_Allreduce(&fetched_sum, &all_fetched, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD));
  const long total = (long)INCREMENTS * size;
  CHECK_INT(all_fetched, total * (total - 1) / 2, "the fetched values are 0 .. total-1, each once");
  if (rank == 0) {
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
    CHECK_INT(counters[0], total, "fetch-and-op counter");
    CHECK_INT(counters[1], total, "exclusive-lock counter");
    out("counter %ld %ld of %ld", counters[0], counters[1], total);
    CHECK_MPI(MPI_Win_unlock(0, win));
  }
  CHECK_MPI(MPI_Win_free(&win));
  out_flush();
}

static int deleted_attributes = 0;
static int handler_calls = 0, last_handled_class = MPI_SUCCESS;

static void count_error(MPI_Win *win, int *code, ...) {
  (void)win;
  ++handler_calls;
  MPI_Error_class(*code, &last_handled_class);
}

static int count_deletion(MPI_Win win, int keyval, void *value, void *extra_state) {
  (void)win;
  (void)keyval;
  (void)extra_state;
  deleted_attributes += *(int *)value;
  return MPI_SUCCESS;
}

static void user_attributes(MPI_Win win) {
  static int one = 1, ten = 10, hundred = 100;
  int keyval = MPI_KEYVAL_INVALID, flag = 1;
  int *value = NULL;
  CHECK_MPI(MPI_Win_create_keyval(MPI_WIN_NULL_COPY_FN, count_deletion, &keyval, NULL));
  CHECK_MPI(MPI_Win_get_attr(win, keyval, &value, &flag));
  CHECK(!flag, "no attribute before MPI_Win_set_attr");
  CHECK_MPI(MPI_Win_set_attr(win, keyval, &one));
  CHECK_MPI(MPI_Win_set_attr(win, keyval, &ten));
  CHECK_MPI(MPI_Win_get_attr(win, keyval, &value, &flag));
  CHECK(flag && value == &ten, "the attribute set last");
  CHECK_MPI(MPI_Win_delete_attr(win, keyval));
  CHECK_MPI(MPI_Win_get_attr(win, keyval, &value, &flag));
  CHECK(!flag, "no attribute after MPI_Win_delete_attr");
  CHECK_MPI(MPI_Win_set_attr(win, keyval, &hundred));
  CHECK_MPI(MPI_Win_free_keyval(&keyval));
}

static void attributes_and_errors(void) {
  const int rank = world_rank(), size = world_size();
  int storage[WINDOW_INTS];
  MPI_Win win;
  CHECK_MPI(MPI_Win_create(storage, sizeof storage, 4, MPI_INFO_NULL, MPI_COMM_WORLD, &win));
  void *base = NULL;
  MPI_Aint *window_size = NULL;
  int *disp_unit = NULL, *flavor = NULL, *model = NULL, flag = 0;
  CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_BASE, &base, &flag));
  CHECK(flag && base == storage, "MPI_WIN_BASE");
  CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_SIZE, &window_size, &flag));
  CHECK(flag && *window_size == (MPI_Aint)sizeof storage, "MPI_WIN_SIZE");
  CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, &disp_unit, &flag));
  CHECK(flag && *disp_unit == 4, "MPI_WIN_DISP_UNIT");
  CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &flag));
  CHECK(flag && *flavor == MPI_WIN_FLAVOR_CREATE, "MPI_WIN_CREATE_FLAVOR");
  CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_MODEL, &model, &flag));
  CHECK(flag && *model == MPI_WIN_UNIFIED, "MPI_WIN_MODEL");
  MPI_Group group, world_group;
  int comparison = MPI_UNEQUAL;
  CHECK_MPI(MPI_Win_get_group(win, &group));
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  CHECK_MPI(MPI_Group_compare(group, world_group, &comparison));
  CHECK_INT(comparison, MPI_IDENT, "the window's group is the world's");
  CHECK_MPI(MPI_Group_free(&group));
  CHECK_MPI(MPI_Group_free(&world_group));
  char name[MPI_MAX_OBJECT_NAME];
  int length = 0;
  CHECK_MPI(MPI_Win_set_name(win, "ferry window"));
  CHECK_MPI(MPI_Win_get_name(win, name, &length));
  CHECK(strcmp(name, "ferry window") == 0 && length == 12, "window name");
  CHECK_MPI(MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN));
  MPI_Errhandler handler;
  CHECK_MPI(MPI_Win_get_errhandler(win, &handler));
  CHECK(handler == MPI_ERRORS_RETURN, "the window's error handler");
  CHECK_MPI(MPI_Errhandler_free(&handler));
  CHECK_MPI(MPI_Win_fence(0, win));
  int error_class = MPI_SUCCESS;
  const int code = MPI_Put(storage, 1, MPI_INT, size, 0, 1, MPI_INT, win);
  MPI_Error_class(code, &error_class);
  out("put to rank %d: %s", size, error_class == MPI_ERR_RANK ? "MPI_ERR_RANK" : "another error");
  CHECK_MPI(MPI_Put(storage, 1, MPI_INT, MPI_PROC_NULL, 0, 1, MPI_INT, win));
  MPI_Errhandler counting;
  CHECK_MPI(MPI_Win_create_errhandler(count_error, &counting));
  CHECK_MPI(MPI_Win_set_errhandler(win, counting));
  CHECK_MPI(MPI_Errhandler_free(&counting));
  MPI_Get(storage, 1, MPI_INT, size + 1, 0, 1, MPI_INT, win);
  out("user window handler after a bad rank: %d calls, last class %d", handler_calls, last_handled_class);
  CHECK_MPI(MPI_Win_call_errhandler(win, MPI_ERR_OTHER));
  out("user window handler after MPI_Win_call_errhandler: %d calls, last class %d", handler_calls,
      last_handled_class);
  CHECK_MPI(MPI_Win_fence(0, win));
  user_attributes(win);
  CHECK_MPI(MPI_Win_free(&win));
  CHECK_INT(deleted_attributes, 111, "delete callbacks: on overwrite, on delete, on free");
  (void)rank;
  out_flush();
}

/* A dynamic window: each rank attaches two regions, and its left neighbour writes to both
   at the addresses it was told, then reads one back; a region attached later is found. */
static void dynamic_window(void) {
  const int rank = world_rank(), size = world_size();
  const int target = (rank + 1) % size;
  int first[4], second[6];
  for (int i = 0; i < 4; ++i) first[i] = -1;
  for (int i = 0; i < 6; ++i) second[i] = -2;
  MPI_Win win;
  CHECK_MPI(MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win));
  int *flavor = NULL, flag = 0;
  CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &flag));
  CHECK(flag && *flavor == MPI_WIN_FLAVOR_DYNAMIC, "MPI_WIN_CREATE_FLAVOR of a dynamic window");
  CHECK_MPI(MPI_Win_attach(win, first, sizeof first));
  MPI_Aint mine[2], theirs[2 * 16];
  CHECK(size <= 16, "at most 16 ranks");
  CHECK_MPI(MPI_Get_address(first, &mine[0]));
  CHECK_MPI(MPI_Get_address(second, &mine[1]));
  CHECK_MPI(MPI_Allgather(mine, 2, MPI_AINT, theirs, 2, MPI_AINT, MPI_COMM_WORLD));
  const int values[4] = {rank * 10 + 1, rank * 10 + 2, rank * 10 + 3, rank * 10 + 4};
  CHECK_MPI(MPI_Win_fence(0, win));
  CHECK_MPI(MPI_Put(values, 2, MPI_INT, target, theirs[2 * target] + sizeof(int), 2, MPI_INT, win));
  CHECK_MPI(MPI_Win_fence(0, win));
  CHECK_MPI(MPI_Win_attach(win, second, sizeof second));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, target, 0, win));
  CHECK_MPI(MPI_Put(values, 4, MPI_INT, target, theirs[2 * target + 1] + 2 * sizeof(int), 4, MPI_INT, win));
  CHECK_MPI(MPI_Accumulate(values, 1, MPI_INT, target, theirs[2 * target], 1, MPI_INT, MPI_SUM, win));
  CHECK_MPI(MPI_Win_unlock(target, win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  int fetched[3] = {0, 0, 0};
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, target, 0, win));
  CHECK_MPI(MPI_Get(fetched, 3, MPI_INT, target, theirs[2 * target], 3, MPI_INT, win));
  CHECK_MPI(MPI_Win_unlock(target, win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win));
  out("dynamic first %d %d %d %d second %d %d %d %d %d %d fetched %d %d %d", first[0], first[1], first[2],
      first[3], second[0], second[1], second[2], second[3], second[4], second[5], fetched[0], fetched[1],
      fetched[2]);
  CHECK_MPI(MPI_Win_unlock(rank, win));
  CHECK_MPI(MPI_Win_detach(win, second));
  CHECK_MPI(MPI_Win_detach(win, first));
  CHECK_MPI(MPI_Win_free(&win));
  out_flush();
}

/* A shared window (every rank on this one host): each rank stores into its own part and
   loads its neighbour's directly, then writes to it with MPI_Put. */
static void shared_window(void) {
  const int rank = world_rank(), size = world_size();
  const int neighbour = (rank + 1) % size;
  int *mine = NULL;
  MPI_Win win;
  CHECK_MPI(MPI_Win_allocate_shared((rank + 1) * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &mine,
                                    &win));
  MPI_Aint their_size = 0;
  int their_unit = 0, *theirs = NULL;
  CHECK_MPI(MPI_Win_shared_query(win, neighbour, &their_size, &their_unit, &theirs));
  CHECK_INT(their_size, (neighbour + 1) * (MPI_Aint)sizeof(int), "the neighbour's size");
  CHECK_INT(their_unit, sizeof(int), "the neighbour's displacement unit");
  CHECK_MPI(MPI_Win_lock_all(0, win));
  for (int i = 0; i <= rank; ++i) mine[i] = rank * 100 + i;
  CHECK_MPI(MPI_Win_sync(win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_Win_sync(win));
  int loaded = 0;
  for (int i = 0; i <= neighbour; ++i) loaded += theirs[i];
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  const int value = -rank;
  CHECK_MPI(MPI_Put(&value, 1, MPI_INT, neighbour, neighbour, 1, MPI_INT, win));
  CHECK_MPI(MPI_Win_flush(neighbour, win));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  CHECK_MPI(MPI_Win_sync(win));
  out("shared loaded %d, last of mine %d", loaded, mine[rank]);
  CHECK_MPI(MPI_Win_unlock_all(win));
  CHECK_MPI(MPI_Win_free(&win));
  out_flush();
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  every_sync_every_operation();
  derived_datatypes();
  every_operation_under_contention();
  distributed_counter();
  attributes_and_errors();
  dynamic_window();
  shared_window();
  finish("rma");
  return 0;
}
