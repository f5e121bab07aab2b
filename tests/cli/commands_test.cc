// slagent in-process, through its entry point and the command table: an argv in,
// stdout, stderr and the exit code out. No child process and no network: what the
// end-to-end tests (slagent_*_test.cc) cannot check cheaply, these check exactly: the
// usage text against the table, the grammar's errors, the answers' shapes.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/command_line.h"
#include "cli/command_table.h"
#include "cli/event_log.h"
#include "slagent_in_process.h"
#include "testing/test_util.h"

namespace sl::cli {
namespace {

// `slagent help`, exactly: the table must make this text, byte for byte (scripts and
// help2man read it; every entry has its description after two spaces).
constexpr const char* kUsageBeforeTheTable = R"(Usage: slagent [--state-dir DIR] [--key-dir DIR] [--json] COMMAND [ARGS]

Configuration:
  identity --product-id ID --serial SN [--hostname NAME]  set the device identity (UDI)
  identity                     show the device identity
  trust-anchor FILE            the CSSM signing certificate responses must verify against
  transport direct [--url URL]  Direct to CSSM (default URL: Cisco's)
  transport onprem --url https://HOST[:PORT]/SmartTransport  Smart Software Manager On-Prem
  transport proxy --address HOST --port PORT [--username USER --password-file FILE]  through a proxy
      each also takes --url URL, --ca-bundle FILE (copied), --connect-timeout S, --timeout S;
      options not given keep their values (--url default, --ca-bundle system: the defaults)
  privacy on|off               do not share my hostname or IP address with Cisco

Licensing:
  enable                       Smart licensing mode On (starts the 90-day evaluation)
  register (--token TOKEN | --token-file FILE) [--reregister]  register (FILE -: standard input)
  renew auth                   renew authorization now
  renew id                     renew registration (ID certificate) now
  deregister                   release the licenses and forget the registration
  usage set TAG COUNT          set the current usage of a license type (0 removes it)
  usage update                 report the usage now
  factory-reset --yes          erase all licensing state and keys (back to PAK)

Operation:
  status                       show the licensing status (never touches the network)
  run [--once]                 the daemon: perform renewals and retries when due
  backup FILE --passphrase-file PF [--force]  save the licensing state, encrypted (PF -: standard input)
  backup FILE --plaintext-keys [--force]  the same NOT encrypted: the device key in clear
      --force: over an existing file
  restore FILE [--passphrase-file PF]  restore the licensing state from a backup
  events [--limit N]           the history of operations and results

Global options:
  --state-dir DIR   state directory (default $SLAGENT_STATE_DIR or /var/lib/slagent)
  --key-dir DIR     device secret directory (default $SLAGENT_KEY_DIR, /etc/slagent for the
                    default state directory, else DIR.keys next to the state directory)
  --key-provider NAME
                    create new device keys in this OpenSSL provider, e.g. tpm2 (default
                    $SLAGENT_KEY_PROVIDER; none: in software, in the sealed state)
  --key-uri URI     with --key-provider, the one key every registration uses, e.g.
                    handle:0x81000001 (default $SLAGENT_KEY_URI)
  --json            machine-readable output
  --help            this text; with a command, that command's usage
  --version         the version of slagent and of the licensing protocol

Exit codes: 0 success, 1 internal error, 2 usage error, 3 refused by CSSM,
4 communication failure (retry scheduled), 5 local state problem, 6 not allowed now,
7 configuration or trust problem: CSSM cannot be used as configured (retry scheduled).
)";

// The options named in a command's usage lines ("--token", "--url", ...).
std::set<std::string> OptionsNamedIn(const std::vector<std::string>& lines) {
  std::set<std::string> names;
  const std::regex option("--[a-z][a-z-]*");
  for (const std::string& line : lines) {
    for (std::sregex_iterator it(line.begin(), line.end(), option), end; it != end; ++it) names.insert(it->str());
  }
  return names;
}

TEST(CommandTableTest, HelpIsTheUsageTextMadeFromTheTableAndExitsZero) {
  CliResult help = RunSlagent({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, kUsageBeforeTheTable);
  EXPECT_EQ(help.err, "");
  EXPECT_EQ(UsageText(), kUsageBeforeTheTable);
  CliResult dashdash = RunSlagent({"--help"});
  EXPECT_EQ(dashdash.exit_code, 0);
  EXPECT_EQ(dashdash.out, kUsageBeforeTheTable);
}

TEST(CommandTableTest, HelpListsEveryCommandOfTheTable) {
  const std::string usage = RunSlagent({"help"}).out;
  std::set<std::string> not_listed;
  for (const Command& command : CommandTable()) {
    if (command.section == UsageSection::kNotListed) {
      not_listed.insert(command.name);
      continue;
    }
    // At the start of a usage line.
    bool listed = usage.find("\n  " + command.name + " ") != std::string::npos;
    EXPECT_TRUE(listed) << command.name << " is not in `slagent help`";
    for (const std::string& line : command.usage_lines) {
      EXPECT_NE(usage.find("\n  " + line + "\n"), std::string::npos) << line;
    }
  }
  // Only these answer without being listed; a new command belongs in the usage text.
  EXPECT_EQ(not_listed, (std::set<std::string>{"help", "version"}));
}

TEST(CommandTableTest, EveryCommandsHelpNamesExactlyTheOptionsItAccepts) {
  for (const Command& command : CommandTable()) {
    EXPECT_EQ(OptionsNamedIn(command.usage_lines), command.Accepted()) << command.name;
  }
}

TEST(CommandTableTest, CommandNamesAreUniqueAndFound) {
  std::set<std::string> names;
  for (const Command& command : CommandTable()) {
    EXPECT_TRUE(names.insert(command.name).second) << command.name << " twice";
    EXPECT_EQ(FindCommand(command.name), &command);
    EXPECT_NE(command.handler, nullptr) << command.name;
  }
  EXPECT_EQ(FindCommand("launch"), nullptr);
}

TEST(CommandLineTest, NoCommandExitsTwoWithTheUsage) {
  CliResult r = RunSlagent({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, kUsageBeforeTheTable);
  EXPECT_EQ(r.err, "");
}

TEST(CommandLineTest, UnknownCommandExitsTwoWithAClearMessage) {
  CliResult r = RunSlagent({"launch"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "slagent: unknown command 'launch' (see 'slagent help')\n");
  EXPECT_EQ(r.out, "");
}

TEST(CommandLineTest, UnknownOptionExitsTwoWithAClearMessage) {
  CliResult r = RunSlagent({"status", "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "slagent: unknown option --bogus (see 'slagent help')\n");
  // A switch takes no value, so --json=1 is not the switch.
  r = RunSlagent({"--json=1", "version"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "slagent: unknown option --json (see 'slagent help')\n");
  r = RunSlagent({"events", "--limit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "slagent: option --limit needs a value (see 'slagent help')\n");
}

TEST_F(SlagentInProcessTest, AnOptionThatDoesNotApplyToTheCommandExitsTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"enable", "--yes"},
           {"status", "--limit", "5"},
           {"transport", "direct", "--port", "3128"},
           {"run", "--reregister"}}) {
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_NE(r.err.find("does not apply here"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err.rfind("slagent: option --", 0), 0u) << r.err;
  }
  EXPECT_EQ(test::DirectoryEntries(dir_.path()), std::set<std::string>{}) << "nothing was created";
}

TEST(CommandLineTest, JsonErrorsAreOneObjectWithOkExitCodeAndError) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--json", "launch"}, {"--json", "--bogus"}, {"renew", "--json"}}) {
    CliResult r = RunSlagent(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "");
    ASSERT_FALSE(r.out.empty());
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line: " << r.out;
    Result<rapidjson::Document> doc = ParseJson(r.out);
    ASSERT_TRUE(doc.ok()) << r.out;
    ASSERT_TRUE(doc->IsObject());
    ASSERT_TRUE((*doc)["ok"].IsBool());
    EXPECT_FALSE((*doc)["ok"].GetBool());
    EXPECT_EQ((*doc)["exit_code"].GetInt64(), 2);
    ASSERT_TRUE((*doc)["error"].IsObject()) << r.out;
    EXPECT_STREQ((*doc)["error"]["code"].GetString(), "invalid_argument");
    EXPECT_NE(std::string((*doc)["error"]["message"].GetString()).find("see 'slagent help'"), std::string::npos);
  }
}

TEST(CommandLineTest, VersionAnswersWithoutState) {
  CliResult r = RunSlagent({"--state-dir", "/nonexistent/slagent", "version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "slagent 0.1.0 (licensing protocol 1)\n");
  EXPECT_EQ(r.err, "");
  r = RunSlagent({"version", "--json"});
  EXPECT_EQ(r.out,
            "{\"schema\":1,\"ok\":true,\"exit_code\":0,\"message\":\"slagent 0.1.0 (licensing protocol 1)\","
            "\"result\":{\"version\":\"0.1.0\",\"protocol\":1,\"json_schema\":1}}\n");
}

TEST_F(SlagentInProcessTest, IdentitySetThenShownRoundTrips) {
  CliResult none = Run({"identity"});
  EXPECT_EQ(none.exit_code, 6) << none.err;
  EXPECT_NE(none.err.find("the device identity is not set"), std::string::npos) << none.err;

  CliResult set = Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D", "--hostname", "exp1.example.com"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "Device identity: product ID EXPWY-VE-L, serial number 0A1B2C3D, hostname exp1.example.com\n");
  CliResult shown = Run({"identity"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "Product ID EXPWY-VE-L, serial number 0A1B2C3D, hostname exp1.example.com\n");

  ASSERT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "SN2"}).exit_code, 0);
  CliResult json = Run({"--json", "identity"});
  EXPECT_EQ(json.out,
            "{\"schema\":1,\"ok\":true,\"exit_code\":0,\"message\":\"Product ID EXPWY-VE-L, serial number SN2, "
            "hostname from the system\",\"result\":{\"product_id\":\"EXPWY-VE-L\",\"serial_number\":\"SN2\","
            "\"hostname\":\"\"}}\n");
}

TEST_F(SlagentInProcessTest, BadIdentityIsAUsageErrorAndWritesNothing) {
  CliResult r = Run({"identity", "--product-id", "EXPWY VE", "--serial", "SN1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "slagent: --product-id and --serial are required: 1-64 characters without spaces or quotes "
                   "(see 'slagent help')\n");
  EXPECT_EQ(test::DirectoryEntries(dir_.path()), std::set<std::string>{});
}

TEST_F(SlagentInProcessTest, StatusOnAStateDirectoryThatCannotBeReadExitsFive) {
  std::ofstream(dir_.File("state")) << "a file, not a directory";
  CliResult r = Run({"status"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err.rfind("slagent: cannot read the state directory '" + dir_.File("state") + "'", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(SlagentInProcessTest, EnabledDeviceShowsStatusEventsAndRunsOnce) {
  ASSERT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D"}).exit_code, 0);
  ASSERT_EQ(Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
  // Nowhere to reach: nothing in this test may talk to CSSM.
  ASSERT_EQ(Run({"transport", "direct", "--url", "https://127.0.0.1:9/licservice", "--connect-timeout", "1"}).exit_code, 0);
  CliResult enable = Run({"enable"});
  ASSERT_EQ(enable.exit_code, 0) << enable.err;
  EXPECT_EQ(enable.out.rfind("Smart licensing mode: On. Evaluation period remaining: ", 0), 0u) << enable.out;

  CliResult status = Run({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  Result<rapidjson::Document> doc = ParseJson(status.out);
  ASSERT_TRUE(doc.ok()) << status.out;
  EXPECT_STREQ((*doc)["mode"].GetString(), "smart");
  EXPECT_STREQ((*doc)["authorization_status"].GetString(), "Evaluation Mode");

  CliResult events = Run({"events", "--json", "--limit", "1"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  Result<rapidjson::Document> list = ParseJson(events.out);
  ASSERT_TRUE(list.ok()) << events.out;
  EXPECT_EQ((*list)["schema"].GetInt64(), 1);
  ASSERT_TRUE((*list)["events"].IsArray());
  ASSERT_EQ((*list)["events"].Size(), 1u);
  EXPECT_STREQ((*list)["events"][0]["type"].GetString(), "authorization_status_changed") << "a stable identifier";
  CliResult text = Run({"events"});
  EXPECT_NE(text.out.find("  mode changed  Licensing mode is now Smart Licensing.\n"), std::string::npos) << text.out;

  CliResult once = Run({"run", "--once"});
  EXPECT_EQ(once.exit_code, 0) << once.err;
  EXPECT_EQ(once.out.rfind("Registration status: Unregistered. License authorization status: Evaluation Mode.", 0), 0u)
      << once.out;
}

TEST_F(SlagentInProcessTest, FactoryResetWantsConfirmation) {
  CliResult r = Run({"factory-reset"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("add --yes to confirm"), std::string::npos) << r.err;
}

TEST(EventLogTest, KeepsTheNewerHalfPastItsBound) {
  test::TempDir dir;
  EventLog log = EventLog::InStateDirectory(dir.path());
  for (size_t i = 0; i <= kMaxEventLogLines; ++i) {
    Event event;
    event.time = 1700000000 + static_cast<int64_t>(i);
    event.type = EventType::kModeChanged;
    event.message = "event " + std::to_string(i);
    log.Append(event);
  }
  Result<std::vector<std::string>> lines = log.LastLines(kMaxEventLogLines);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  ASSERT_EQ(lines->size(), kMaxEventLogLines / 2);
  std::optional<std::string> last = DescribeEventLine(lines->back());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, "2023-11-14T22:30:00Z  mode changed  event 1000");
  EXPECT_EQ(DescribeEventLine("{\"time\":\"cut sh"), std::nullopt);
  EXPECT_TRUE(log.Erase().ok());
  EXPECT_TRUE(log.LastLines(10)->empty());
}

}  // namespace
}  // namespace sl::cli
