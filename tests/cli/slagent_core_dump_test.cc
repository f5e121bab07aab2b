// End-to-end, the real slagent daemon: no core dump can carry its secrets (issue 12,
// defect 8). While it runs it holds the device key, a registration token while one is
// in use, and the proxy password; a crash must not write them to disk. What the
// kernel shows of the running daemon: a core file size limit of 0 that it cannot
// raise again, and, run as an ordinary user, a process that is not dumpable (its
// /proc entries belong to root, and another process of that user cannot read its
// memory).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "slagent_offline_fixture.h"
#include "testing/bounded_wait.h"

namespace sl {
namespace {

class SlagentCoreDumpTest : public SlagentOfflineTest {
 protected:
  // `slagent run` as `uid` (-1: the test's user), returned once it says it started.
  pid_t StartDaemon(int uid) {
    std::vector<std::string> argv;
    if (uid >= 0) {
      argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid), "--regid=" + std::to_string(uid),
              "--clear-groups"};
    }
    argv.insert(argv.end(), {SL_SLAGENT_BINARY, "--state-dir", StateDir(), "--key-dir", KeyDir(), "run"});
    pid_t pid = test::StartCommand(argv, {"ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"},
                                   dir_.File("daemon.out"), dir_.File("daemon.err"));
    // Polls its log, with a bound: main() has run once the daemon logs that it started.
    const auto give_up = std::chrono::steady_clock::now() + test::kHangLimit;
    while (!Mentions(Log(), "started")) {
      if (std::chrono::steady_clock::now() > give_up) {
        ADD_FAILURE() << "the daemon did not start: " << Log();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pid;
  }

  // What the daemon logged so far ("" before it opened its log).
  std::string Log() const {
    std::ifstream in(dir_.File("daemon.err"));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  void Stop(pid_t pid) {
    kill(pid, SIGTERM);
    EXPECT_TRUE(test::WaitForChild(pid, std::chrono::seconds(10)).has_value()) << "the daemon did not stop";
  }

  // The line of /proc/PID/limits for core files: "Max core file size  SOFT  HARD  bytes".
  static std::string CoreLimit(pid_t pid) {
    std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
    for (std::string line; std::getline(limits, line);) {
      if (line.rfind("Max core file size", 0) == 0) return line;
    }
    return "";
  }

  static void ExpectNoCoreDumps(const std::string& line) {
    std::istringstream fields(line.substr(std::string("Max core file size").size()));
    std::string soft;
    std::string hard;
    fields >> soft >> hard;
    EXPECT_EQ(soft, "0") << line;
    EXPECT_EQ(hard, "0") << line << " (the daemon could raise its own limit again)";
  }
};

TEST_F(SlagentCoreDumpTest, TheDaemonCannotDumpCore) {
  pid_t pid = StartDaemon(-1);
  ASSERT_GT(pid, 0);
  ExpectNoCoreDumps(CoreLimit(pid));
  Stop(pid);
}

TEST_F(SlagentCoreDumpTest, TheDaemonOfAnOrdinaryUserIsNotDumpable) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run the daemon as another user (CI runs as root)";
  ASSERT_EQ(mkdir(StateDir().c_str(), 0700), 0);
  ASSERT_EQ(mkdir(KeyDir().c_str(), 0700), 0);
  GiveEverythingTo(kOtherUser);
  pid_t pid = StartDaemon(kOtherUser);
  ASSERT_GT(pid, 0);
  ExpectNoCoreDumps(CoreLimit(pid));
  // The kernel gives the /proc entries of a process that is not dumpable to root; those
  // of a dumpable one belong to the user it runs as.
  struct stat st{};
  ASSERT_EQ(stat(("/proc/" + std::to_string(pid) + "/environ").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u) << "the daemon is dumpable: its memory can be read by its user's other processes";
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string text((std::istreambuf_iterator<char>(status)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(Mentions(text, "Uid:\t" + std::to_string(kOtherUser))) << "not running as the other user:\n" << text;
  Stop(pid);
}

}  // namespace
}  // namespace sl
