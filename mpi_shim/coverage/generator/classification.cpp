#include "classification.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

namespace ferry::mpi::coverage::generator {

namespace {

// Functions whose handle pointer is read on entry (they free, complete or start the
// object it points to); every other handle pointer of mpi.h only receives a new handle.
constexpr std::array<std::string_view, 8> in_out_handle_functions = {
    "MPI_Cancel",       "MPI_Comm_disconnect", "MPI_Comm_free", "MPI_Group_free",
    "MPI_Request_free", "MPI_Start",           "MPI_Test",      "MPI_Wait"};

bool is_handle_type(const std::string& type) {
  return type == "MPI_Comm" || type == "MPI_Group" || type == "MPI_Request";
}

bool reads_handle_pointer(const std::string& function) {
  return std::find(in_out_handle_functions.begin(), in_out_handle_functions.end(), function) !=
         in_out_handle_functions.end();
}

// The nearest `int` parameter before position `index`: the element count of an array.
std::string count_before(const Prototype& prototype, size_t index) {
  for (size_t i = index; i-- > 0;) {
    const Parameter& candidate = prototype.parameters[i];
    if (candidate.base_type == "int" && candidate.shape == Parameter::Shape::value) return candidate.name;
  }
  throw std::runtime_error(prototype.name + ": no count parameter for the array " + prototype.parameters[index].name);
}

}  // namespace

std::vector<HandleCheck> handle_checks(const Prototype& prototype) {
  std::vector<HandleCheck> checks;
  for (size_t i = 0; i < prototype.parameters.size(); ++i) {
    const Parameter& parameter = prototype.parameters[i];
    if (!is_handle_type(parameter.base_type)) continue;
    if (parameter.name.empty()) throw std::runtime_error(prototype.name + " has an unnamed handle parameter");
    switch (parameter.shape) {
      case Parameter::Shape::value:
        checks.push_back({HandleCheck::Kind::value, parameter.name, {}});
        break;
      case Parameter::Shape::pointer:
        if (reads_handle_pointer(prototype.name))
          checks.push_back({HandleCheck::Kind::in_out_pointer, parameter.name, {}});
        break;
      case Parameter::Shape::array:
        if (parameter.base_type != "MPI_Request")
          throw std::runtime_error(prototype.name + ": cannot check an array of " + parameter.base_type);
        checks.push_back({HandleCheck::Kind::array, parameter.name, count_before(prototype, i)});
        break;
      case Parameter::Shape::other:
        throw std::runtime_error(prototype.name + ": cannot check the handle parameter '" + parameter.text + "'");
    }
  }
  return checks;
}

std::vector<Classified> classify(std::vector<Prototype> prototypes, const std::set<std::string>& implemented) {
  for (const std::string_view name : in_out_handle_functions)
    if (std::none_of(prototypes.begin(), prototypes.end(), [&](const Prototype& p) { return p.name == name; }))
      throw std::runtime_error("mpi.h does not declare " + std::string(name));
  std::vector<Classified> table;
  for (Prototype& prototype : prototypes) {
    Classified entry{std::move(prototype), Disposition::passthrough, {}};
    if (implemented.count(entry.prototype.name)) {
      entry.disposition = Disposition::implemented;
    } else {
      entry.checks = handle_checks(entry.prototype);
      if (!entry.checks.empty()) entry.disposition = Disposition::unsupported;
    }
    table.push_back(std::move(entry));
  }
  return table;
}

}  // namespace ferry::mpi::coverage::generator
