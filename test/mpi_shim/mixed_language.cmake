# A Fortran program and a C library sharing handles of every kind that can be hybrid,
# compared between plain mpirun and function ranks.
if(TARGET MPI::MPI_Fortran)
  add_executable(ferry_mpi_mixed_language ${CMAKE_CURRENT_LIST_DIR}/mixed_language.F90
                 ${CMAKE_CURRENT_LIST_DIR}/mixed_language.c)
  target_link_libraries(ferry_mpi_mixed_language PRIVATE MPI::MPI_Fortran MPI::MPI_C)
  set_target_properties(ferry_mpi_mixed_language PROPERTIES LINKER_LANGUAGE Fortran)
  add_test(NAME mpi_shim.mixed_language
           COMMAND ${PROJECT_SOURCE_DIR}/test/mpi/run_compare.sh $<TARGET_FILE:ferry_mpi_mixed_language>
                   4 1+3 2+2 3+1)
  set_tests_properties(mpi_shim.mixed_language PROPERTIES TIMEOUT 600 LABELS "mpi;fortran"
    ENVIRONMENT "FERRY=$<TARGET_FILE:ferry_cli>;OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl_vader_single_copy_mechanism=none;FERRY_TEST_MODES=warm adaptive")
endif()
