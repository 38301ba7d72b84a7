// matmul-offload: C = A * B over MPI ranks, each rank computing part of its block of
// rows itself and offloading the rest to one leased Ferry executor at the same time.
#include <mpi.h>
#include <sched.h>

#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/matmul_offload/kernel.hpp"
#include "runtime/client/client.hpp"

namespace po = boost::program_options;
namespace matmul = ferry::apps::matmul;

namespace {

struct Options {
  size_t n = 2304;
  double split = 0.55;
  std::string mode = "hot";
  std::string library = FERRY_MATMUL_FUNCTIONS;
};

/// Parses the command line; empty after printing the help. Throws on bad input.
std::optional<Options> parse_options(int argc, char** argv, bool print) {
  Options options;
  po::options_description description("matmul_offload: C = A * B, part of each rank's rows offloaded to Ferry");
  description.add_options()
      ("help,h", "print this help")
      ("size,n", po::value(&options.n)->default_value(options.n), "matrix order n (A, B and C are n x n)")
      ("split", po::value(&options.split)->default_value(options.split, "0.55"),
       "fraction of each rank's rows computed locally; 1.0 = no offload")
      ("mode", po::value(&options.mode)->default_value(options.mode), "executor wait mode: hot, warm or adaptive")
      ("library", po::value(&options.library)->default_value(options.library), "the function library to ship");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, description), values);
  if (values.count("help") != 0) {
    if (print) std::cout << description << "\n";
    return std::nullopt;
  }
  po::notify(values);
  // Beyond this the checksum would no longer be exact in double.
  if (options.n == 0 || options.n > 16384) throw std::invalid_argument("--size must be in 1..16384");
  if (!(options.split >= 0.0 && options.split <= 1.0)) throw std::invalid_argument("--split must be in [0, 1]");
  ferry::ucx::parse_wait_mode(options.mode);
  return options;
}

/// A leased executor serving matmul_rows, and the registered buffer of its one invocation:
/// a RowsRequest, the offloaded rows of A, then B. The rank computes from the same B, so
/// nothing is copied before the invocation starts.
class Offload {
 public:
  Offload(const Options& options, size_t rows) : n_(options.n), rows_(rows) {
    ferry::ClientOptions client_options;
    if (const char* manager = std::getenv("FERRY_MANAGER"); manager != nullptr && *manager != '\0') {
      client_options.manager = manager;
    }
    client_ = ferry::Client::create(client_options);
    lease_.emplace(client_->lease({.cores = 1}));
    const ferry::ExecutorSpec spec{
        .library = options.library, .functions = {"matmul_rows"}, .mode = ferry::ucx::parse_wait_mode(options.mode)};
    executor_.emplace(client_->allocate(*lease_, spec));
    input_ = client_->allocate_buffer(sizeof(matmul::RowsRequest) + (rows + n_) * n_ * sizeof(double));
    const matmul::RowsRequest request{n_, rows};
    std::memcpy(input_.data(), &request, sizeof request);
  }

  /// True when every core this rank may run on is also the executor's: both then compete
  /// for it and nothing overlaps (mpirun binds ranks to cores unless --bind-to none).
  bool shares_every_core() const {
    cpu_set_t own, executor;
    if (::sched_getaffinity(0, sizeof own, &own) != 0 ||
        ::sched_getaffinity(executor_->pid(), sizeof executor, &executor) != 0) {
      return false;
    }
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &own) && !CPU_ISSET(cpu, &executor)) return false;
    }
    return true;
  }

  std::span<double> rows_of_a() { return {payload(), rows_ * n_}; }
  std::span<double> b() { return {payload() + rows_ * n_, n_ * n_}; }

  /// Starts computing the offloaded rows into `c_rows`.
  ferry::Future start(std::span<double> c_rows) {
    return executor_->invoke_async(0, input_, input_.size(), std::as_writable_bytes(c_rows));
  }

 private:
  double* payload() { return reinterpret_cast<double*>(input_.span().subspan(sizeof(matmul::RowsRequest)).data()); }

  size_t n_;
  size_t rows_;
  std::unique_ptr<ferry::Client> client_;
  std::optional<ferry::Lease> lease_;
  std::optional<ferry::Executor> executor_;
  ferry::Buffer input_;
};

/// One rank's block of rows [first, first + rows) of C: it computes rows [0, local) of the
/// block from `a` and offloads the rest, whose rows of A live in the invocation's input.
struct Block {
  size_t n = 0;
  size_t first = 0;
  size_t rows = 0;
  size_t local = 0;
  std::vector<double> a;       // the rows computed here
  std::vector<double> own_b;   // B, when nothing is offloaded
  std::span<double> b;         // B, here or in the invocation's input
  std::vector<double> c;
};

/// This rank's share of the rows, and how many of them it computes itself.
Block plan_block(size_t n, double split, int rank, int ranks) {
  Block block;
  block.n = n;
  block.first = n * static_cast<size_t>(rank) / static_cast<size_t>(ranks);
  block.rows = n * static_cast<size_t>(rank + 1) / static_cast<size_t>(ranks) - block.first;
  block.local = static_cast<size_t>(std::llround(split * static_cast<double>(block.rows)));
  return block;
}

/// Generates the block's rows of A and all of B, in the invocation's input where offloaded.
void fill_block(Block& block, Offload* offload) {
  const size_t n = block.n;
  std::span<double> remote_a;
  if (offload != nullptr) {
    remote_a = offload->rows_of_a();
    block.b = offload->b();
  } else {
    block.own_b.resize(n * n);
    block.b = block.own_b;
  }
  block.a.resize(block.local * n);
  block.c.assign(block.rows * n, 0.0);
  for (size_t i = 0; i < block.rows; ++i) {
    double* row = i < block.local ? &block.a[i * n] : &remote_a[(i - block.local) * n];
    for (size_t k = 0; k < n; ++k) row[k] = matmul::a_entry(block.first + i, k);
  }
  for (size_t k = 0; k < n; ++k) {
    for (size_t j = 0; j < n; ++j) block.b[k * n + j] = matmul::b_entry(k, j);
  }
}

/// Computes the block's local rows here while the executor computes the rest; returns the
/// seconds spent waiting for the executor after the local rows were done.
double compute(Block& block, Offload* offload) {
  const size_t n = block.n, local = block.local;
  std::optional<ferry::Future> remote;
  if (offload != nullptr) remote.emplace(offload->start(std::span(block.c).subspan(local * n)));
  for (size_t i = 0; i < local; i += matmul::row_group) {
    const size_t group = std::min(matmul::row_group, local - i);
    matmul::multiply_rows(block.a.data() + i * n, group, block.b.data(), n, block.c.data() + i * n);
    // Progress keeps the transfer of the offloaded input and its result moving.
    if (remote) remote->ready();
  }
  if (!remote) return 0.0;
  const double wait_start = MPI_Wtime();
  const auto expected = static_cast<int64_t>((block.rows - local) * n * sizeof(double));
  if (const int64_t written = remote->get(); written != expected) {
    throw std::runtime_error("the executor returned " + std::to_string(written) + " bytes, expected " +
                             std::to_string(expected));
  }
  return MPI_Wtime() - wait_start;
}

/// Compares a few entries of each part of the block with a serial dot product.
void check_samples(const Block& block) {
  const size_t n = block.n, local = block.local;
  for (const size_t i : {size_t{0}, local == 0 ? size_t{0} : local - 1, local, block.rows - 1}) {
    if (i >= block.rows) continue;
    for (const size_t j : {size_t{0}, n / 3, n - 1}) {
      double expected = 0.0;
      for (size_t k = 0; k < n; ++k) expected += matmul::a_entry(block.first + i, k) * matmul::b_entry(k, j);
      if (block.c[i * n + j] != expected) {
        throw std::runtime_error("C[" + std::to_string(block.first + i) + "][" + std::to_string(j) + "] is " +
                                 std::to_string(block.c[i * n + j]) + ", expected " + std::to_string(expected));
      }
    }
  }
}

/// The sum of every entry of C in closed form: sum_k (sum_i A[i][k]) (sum_j B[k][j]).
double expected_checksum(size_t n) {
  double sum = 0.0;
  for (size_t k = 0; k < n; ++k) {
    double column = 0.0, row = 0.0;
    for (size_t i = 0; i < n; ++i) column += matmul::a_entry(i, k);
    for (size_t j = 0; j < n; ++j) row += matmul::b_entry(k, j);
    sum += column * row;
  }
  return sum;
}

int run(const Options& options, int rank, int ranks) {
  Block block = plan_block(options.n, options.split, rank, ranks);
  double setup = MPI_Wtime();
  std::optional<Offload> offload;
  if (block.local < block.rows) {
    offload.emplace(options, block.rows - block.local);
    if (offload->shares_every_core()) {
      std::fprintf(stderr, "matmul_offload: rank %d: the executor shares a core with this rank; "
                           "run mpirun with --bind-to none to overlap\n", rank);
    }
  }
  setup = MPI_Wtime() - setup;
  fill_block(block, offload ? &*offload : nullptr);

  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  const double wait = compute(block, offload ? &*offload : nullptr);
  const double elapsed = MPI_Wtime() - start;

  check_samples(block);
  double partial = 0.0, checksum = 0.0, slowest = 0.0, slowest_setup = 0.0, longest_wait = 0.0;
  for (const double value : block.c) partial += value;
  MPI_Reduce(&partial, &checksum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Reduce(&elapsed, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  MPI_Reduce(&setup, &slowest_setup, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  MPI_Reduce(&wait, &longest_wait, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank != 0) return 0;
  std::printf("detail app=matmul-offload ranks=%d n=%zu split=%.3f lease_allocate=%.3f wait=%.3f\n", ranks,
              options.n, options.split, slowest_setup, longest_wait);
  std::printf("result app=matmul-offload ranks=%d time=%.3f check=%.6e\n", ranks, slowest, checksum);
  if (checksum != expected_checksum(options.n)) {
    std::fprintf(stderr, "matmul_offload: checksum %.17g differs from the closed form %.17g\n", checksum,
                 expected_checksum(options.n));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int status = 0;
  try {
    const std::optional<Options> options = parse_options(argc, argv, rank == 0);
    if (options) status = run(*options, rank, ranks);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "matmul_offload: rank %d: %s\n", rank, error.what());
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  MPI_Finalize();
  return status;
}
