#pragma once
// A batch rank's share of the function ranks: a thread that leases executors, starts the
// program on them, forwards their output, renews the leases, and ends the whole job when
// one of them fails. Allocation is decentralized: every batch rank runs its own.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mpi_shim/job_settings.hpp"
#include "runtime/client/client.hpp"

namespace ferry::mpi {

struct OwnedRank {
  int rank = 0;
  std::vector<std::string> env;  ///< role variables of this function rank
};

class FunctionRankOwner {
 public:
  FunctionRankOwner(JobSettings settings, int batch_rank, std::vector<OwnedRank> ranks,
                    std::vector<std::string> argv, std::string working_directory);
  FunctionRankOwner(const FunctionRankOwner&) = delete;
  FunctionRankOwner& operator=(const FunctionRankOwner&) = delete;
  ~FunctionRankOwner();

  /// Called as MPI_Finalize begins: from now on a function rank's clean exit is expected.
  void begin_finalize() noexcept { finalizing_ = true; }
  /// Called before PMPI_Finalize: from now on a function rank that fails does not end the
  /// job from this thread (PMPI_Abort must not run beside PMPI_Finalize); finish() does.
  void defer_failures();
  /// Called after PMPI_Finalize: waits for every function rank to exit, releases the
  /// leases, and writes FERRY_REPORT's file. A rank still running after `timeout` is killed.
  /// Ends the process with the failure's code when a function rank failed meanwhile.
  void finish(std::chrono::milliseconds timeout);

 private:
  void run() noexcept;
  void watch();
  /// Renews every lease; false when the granter cannot be reached yet (see the .cpp).
  bool renew_all(std::vector<ferry::Lease>& leases, std::chrono::steady_clock::duration since_renewed);
  void write_report() const;
  /// Ends the job for a failed function rank, or keeps the failure for finish() once
  /// failures are deferred.
  void fail(int code, const std::string& message);

  static constexpr std::chrono::milliseconds renewal_retry_interval{250};

  JobSettings settings_;
  int batch_rank_;
  std::vector<OwnedRank> ranks_;
  std::vector<std::string> argv_;
  std::string working_directory_;
  std::atomic<bool> finalizing_{false};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable all_exited_;
  bool exited_ = false;
  bool failures_deferred_ = false;
  std::optional<std::pair<int, std::string>> deferred_failure_;
  std::vector<uint64_t> lease_ids_;
  double core_seconds_ = 0;
  bool renewal_failing_ = false;  ///< on the watching thread only
  std::thread thread_;
};

}  // namespace ferry::mpi
