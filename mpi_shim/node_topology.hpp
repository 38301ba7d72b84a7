#pragma once
// An isolated singleton's PMPI_Init (a function rank's) discovers the node's topology
// itself, PCI devices included: about 13 of its 20 ms on a VM, where every read of a
// device's configuration space traps. A function rank never uses them (Open MPI's only
// transport in it is `self`), so it hands Open MPI the topology without I/O devices, as
// the file Open MPI reads instead of discovering (OMPI_MCA_hwloc_base_topo_file).

#include <string>

namespace ferry::mpi {

/// Writes this node's topology (hwloc's default discovery, no I/O devices) to
/// `directory`/topology.xml and points Open MPI at it, unless the user named a file
/// already. Leaves Open MPI to discover it when hwloc cannot.
void hand_topology_to_open_mpi(const std::string& directory);

}  // namespace ferry::mpi
