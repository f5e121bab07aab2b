// Small helpers shared by the tests: reading files, the test PKI, temporary folders.
// Thread-safety: free functions; TempDir is owned by one test.
#pragma once

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
// Runs `argv` (argv[0] is a path) to completion with `extra_env` ("NAME=value") added
// to this process's environment; standard input is /dev/null.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

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
