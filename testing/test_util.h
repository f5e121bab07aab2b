// Small helpers shared by the tests: reading files, the test PKI, temporary folders.
// Thread-safety: free functions; TempDir is owned by one test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sl::test {

// The whole file; fails the calling test (and returns "") when it cannot be read.
std::string ReadFile(const std::string& path);
// A file of the test PKI made by certs/make-test-pki.sh at build time.
std::string PkiPath(const std::string& name);
std::string ReadPki(const std::string& name);

// The names in `dir`, without "." and ".." (empty when it cannot be read).
std::set<std::string> DirectoryEntries(const std::string& dir);

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or not started
  std::string out;
  std::string err;
};
// How long RunCommand lets a command run: far more than any command needs, far less
// than ctest's timeout, so a command that hangs fails its test with a message.
constexpr std::chrono::seconds kCommandTimeout{60};
// Runs `argv` (argv[0] is a path) to completion with `extra_env` ("NAME=value") added
// to this process's environment; standard input is /dev/null. A command still running
// after `timeout` is killed (SIGKILL) and fails the calling test (exit_code -1).
CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                         std::chrono::seconds timeout = kCommandTimeout);

// Starts `argv` (argv[0] is a path) as RunCommand does (environment, /dev/null as
// standard input) but returns at once with the child's pid, for a test that kills it;
// its stdout and stderr go to `out_path` and `err_path`. Returns -1 (and fails the
// calling test) when fork fails. The caller must reap the child (WaitForChild, waitpid).
pid_t StartCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   const std::string& out_path, const std::string& err_path);

// Waits at most `limit` for the child process `pid` to exit and returns its wait
// status; when it has not exited by then, kills it (SIGKILL), reaps it and returns
// nullopt (also when `pid` cannot be waited for). Never blocks longer than `limit`
// plus the moment a killed process takes to go.
std::optional<int> WaitForChild(pid_t pid, std::chrono::milliseconds limit);

// A fresh folder under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace sl::test
