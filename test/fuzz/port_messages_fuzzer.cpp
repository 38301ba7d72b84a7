// What the roots of MPI_Comm_connect and MPI_Comm_accept say to each other
// (mpi_shim/dynamic/port_messages.hpp), each decoder on every input, and the group
// description a decoded message carries. Each either refuses its input with
// Error(protocol) or decodes it canonically: what it decoded encodes to the very same
// bytes. A request always names an address to answer to.

#include <cstdlib>

#include "mpi_shim/dynamic/group_description.hpp"
#include "mpi_shim/dynamic/port_messages.hpp"
#include "test/fuzz/fuzz_support.hpp"

namespace {

using namespace ferry::mpi;
using ferry::fuzz::Bytes;
using ferry::fuzz::decoded_or_refused;

void check_description(const Bytes& bytes) {
  const auto description = decoded_or_refused(decode_description, bytes);
  if (description && encode(*description) != bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes bytes = ferry::fuzz::bytes_of(data, size);
  if (const auto request = decoded_or_refused(decode_connect_request, bytes)) {
    if (request->address.empty() || encode(*request) != bytes) std::abort();
    check_description(request->description);
  }
  if (const auto answer = decoded_or_refused(decode_connect_answer, bytes)) {
    if (encode(*answer) != bytes) std::abort();
    check_description(answer->description);
  }
  return 0;
}
