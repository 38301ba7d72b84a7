# Fortran, for the Fortran MPI programs among the tests and benchmarks, where the machine
# has a Fortran compiler and Open MPI's Fortran bindings (MPI::MPI_Fortran); Ferry itself
# builds without them.
include(CheckLanguage)
check_language(Fortran)
if(CMAKE_Fortran_COMPILER)
  enable_language(Fortran)
  find_package(MPI COMPONENTS Fortran)
endif()
if(NOT TARGET MPI::MPI_Fortran)
  message(STATUS "No Fortran MPI compiler: the Fortran MPI tests and benchmarks are not built")
endif()
