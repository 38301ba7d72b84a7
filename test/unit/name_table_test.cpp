#include <catch2/catch.hpp>

#include "runtime/common/error.hpp"
#include "runtime/manager/name_table.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::manager::NameTable;

namespace {

const int first_connection = 0, second_connection = 0;
const NameTable::Publisher first = &first_connection;
const NameTable::Publisher second = &second_connection;

Errc error_of(auto&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  }
  return Errc::ok;
}

}  // namespace

TEST_CASE("A published name is found by its user only", "[manager][names]") {
  NameTable names;
  names.publish("alice", "ocean", "port-a", first);
  CHECK(names.lookup("alice", "ocean") == "port-a");
  CHECK(error_of([&] { names.lookup("bob", "ocean"); }) == Errc::not_found);
  CHECK(error_of([&] { names.lookup("alice", "atmosphere"); }) == Errc::not_found);
  names.publish("bob", "ocean", "port-b", second);
  CHECK(names.lookup("bob", "ocean") == "port-b");
  CHECK(names.lookup("alice", "ocean") == "port-a");
}

TEST_CASE("A name is published once", "[manager][names]") {
  NameTable names;
  names.publish("alice", "ocean", "port-a", first);
  CHECK(error_of([&] { names.publish("alice", "ocean", "port-a", first); }) == Errc::invalid_argument);
  CHECK(error_of([&] { names.publish("alice", "ocean", "port-c", second); }) == Errc::invalid_argument);
  CHECK(names.lookup("alice", "ocean") == "port-a");
}

TEST_CASE("Unpublishing needs the name and its port", "[manager][names]") {
  NameTable names;
  names.publish("alice", "ocean", "port-a", first);
  CHECK(error_of([&] { names.unpublish("alice", "ocean", "port-b"); }) == Errc::not_found);
  CHECK(error_of([&] { names.unpublish("bob", "ocean", "port-a"); }) == Errc::not_found);
  names.unpublish("alice", "ocean", "port-a");
  CHECK(error_of([&] { names.lookup("alice", "ocean"); }) == Errc::not_found);
  CHECK(error_of([&] { names.unpublish("alice", "ocean", "port-a"); }) == Errc::not_found);
  names.publish("alice", "ocean", "port-d", second);
  CHECK(names.lookup("alice", "ocean") == "port-d");
}

TEST_CASE("A closed connection takes its names along", "[manager][names]") {
  NameTable names;
  names.publish("alice", "ocean", "port-a", first);
  names.publish("alice", "ice", "port-i", first);
  names.publish("alice", "land", "port-l", second);
  CHECK(names.drop(first) == 2);
  CHECK(names.size() == 1);
  CHECK(error_of([&] { names.lookup("alice", "ice"); }) == Errc::not_found);
  CHECK(names.lookup("alice", "land") == "port-l");
  CHECK(names.drop(first) == 0);
}

TEST_CASE("Empty fields and too many names are refused", "[manager][names]") {
  NameTable names;
  CHECK(error_of([&] { names.publish("", "ocean", "port", first); }) == Errc::invalid_argument);
  CHECK(error_of([&] { names.publish("alice", "", "port", first); }) == Errc::invalid_argument);
  CHECK(error_of([&] { names.publish("alice", "ocean", "", first); }) == Errc::invalid_argument);
  for (size_t i = 0; i < NameTable::max_names_per_user; ++i) names.publish("alice", std::to_string(i), "p", first);
  CHECK(error_of([&] { names.publish("alice", "one more", "p", first); }) == Errc::invalid_argument);
  names.publish("bob", "one more", "p", first);
  names.unpublish("alice", "0", "p");
  names.publish("alice", "one more", "p", first);
}
