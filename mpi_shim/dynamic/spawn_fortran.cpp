// The Fortran forms of MPI_Comm_spawn and _spawn_multiple: Fortran passes argv as an
// array of fixed-length strings ended by a blank one (a two-dimensional array, one column
// per command, for spawn_multiple), and its own MPI_ARGV(S)_NULL and MPI_ERRCODES_IGNORE.

#include <mpi.h>

#include <string>
#include <vector>

#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi::fortran_impl {

namespace {

using fortran::detail::sentinels;

/// The entries of one argv column: `entries` points at its first string.
std::vector<std::string> argv_of(const char* entries, size_t length) {
  std::vector<std::string> argv;
  for (const char* entry = entries;; entry += length) {
    std::string argument = fortran::trimmed(entry, length);
    if (argument.empty()) break;
    argv.push_back(std::move(argument));
  }
  return argv;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int* errcodes_of(MPI_Fint* fortran) {
  const auto& known = sentinels();
  if (fortran == nullptr || (known.may_be_one(fortran) && known.errcodes_ignore.is(fortran))) return MPI_ERRCODES_IGNORE;
  return reinterpret_cast<int*>(fortran);  // INTEGER is int in Open MPI's Fortran ABI
}

}  // namespace

void MPI_Comm_spawn(char* command, char* argv, MPI_Fint* maxprocs, MPI_Fint* info, MPI_Fint* root, MPI_Fint* comm,
                    MPI_Fint* intercomm, MPI_Fint* array_of_errcodes, MPI_Fint* ierror, size_t command_length,
                    size_t argv_length) {
  try {
    std::string program = fortran::trimmed(command, command_length);
    const auto& known = sentinels();
    const bool no_arguments = argv == nullptr || (known.may_be_one(argv) && known.argv_null.is(argv));
    std::vector<std::string> arguments = no_arguments ? std::vector<std::string>() : argv_of(argv, argv_length);
    std::vector<char*> c_argv = pointers(arguments);
    MPI_Comm created = MPI_COMM_NULL;
    const int code = impl::MPI_Comm_spawn(program.c_str(), c_argv.data(), *maxprocs, fortran::to_c<MPI_Info>(*info), *root,
                                      fortran::to_c<MPI_Comm>(*comm), &created, errcodes_of(array_of_errcodes));
    *intercomm = fortran::to_fortran(created);
    if (ierror) *ierror = code;
  } catch (...) {
    fortran::failed("MPI_Comm_spawn", ierror);
  }
}

void MPI_Comm_spawn_multiple(MPI_Fint* count, char* array_of_commands, char* array_of_argv,
                             MPI_Fint* array_of_maxprocs, MPI_Fint* array_of_info, MPI_Fint* root, MPI_Fint* comm,
                             MPI_Fint* intercomm, MPI_Fint* array_of_errcodes, MPI_Fint* ierror,
                             size_t commands_length, size_t argv_length) {
  try {
    const int n = *count;
    const auto& known = sentinels();
    const bool no_arguments = array_of_argv == nullptr || (known.may_be_one(array_of_argv) && known.argvs_null.is(array_of_argv));
    std::vector<std::string> programs;
    std::vector<std::vector<std::string>> arguments(size_t(n > 0 ? n : 0));
    std::vector<std::vector<char*>> c_arguments;
    std::vector<int> maxprocs;
    std::vector<MPI_Info> infos;
    for (int i = 0; i < n; ++i) {
      programs.push_back(fortran::trimmed(array_of_commands + size_t(i) * commands_length, commands_length));
      // Column-major: argument j of command i is element (i, j) of array_of_argv(count, *).
      if (!no_arguments) {
        for (size_t j = 0;; ++j) {
          std::string argument =
              fortran::trimmed(array_of_argv + (j * size_t(n) + size_t(i)) * argv_length, argv_length);
          if (argument.empty()) break;
          arguments[size_t(i)].push_back(std::move(argument));
        }
      }
      maxprocs.push_back(array_of_maxprocs[i]);
      infos.push_back(fortran::to_c<MPI_Info>(array_of_info[i]));
    }
    std::vector<char*> commands;
    for (std::string& program : programs) commands.push_back(program.data());
    std::vector<char**> argvs;
    for (auto& list : arguments) {
      c_arguments.push_back(pointers(list));
    }
    for (auto& list : c_arguments) argvs.push_back(list.data());
    MPI_Comm created = MPI_COMM_NULL;
    const int code = impl::MPI_Comm_spawn_multiple(n, commands.data(), argvs.data(), maxprocs.data(), infos.data(), *root,
                                               fortran::to_c<MPI_Comm>(*comm), &created,
                                               errcodes_of(array_of_errcodes));
    *intercomm = fortran::to_fortran(created);
    if (ierror) *ierror = code;
  } catch (...) {
    fortran::failed("MPI_Comm_spawn_multiple", ierror);
  }
}

}  // namespace ferry::mpi::fortran_impl
