#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/common/deadline.hpp"
#include "runtime/common/error.hpp"
#include "spawner/process/lease_directory.hpp"
#include "spawner/process/line_splitter.hpp"
#include "spawner/process/process.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ferry::Deadline;
using ferry::Errc;
using ferry::spawner::ExitStatus;
using ferry::spawner::LineSplitter;
using ferry::spawner::Process;
using ferry::spawner::ProcessSpec;

// Only a guard against hangs: no test expects anything to take this long.
constexpr auto hang_guard = 60s;

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  env.emplace_back("LC_ALL=C");
  return env;
}

ProcessSpec spec_of(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = current_environment();
  return spec;
}

ProcessSpec shell(const std::string& script) { return spec_of({"/bin/sh", "-c", script}); }

bool wait_readable(int fd, const Deadline& deadline) {
  pollfd entry{fd, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&entry, 1, deadline.poll_timeout_ms());
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

// Reads `fd` (non-blocking) until end of file, or until `stop_at_newline` sees a line.
std::string read_output(int fd, bool stop_at_newline = false) {
  const Deadline deadline = Deadline::after(hang_guard);
  std::string text;
  char byte = 0;
  while (!(stop_at_newline && text.ends_with('\n'))) {
    if (!wait_readable(fd, deadline)) FAIL("no output before the hang guard");
    const ssize_t got = ::read(fd, &byte, 1);
    if (got == 0) break;
    if (got == 1) text.push_back(byte);
    if (got < 0 && errno != EAGAIN && errno != EINTR) FAIL("read failed: " << errno);
  }
  return text;
}

std::string read_all(int fd) { return read_output(fd); }
std::string read_line(int fd) { return read_output(fd, true); }

ExitStatus wait_for_exit(Process& process) {
  REQUIRE(wait_readable(process.pidfd(), Deadline::after(hang_guard)));
  ExitStatus status;
  REQUIRE(process.try_reap(status));
  return status;
}

// A killed orphan may linger as a zombie until whatever reaps orphans here gets to it.
bool is_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(stat_file, stat);
  const std::size_t name_end = stat.rfind(')');
  return name_end != std::string::npos && name_end + 2 < stat.size() && stat[name_end + 2] == 'Z';
}

bool becomes_gone(pid_t pid) {
  const Deadline deadline = Deadline::after(hang_guard);
  while (!is_gone(pid)) {
    if (deadline.passed()) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::optional<ferry::Error> spawn_error(const ProcessSpec& spec) {
  try {
    Process::spawn(spec);
  } catch (const ferry::Error& error) {
    return error;
  }
  return std::nullopt;
}

int first_allowed_cpu() {
  cpu_set_t allowed;
  REQUIRE(::sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) return cpu;
  }
  FAIL("no allowed cpu");
  return -1;
}

struct TemporaryRoot {
  fs::path path = fs::temp_directory_path() / ("ferry-process-test-" + std::to_string(::getpid()));
  ~TemporaryRoot() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("Process runs a program and forwards its stdout", "[process]") {
  Process process = Process::spawn(spec_of({"/bin/echo", "hello", "world"}));
  CHECK(process.pid() > 0);
  CHECK(read_all(process.stdout_fd()) == "hello world\n");
  CHECK(read_all(process.stderr_fd()).empty());
  const ExitStatus status = wait_for_exit(process);
  CHECK(status.exit_code == 0);
  CHECK(status.signal == 0);
}

TEST_CASE("Process keeps stdout and stderr apart", "[process]") {
  Process process = Process::spawn(shell("echo out; echo err >&2"));
  CHECK(read_all(process.stdout_fd()) == "out\n");
  CHECK(read_all(process.stderr_fd()) == "err\n");
  CHECK(wait_for_exit(process).exit_code == 0);
}

TEST_CASE("Process finds a program in the PATH of its environment", "[process]") {
  Process process = Process::spawn(spec_of({"echo", "found"}));
  CHECK(read_all(process.stdout_fd()) == "found\n");
  CHECK(wait_for_exit(process).exit_code == 0);
}

TEST_CASE("Process reports the exit code", "[process]") {
  Process process = Process::spawn(shell("exit 3"));
  const ExitStatus status = wait_for_exit(process);
  CHECK(status.exit_code == 3);
  CHECK(status.signal == 0);
  CHECK(status.wall_ns > 0);
}

TEST_CASE("Process reports the signal that killed it", "[process]") {
  Process process = Process::spawn(shell("ulimit -c 0; kill -SEGV $$"));
  const ExitStatus status = wait_for_exit(process);
  CHECK(status.signal == SIGSEGV);
  CHECK(status.exit_code == 128 + SIGSEGV);
}

TEST_CASE("Process reports CPU time and peak memory", "[process]") {
  Process process = Process::spawn(shell("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"));
  const ExitStatus status = wait_for_exit(process);
  CHECK(status.exit_code == 0);
  CHECK(status.cpu_ns > 0);
  CHECK(status.peak_memory_kib > 0);
}

TEST_CASE("Process::try_reap waits for nothing while the process runs", "[process]") {
  Process process = Process::spawn(spec_of({"/bin/sleep", "100"}));
  ExitStatus status;
  CHECK_FALSE(process.try_reap(status));
  process.kill_and_reap();
  REQUIRE(process.try_reap(status));
  CHECK(status.signal == SIGKILL);
  REQUIRE(process.try_reap(status));
  CHECK(status.signal == SIGKILL);
}

TEST_CASE("Process::spawn reports a program that cannot start", "[process]") {
  SECTION("a missing path") {
    const auto error = spawn_error(spec_of({"/nonexistent/ferry-program"}));
    REQUIRE(error);
    CHECK(error->code() == Errc::not_found);
    CHECK(std::string(error->what()) ==
          "cannot start '/nonexistent/ferry-program': No such file or directory");
  }
  SECTION("a name not in PATH") {
    const auto error = spawn_error(spec_of({"ferry-no-such-program"}));
    REQUIRE(error);
    CHECK(error->code() == Errc::not_found);
    CHECK(std::string(error->what()) ==
          "cannot start 'ferry-no-such-program': No such file or directory");
  }
  SECTION("a file that is not executable") {
    const auto error = spawn_error(spec_of({"/etc/passwd"}));
    REQUIRE(error);
    CHECK(error->code() == Errc::system);
    CHECK(std::string(error->what()) == "cannot start '/etc/passwd': Permission denied");
  }
  SECTION("a missing working directory") {
    ProcessSpec spec = spec_of({"/bin/true"});
    spec.working_directory = "/nonexistent/ferry-directory";
    const auto error = spawn_error(spec);
    REQUIRE(error);
    CHECK(error->code() == Errc::not_found);
    CHECK(std::string(error->what()) ==
          "cannot start '/bin/true': chdir: No such file or directory");
  }
  SECTION("an empty argv") {
    const auto error = spawn_error(spec_of({}));
    REQUIRE(error);
    CHECK(error->code() == Errc::invalid_argument);
  }
  SECTION("a cpu that does not exist") {
    ProcessSpec spec = spec_of({"/bin/true"});
    spec.cpus = {-1};
    const auto error = spawn_error(spec);
    REQUIRE(error);
    CHECK(error->code() == Errc::invalid_argument);
  }
  SECTION("a descriptor inherited onto stdout") {
    ProcessSpec spec = spec_of({"/bin/true"});
    spec.inherit_fds = {{0, 1}};
    const auto error = spawn_error(spec);
    REQUIRE(error);
    CHECK(error->code() == Errc::invalid_argument);
  }
}

TEST_CASE("Process pins the program to its CPUs", "[process]") {
  const int cpu = first_allowed_cpu();
  ProcessSpec spec = shell("grep Cpus_allowed_list /proc/self/status");
  spec.cpus = {cpu};
  Process process = Process::spawn(spec);
  CHECK(read_all(process.stdout_fd()) == "Cpus_allowed_list:\t" + std::to_string(cpu) + "\n");
  CHECK(wait_for_exit(process).exit_code == 0);
}

TEST_CASE("Process limits the memory of the program", "[process]") {
  const uint64_t limit = 64ull << 20;
  SECTION("the limit is the program's RLIMIT_DATA") {
    ProcessSpec spec = shell("ulimit -d");
    spec.memory_limit_bytes = limit;
    Process process = Process::spawn(spec);
    CHECK(read_all(process.stdout_fd()) == std::to_string(limit / 1024) + "\n");
    CHECK(wait_for_exit(process).exit_code == 0);
  }
  SECTION("an allocation beyond the limit fails") {
    ProcessSpec spec = spec_of({"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"});
    spec.memory_limit_bytes = limit;
    Process process = Process::spawn(spec);
    CHECK_THAT(read_all(process.stderr_fd()), Catch::Contains("memory exhausted"));
    CHECK(wait_for_exit(process).exit_code != 0);
  }
  SECTION("an allocation within the limit succeeds") {
    ProcessSpec spec = spec_of({"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=1"});
    spec.memory_limit_bytes = limit;
    Process process = Process::spawn(spec);
    CHECK(wait_for_exit(process).exit_code == 0);
  }
}

TEST_CASE("Process passes inherited descriptors and closes all others", "[process]") {
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  const int stray = ::open("/dev/null", O_RDONLY);  // not close-on-exec: must not leak
  REQUIRE(stray >= 0);
  // ls lists the descriptors of the shell, which waits for it holding nothing else.
  ProcessSpec spec = shell("echo through-seven >&7; ls /proc/$$/fd");
  spec.inherit_fds = {{ends[1], 7}};
  Process process = Process::spawn(spec);
  ::close(ends[1]);
  CHECK(read_all(process.stdout_fd()) == "0\n1\n2\n7\n");
  CHECK(wait_for_exit(process).exit_code == 0);
  ::fcntl(ends[0], F_SETFL, O_NONBLOCK);
  CHECK(read_all(ends[0]) == "through-seven\n");
  ::close(ends[0]);
  ::close(stray);
}

TEST_CASE("Process gives the program its environment and working directory", "[process]") {
  const TemporaryRoot root;
  const std::string directory = ferry::spawner::make_lease_directory(root.path.string(), 7);
  ProcessSpec spec = spec_of({"/bin/sh", "-c", "echo \"$FERRY_TEST_VALUE\"; pwd; echo \"$HOME\""});
  spec.env = {"FERRY_TEST_VALUE=42"};
  spec.working_directory = directory;
  Process process = Process::spawn(spec);
  CHECK(read_all(process.stdout_fd()) == "42\n" + fs::canonical(directory).string() + "\n\n");
  CHECK(wait_for_exit(process).exit_code == 0);
}

TEST_CASE("Process::terminate escalates to SIGKILL when SIGTERM is ignored", "[process]") {
  Process process = Process::spawn(shell("trap '' TERM; echo ready; sleep 100"));
  REQUIRE(read_line(process.stdout_fd()) == "ready\n");
  const Deadline kill_at = process.terminate(100ms);
  // What the spawner's event loop does: wait on the pidfd, SIGKILL at the deadline.
  if (!wait_readable(process.pidfd(), kill_at)) process.signal_group(SIGKILL);
  CHECK(wait_for_exit(process).signal == SIGKILL);
}

TEST_CASE("Process::terminate ends the whole process group", "[process]") {
  Process process = Process::spawn(shell("sleep 100 & echo $!; wait"));
  const pid_t child = std::stoi(read_line(process.stdout_fd()));
  const Deadline kill_at = process.terminate(hang_guard);
  if (!wait_readable(process.pidfd(), kill_at)) process.signal_group(SIGKILL);
  CHECK(wait_for_exit(process).signal == SIGTERM);
  CHECK(becomes_gone(child));
  CHECK(is_gone(process.pid()));
}

TEST_CASE("Process kills what its leader leaves behind", "[process]") {
  Process process = Process::spawn(shell("sleep 100 & echo $!"));
  const pid_t child = std::stoi(read_line(process.stdout_fd()));
  CHECK(wait_for_exit(process).exit_code == 0);
  CHECK(becomes_gone(child));
}

TEST_CASE("Process destructor leaves no process behind", "[process]") {
  pid_t leader = 0;
  pid_t child = 0;
  {
    Process process = Process::spawn(shell("sleep 100 & echo $!; wait"));
    leader = process.pid();
    child = std::stoi(read_line(process.stdout_fd()));
  }
  CHECK(is_gone(leader));
  CHECK(becomes_gone(child));
}

TEST_CASE("Process dies with the spawner", "[process]") {
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  const pid_t spawner = ::fork();
  REQUIRE(spawner >= 0);
  if (spawner == 0) {
    // A spawner that crashes: no destructor runs.
    const Process orphan = Process::spawn(spec_of({"/bin/sleep", "100"}));
    const pid_t pid = orphan.pid();
    [[maybe_unused]] const ssize_t written = ::write(ends[1], &pid, sizeof pid);
    ::_exit(0);
  }
  ::close(ends[1]);
  pid_t orphan = 0;
  REQUIRE(::read(ends[0], &orphan, sizeof orphan) == sizeof orphan);
  ::close(ends[0]);
  int spawner_status = 0;
  REQUIRE(::waitpid(spawner, &spawner_status, 0) == spawner);
  CHECK(becomes_gone(orphan));
}

TEST_CASE("Process moves its ownership", "[process]") {
  Process first = Process::spawn(spec_of({"/bin/sleep", "100"}));
  const pid_t first_pid = first.pid();
  Process second = std::move(first);
  CHECK(first.pid() == -1);
  CHECK(second.pid() == first_pid);

  Process third = Process::spawn(spec_of({"/bin/sleep", "100"}));
  const pid_t third_pid = third.pid();
  third = std::move(second);
  CHECK(is_gone(third_pid));
  CHECK(third.pid() == first_pid);
  third.kill_and_reap();
  CHECK(is_gone(first_pid));
}

using Lines = std::vector<std::string>;

TEST_CASE("LineSplitter forwards whole lines", "[line_splitter]") {
  LineSplitter splitter;
  CHECK(splitter.feed("one\ntwo\n") == Lines{"one\n", "two\n"});
  CHECK(splitter.pending() == 0);
  CHECK(splitter.feed("\n") == Lines{"\n"});
  CHECK(splitter.feed("").empty());
  CHECK(splitter.flush().empty());
}

TEST_CASE("LineSplitter holds back a partial line", "[line_splitter]") {
  LineSplitter splitter;
  CHECK(splitter.feed("par").empty());
  CHECK(splitter.feed("tial\nnext") == Lines{"partial\n"});
  CHECK(splitter.pending() == 4);
  CHECK(splitter.feed(" line\nrest") == Lines{"next line\n"});
  CHECK(splitter.flush() == "rest");
  CHECK(splitter.flush().empty());
}

TEST_CASE("LineSplitter forces out a line longer than the maximum", "[line_splitter]") {
  LineSplitter splitter;
  const std::string longest(LineSplitter::default_max_line, 'x');
  CHECK(splitter.feed(longest).empty());
  CHECK(splitter.feed("y") == Lines{longest + "y"});
  CHECK(splitter.pending() == 0);
  CHECK(splitter.feed("short\n" + longest + "z") == Lines{"short\n", longest + "z"});
  CHECK(splitter.feed("end\n") == Lines{"end\n"});
}

TEST_CASE("LineSplitter keeps the maximum it is given", "[line_splitter]") {
  LineSplitter splitter(4);
  CHECK(splitter.feed("abcd").empty());
  CHECK(splitter.feed("e\nfg") == Lines{"abcde\n"});
  CHECK(splitter.feed("hij") == Lines{"fghij"});
  CHECK(splitter.flush().empty());
}

TEST_CASE("make_lease_directory creates a private directory", "[lease_directory]") {
  const TemporaryRoot root;
  const std::string directory = ferry::spawner::make_lease_directory(root.path.string(), 42);
  CHECK(fs::path(directory) == root.path / "lease-42");
  struct stat info {};
  REQUIRE(::stat(directory.c_str(), &info) == 0);
  CHECK(S_ISDIR(info.st_mode));
  CHECK((info.st_mode & 0777) == 0700);
  CHECK(ferry::spawner::make_lease_directory(root.path.string(), 42) == directory);
}

TEST_CASE("make_lease_directory refuses a symbolic link", "[lease_directory]") {
  const TemporaryRoot root;
  fs::create_directories(root.path / "elsewhere");
  fs::create_directory_symlink(root.path / "elsewhere", root.path / "lease-9");
  CHECK_THROWS_AS(ferry::spawner::make_lease_directory(root.path.string(), 9), ferry::Error);
}

TEST_CASE("remove_stale_lease_directories removes the lease directories and nothing else", "[lease_directory]") {
  const TemporaryRoot root;
  fs::create_directories(fs::path(ferry::spawner::make_lease_directory(root.path.string(), 3)) / "a");
  ferry::spawner::make_lease_directory(root.path.string(), 12);
  fs::create_directories(root.path / "elsewhere");
  std::ofstream(root.path / "elsewhere" / "file") << "data";
  fs::create_directory_symlink(root.path / "elsewhere", root.path / "lease-9");
  fs::create_directories(root.path / "lease-");
  fs::create_directories(root.path / "lease-x1");
  std::ofstream(root.path / "notes") << "data";
  CHECK(ferry::spawner::remove_stale_lease_directories(root.path.string()) == 3);
  CHECK_FALSE(fs::exists(root.path / "lease-3"));
  CHECK_FALSE(fs::exists(root.path / "lease-12"));
  CHECK_FALSE(fs::is_symlink(root.path / "lease-9"));
  CHECK(fs::exists(root.path / "elsewhere" / "file"));  // a link is removed, not followed
  CHECK(fs::exists(root.path / "lease-"));
  CHECK(fs::exists(root.path / "lease-x1"));
  CHECK(fs::exists(root.path / "notes"));
  CHECK(ferry::spawner::remove_stale_lease_directories((root.path / "missing").string()) == 0);
}

TEST_CASE("remove_tree removes a directory and its contents", "[lease_directory]") {
  const TemporaryRoot root;
  const std::string directory = ferry::spawner::make_lease_directory(root.path.string(), 1);
  fs::create_directories(fs::path(directory) / "a" / "b");
  std::ofstream(fs::path(directory) / "a" / "b" / "file") << "data";
  ferry::spawner::remove_tree(directory);
  CHECK_FALSE(fs::exists(directory));
  CHECK_NOTHROW(ferry::spawner::remove_tree(directory));
}
