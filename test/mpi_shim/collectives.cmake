# Checks of the shim's collectives: the task machinery on its own, and every collective
# run with plain mpirun and under `ferry run` with function ranks (warm waiting, which
# suits machines with fewer cores than ranks).
add_executable(ferry_mpi_task_check ${CMAKE_CURRENT_LIST_DIR}/task_check.cpp)
target_compile_definitions(ferry_mpi_task_check PRIVATE OMPI_SKIP_MPICXX=1)
target_link_libraries(ferry_mpi_task_check PRIVATE ferry_mpi ferry MPI::MPI_C)
add_test(NAME mpi_shim.collectives.task COMMAND ferry_mpi_task_check)

add_executable(ferry_mpi_collectives_check ${CMAKE_CURRENT_LIST_DIR}/collectives_check.c)
target_link_libraries(ferry_mpi_collectives_check PRIVATE MPI::MPI_C)
add_test(NAME mpi_shim.collectives.native
         COMMAND ${MPIEXEC_EXECUTABLE} --allow-run-as-root --oversubscribe -np 4
                 $<TARGET_FILE:ferry_mpi_collectives_check>)
add_test(NAME mpi_shim.collectives.hybrid
         COMMAND $<TARGET_FILE:ferry_cli> run -n 2 --functions 2 --mode warm --
                 $<TARGET_FILE:ferry_mpi_collectives_check>)

set_tests_properties(mpi_shim.collectives.task mpi_shim.collectives.native mpi_shim.collectives.hybrid
                     PROPERTIES TIMEOUT 180 LABELS integration)
