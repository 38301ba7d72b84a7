# Checks of topologies and neighbour collectives, run with plain mpirun and under
# `ferry run` with function ranks. With 2 batch ranks first, the 2-rank cartesian
# communicator comes out native, so the native path of the constructors is covered too.
add_executable(ferry_mpi_topology_check ${CMAKE_CURRENT_LIST_DIR}/topology_check.c)
target_link_libraries(ferry_mpi_topology_check PRIVATE MPI::MPI_C)
add_test(NAME mpi_shim.topology.native
         COMMAND ${MPIEXEC_EXECUTABLE} --allow-run-as-root --oversubscribe -np 4
                 $<TARGET_FILE:ferry_mpi_topology_check>)
add_test(NAME mpi_shim.topology.hybrid
         COMMAND $<TARGET_FILE:ferry_cli> run -n 2 --functions 2 --mode warm --
                 $<TARGET_FILE:ferry_mpi_topology_check>)
set_tests_properties(mpi_shim.topology.native mpi_shim.topology.hybrid PROPERTIES TIMEOUT 180 LABELS integration)
