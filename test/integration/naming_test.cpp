// MPI names against a real `ferry manager`: published by one client, found by another of
// the same user, invisible to other users, gone when the publisher disconnects.
#include <catch2/catch.hpp>

#include "runtime/client/client.hpp"
#include "test/integration/cluster.hpp"
#include "test/support/daemons.hpp"

namespace ferry::test {
namespace {

std::unique_ptr<Client> client_of(ManagedCluster& cluster, const std::string& user) {
  ClientOptions options;
  options.manager = cluster.manager().address();
  options.mode = WaitMode::warm;
  options.user = user;
  return Client::create(options);
}

Errc error_of(auto&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  }
  return Errc::ok;
}

}  // namespace

TEST_CASE("a name is published, looked up by the same user only, and unpublished", "[platform][names][daemons]") {
  ManagedCluster cluster;
  auto publisher = client_of(cluster, "alice");
  auto reader = client_of(cluster, "alice");
  auto stranger = client_of(cluster, "mallory");

  publisher->publish_name("ocean", "port-1");
  CHECK(reader->lookup_name("ocean") == "port-1");
  CHECK(error_of([&] { stranger->lookup_name("ocean"); }) == Errc::not_found);
  CHECK(error_of([&] { reader->publish_name("ocean", "port-2"); }) == Errc::invalid_argument);
  stranger->publish_name("ocean", "port-3");
  CHECK(stranger->lookup_name("ocean") == "port-3");
  CHECK(reader->lookup_name("ocean") == "port-1");

  CHECK(error_of([&] { reader->unpublish_name("ocean", "port-3"); }) == Errc::not_found);
  reader->unpublish_name("ocean", "port-1");
  CHECK(error_of([&] { publisher->lookup_name("ocean"); }) == Errc::not_found);
}

TEST_CASE("a publisher's names go when its connection closes", "[platform][names][daemons]") {
  ManagedCluster cluster;
  auto reader = client_of(cluster, "alice");
  {
    auto publisher = client_of(cluster, "alice");
    publisher->publish_name("ocean", "port-1");
    publisher->publish_name("ice", "port-2");
    CHECK(reader->lookup_name("ice") == "port-2");
  }
  CHECK(eventually([&] { return error_of([&] { reader->lookup_name("ocean"); }) == Errc::not_found; }, 10s));
  CHECK(error_of([&] { reader->lookup_name("ice"); }) == Errc::not_found);
}

TEST_CASE("stand-alone spawners keep no names", "[platform][names][daemons]") {
  TempDir dir;
  SpawnerProcess spawner(dir);
  ClientOptions options;
  options.spawners = {spawner.address()};
  options.mode = WaitMode::warm;
  auto client = Client::create(options);
  CHECK(error_of([&] { client->publish_name("ocean", "port-1"); }) == Errc::invalid_argument);
  CHECK(error_of([&] { client->lookup_name("ocean"); }) == Errc::invalid_argument);
}

}  // namespace ferry::test
