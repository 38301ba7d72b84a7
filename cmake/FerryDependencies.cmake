# Every dependency is a Debian package; .ci/run installs them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(UCX REQUIRED IMPORTED_TARGET ucx)
pkg_check_modules(IBVERBS REQUIRED IMPORTED_TARGET libibverbs)
pkg_check_modules(MUNGE REQUIRED IMPORTED_TARGET munge)  # proves lease owners, as Slurm does
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)  # the node topology function ranks hand to Open MPI
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(spdlog REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)
find_package(MPI REQUIRED COMPONENTS C)
