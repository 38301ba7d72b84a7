// Compiles and links against Ferry's installed client headers and libferry.
#include <iostream>

#include "runtime/client/client.hpp"

int main() {
  ferry::LeaseSpec spec;
  std::cout << "default lease: " << spec.cores << " core(s)\n";
  return 0;
}
