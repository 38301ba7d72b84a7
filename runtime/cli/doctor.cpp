#include "runtime/cli/doctor.hpp"

#include <dlfcn.h>
#include <infiniband/verbs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <ucp/api/ucp.h>
#include <uct/api/uct.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/cli/doctor_report.hpp"
#include "runtime/cli/doctor_slurm.hpp"
#include "runtime/common/executable_path.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/unique_fd.hpp"
#include "runtime/lease/munge_credential.hpp"
#include "spawner/process/cgroup.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::cli {
namespace {

constexpr std::string_view ucx_fix = "apt-get install libucx0 ucx-utils";
constexpr std::string_view rdma_fix =
    "only on InfiniBand/RoCE nodes: apt-get install rdma-core ibverbs-providers";
constexpr std::string_view mpi_fix = "apt-get install openmpi-bin libopenmpi-dev";
constexpr std::string_view cgroup_fix =
    "optional: boot with systemd.unified_cgroup_hierarchy=1 and start the spawner in a delegated cgroup "
    "with +memory in its subtree_control (systemd-run -p Delegate=yes ...), or name one with --cgroup";
constexpr std::string_view munge_fix =
    "multi-user sites: apt-get install munge, one /etc/munge/munge.key on every node, systemctl start munge "
    "(or set FERRY_MUNGE_SOCKET)";

// ---------------------------------------------------------------- RAII helpers

/// Deleter that hands a C handle back to its release function.
template <auto release>
struct Releaser {
  template <class T>
  void operator()(T* handle) const noexcept {
    release(handle);
  }
};

template <class T, auto release>
using Owned = std::unique_ptr<T, Releaser<release>>;

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

// ---------------------------------------------------------------- UCX transports

struct UcxInventory {
  std::vector<std::string> transports;           ///< "transport/device"
  std::vector<std::string> connection_managers;  ///< components that can back a ucp_listener
  std::vector<std::string> skipped_domains;      ///< why a memory domain could not be used
};

struct ComponentInfo {
  std::string name;
  bool connection_manager = false;
  std::vector<std::string> md_names;
};

ComponentInfo query_component(uct_component_h component) {
  uct_component_attr_t attr{};
  attr.field_mask = UCT_COMPONENT_ATTR_FIELD_NAME | UCT_COMPONENT_ATTR_FIELD_MD_RESOURCE_COUNT |
                    UCT_COMPONENT_ATTR_FIELD_FLAGS;
  ucx::check(uct_component_query(component, &attr), "uct_component_query");
  ComponentInfo info{attr.name, (attr.flags & UCT_COMPONENT_FLAG_CM) != 0, {}};
  if (attr.md_resource_count == 0) return info;

  std::vector<uct_md_resource_desc_t> resources(attr.md_resource_count);
  attr.field_mask = UCT_COMPONENT_ATTR_FIELD_MD_RESOURCES;
  attr.md_resources = resources.data();
  ucx::check(uct_component_query(component, &attr), "uct_component_query " + info.name);
  for (const uct_md_resource_desc_t& resource : resources) info.md_names.emplace_back(resource.md_name);
  return info;
}

std::vector<std::string> md_transports(uct_component_h component, const std::string& md_name) {
  uct_md_config_t* raw_config = nullptr;
  ucx::check(uct_md_config_read(component, nullptr, nullptr, &raw_config),
             "uct_md_config_read " + md_name);
  const Owned<uct_md_config_t, uct_config_release> config(raw_config);

  uct_md_h raw_md = nullptr;
  ucx::check(uct_md_open(component, md_name.c_str(), config.get(), &raw_md), "uct_md_open " + md_name);
  const Owned<uct_md, uct_md_close> md(raw_md);

  uct_tl_resource_desc_t* raw_resources = nullptr;
  unsigned count = 0;
  ucx::check(uct_md_query_tl_resources(md.get(), &raw_resources, &count),
             "uct_md_query_tl_resources " + md_name);
  const Owned<uct_tl_resource_desc_t[], uct_release_tl_resource_list> resources(raw_resources);

  std::vector<std::string> transports;
  for (unsigned i = 0; i < count; ++i) {
    transports.push_back(std::string(resources[i].tl_name) + "/" + resources[i].dev_name);
  }
  return transports;
}

void add_component(uct_component_h component, UcxInventory& inventory) {
  const ComponentInfo info = query_component(component);
  if (info.connection_manager) inventory.connection_managers.push_back(info.name);
  for (const std::string& md_name : info.md_names) {
    try {
      for (std::string& transport : md_transports(component, md_name)) {
        inventory.transports.push_back(std::move(transport));
      }
    } catch (const Error& error) {
      inventory.skipped_domains.emplace_back(error.what());
    }
  }
}

UcxInventory take_ucx_inventory() {
  uct_component_h* raw_components = nullptr;
  unsigned count = 0;
  ucx::check(uct_query_components(&raw_components, &count), "uct_query_components");
  const Owned<uct_component_h[], uct_release_component_list> components(raw_components);

  UcxInventory inventory;
  for (unsigned i = 0; i < count; ++i) add_component(components[i], inventory);
  return inventory;
}

bool is_rdma_transport(std::string_view transport) {
  return transport.starts_with("rc") || transport.starts_with("dc") || transport.starts_with("ud");
}

void report_transports(Report& report, const std::vector<std::string>& transports) {
  if (transports.empty()) {
    report.fail("transports", "UCX finds no usable transport on this machine", ucx_fix);
  } else {
    report.ok("transports", join(transports, ", "));
  }
}

void report_rdma_transports(Report& report, const std::vector<std::string>& transports) {
  std::vector<std::string> rdma;
  for (const std::string& transport : transports) {
    if (is_rdma_transport(transport)) rdma.push_back(transport);
  }
  if (rdma.empty()) {
    report.warn("rdma", "no RDMA transport: UCX will use shared memory and TCP", rdma_fix);
  } else {
    report.ok("rdma", "RDMA transports: " + join(rdma, ", "));
  }
}

void report_connection_managers(Report& report, const std::vector<std::string>& managers) {
  if (managers.empty()) {
    report.fail("listener", "no UCX connection manager: Ferry's listeners cannot accept connections",
                ucx_fix);
  } else {
    report.ok("listener", "connection managers for ucp_listener: " + join(managers, ", "));
  }
}

void check_ucx_version(Report& report) { report.ok("ucx", std::string("UCX ") + ucp_get_version_string()); }

void check_ucx_transports(Report& report) {
  const UcxInventory inventory = take_ucx_inventory();
  report_transports(report, inventory.transports);
  report_rdma_transports(report, inventory.transports);
  report_connection_managers(report, inventory.connection_managers);
  for (const std::string& reason : inventory.skipped_domains) {
    report.warn("transports", "memory domain skipped: " + reason, "see `ucx_info -d` for details");
  }
}

void check_ucx_wakeup(Report& report) {
  ucp_config_t* raw_config = nullptr;
  ucx::check(ucp_config_read(nullptr, nullptr, &raw_config), "ucp_config_read");
  const Owned<ucp_config_t, ucp_config_release> config(raw_config);

  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES;
  params.features = UCP_FEATURE_AM | UCP_FEATURE_WAKEUP;
  ucp_context_h raw_context = nullptr;
  ucx::check(ucp_init(&params, config.get(), &raw_context), "ucp_init");
  const Owned<ucp_context, ucp_cleanup> context(raw_context);

  ucp_worker_params_t worker_params{};
  worker_params.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  worker_params.thread_mode = UCS_THREAD_MODE_SINGLE;
  ucp_worker_h raw_worker = nullptr;
  ucx::check(ucp_worker_create(context.get(), &worker_params, &raw_worker), "ucp_worker_create");
  const Owned<ucp_worker, ucp_worker_destroy> worker(raw_worker);

  int event_fd = -1;  // owned by the worker
  ucx::check(ucp_worker_get_efd(worker.get(), &event_fd), "ucp_worker_get_efd");
  report.ok("wakeup", "ucp_worker_get_efd works: warm and adaptive waiting can sleep on the event fd");
}

// ---------------------------------------------------------------- RDMA devices

struct DeviceState {
  std::string description;
  bool active = false;
};

std::string port_state(ibv_context* context, int port, bool& active) {
  ibv_port_attr attr{};
  const std::string name = "port " + std::to_string(port);
  if (ibv_query_port(context, static_cast<uint8_t>(port), &attr) != 0) return name + " unknown";
  active = active || attr.state == IBV_PORT_ACTIVE;
  const char* link = attr.link_layer == IBV_LINK_LAYER_ETHERNET ? "RoCE" : "InfiniBand";
  return name + " " + ibv_port_state_str(attr.state) + " (" + link + ")";
}

DeviceState describe_device(ibv_device* device) {
  DeviceState state{ibv_get_device_name(device), false};
  const Owned<ibv_context, ibv_close_device> context(ibv_open_device(device));
  if (!context) {
    const int error = errno;
    return {state.description + " (cannot open: " + std::strerror(error) + ")", false};
  }
  ibv_device_attr attr{};
  if (ibv_query_device(context.get(), &attr) != 0) return {state.description + " (cannot query)", false};

  std::vector<std::string> ports;
  for (int port = 1; port <= attr.phys_port_cnt; ++port) {
    ports.push_back(port_state(context.get(), port, state.active));
  }
  state.description += " (" + join(ports, ", ") + ")";
  return state;
}

void check_rdma_devices(Report& report) {
  int count = 0;
  const Owned<ibv_device*[], ibv_free_device_list> devices(ibv_get_device_list(&count));
  if (!devices || count <= 0) {
    report.warn("ibverbs", "no RDMA devices found (libibverbs sees none)", rdma_fix);
    return;
  }
  std::vector<std::string> descriptions;
  bool any_active = false;
  for (int i = 0; i < count; ++i) {
    DeviceState state = describe_device(devices[i]);
    any_active = any_active || state.active;
    descriptions.push_back(std::move(state.description));
  }
  if (any_active) {
    report.ok("ibverbs", join(descriptions, "; "));
  } else {
    report.warn("ibverbs", join(descriptions, "; ") + ": no port is ACTIVE",
                "check cabling and the subnet manager (ibv_devinfo, ibstat)");
  }
}

// ---------------------------------------------------------------- MPI

using GetLibraryVersion = int (*)(char* version, int* length);
// At least MPI_MAX_LIBRARY_VERSION_STRING of any MPI (Open MPI: 256, MPICH: 8192).
constexpr size_t library_version_capacity = 8192;

void check_open_mpi(Report& report) {
  const Owned<void, dlclose> library(dlopen("libmpi.so.40", RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    const char* reason = dlerror();
    report.fail("open-mpi", std::string("cannot load libmpi.so.40: ") + (reason ? reason : "unknown"),
                mpi_fix);
    return;
  }
  // MPI_Get_library_version may be called before MPI_Init.
  const auto get_version =
      reinterpret_cast<GetLibraryVersion>(dlsym(library.get(), "MPI_Get_library_version"));
  if (get_version == nullptr) {
    report.fail("open-mpi", "libmpi.so.40 has no MPI_Get_library_version", mpi_fix);
    return;
  }
  std::string version(library_version_capacity, '\0');
  int length = 0;
  if (get_version(version.data(), &length) != 0) {
    report.fail("open-mpi", "MPI_Get_library_version failed", mpi_fix);
    return;
  }
  version.resize(std::strlen(version.c_str()));
  report.ok("open-mpi", version.substr(0, version.find('\n')));
}

void check_mpirun(Report& report) {
  const std::string path = find_in_path("mpirun");
  if (path.empty()) {
    report.fail("mpirun", "mpirun is not on PATH", "apt-get install openmpi-bin");
  } else {
    report.ok("mpirun", path);
  }
}

// ---------------------------------------------------------------- executables and kernel

void check_ferry_worker(Report& report) {
  const std::string path = find_sibling_executable("ferry-worker");
  if (path.empty()) {
    report.fail("ferry-worker",
                "ferry-worker not found next to this executable, in ../../spawner/ or on PATH",
                "cmake --build <build-dir> --target ferry-worker, or put it on PATH");
  } else {
    report.ok("ferry-worker", path);
  }
}

void check_pidfd(Report& report) {
  const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
  if (pidfd) {
    report.ok("pidfd", "pidfd_open works: the spawner can watch its workers");
    return;
  }
  const int error = errno;
  report.fail("pidfd", std::string("pidfd_open failed: ") + std::strerror(error),
              error == ENOSYS ? "run on Linux 5.3 or newer"
                              : "allow pidfd_open in the container's seccomp profile");
}

// The spawner's own choice (find_lease_cgroup_parent), so that doctor and spawner agree.
void check_cgroup(Report& report) {
  const spawner::CgroupSupport support = spawner::find_lease_cgroup_parent("/proc", "");
  if (support.parent.empty()) {
    report.warn("cgroup", "executors' memory is limited with RLIMIT_DATA: " + support.reason, cgroup_fix);
  } else {
    report.ok("cgroup", "a cgroup per lease limits executors' memory (memory.max): " + support.reason);
  }
}

// Who the executors of a spawner started by this user would run as.
void check_identity(Report& report) {
  if (::geteuid() == 0) {
    report.ok("identity", "run as root, a spawner runs each executor as its lease's owner (proven with munge) "
                          "and refuses leases of root unless --allow-root-owner");
  } else {
    report.ok("identity", "run as uid " + std::to_string(::geteuid()) +
                              ", a spawner serves only this user's leases and runs executors as this user");
  }
}

// Whether this user's leases can be proven with munge (ferry manager --auth munge); the
// munge check among the Slurm checks asks the same of Slurm's munged.
void check_lease_proof(Report& report) {
  const std::string socket = lease::munge_socket_path("");
  const std::string where = socket.empty() ? "munge's default socket" : socket;
  try {
    const lease::MungeIdentity identity =
        lease::decode_munge_credential(socket, lease::encode_munge_credential(socket, "ferry doctor"));
    report.ok("lease-auth", "munged at " + where + " vouches for uid " + std::to_string(identity.uid) +
                                ": managers with --auth munge can prove this user's leases");
  } catch (const std::exception& error) {
    const std::string text = std::string(error.what()) + " (" + where +
                             "): only managers without --auth munge grant this user leases";
    // A root spawner runs executors only for munge-proven owners; one user's own needs none.
    if (::geteuid() == 0) {
      report.warn("lease-auth", text + ", and a spawner run as root serves none", munge_fix);
    } else {
      report.info("lease-auth", text);
    }
  }
}

void check_ip_command(Report& report) {
  const std::string path = find_in_path("ip");
  if (path.empty()) {
    report.warn("ip", "`ip` is not on PATH (optional)",
                "apt-get install iproute2, or add /usr/sbin to PATH");
  } else {
    report.ok("ip", path);
  }
}

// ---------------------------------------------------------------- driver

struct Check {
  std::string_view topic;
  void (*run)(Report&);
  std::string_view fix;  ///< shown when the check itself throws
};

constexpr std::array checks{
    Check{"ucx", check_ucx_version, ucx_fix},
    Check{"transports", check_ucx_transports, ucx_fix},
    Check{"ibverbs", check_rdma_devices, rdma_fix},
    Check{"open-mpi", check_open_mpi, mpi_fix},
    Check{"mpirun", check_mpirun, "apt-get install openmpi-bin"},
    Check{"ferry-worker", check_ferry_worker, "cmake --build <build-dir> --target ferry-worker"},
    Check{"pidfd", check_pidfd, "run on Linux 5.3 or newer"},
    Check{"cgroup", check_cgroup, cgroup_fix},
    Check{"identity", check_identity, ""},
    Check{"lease-auth", check_lease_proof, munge_fix},
    Check{"ip", check_ip_command, "apt-get install iproute2"},
    Check{"slurm", check_slurm, "only on a Slurm cluster: apt-get install slurm-client"},
    Check{"munge", check_munge, "apt-get install munge"},
    Check{"pmix", check_pmix, "apt-get install slurm-wlm-basic-plugins libpmix2"},
    Check{"spank", check_spank_plugin, "see plugstack.conf(5)"},
    Check{"wakeup", check_ucx_wakeup, "unset UCX_TLS, or reinstall: apt-get install --reinstall libucx0"},
};

void run_guarded(Report& report, const Check& check) {
  try {
    check.run(report);
  } catch (const std::exception& error) {
    report.fail(check.topic, error.what(), check.fix);
  } catch (...) {
    report.fail(check.topic, "unexpected error", check.fix);
  }
}

std::string machine_heading() {
  std::string heading = "ferry doctor";
  utsname system{};
  if (::uname(&system) == 0) {
    heading += std::string(" on ") + system.nodename + " (" + system.sysname + " " + system.release +
               ", " + system.machine + ")";
  }
  return heading;
}

}  // namespace

int run_doctor(std::ostream& out) noexcept {
  try {
    Report report(out);
    report.heading(machine_heading());
    for (const Check& check : checks) run_guarded(report, check);
    return report.finish();
  } catch (...) {
    return 1;  // the stream itself failed; nothing more can be reported
  }
}

}  // namespace ferry::cli
