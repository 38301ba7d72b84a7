#pragma once
// The MPI names published through the manager (MPI_Publish_name): for each user, service
// names that map to port names. A user sees only its own names. A name belongs to the
// connection that published it and goes when that connection closes.

#include <cstddef>
#include <map>
#include <string>
#include <utility>

namespace ferry::manager {

class NameTable {
 public:
  /// The connection a name came from (the manager's endpoint handle).
  using Publisher = const void*;
  static constexpr size_t max_names_per_user = 4096;

  /// Throws Error(invalid_argument) when `user` has `service` published already, when a
  /// field is empty, or when `user` has max_names_per_user names.
  void publish(const std::string& user, const std::string& service, const std::string& port, Publisher by);
  /// The port `user` published as `service`; throws Error(not_found).
  const std::string& lookup(const std::string& user, const std::string& service) const;
  /// Throws Error(not_found) unless `user` has `service` published as `port`.
  void unpublish(const std::string& user, const std::string& service, const std::string& port);
  /// Removes every name `by` published; returns how many there were.
  size_t drop(Publisher by);
  size_t size() const noexcept { return names_.size(); }

 private:
  struct Entry {
    std::string port;
    Publisher publisher;
  };
  using Key = std::pair<std::string, std::string>;  // user, service

  std::map<Key, Entry> names_;
  std::map<std::string, size_t> per_user_;
};

}  // namespace ferry::manager
