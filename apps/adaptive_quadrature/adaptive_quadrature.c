/* Adaptive quadrature by master and workers, with workers spawned as work turns up.
 *
 * Rank 0 of MPI_COMM_WORLD is the master; the other ranks of the job are workers from
 * the start. The master hands out intervals of [0, 1]; a worker integrates one with
 * Simpson's rule and its two halves, and either returns the integral (the estimates
 * agree) or asks for the halves to be queued. Whenever the queue holds more than
 * twice as many intervals as there are workers, the master spawns two more workers
 * (MPI_Comm_spawn on MPI_COMM_SELF), up to MAX_SPAWNED; when the queue runs dry, idle
 * spawned workers are sent away at once (they disconnect and finalize, and their cores
 * are free again) while the others finish.
 *
 *   adaptive_quadrature [MAX_SPAWNED [COST [TOLERANCE_EXPONENT]]]   (default 4 2000 10)
 *
 * COST is the number of terms of the integrand, TOLERANCE_EXPONENT e for a tolerance
 * of 10^-e per unit length. Prints `result app=adaptive_quadrature ranks=P time=S
 * check=INTEGRAL spawned=N` (P: the job's ranks; N: the workers it spawned). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_arguments.h"

enum { TAG_WORK = 1, TAG_RESULT = 2, TAG_STOP = 3 };

/* A sum of damped oscillations; `terms` sets what one evaluation costs. */
static double integrand(double x, long terms) {
  double sum = 0.0;
  for (long k = 1; k <= terms; ++k) sum += sin(k * 7.0 * x) * exp(-0.001 * (double)k) / (double)k;
  return sum + 1.0 / (0.01 + (x - 0.3) * (x - 0.3));
}

/* The worker's answer for [a, b]: {refined integral, 1} when Simpson's rule over the
 * whole and over the halves agree within tolerance * (b - a), else {0, 0}. */
static void integrate(const double interval[2], long terms, double tolerance, double answer[2]) {
  const double a = interval[0], b = interval[1], m = 0.5 * (a + b);
  const double fa = integrand(a, terms), fb = integrand(b, terms), fm = integrand(m, terms);
  const double fl = integrand(0.5 * (a + m), terms), fr = integrand(0.5 * (m + b), terms);
  const double whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
  const double halves = (b - a) / 12.0 * (fa + 4.0 * fl + 2.0 * fm + 4.0 * fr + fb);
  const int done = fabs(halves - whole) <= 15.0 * tolerance * (b - a) || b - a < 1e-9;
  answer[0] = done ? halves + (halves - whole) / 15.0 : 0.0;
  answer[1] = done;
}

static void work(MPI_Comm master, long terms, double tolerance) {
  for (;;) {
    double interval[2], answer[2];
    MPI_Status status;
    MPI_Recv(interval, 2, MPI_DOUBLE, 0, MPI_ANY_TAG, master, &status);
    if (status.MPI_TAG == TAG_STOP) return;
    integrate(interval, terms, tolerance, answer);
    MPI_Send(answer, 2, MPI_DOUBLE, 0, TAG_RESULT, master);
  }
}

/* The workers of one MPI_Comm_spawn, which share their intercommunicator. */
typedef struct {
  MPI_Comm comm;
  int live;
} Batch;

/* A worker the master talks to: a rank of the job (batch -1), or rank `rank` of a batch. */
typedef struct {
  MPI_Comm comm;
  int rank;
  int batch;
  double interval[2];
  double answer[2];
} Worker;

typedef struct {
  double (*items)[2];
  size_t size, capacity;
} Queue;

static void push(Queue* queue, double a, double b) {
  if (queue->size == queue->capacity) {
    queue->capacity = queue->capacity ? 2 * queue->capacity : 256;
    queue->items = realloc(queue->items, queue->capacity * sizeof *queue->items);
  }
  queue->items[queue->size][0] = a;
  queue->items[queue->size][1] = b;
  ++queue->size;
}

/* Sends `worker` away; the last of a batch to go takes the intercommunicator with it. */
/* Adds an interval's answer to the integral, or queues its halves. */
static void take_answer(const double interval[2], const double answer[2], double* integral, Queue* queue) {
  if (answer[1] != 0.0) {
    *integral += answer[0];
    return;
  }
  const double a = interval[0], b = interval[1], m = 0.5 * (a + b);
  push(queue, a, m);
  push(queue, m, b);
}

static void stop(Worker* worker, Batch* batches) {
  double nothing[2] = {0, 0};
  MPI_Send(nothing, 2, MPI_DOUBLE, worker->rank, TAG_STOP, worker->comm);
  if (worker->batch >= 0 && --batches[worker->batch].live == 0) MPI_Comm_disconnect(&batches[worker->batch].comm);
  worker->comm = MPI_COMM_NULL;
}

static double master(int job_ranks, const long sizes[3], const char* self, int* spawned_out) {
  const int max_spawned = (int)sizes[0];
  const int capacity = job_ranks - 1 + max_spawned;
  Worker* workers = calloc((size_t)(capacity > 0 ? capacity : 1), sizeof *workers);
  Batch* batches = calloc((size_t)(max_spawned > 0 ? max_spawned : 1), sizeof *batches);
  MPI_Request* requests = malloc(sizeof(MPI_Request) * (size_t)(capacity > 0 ? capacity : 1));
  int count = 0, spawned = 0, busy = 0, batch_count = 0;
  for (int r = 1; r < job_ranks; ++r) workers[count++] = (Worker){MPI_COMM_WORLD, r, -1, {0, 0}, {0, 0}};
  for (int i = 0; i < capacity; ++i) requests[i] = MPI_REQUEST_NULL;
  Queue queue = {0};
  for (int i = 0; i < 16; ++i) push(&queue, i / 16.0, (i + 1) / 16.0);
  double integral = 0.0;
  for (;;) {
    /* More workers while the work outgrows them. */
    while (spawned < max_spawned && queue.size > (size_t)(2 * (count > 0 ? count : 1))) {
      MPI_Comm children;
      const int batch = max_spawned - spawned < 2 ? max_spawned - spawned : 2;
      char* worker_argv[] = {"--worker", NULL};
      MPI_Comm_spawn(self, worker_argv, batch, MPI_INFO_NULL, 0, MPI_COMM_SELF, &children, MPI_ERRCODES_IGNORE);
      batches[batch_count] = (Batch){children, batch};
      for (int i = 0; i < batch; ++i) {
        MPI_Send(sizes, 3, MPI_LONG, i, TAG_WORK, children);
        workers[count++] = (Worker){children, i, batch_count, {0, 0}, {0, 0}};
      }
      ++batch_count;
      spawned += batch;
    }
    for (int w = 0; w < count; ++w) {
      if (workers[w].comm == MPI_COMM_NULL || requests[w] != MPI_REQUEST_NULL || queue.size == 0) continue;
      --queue.size;
      memcpy(workers[w].interval, queue.items[queue.size], sizeof workers[w].interval);
      MPI_Send(workers[w].interval, 2, MPI_DOUBLE, workers[w].rank, TAG_WORK, workers[w].comm);
      MPI_Irecv(workers[w].answer, 2, MPI_DOUBLE, workers[w].rank, TAG_RESULT, workers[w].comm, &requests[w]);
      ++busy;
    }
    if (busy == 0 && queue.size > 0 && count == 0) {
      /* No worker and none to spawn: the master works alone. */
      double interval[2], answer[2];
      --queue.size;
      memcpy(interval, queue.items[queue.size], sizeof interval);
      integrate(interval, sizes[1], pow(10.0, -(double)sizes[2]), answer);
      take_answer(interval, answer, &integral, &queue);
      continue;
    }
    if (busy == 0) break;
    int index;
    MPI_Waitany(count, requests, &index, MPI_STATUS_IGNORE);
    --busy;
    Worker* done = &workers[index];
    take_answer(done->interval, done->answer, &integral, &queue);
    /* Spawned workers with nothing left to do go at once. */
    if (queue.size == 0 && done->batch >= 0) stop(done, batches);
  }
  for (int w = 0; w < count; ++w) {
    if (workers[w].comm != MPI_COMM_NULL) stop(&workers[w], batches);
  }
  free(queue.items);
  free(batches);
  free(workers);
  free(requests);
  *spawned_out = spawned;
  return integral;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm parent;
  MPI_Comm_get_parent(&parent);
  const int is_spawned = parent != MPI_COMM_NULL;
  AppCount counts[] = {{"MAX_SPAWNED", 256, 4}, {"COST", 1000000, 2000}, {"TOLERANCE_EXPONENT", 14, 10}};
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  /* A spawned worker's only argument is "--worker"; its sizes come from its master first. */
  long sizes[3];
  if (is_spawned) {
    MPI_Recv(sizes, 3, MPI_LONG, 0, TAG_WORK, parent, MPI_STATUS_IGNORE);
  } else {
    if (app_parse_counts(argv[0], argc, argv, counts, 3, rank == 0) != 0) MPI_Abort(MPI_COMM_WORLD, 2);
    for (int i = 0; i < 3; ++i) sizes[i] = counts[i].value;
  }
  const double tolerance = pow(10.0, -(double)sizes[2]);
  if (is_spawned) {
    work(parent, sizes[1], tolerance);
    MPI_Comm_disconnect(&parent);
  } else if (rank != 0) {
    work(MPI_COMM_WORLD, sizes[1], tolerance);
  } else {
    const double start = MPI_Wtime();
    int spawned = 0;
    const double integral = master(size, sizes, argv[0], &spawned);
    const double elapsed = MPI_Wtime() - start;
    printf("result app=adaptive_quadrature ranks=%d time=%.6f check=%.12e spawned=%d\n", size, elapsed, integral,
           spawned);
  }
  MPI_Finalize();
  return 0;
}
