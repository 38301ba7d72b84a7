#include "runtime/manager/name_table.hpp"

#include "runtime/common/error.hpp"

namespace ferry::manager {

void NameTable::publish(const std::string& user, const std::string& service, const std::string& port,
                        Publisher by) {
  if (user.empty() || service.empty() || port.empty()) {
    throw Error(Errc::invalid_argument, "a name needs a user, a service name and a port name");
  }
  if (names_.contains({user, service})) {
    throw Error(Errc::invalid_argument, "the service name '" + service + "' is already published");
  }
  size_t& count = per_user_[user];
  if (count >= max_names_per_user) {
    throw Error(Errc::invalid_argument, "user " + user + " has " + std::to_string(count) +
                                            " names published, the most the manager keeps");
  }
  names_.emplace(Key{user, service}, Entry{port, by});
  ++count;
}

const std::string& NameTable::lookup(const std::string& user, const std::string& service) const {
  const auto found = names_.find({user, service});
  if (found == names_.end()) throw Error(Errc::not_found, "the service name '" + service + "' is not published");
  return found->second.port;
}

void NameTable::unpublish(const std::string& user, const std::string& service, const std::string& port) {
  const auto found = names_.find({user, service});
  if (found == names_.end() || found->second.port != port) {
    throw Error(Errc::not_found, "the service name '" + service + "' is not published as that port");
  }
  names_.erase(found);
  if (--per_user_[user] == 0) per_user_.erase(user);
}

size_t NameTable::drop(Publisher by) {
  size_t dropped = 0;
  for (auto entry = names_.begin(); entry != names_.end();) {
    if (entry->second.publisher != by) {
      ++entry;
      continue;
    }
    const std::string user = entry->first.first;
    entry = names_.erase(entry);
    if (--per_user_[user] == 0) per_user_.erase(user);
    ++dropped;
  }
  return dropped;
}

}  // namespace ferry::manager
