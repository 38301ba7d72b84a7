#!/bin/bash
# Builds and runs tests under the sanitizers, each in a build tree of its own:
#   asan   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan): the unit tests, the
#          multi-process integration tests with real daemons, and the C API test;
#   tsan   ThreadSanitizer (build-tsan): the shim's MPI_THREAD_MULTIPLE program, as 2 batch
#          + 2 function ranks in every waiting mode, against plain mpirun.
# test/sanitizers.sh [--build-only] [asan] [tsan]   (both when none is named). Exits
# non-zero on any report. --build-only builds the trees and runs nothing (CI builds them at
# low priority while the main tests run).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
if [[ ${1:-} == --build-only ]]; then
  build_only=true
  shift
fi
kinds=("$@")
((${#kinds[@]})) || kinds=(asan tsan)
jobs=$(nproc)

configure() {  # DIR SANITIZERS
  # Unoptimised, with line tables only: reports still name files and lines, and the trees
  # build in a fraction of the time an optimised build takes.
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DCMAKE_C_FLAGS_DEBUG="-O0 -g1" \
    -DFERRY_SANITIZE="$2" -DFERRY_BUILD_BENCH=OFF >/dev/null
}

run_asan() {
  configure build-asan address,undefined
  cmake --build build-asan -j "$jobs" --target ferry_cli ferry-worker ferry_test_basic \
    ferry_unit_tests ferry_integration_tests ferry_c_api_test
  $build_only && return
  # Leak checking is off: UCX and Open MPI keep global allocations until exit. SIGSEGV is
  # left to the program: test functions crash on purpose, and the tests expect the signal.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:handle_segv=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  build-asan/test/ferry_unit_tests
  build-asan/test/ferry_integration_tests
  build-asan/test/ferry_c_api_test build-asan/test/libferry_test_basic.so
}

run_tsan() {
  configure build-tsan thread
  cmake --build build-tsan -j "$jobs" --target ferry_cli ferry-worker ferry_mpi ferry_mpi_test_threads
  $build_only && return
  export UCX_MEM_EVENTS=no TSAN_OPTIONS="suppressions=$PWD/test/mpi/tsan.supp halt_on_error=1"
  # Open MPI's own run (the reference) is not instrumented: a report whose other side TSan
  # cannot place in Open MPI escapes tsan.supp now and then, so the reference is tried again.
  export FERRY=$PWD/build-tsan/bin/ferry FERRY_TEST_MODES="hot warm adaptive" FERRY_REFERENCE_TRIES=3 OMPI_MCA_osc=sm,pt2pt \
    OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    OMPI_MCA_btl_vader_single_copy_mechanism=none
  test/mpi/run_compare.sh build-tsan/test/mpi/threads 4 2+2
}

for kind in "${kinds[@]}"; do
  case $kind in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *) echo "usage: test/sanitizers.sh [--build-only] [asan] [tsan]" >&2; exit 2 ;;
  esac
  $build_only && echo "sanitizers: $kind built" || echo "sanitizers: $kind passed"
done
