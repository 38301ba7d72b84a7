// A function that tells who its executor runs as, for the multi-user tests: it writes
// its uid, gid, groups and pid to `whoami` in its working directory (the lease's
// directory), waits until a file `release` appears there (or the milliseconds its input
// names in decimal pass), and returns the same line.
#include <grp.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

extern "C" int64_t identity(const void* in, size_t in_size, void* out, size_t out_cap) {
  const uint64_t wait_ms = std::strtoull(std::string(static_cast<const char*>(in), in_size).c_str(), nullptr, 10);
  std::string line = "uid=" + std::to_string(::getuid()) + " euid=" + std::to_string(::geteuid()) +
                     " gid=" + std::to_string(::getgid()) + " egid=" + std::to_string(::getegid()) + " groups=";
  gid_t groups[256];
  const int count = ::getgroups(256, groups);
  for (int i = 0; i < count; ++i) line += (i == 0 ? "" : ",") + std::to_string(groups[i]);
  line += " pid=" + std::to_string(::getpid()) + "\n";
  std::ofstream("whoami.tmp") << line;
  std::rename("whoami.tmp", "whoami");
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (std::chrono::steady_clock::now() < until && ::access("release", F_OK) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (line.size() > out_cap) return -1;
  std::memcpy(out, line.data(), line.size());
  return static_cast<int64_t>(line.size());
}
