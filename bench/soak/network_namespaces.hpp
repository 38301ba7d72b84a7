#pragma once
// Two network namespaces joined by a veth pair, made and removed by this object: a
// "manager side" (10.231.0.1) and a "spawner side" (10.231.0.2). Every address lives
// inside them; the namespace this process runs in gets none. The link between them can
// be made slow (tbf, a low rate) or lossy (iptables, random or total drop) in both
// directions: this kernel has no netem.

#include <optional>
#include <string>
#include <vector>

namespace ferry::soak {

class NamespacePair {
 public:
  static constexpr const char* manager_address = "10.231.0.1";
  static constexpr const char* spawner_address = "10.231.0.2";

  /// Why namespaces cannot be made here (not root, `ip`, `tc` or `iptables` missing).
  static std::optional<std::string> unavailable();

  /// `name` (at most 12 characters) prefixes the namespaces and the veth ends.
  explicit NamespacePair(const std::string& name);
  NamespacePair(const NamespacePair&) = delete;
  NamespacePair& operator=(const NamespacePair&) = delete;
  ~NamespacePair();

  /// `argv` run in one namespace or the other.
  std::vector<std::string> on_manager_side(const std::vector<std::string>& argv) const;
  std::vector<std::string> on_spawner_side(const std::vector<std::string>& argv) const;

  /// The link forwards at `kbit` kbit/s: each packet waits its turn.
  void slow_down(unsigned kbit);
  /// Each packet is lost with this probability (1: all of them), both ways.
  void lose(double probability);
  /// The link as made: no limit, no loss.
  void restore();

 private:
  std::string manager_namespace_, spawner_namespace_, manager_link_, spawner_link_;
};

}  // namespace ferry::soak
