# A transport failure under a blocking call reaches the communicator's error handler.
add_executable(ferry_mpi_transport_failure ${CMAKE_CURRENT_LIST_DIR}/transport_failure.c)
target_link_libraries(ferry_mpi_transport_failure PRIVATE MPI::MPI_C)
add_test(NAME mpi_shim.transport_failure
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/transport_failure_test.sh $<TARGET_FILE:ferry_cli>
                 $<TARGET_FILE:ferry_mpi_transport_failure>)
set_tests_properties(mpi_shim.transport_failure PROPERTIES TIMEOUT 300 LABELS integration)
