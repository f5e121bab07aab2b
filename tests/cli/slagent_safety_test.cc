// End-to-end: what the real slagent binary promises whatever it is given: help and
// version without state, one-line errors with documented exit codes for bad input,
// secrets never shown, no lost update between concurrent commands, and a state that is
// unreadable, tampered with or merely looked at never changed behind the operator's
// back. The fixture is in slagent_fixture.h.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "base/json.h"
#include "smartlicensing/time_source.h"
#include "testing/test_util.h"
#include "slagent_fixture.h"

namespace sl {
namespace {

using test::CommandResult;

TEST_F(SlagentTest, HelpVersionAndIdentityAnswerWithoutState) {
  CommandResult help = Run({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(Run({}).exit_code, 2) << "no command is a usage error";
  EXPECT_EQ(Run({"version"}).exit_code, 0);
  CommandResult id = Run({"identity"});
  EXPECT_EQ(id.exit_code, 0);
  EXPECT_NE(id.out.find("serial number 0A1B2C3D"), std::string::npos) << id.out;
}

TEST_F(SlagentTest, ConcurrentCommandsLoseNoUpdate) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  constexpr int kWriters = 8;
  std::vector<std::thread> writers;
  std::vector<int> codes(kWriters, -1);
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([this, i, &codes] {
      std::vector<std::string> argv = {SL_SLAGENT_BINARY, "--state-dir", dir_.File("state"), "usage", "set",
                                       "tag_" + std::to_string(i), std::to_string(i + 1)};
      codes[i] = test::RunCommand(argv).exit_code;
    });
  }
  for (std::thread& w : writers) w.join();
  for (int code : codes) EXPECT_EQ(code, 0);
  rapidjson::Document s = Status();
  ASSERT_TRUE(s["licenses"].IsArray());
  EXPECT_EQ(s["licenses"].Size(), static_cast<rapidjson::SizeType>(kWriters)) << "every writer's usage survived";
}

TEST_F(SlagentTest, SecretsNeverAppearInOutputOrEvents) {
  const std::string password = "pr0xy-S3cret-pw";
  const std::string token = "TEST-TOKEN-EXPRESSWAY";
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", token}).exit_code, 0);
  // A proxy that is not there: every attempt fails, and the messages name the proxy.
  CommandResult t = Run({"transport", "proxy", "--address", "127.0.0.1", "--port", "9", "--username", "alice",
                         "--password-file", WriteFile("pw", password), "--url", mock_.direct_url(), "--ca-bundle",
                         test::PkiPath("tls-ca.crt"), "--connect-timeout", "1", "--timeout", "2"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(Run({"renew", "auth"}).exit_code, 4);
  (void)Run({"status"});
  (void)Run({"status", "--json"});
  (void)Run({"events"});
  (void)Run({"events", "--json"});
  (void)Run({"deregister"});
  std::string events = test::ReadFile(dir_.File("state") + "/events.jsonl");
  for (const std::string& text : {all_output_, events}) {
    EXPECT_EQ(text.find(password), std::string::npos);
    EXPECT_EQ(text.find(token), std::string::npos);
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  }
  EXPECT_NE(all_output_.find("password set"), std::string::npos);
}

TEST_F(SlagentTest, BadInputIsAOneLineErrorWithADocumentedCodeAndLeavesStateAlone) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  std::string before = test::ReadFile(dir_.File("state") + "/state");
  struct Case {
    std::vector<std::string> args;
    int code;
  } cases[] = {
      {{"launch"}, 2},
      {{"status", "--bogus"}, 2},
      {{"register"}, 2},
      {{"register", "--token"}, 2},
      {{"usage", "set", "expressway_rms"}, 2},
      {{"usage", "set", "bad tag", "1"}, 2},
      {{"usage", "set", "expressway_rms", "-1"}, 2},
      {{"transport", "proxy", "--address", "proxy.example.com", "--port", "70000"}, 2},
      {{"transport", "proxy", "--address", "proxy.example.com", "--port", "http"}, 2},
      {{"transport", "onprem", "--url", "http://onprem.example.com/SmartTransport"}, 2},
      {{"transport", "onprem", "--url", "https://onprem.example.com/licservice"}, 2},
      {{"transport", "sideways"}, 2},
      {{"transport", "direct", "--ca-bundle", "/nonexistent/ca.pem"}, 2},
      {{"trust-anchor", "/nonexistent/cssm.crt"}, 2},
      {{"restore", "/nonexistent/backup"}, 2},
      {{"privacy", "maybe"}, 2},
      {{"renew", "everything"}, 2},
      {{"factory-reset"}, 2},
      {{"renew", "auth"}, 6},  // not registered
  };
  for (const Case& c : cases) {
    CommandResult r = Run(c.args);
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, c.code) << joined << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << joined << ": " << r.err;
    EXPECT_EQ(r.err.rfind("slagent: ", 0), 0u) << joined << ": " << r.err;
  }
  EXPECT_EQ(test::ReadFile(dir_.File("state") + "/state"), before) << "no bad command touched the state";
}

TEST_F(SlagentTest, UnreadableStateDirectoryIsALocalStateError) {
  if (geteuid() == 0) {
    // root reads anything: make the "directory" a file instead.
    std::ofstream(dir_.File("not-a-dir")) << "x";
    CommandResult r = test::RunCommand({SL_SLAGENT_BINARY, "--state-dir", dir_.File("not-a-dir"), "status"});
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    r = test::RunCommand({SL_SLAGENT_BINARY, "--state-dir", dir_.File("not-a-dir"), "enable"});
    EXPECT_EQ(r.exit_code, 5) << r.err;
    return;
  }
  ASSERT_EQ(chmod(dir_.File("state").c_str(), 0), 0);
  CommandResult r = Run({"status"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  chmod(dir_.File("state").c_str(), 0700);
}

// Every file under `dir`, with its contents.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files[entry.path().string()] = test::ReadFile(entry.path().string());
  }
  return files;
}

TEST_F(SlagentTest, StatusWritesNothing) {
  // A device configured but never opened: status must not even create the device secret.
  test::TempDir fresh;
  std::vector<std::string> base = {SL_SLAGENT_BINARY, "--state-dir", fresh.File("state")};
  auto run = [&base](std::vector<std::string> args) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), args.begin(), args.end());
    return test::RunCommand(argv);
  };
  ASSERT_EQ(run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "SN9"}).exit_code, 0);
  ASSERT_EQ(run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
  auto before = Snapshot(fresh.path());
  CommandResult r = run({"status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Snapshot(fresh.path()), before);

  // And on a device in use.
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  before = Snapshot(dir_.path());
  (void)Status(40 * kDay);
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

TEST_F(SlagentTest, ACommandThatHoldsTheLockRemovesTheTemporaryFilesOfAKilledWriter) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  const std::string state = dir_.File("state");
  const std::set<std::string> leftovers = {"identity.json.tmp.Ab12Cd", "cssm-signing.crt.tmp.Xy34Zw",
                                           "events.jsonl.tmp.Qq11Rr"};
  for (const std::string& name : leftovers) std::ofstream(state + "/" + name) << "x";
  std::ofstream(state + "/notes.tmp.Ab12Cd") << "not ours";
  ASSERT_EQ(Run({"status"}).exit_code, 0);
  for (const std::string& name : leftovers) {
    EXPECT_EQ(test::DirectoryEntries(state).count(name), 1u) << "status holds no lock, so it never cleans";
  }
  ASSERT_EQ(Run({"privacy", "on"}).exit_code, 0);
  for (const std::string& name : leftovers) EXPECT_EQ(test::DirectoryEntries(state).count(name), 0u) << name;
  EXPECT_EQ(test::DirectoryEntries(state).count("notes.tmp.Ab12Cd"), 1u);
}

TEST_F(SlagentTest, TamperedStateIsReportedNotReset) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  std::string path = dir_.File("state") + "/state";
  std::string state = test::ReadFile(path);
  size_t pos = state.find("evaluation_used");
  ASSERT_NE(pos, std::string::npos);
  state[pos + 20] = state[pos + 20] == '1' ? '2' : '1';
  std::ofstream(path, std::ios::trunc) << state;
  CommandResult r = Run({"status"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_EQ(Run({"enable"}).exit_code, 5);
  EXPECT_EQ(test::ReadFile(path), state) << "the tampered file is left for inspection";
}

}  // namespace
}  // namespace sl
