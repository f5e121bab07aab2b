// slagent in-process: what operators of comparable tools (subscription-manager,
// SUSEConnect, ubuntu-pro-client) expect of the command line (issue 11): --version,
// help per command, did-you-mean, a backup that never overwrites by surprise, usage
// that never waits behind the network, and answers that say what really happened.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/json.h"
#include "slagent_in_process.h"
#include "testing/test_util.h"

namespace sl::cli {
namespace {

TEST(CommandLineTest, VersionAsAnOption) {
  CliResult r = RunSlagent({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, RunSlagent({"version"}).out);
  EXPECT_EQ(r.out.rfind("slagent ", 0), 0u) << r.out;
}

TEST(CommandLineTest, EachCommandHasItsOwnHelp) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"register", "--help"}, {"register", "-h"}, {"help", "register"}}) {
    CliResult r = RunSlagent(args);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("  register (--token TOKEN | --token-file FILE) [--reregister]  "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("renew auth"), std::string::npos) << "only that command: " << r.out;
  }
  EXPECT_NE(RunSlagent({"restore", "--help"}).out.find("  restore FILE "), std::string::npos);
  CliResult unknown = RunSlagent({"help", "regster"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("did you mean 'register'?"), std::string::npos) << unknown.err;
}

TEST(CommandLineTest, ATypoGetsADidYouMean) {
  CliResult command = RunSlagent({"deregsiter"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_EQ(command.err, "slagent: unknown command 'deregsiter'; did you mean 'deregister'? (see 'slagent help')\n");
  CliResult option = RunSlagent({"register", "--tokn", "X"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(option.err, "slagent: unknown option --tokn; did you mean --token? (see 'slagent help')\n");
  // Nothing close: no guess.
  EXPECT_EQ(RunSlagent({"launch"}).err, "slagent: unknown command 'launch' (see 'slagent help')\n");
}

TEST_F(SlagentInProcessTest, ABackupNeverReplacesAnExistingFileUnlessForced) {
  EnableOffline();
  const std::string file = dir_.File("backup.json");
  ASSERT_EQ(Run({"backup", file, "--plaintext-keys"}).exit_code, 0);
  const std::string first = test::ReadFile(file);
  ASSERT_EQ(Run({"usage", "set", "rms", "3"}).exit_code, 0);
  CliResult again = Run({"backup", file, "--plaintext-keys"});
  EXPECT_EQ(again.exit_code, 6);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(test::ReadFile(file), first) << "the old backup is untouched";
  EXPECT_EQ(Run({"backup", file, "--plaintext-keys", "--force"}).exit_code, 0);
  EXPECT_NE(test::ReadFile(file), first);
}

TEST_F(SlagentInProcessTest, UsageUpdateWhileUnregisteredSaysNothingWasReported) {
  EnableOffline();
  ASSERT_EQ(Run({"usage", "set", "rms", "2"}).exit_code, 0);
  CliResult r = Run({"usage", "update"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("usage not reported: this product instance is not registered"), std::string::npos) << r.err;
}

TEST_F(SlagentInProcessTest, UsageSetNeverWaitsForAnotherCommandAndIsAppliedAfterIt) {
  EnableOffline();
  // Another command holds the state directory's lock (a renewal waiting for CSSM).
  int lock = open(dir_.File("state/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(flock(lock, LOCK_EX), 0);
  CliResult queued = Run({"usage", "set", "rms", "4"});
  EXPECT_EQ(queued.exit_code, 0) << queued.err;
  EXPECT_NE(queued.out.find("queued"), std::string::npos) << queued.out;
  ASSERT_EQ(Run({"usage", "set", "rms", "5"}).exit_code, 0);  // the last count wins
  close(lock);

  // The next command that opens the agent applies it.
  ASSERT_EQ(Run({"privacy", "on"}).exit_code, 0);
  Result<rapidjson::Document> status = ParseJson(Run({"status", "--json"}).out);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ((*status)["licenses"].Size(), 1u);
  EXPECT_EQ((*status)["licenses"][0]["count"].GetInt64(), 5);
  EXPECT_EQ(test::DirectoryEntries(dir_.File("state")).count("usage.pending"), 0u);
}

// --json answers are data, not a sentence in an object: every command that succeeds
// offline gives schema 1, ok, exit_code, message and a result with its fields.
TEST_F(SlagentInProcessTest, EveryJsonAnswerCarriesTheSchemaAndTheCommandsData) {
  struct Case {
    std::vector<std::string> args;
    std::vector<const char*> result_fields;  // empty: the answer is data itself
  };
  std::ofstream(dir_.File("pass")) << "a passphrase\n";
  const std::vector<Case> cases = {
      {{"identity", "--product-id", "EXPWY-VE-L", "--serial", "SN9"}, {"product_id", "serial_number", "hostname"}},
      {{"identity"}, {"product_id", "serial_number", "hostname"}},
      {{"trust-anchor", test::PkiPath("cssm-signing.crt")}, {"subject", "serial", "not_after"}},
      {{"transport", "direct", "--url", "https://127.0.0.1:9/x", "--connect-timeout", "1"}, {"mode", "url", "ca_bundle"}},
      {{"privacy", "on"}, {"privacy"}},
      {{"enable"}, {"mode", "registration_status", "authorization_status", "evaluation_remaining_seconds"}},
      {{"usage", "set", "rms", "1"}, {"tag", "count", "queued"}},
      {{"run", "--once"}, {"registration_status", "authorization_status", "next_communication_attempt"}},
      {{"backup", dir_.File("b.json"), "--passphrase-file", dir_.File("pass")}, {"file", "encrypted"}},
      {{"restore", dir_.File("b.json"), "--passphrase-file", dir_.File("pass")}, {"registration_status"}},
      {{"version"}, {"version", "protocol", "json_schema"}},
      {{"status"}, {}},
      {{"events"}, {}},
      {{"factory-reset", "--yes"}, {"instance_left_on_cssm"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("--json");
    CliResult r = Run(args);
    SCOPED_TRACE(args[0]);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    Result<rapidjson::Document> doc = ParseJson(r.out);
    ASSERT_TRUE(doc.ok()) << r.out;
    EXPECT_EQ((*doc)["schema"].GetInt64(), 1) << r.out;
    EXPECT_TRUE((*doc)["ok"].GetBool());
    EXPECT_EQ((*doc)["exit_code"].GetInt64(), 0);
    if (c.result_fields.empty()) continue;
    ASSERT_TRUE(doc->HasMember("result") && (*doc)["result"].IsObject()) << r.out;
    for (const char* field : c.result_fields) EXPECT_TRUE((*doc)["result"].HasMember(field)) << field << " in " << r.out;
  }
}

}  // namespace
}  // namespace sl::cli
