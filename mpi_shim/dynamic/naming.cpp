// Names live in the manager the job was started with (FERRY_MANAGER: `ferry run
// --manager`, or the embedded one of `ferry run` with function ranks; function ranks
// inherit it). They are scoped to the user: a job sees the names that the same user's
// jobs published, under the user name each process states (the manager trusts it, as it
// trusts lease owners). A name lives while the connection that published it does: each
// process keeps its connection to the manager until MPI_Finalize, so its names go then,
// or when it dies. Without a manager (stand-alone spawners, or a plain `ferry run` with
// no function ranks) there are no names, and the error string says why.

#include "mpi_shim/dynamic/naming.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/job_settings.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/client/client.hpp"

namespace ferry::mpi {

namespace {

std::unique_ptr<Client> manager_connection;

/// The manager's client, connected on first use; null when the job has no manager.
Client* manager() {
  if (!manager_connection) {
    const JobSettings settings = read_job_settings();
    if (!settings.manager) return nullptr;
    manager_connection = Client::create(lease_client_options(settings, "names", 0));
  }
  return manager_connection.get();
}

int no_manager(const char* function, int error_class) {
  const std::string text = std::string(function) +
                           ": MPI names need a Ferry manager; start the jobs with `ferry run --manager HOST:PORT` "
                           "(stand-alone spawners and plain jobs keep no names)";
  return raise_on(MPI_COMM_WORLD, explained_code(error_class, text), function);
}

/// Runs `call` against the manager; its errors are of `error_class`.
template <class Call>
int with_manager(const char* function, int error_class, const char* service_name, const char* port_name,
                 Call&& call) {
  if (service_name == nullptr || port_name == nullptr) return raise_on(MPI_COMM_WORLD, MPI_ERR_ARG, function);
  try {
    Client* client = manager();
    if (client == nullptr) return no_manager(function, error_class);
    call(*client);
  } catch (const std::exception& error) {
    return raise_on(MPI_COMM_WORLD, error_class, function, error.what());
  }
  return MPI_SUCCESS;
}

bool outside_mpi() noexcept { return !world().initialized || world().finalized; }

}  // namespace

void forget_names() noexcept { manager_connection.reset(); }

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Publish_name(const char* service_name, MPI_Info info, const char* port_name) {
  if (outside_mpi()) return PMPI_Publish_name(service_name, info, port_name);
  return with_manager("MPI_Publish_name", MPI_ERR_SERVICE, service_name, port_name,
                      [&](Client& client) { client.publish_name(service_name, port_name); });
}

int ferry::mpi::impl::MPI_Lookup_name(const char* service_name, MPI_Info info, char* port_name) {
  if (outside_mpi()) return PMPI_Lookup_name(service_name, info, port_name);
  return with_manager("MPI_Lookup_name", MPI_ERR_NAME, service_name, port_name, [&](Client& client) {
    const std::string port = client.lookup_name(service_name);
    const size_t length = std::min(port.size(), size_t(MPI_MAX_PORT_NAME - 1));
    std::memcpy(port_name, port.data(), length);
    port_name[length] = '\0';
  });
}

int ferry::mpi::impl::MPI_Unpublish_name(const char* service_name, MPI_Info info, const char* port_name) {
  if (outside_mpi()) return PMPI_Unpublish_name(service_name, info, port_name);
  return with_manager("MPI_Unpublish_name", MPI_ERR_SERVICE, service_name, port_name,
                      [&](Client& client) { client.unpublish_name(service_name, port_name); });
}
