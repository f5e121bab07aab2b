#include "testing/test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sl::test {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string PkiPath(const std::string& name) { return std::string(SL_TEST_PKI_DIR) + "/" + name; }
std::string ReadPki(const std::string& name) { return ReadFile(PkiPath(name)); }

std::set<std::string> DirectoryEntries(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  closedir(d);
  return names;
}

std::optional<int> WaitForChild(pid_t pid, std::chrono::milliseconds limit) {
  if (pid <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return std::nullopt;
}

pid_t StartCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   const std::string& out_path, const std::string& err_path) {
  // Everything the child needs is prepared before fork: it only redirects and execs.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (const std::string& e : extra_env) putenv(const_cast<char*>(e.c_str()));
    execv(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) ADD_FAILURE() << "fork failed";
  return pid;
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                         std::chrono::seconds timeout) {
  TempDir io;
  std::string out_path = io.File("out"), err_path = io.File("err");
  CommandResult result;
  pid_t pid = StartCommand(argv, extra_env, out_path, err_path);
  if (pid < 0) return result;
  std::optional<int> status = WaitForChild(pid, timeout);
  if (!status) {
    ADD_FAILURE() << argv[0] << " did not finish within " << timeout.count()
                  << " s (killed) or could not be waited for";
  } else {
    result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/sl-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace sl::test
