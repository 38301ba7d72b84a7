// What MPI_Comm_spawn's root and children say to each other
// (mpi_shim/dynamic/spawn_protocol.hpp) and the group description inside it, each decoder
// on every input. Each either refuses it with Error(protocol) or decodes it canonically:
// what it decoded encodes to the very same bytes.

#include <cstdlib>

#include "mpi_shim/dynamic/spawn_protocol.hpp"
#include "test/fuzz/fuzz_support.hpp"

namespace {

using ferry::fuzz::Bytes;
using ferry::fuzz::decoded_or_refused;

template <class Decode>
void check_canonical(Decode&& decode, const Bytes& bytes) {
  const auto decoded = decoded_or_refused(decode, bytes);
  if (decoded && encode(*decoded) != bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferry::mpi;
  const Bytes bytes = ferry::fuzz::bytes_of(data, size);
  check_canonical(decode_hello, bytes);
  check_canonical(decode_table, bytes);
  check_canonical(decode_outcome, bytes);
  check_canonical(decode_description, bytes);
  return 0;
}
