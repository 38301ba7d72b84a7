# The shim's MPI surface, generated at build time from mpi_shim/surface/mpi.table: the C
# and Fortran entry points, the declarations of the implementations they call, and the
# coverage table. Included from mpi_shim/CMakeLists.txt after target ferry_mpi is created.

find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(FERRY_PYTHON ${Python3_EXECUTABLE} CACHE INTERNAL "the generator's interpreter")
set(FERRY_SURFACE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FERRY_SURFACE_TABLE ${FERRY_SURFACE_DIR}/mpi.table)
set(FERRY_SURFACE_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/surface)
file(GLOB FERRY_SURFACE_GENERATOR CONFIGURE_DEPENDS ${FERRY_SURFACE_DIR}/*.py)
set(FERRY_SURFACE_OUTPUTS
  ${FERRY_SURFACE_OUTPUT_DIR}/c_entries.cpp
  ${FERRY_SURFACE_OUTPUT_DIR}/fortran_entries.cpp
  ${FERRY_SURFACE_OUTPUT_DIR}/function_table.cpp
  ${FERRY_SURFACE_OUTPUT_DIR}/mpi_shim/surface/implementations.hpp)
add_custom_command(
  OUTPUT ${FERRY_SURFACE_OUTPUTS}
  COMMAND Python3::Interpreter ${FERRY_SURFACE_DIR}/generate.py ${FERRY_SURFACE_TABLE} ${FERRY_SURFACE_OUTPUT_DIR}
  DEPENDS ${FERRY_SURFACE_TABLE} ${FERRY_SURFACE_GENERATOR}
  COMMENT "Generating the MPI surface from mpi.table"
  VERBATIM)
add_custom_target(ferry_mpi_surface DEPENDS ${FERRY_SURFACE_OUTPUTS})

target_sources(ferry_mpi PRIVATE
  ${FERRY_SURFACE_OUTPUT_DIR}/c_entries.cpp
  ${FERRY_SURFACE_OUTPUT_DIR}/fortran_entries.cpp
  ${FERRY_SURFACE_OUTPUT_DIR}/function_table.cpp)
target_include_directories(ferry_mpi PRIVATE ${PROJECT_SOURCE_DIR} ${FERRY_SURFACE_OUTPUT_DIR})
add_dependencies(ferry_mpi ferry_mpi_surface)

# Prints the coverage counts, or the whole table with --list.
add_executable(ferry-mpi-coverage ${PROJECT_SOURCE_DIR}/mpi_shim/coverage/tool/ferry_mpi_coverage.cpp
  ${FERRY_SURFACE_OUTPUT_DIR}/function_table.cpp)
target_include_directories(ferry-mpi-coverage PRIVATE ${PROJECT_SOURCE_DIR})

# What the table is checked against (test mpi_surface_table).
find_file(FERRY_MPI_HEADER mpi.h PATHS ${MPI_C_HEADER_DIR} ${MPI_C_INCLUDE_DIRS} NO_DEFAULT_PATH REQUIRED)
get_filename_component(_mpi_library_dir ${MPI_mpi_LIBRARY} DIRECTORY)
set(FERRY_MPI_LIBRARY_DIR ${_mpi_library_dir} CACHE INTERNAL "where libmpi and its Fortran bindings are")
