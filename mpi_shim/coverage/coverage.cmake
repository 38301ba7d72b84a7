# The table of every MPI_* function of Open MPI's mpi.h, and the guards of those the shim
# does not implement but that take a communicator, group or request. Both are generated at
# build time from mpi.h, the functions libmpi exports and the shim's hand-written sources.
# Included from mpi_shim/CMakeLists.txt after target ferry_mpi is created.

set(FERRY_COVERAGE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FERRY_COVERAGE_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/coverage)
file(MAKE_DIRECTORY ${FERRY_COVERAGE_OUTPUT_DIR})

file(GLOB FERRY_COVERAGE_GENERATOR_SOURCES CONFIGURE_DEPENDS ${FERRY_COVERAGE_DIR}/generator/*.cpp)
list(FILTER FERRY_COVERAGE_GENERATOR_SOURCES EXCLUDE REGEX "/main\\.cpp$")
add_library(ferry_mpi_coverage_generator_core STATIC ${FERRY_COVERAGE_GENERATOR_SOURCES})
target_include_directories(ferry_mpi_coverage_generator_core PUBLIC ${PROJECT_SOURCE_DIR})
add_executable(ferry_mpi_coverage_generator ${FERRY_COVERAGE_DIR}/generator/main.cpp)
target_link_libraries(ferry_mpi_coverage_generator PRIVATE ferry_mpi_coverage_generator_core)

find_file(FERRY_MPI_HEADER mpi.h PATHS ${MPI_C_HEADER_DIR} ${MPI_C_INCLUDE_DIRS} NO_DEFAULT_PATH REQUIRED)
set(FERRY_LIBMPI ${MPI_mpi_LIBRARY})
if(NOT FERRY_LIBMPI)
  message(FATAL_ERROR "FindMPI did not report libmpi (MPI_mpi_LIBRARY); the MPI function table needs it")
endif()
if(NOT CMAKE_NM)
  message(FATAL_ERROR "no nm found; the MPI function table needs it to list libmpi's symbols")
endif()

# Every hand-written source of the shim may define MPI_* functions; the generator skips coverage/.
file(GLOB_RECURSE FERRY_COVERAGE_SCANNED_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
list(FILTER FERRY_COVERAGE_SCANNED_SOURCES EXCLUDE REGEX "/coverage/")

set(FERRY_FUNCTION_TABLE ${FERRY_COVERAGE_OUTPUT_DIR}/function_table.cpp)
set(FERRY_GUARDS ${FERRY_COVERAGE_OUTPUT_DIR}/guards.cpp)
add_custom_command(
  OUTPUT ${FERRY_FUNCTION_TABLE} ${FERRY_GUARDS}
  COMMAND ferry_mpi_coverage_generator --header ${FERRY_MPI_HEADER} --nm ${CMAKE_NM} --library ${FERRY_LIBMPI}
          --table ${FERRY_FUNCTION_TABLE} --guards ${FERRY_GUARDS} ${FERRY_COVERAGE_SCANNED_SOURCES}
  DEPENDS ferry_mpi_coverage_generator ${FERRY_MPI_HEADER} ${FERRY_LIBMPI} ${FERRY_COVERAGE_SCANNED_SOURCES}
  COMMENT "Generating the MPI function table and guards"
  VERBATIM)

target_sources(ferry_mpi PRIVATE ${FERRY_FUNCTION_TABLE} ${FERRY_GUARDS})
target_include_directories(ferry_mpi PRIVATE ${PROJECT_SOURCE_DIR})

# Prints the coverage counts, or the whole table with --list.
add_executable(ferry-mpi-coverage ${FERRY_COVERAGE_DIR}/tool/ferry_mpi_coverage.cpp ${FERRY_FUNCTION_TABLE})
target_include_directories(ferry-mpi-coverage PRIVATE ${PROJECT_SOURCE_DIR})
