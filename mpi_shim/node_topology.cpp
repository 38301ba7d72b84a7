#include "mpi_shim/node_topology.hpp"

#include <hwloc.h>
#include <stdlib.h>

#include <memory>

namespace ferry::mpi {

void hand_topology_to_open_mpi(const std::string& directory) {
  if (::getenv("OMPI_MCA_hwloc_base_topo_file") != nullptr || directory.empty()) return;
  hwloc_topology_t topology = nullptr;
  if (hwloc_topology_init(&topology) != 0) return;
  const std::unique_ptr<hwloc_topology, decltype(&hwloc_topology_destroy)> owned(topology, &hwloc_topology_destroy);
  const std::string path = directory + "/topology.xml";
  if (hwloc_topology_load(topology) != 0 || hwloc_topology_export_xml(topology, path.c_str(), 0) != 0) return;
  ::setenv("OMPI_MCA_hwloc_base_topo_file", path.c_str(), 1);
}

}  // namespace ferry::mpi
