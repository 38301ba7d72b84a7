#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/client/shipment.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/file_bytes.hpp"
#include "runtime/common/sha256.hpp"
#include "spawner/daemon/shipped_files.hpp"

namespace {

namespace fs = std::filesystem;
using ferry::wire::ShippedFile;

class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "ferry-shipment-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDirectory() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string hash_of(const std::string& text) {
  return ferry::sha256_hex(std::as_bytes(std::span(text.data(), text.size())));
}

std::vector<std::byte> bytes_of(const std::string& text) {
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  return {begin, begin + text.size()};
}

std::string own_executable() { return fs::read_symlink("/proc/self/exe").string(); }

std::vector<std::string> environment() {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) entries.emplace_back(*entry);
  return entries;
}

std::string read_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("A program's shipment lists it and the libraries the loader resolves, not the C library", "[ship]") {
  const std::vector<ShippedFile> files = ferry::client::program_shipment(own_executable(), environment());
  REQUIRE(files.size() > 1);
  CHECK(files.front().program);
  CHECK(files.front().path == own_executable());
  CHECK(files.front().hash == ferry::sha256_hex(*ferry::read_file_bytes(own_executable())));
  auto named = [&](const std::string& name) {
    return std::any_of(files.begin(), files.end(), [&](const ShippedFile& f) { return fs::path(f.path).filename() == name; });
  };
  CHECK(named("libferry.so.0"));
  CHECK(named("libstdc++.so.6"));
  CHECK_FALSE(named("libc.so.6"));
  CHECK_FALSE(named("libm.so.6"));
  for (const ShippedFile& file : files) {
    CHECK(file.path.front() == '/');
    CHECK(file.content.empty());
    CHECK(std::count_if(files.begin(), files.end(), [&](const ShippedFile& f) { return f.program; }) == 1);
  }
}

TEST_CASE("A shipment's content is read only for the hashes asked for", "[ship]") {
  std::vector<ShippedFile> files = ferry::client::program_shipment(own_executable(), environment());
  const ShippedFile library = files.at(1);
  ferry::client::fill_shipment_content(files, {library.hash});
  for (const ShippedFile& file : files) {
    if (file.hash == library.hash) {
      CHECK(ferry::sha256_hex(file.content) == library.hash);
    } else {
      CHECK(file.content.empty());
    }
  }
  CHECK_THROWS_AS(ferry::client::fill_shipment_content(files, {std::string(64, '0')}), ferry::Error);
}

TEST_CASE("A program that cannot be read is not shipped", "[ship]") {
  CHECK_THROWS_AS(ferry::client::program_shipment("/nonexistent/program", environment()), ferry::Error);
}

TEST_CASE("A spawner asks only for the files its node lacks and runs copies of them", "[ship]") {
  TempDirectory here, lease;
  ferry::spawner::LibraryCache cache;
  ferry::spawner::ShippedFiles shipped(cache);
  const std::string same_text = "a library both nodes have";
  const std::string program_text = "#!/bin/sh\necho shipped\n";
  const std::string library_text = "a library only the shipping node has";
  const std::string present = write_file(here.file("libpresent.so"), same_text);
  std::vector<ShippedFile> files{
      {"/elsewhere/bin/app", hash_of(program_text), true, {}},
      {"/elsewhere/lib/libprivate.so.1", hash_of(library_text), false, {}},
      {present, hash_of(same_text), false, {}},
  };
  // The same path with other content is lacking too.
  const std::string changed = write_file(here.file("libchanged.so"), "this node's version");
  files.push_back({changed, hash_of("the shipping node's version"), false, {}});

  constexpr uint32_t alice = 1000, bob = 1001;
  shipped.store(files, alice);
  const std::vector<std::string> missing = shipped.missing(files, alice);
  CHECK(missing == std::vector<std::string>{files[0].hash, files[1].hash, files[3].hash});

  files[0].content = bytes_of(program_text);
  files[1].content = bytes_of(library_text);
  files[3].content = bytes_of("the shipping node's version");
  shipped.store(files, alice);
  for (auto& file : files) file.content.clear();
  CHECK(shipped.missing(files, alice).empty());
  // Knowing a file's hash does not give another user its content.
  CHECK(shipped.missing(files, bob) == missing);
  CHECK_THROWS_AS(shipped.stage(files, lease.path(), bob), ferry::Error);

  const ferry::spawner::StagedProgram staged = shipped.stage(files, lease.path(), alice);
  REQUIRE_FALSE(staged.executable.empty());
  CHECK(fs::path(staged.executable).filename() == "app");
  CHECK(read_text(staged.executable) == program_text);
  CHECK(::access(staged.executable.c_str(), X_OK) == 0);
  CHECK(fs::path(staged.executable).parent_path() == staged.library_directory);
  CHECK(read_text(staged.library_directory + "/libprivate.so.1") == library_text);
  CHECK(read_text(staged.library_directory + "/libchanged.so") == "the shipping node's version");
  CHECK_FALSE(fs::exists(staged.library_directory + "/libpresent.so"));
  // Staging the same program again in the lease reuses the copies.
  CHECK(shipped.stage(files, lease.path(), alice).executable == staged.executable);
}

TEST_CASE("A spawner refuses shipped files that do not match their hash or name no file", "[ship]") {
  ferry::spawner::LibraryCache cache;
  ferry::spawner::ShippedFiles shipped(cache);
  CHECK_THROWS_AS(shipped.store({{"/bin/app", hash_of("x"), true, bytes_of("y")}}, 1000), ferry::Error);
  CHECK_THROWS_AS(shipped.store({{"relative/app", hash_of("x"), true, {}}}, 1000), ferry::Error);
  CHECK_THROWS_AS(shipped.store({{"/bin/", hash_of("x"), true, {}}}, 1000), ferry::Error);
  CHECK_THROWS_AS(shipped.store({{"/lib/liba.so", hash_of("x"), false, {}}}, 1000), ferry::Error);
}

TEST_CASE("The cache of shipped files drops the least recently used beyond its capacity", "[ship][cache]") {
  ferry::spawner::LibraryCache cache(2048);
  const std::string a(1000, 'a'), b(1000, 'b'), c(1000, 'c');
  cache.store("1:a", hash_of(a), bytes_of(a));
  cache.store("1:b", hash_of(b), bytes_of(b));
  const int c_fd = cache.store("1:c", hash_of(c), bytes_of(c));
  // A request's files all stay until it has been served, even beyond the capacity.
  CHECK(cache.bytes() == 3000);
  CHECK(cache.find("1:c") == c_fd);
  CHECK(cache.find("1:a") >= 0);  // now used more recently than b
  cache.trim();
  CHECK(cache.bytes() == 2000);
  CHECK(cache.files() == 2);
  CHECK(cache.find("1:b") < 0);
  CHECK(cache.find("1:a") >= 0);
  CHECK(cache.find("1:c") >= 0);
  cache.trim();
  CHECK(cache.files() == 2);  // within the capacity: nothing goes
}

TEST_CASE("A shipped file dropped from the cache is asked for again", "[ship][cache]") {
  ferry::spawner::LibraryCache cache(1500);
  ferry::spawner::ShippedFiles shipped(cache);
  const std::string first(1000, 'x'), second(1000, 'y');
  std::vector<ShippedFile> one{{"/elsewhere/bin/one", hash_of(first), true, bytes_of(first)}};
  std::vector<ShippedFile> two{{"/elsewhere/bin/two", hash_of(second), true, bytes_of(second)}};
  shipped.store(one, 1000);
  shipped.store(two, 1000);
  cache.trim();
  for (auto* files : {&one, &two}) (*files)[0].content.clear();
  CHECK(shipped.missing(one, 1000) == std::vector<std::string>{one[0].hash});
  CHECK(shipped.missing(two, 1000).empty());
}
