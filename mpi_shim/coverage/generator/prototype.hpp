#pragma once
// One C function declaration of mpi.h, as the generator sees it.

#include <string>
#include <vector>

namespace ferry::mpi::coverage::generator {

struct Parameter {
  enum class Shape { value, pointer, array, other };

  std::string text;       ///< the declaration as written, whitespace squeezed
  std::string name;       ///< empty when the header leaves it unnamed
  std::string base_type;  ///< type without const, name, pointer and array parts
  Shape shape = Shape::other;
};

struct Prototype {
  std::string return_type;
  std::string name;
  std::vector<Parameter> parameters;
  bool variadic = false;
};

}  // namespace ferry::mpi::coverage::generator
