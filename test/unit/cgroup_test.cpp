// find_lease_cgroup_parent on fake /proc and cgroup trees written here: the files a
// spawner reads, in the layouts it meets.
#include "spawner/process/cgroup.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using ferry::spawner::find_lease_cgroup_parent;
namespace fs = std::filesystem;

namespace {

class FakeTree {
 public:
  FakeTree() {
    std::string pattern = (fs::temp_directory_path() / "ferry-cgroup-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root_ = pattern;
    fs::create_directories(root_ / "proc/self");
  }
  ~FakeTree() { fs::remove_all(root_); }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  std::string proc() const { return (root_ / "proc").string(); }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  /// A mountinfo with the v1 controllers of a hybrid layout and, optionally, cgroup2 at `unified`.
  void mounts(const std::string& unified, const std::string& mount_root = "/") const {
    std::string text =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n";
    if (!unified.empty()) {
      text += "41 31 0:38 " + mount_root + " " + path(unified) + " rw,relatime shared:12 - cgroup2 cgroup2 rw\n";
    }
    write("proc/self/mountinfo", text);
  }

 private:
  fs::path root_;
};

}  // namespace

TEST_CASE("Without cgroup2 the spawner falls back to RLIMIT_DATA", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("");
  tree.write("proc/self/cgroup", "4:memory:/job\n0::/\n");
  const auto support = find_lease_cgroup_parent(tree.proc(), "");
  CHECK(support.parent.empty());
  CHECK(support.reason == "no cgroup2 file system is mounted");
}

TEST_CASE("A hybrid layout whose cgroup2 has no controllers is not used", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("unified");
  tree.write("proc/self/cgroup", "4:memory:/job\n0::/\n");
  tree.write("unified/cgroup.controllers", "");
  tree.write("unified/cgroup.subtree_control", "");
  const auto support = find_lease_cgroup_parent(tree.proc(), "");
  CHECK(support.parent.empty());
  CHECK_THAT(support.reason, Catch::Matchers::Contains("memory controller is not available in " + tree.path("unified")));
}

TEST_CASE("A process in no unified cgroup uses none", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("unified");
  tree.write("proc/self/cgroup", "4:memory:/job\n");
  const auto support = find_lease_cgroup_parent(tree.proc(), "");
  CHECK(support.parent.empty());
  CHECK_THAT(support.reason, Catch::Matchers::Contains("no 0:: line"));
}

TEST_CASE("The memory controller must be enabled for the children", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("cg");
  tree.write("proc/self/cgroup", "0::/system.slice/ferry-spawner.service\n");
  tree.write("cg/system.slice/ferry-spawner.service/cgroup.controllers", "cpuset cpu io memory pids\n");
  tree.write("cg/system.slice/ferry-spawner.service/cgroup.subtree_control", "cpu pids\n");
  const auto support = find_lease_cgroup_parent(tree.proc(), "");
  CHECK(support.parent.empty());
  CHECK_THAT(support.reason, Catch::Matchers::Contains("not enabled for children of " +
                                                       tree.path("cg/system.slice/ferry-spawner.service")));
}

TEST_CASE("A delegated cgroup with memory enabled holds the lease cgroups", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("cg");
  tree.write("proc/self/cgroup", "0::/system.slice/ferry-spawner.service\n");
  const std::string service = "cg/system.slice/ferry-spawner.service";
  tree.write(service + "/cgroup.controllers", "cpuset cpu io memory pids\n");
  SECTION("memory only") {
    tree.write(service + "/cgroup.subtree_control", "memory pids\n");
    const auto support = find_lease_cgroup_parent(tree.proc(), "");
    CHECK(support.parent == tree.path(service));
    CHECK_FALSE(support.cpu);
  }
  SECTION("memory and cpu") {
    tree.write(service + "/cgroup.subtree_control", "cpu memory\n");
    const auto support = find_lease_cgroup_parent(tree.proc(), "");
    CHECK(support.parent == tree.path(service));
    CHECK(support.cpu);
  }
}

TEST_CASE("A cgroup2 mounted from a subtree is followed from its root", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("cg", "/container");
  tree.write("proc/self/cgroup", "0::/container/spawner\n");
  tree.write("cg/spawner/cgroup.controllers", "memory\n");
  tree.write("cg/spawner/cgroup.subtree_control", "memory\n");
  CHECK(find_lease_cgroup_parent(tree.proc(), "").parent == tree.path("cg/spawner"));
}

TEST_CASE("A configured directory is checked, not searched", "[spawner][cgroup]") {
  FakeTree tree;
  tree.mounts("");
  tree.write("leases/cgroup.controllers", "memory\n");
  tree.write("leases/cgroup.subtree_control", "memory\n");
  CHECK(find_lease_cgroup_parent(tree.proc(), tree.path("leases")).parent == tree.path("leases"));
  CHECK(find_lease_cgroup_parent(tree.proc(), tree.path("missing")).parent.empty());
}
