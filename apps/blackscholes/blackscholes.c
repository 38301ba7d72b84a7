/* Black-Scholes pricing of a portfolio of European options.
 *
 *   blackscholes [OPTIONS [RUNS]]     OPTIONS options priced RUNS times over
 *
 * Rank 0 generates the portfolio, MPI_Scatterv hands each rank a block, every rank
 * prices its block RUNS times (as the PARSEC kernel does) and MPI_Gatherv brings the
 * prices back. Rank 0 keeps its own block in place (MPI_IN_PLACE) instead of copying it.
 * Rank 0 sums the prices in portfolio order, so the sum does not depend on the rank
 * count, and reprices a sample serially to check the gathered prices. */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "app_arguments.h"
#include "app_memory.h"

enum { DEFAULT_OPTIONS = 400000, DEFAULT_RUNS = 100, SAMPLE_COUNT = 1000 };
static const long MAX_OPTIONS = 100000000L;

typedef struct {
  double spot, strike, rate, volatility, years, is_put;
} Option;

/* Uniform in [0, 1) from a 64-bit linear congruential generator (Knuth's MMIX). */
static double next_uniform(uint64_t* state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) * 0x1.0p-53;
}

static Option* generate_portfolio(long count) {
  Option* portfolio = malloc(sizeof(Option) * (size_t)count);
  uint64_t state = 20240607;
  for (long i = 0; i < count; ++i) {
    Option* o = &portfolio[i];
    o->spot = 50.0 + 100.0 * next_uniform(&state);
    o->strike = o->spot * (0.7 + 0.6 * next_uniform(&state));
    o->rate = 0.01 + 0.05 * next_uniform(&state);
    o->volatility = 0.1 + 0.5 * next_uniform(&state);
    o->years = 0.1 + 2.0 * next_uniform(&state);
    o->is_put = next_uniform(&state) < 0.5 ? 1.0 : 0.0;
  }
  return portfolio;
}

static double normal_cdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }

static double price(const Option* o) {
  const double root_t = sqrt(o->years);
  const double d1 = (log(o->spot / o->strike) +
                     (o->rate + 0.5 * o->volatility * o->volatility) * o->years) /
                    (o->volatility * root_t);
  const double d2 = d1 - o->volatility * root_t;
  const double discounted = o->strike * exp(-o->rate * o->years);
  if (o->is_put != 0.0) return discounted * normal_cdf(-d2) - o->spot * normal_cdf(-d1);
  return o->spot * normal_cdf(d1) - discounted * normal_cdf(d2);
}

static void price_block(const Option* block, double* prices, int count, long runs) {
  for (long run = 0; run < runs; ++run)
    for (int i = 0; i < count; ++i) prices[i] = price(&block[i]);
}

static void block_layout(long count, int size, int* counts, int* displs) {
  for (int r = 0; r < size; ++r) {
    displs[r] = (int)(count * r / size);
    counts[r] = (int)(count * (r + 1) / size) - displs[r];
  }
}

/* Returns how many sampled options price differently here than in the gathered result. */
static int check_sample(const Option* portfolio, const double* prices, long count) {
  int wrong = 0;
  const long step = count > SAMPLE_COUNT ? count / SAMPLE_COUNT : 1;
  for (long i = 0; i < count; i += step) {
    const double expected = price(&portfolio[i]);
    if (!(fabs(prices[i] - expected) <= 1e-12 * fmax(1.0, fabs(expected)))) ++wrong;
  }
  return wrong;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  AppCount sizes[] = {{"OPTIONS", MAX_OPTIONS, DEFAULT_OPTIONS}, {"RUNS", 1000000L, DEFAULT_RUNS}};
  if (app_parse_counts("blackscholes", argc, argv, sizes, 2, rank == 0) != 0) {
    if (rank == 0) fprintf(stderr, "usage: blackscholes [OPTIONS [RUNS]]\n");
    MPI_Finalize();
    return 2;
  }
  const long count = sizes[0].value, runs = sizes[1].value;

  MPI_Datatype option_type;
  MPI_Type_contiguous(sizeof(Option) / sizeof(double), MPI_DOUBLE, &option_type);
  MPI_Type_commit(&option_type);
  int* counts = malloc(sizeof(int) * (size_t)size);
  int* displs = malloc(sizeof(int) * (size_t)size);
  block_layout(count, size, counts, displs);
  Option* portfolio = rank == 0 ? generate_portfolio(count) : NULL;
  double* prices = rank == 0 ? app_alloc_touched("blackscholes", sizeof(double) * (size_t)count) : NULL;
  Option* block = rank == 0 ? portfolio + displs[0]
                            : app_alloc_touched("blackscholes", sizeof(Option) * (size_t)counts[rank]);
  double* block_prices = rank == 0 ? prices + displs[0]
                                   : app_alloc_touched("blackscholes", sizeof(double) * (size_t)counts[rank]);

  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  if (rank == 0)
    MPI_Scatterv(portfolio, counts, displs, option_type, MPI_IN_PLACE, counts[0], option_type, 0,
                 MPI_COMM_WORLD);
  else
    MPI_Scatterv(NULL, NULL, NULL, option_type, block, counts[rank], option_type, 0, MPI_COMM_WORLD);
  price_block(block, block_prices, counts[rank], runs);
  if (rank == 0)
    MPI_Gatherv(MPI_IN_PLACE, counts[0], MPI_DOUBLE, prices, counts, displs, MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
  else
    MPI_Gatherv(block_prices, counts[rank], MPI_DOUBLE, NULL, NULL, NULL, MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
  const double elapsed = MPI_Wtime() - start;

  int status = 0;
  if (rank == 0) {
    double sum = 0.0;
    for (long i = 0; i < count; ++i) sum += prices[i];
    const int wrong = check_sample(portfolio, prices, count);
    if (wrong != 0) {
      fprintf(stderr, "blackscholes: self-check failed: %d sampled prices differ\n", wrong);
      status = 1;
    }
    printf("result app=blackscholes ranks=%d time=%.6f check=%.9e\n", size, elapsed, sum);
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (rank != 0) {
    free(block);
    free(block_prices);
  }
  free(portfolio);
  free(prices);
  free(counts);
  free(displs);
  MPI_Type_free(&option_type);
  MPI_Finalize();
  return status;
}
