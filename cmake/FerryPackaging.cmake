# Installation and packaging: the `ferry` executable, ferry-worker, libferry, the MPI
# shim libferry_mpi (with libferry_memory_limit, which function ranks preload), the public headers, a CMake package (find_package(Ferry) gives
# Ferry::ferry and Ferry::mpi_shim) and a pkg-config file ferry-mpi.pc, which links the
# shim ahead of libmpi:  mpicc app.c $(pkg-config --libs ferry-mpi)
# A build-tree ferry-mpi.pc goes to <build>/pkgconfig for tests.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FERRY_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Ferry)
set(FERRY_INSTALL_WORKERDIR ${CMAKE_INSTALL_LIBEXECDIR}/ferry)

# Installed binaries find libferry relative to themselves, so a prefix can be moved.
file(RELATIVE_PATH _ferry_bin_to_lib /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
file(RELATIVE_PATH _ferry_worker_to_lib /prefix/${FERRY_INSTALL_WORKERDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
set_target_properties(ferry_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${_ferry_bin_to_lib}")
set_target_properties(ferry-worker PROPERTIES INSTALL_RPATH "$ORIGIN/${_ferry_worker_to_lib}")
set_target_properties(ferry_mpi PROPERTIES INSTALL_RPATH "$ORIGIN" EXPORT_NAME mpi_shim)
set_target_properties(ferry PROPERTIES EXPORT_NAME ferry)

install(TARGETS ferry_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ferry-worker RUNTIME DESTINATION ${FERRY_INSTALL_WORKERDIR})
install(TARGETS ferry ferry_mpi EXPORT FerryTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ferry)
if(TARGET ferry_memory_limit)
  install(TARGETS ferry_memory_limit LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
# The sbatch script that runs a spawner as a preemptible job harvesting an idle node.
install(PROGRAMS ${PROJECT_SOURCE_DIR}/spawner/slurm/ferry-harvest.sbatch DESTINATION ${CMAKE_INSTALL_DATADIR}/ferry/slurm)
foreach(_ferry_header_dir runtime spawner)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${_ferry_header_dir}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ferry/${_ferry_header_dir}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
endforeach()

install(EXPORT FerryTargets NAMESPACE Ferry:: DESTINATION ${FERRY_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/FerryConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/FerryConfig.cmake INSTALL_DESTINATION ${FERRY_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/FerryConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/FerryConfig.cmake ${PROJECT_BINARY_DIR}/package/FerryConfigVersion.cmake
  DESTINATION ${FERRY_INSTALL_CMAKEDIR})

# ferry-mpi.pc, installed: the prefix is found from the file's own place (${pcfiledir}).
file(RELATIVE_PATH _ferry_pc_to_prefix /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
set(FERRY_PC_PREFIX "\${pcfiledir}/${_ferry_pc_to_prefix}")
set(FERRY_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/ferry-mpi.pc.in ${PROJECT_BINARY_DIR}/package/ferry-mpi.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/ferry-mpi.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# ferry-mpi.pc for the build tree, pointing at the shim where it is built.
set(FERRY_PC_PREFIX "${PROJECT_BINARY_DIR}")
set(FERRY_PC_LIBDIR "$<TARGET_FILE_DIR:ferry_mpi>")
configure_file(${CMAKE_CURRENT_LIST_DIR}/ferry-mpi.pc.in ${PROJECT_BINARY_DIR}/package/ferry-mpi-build.pc.in @ONLY)
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/pkgconfig/ferry-mpi.pc
  INPUT ${PROJECT_BINARY_DIR}/package/ferry-mpi-build.pc.in)
