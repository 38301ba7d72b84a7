#include "runtime/common/captured_run.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runtime/common/error.hpp"

extern char** environ;

namespace ferry {

namespace {

/// An unlinked temporary file that collects one stream of a child.
class CaptureFile {
 public:
  CaptureFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ferry-capture-XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) throw_system_error("mkstemp " + pattern);
    ::unlink(pattern.c_str());
  }
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;
  ~CaptureFile() { ::close(fd_); }
  int fd() const { return fd_; }

  std::string contents() const {
    std::string text;
    char buffer[65536];
    for (off_t offset = 0;;) {
      const ssize_t got = ::pread(fd_, buffer, sizeof buffer, offset);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw_system_error("read captured output");
      if (got == 0) return text;
      text.append(buffer, size_t(got));
      offset += got;
    }
  }

 private:
  int fd_ = -1;
};

/// posix_spawn file actions, destroyed with the object.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_system_error("waitpid");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

CapturedRun run_captured(const std::vector<std::string>& command, const std::vector<std::string>* environment) {
  CaptureFile out, err;
  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.fd(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.fd(), STDERR_FILENO);
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (environment != nullptr) {
    for (const std::string& entry : *environment) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);
  }
  pid_t pid = -1;
  const int failed =
      ::posix_spawnp(&pid, argv[0], actions.get(), nullptr, argv.data(), environment ? envp.data() : environ);
  if (failed != 0) {
    throw Error(Errc::not_found, "cannot start '" + command.front() + "': " + std::strerror(failed));
  }
  CapturedRun run;
  run.exit_code = wait_exit_code(pid);
  run.out = out.contents();
  run.err = err.contents();
  return run;
}

}  // namespace ferry
