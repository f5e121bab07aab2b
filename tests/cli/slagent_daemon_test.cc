// End-to-end: the daemon and a new device as systemd and an operator meet them
// (issue 11). A device nobody has configured shows its status; the daemon on it waits
// quietly for configuration instead of exiting (Restart=on-failure would restart it
// every 30 s); it tells systemd it is ready (sd_notify, Type=notify) and what it waits
// for; it logs its events and failures to standard error, with syslog priorities when
// that is the journal. The fixture is in slagent_fixture.h.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "smartlicensing/time_source.h"
#include "testing/test_util.h"
#include "slagent_fixture.h"

namespace sl {
namespace {

using test::CommandResult;

// What systemd does for Type=notify: a datagram socket whose path is $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << path;
    timeval step{0, 100 * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &step, sizeof(step));
  }
  ~NotifySocket() { close(fd_); }

  // Messages until one contains `part` (returned), or "" after `limit`.
  std::string WaitFor(const std::string& part, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      char buffer[4096];
      ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) continue;
      std::string message(buffer, static_cast<size_t>(n));
      received_ += message + "\n---\n";
      if (message.find(part) != std::string::npos) return message;
    }
    return "";
  }
  const std::string& received() const { return received_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string received_;
};

class SlagentDaemonTest : public SlagentTest {
 protected:
  // Starts `slagent run` on `state_dir` with `env`; stderr goes to err_path().
  pid_t StartDaemon(const std::string& state_dir, std::vector<std::string> env) {
    env.push_back("ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0");
    return test::StartCommand({SL_SLAGENT_BINARY, "--state-dir", state_dir, "run"}, env, dir_.File("daemon.out"),
                              err_path());
  }
  std::string err_path() const { return dir_.File("daemon.err"); }

  // SIGTERM, then the exit status (fails the test when the daemon does not stop).
  int Stop(pid_t pid) {
    kill(pid, SIGTERM);
    std::optional<int> status = test::WaitForChild(pid, std::chrono::seconds(10));
    EXPECT_TRUE(status.has_value()) << "the daemon did not stop on SIGTERM";
    return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }
};

TEST_F(SlagentDaemonTest, ANewDeviceShowsItsStatusAndWhatIsNotConfigured) {
  const std::string fresh = dir_.File("fresh");
  CommandResult text = test::RunCommand({SL_SLAGENT_BINARY, "--state-dir", fresh, "status"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Off (PAK)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Unregistered"), std::string::npos);
  EXPECT_NE(text.out.find("slagent identity --product-id"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("slagent trust-anchor FILE"), std::string::npos) << text.out;
  struct stat st{};
  EXPECT_NE(stat(fresh.c_str(), &st), 0) << "status creates nothing";

  ASSERT_EQ(test::RunCommand({SL_SLAGENT_BINARY, "--state-dir", fresh, "identity", "--product-id", "EXPWY-VE-L",
                              "--serial", "SN1"}).exit_code, 0);
  CommandResult json = test::RunCommand({SL_SLAGENT_BINARY, "--state-dir", fresh, "status", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Result<rapidjson::Document> doc = ParseJson(json.out);
  ASSERT_TRUE(doc.ok()) << json.out;
  ASSERT_TRUE((*doc)["not_configured"].IsArray());
  ASSERT_EQ((*doc)["not_configured"].Size(), 1u);
  EXPECT_EQ(Str((*doc)["not_configured"][0], "item"), "trust_anchor");
  EXPECT_EQ(Str(*doc, "mode"), "pak");
  // Configured: nothing is missing any more.
  EXPECT_EQ(Status()["not_configured"].Size(), 0u);
}

TEST_F(SlagentDaemonTest, OnANewDeviceTheDaemonWaitsForConfigurationThenWorks) {
  NotifySocket notify(dir_.File("notify"));
  const std::string fresh = dir_.File("fresh");
  pid_t pid = StartDaemon(fresh, {"NOTIFY_SOCKET=" + notify.path()});
  ASSERT_GT(pid, 0);
  std::string ready = notify.WaitFor("READY=1");
  ASSERT_NE(ready, "") << notify.received() << test::ReadFile(err_path());
  EXPECT_NE(ready.find("STATUS=waiting for configuration"), std::string::npos) << ready;
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "still running";

  // The operator configures the device; the daemon notices without a restart.
  auto slagent = [&fresh](std::vector<std::string> args) {
    args.insert(args.begin(), {SL_SLAGENT_BINARY, "--state-dir", fresh});
    return test::RunCommand(args);
  };
  ASSERT_EQ(slagent({"identity", "--product-id", "EXPWY-VE-L", "--serial", "SN1"}).exit_code, 0);
  ASSERT_EQ(slagent({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
  ASSERT_EQ(slagent({"transport", "direct", "--url", mock_.direct_url(), "--ca-bundle",
                     test::PkiPath("tls-ca.crt")}).exit_code, 0);
  EXPECT_NE(notify.WaitFor("STATUS=Smart Licensing is off (PAK)"), "") << notify.received();
  ASSERT_EQ(slagent({"enable"}).exit_code, 0);
  EXPECT_NE(notify.WaitFor("Evaluation Mode"), "") << notify.received();

  EXPECT_EQ(Stop(pid), 0);
  EXPECT_NE(notify.WaitFor("STOPPING=1", std::chrono::seconds(2)), "") << notify.received();
  const std::string err = test::ReadFile(err_path());
  EXPECT_NE(err.find("slagent run: started"), std::string::npos) << err;
  EXPECT_NE(err.find("waiting for configuration: the device identity is not set"), std::string::npos) << err;
  EXPECT_NE(err.find("slagent run: stopped"), std::string::npos) << err;
}

TEST_F(SlagentDaemonTest, TheDaemonLogsItsEventsWithSyslogPrioritiesWhenStderrIsTheJournal) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  // CSSM is down when the 30-day renewal falls due: a warning, then the retry.
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":503,"count":1000})").status, 201);
  const int64_t t = 31 * kDay;
  ServerClock(t);
  // The journal is the file stderr goes to: $JOURNAL_STREAM names its device and inode.
  std::ofstream(err_path()).flush();
  struct stat st{};
  ASSERT_EQ(stat(err_path().c_str(), &st), 0);
  const std::string stream = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  pid_t pid = StartDaemon(dir_.File("state"), {"JOURNAL_STREAM=" + stream, std::string("LD_PRELOAD=") + kFaketimeLib,
                                               "FAKETIME=" + Offset(t)});
  ASSERT_GT(pid, 0);
  std::string err;
  for (int i = 0; i < 200 && err.find("<4>communication failed") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polls for the line, no timer
    err = test::ReadFile(err_path());
  }
  EXPECT_EQ(Stop(pid), 0);
  err = test::ReadFile(err_path());
  EXPECT_NE(err.find("<6>started"), std::string::npos) << err;
  EXPECT_NE(err.find("<4>communication failed"), std::string::npos) << err;
  EXPECT_NE(err.find("HTTP Server Error 503"), std::string::npos) << err;
  EXPECT_EQ(err.find("slagent run:"), std::string::npos) << "no plain prefix in the journal: " << err;
  EXPECT_NE(err.find("<6>stopped"), std::string::npos) << err;
}

}  // namespace
}  // namespace sl
