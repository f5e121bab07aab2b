#include "cli/command_table.h"

#include "cli/command_context.h"
#include "cli/configuration_commands.h"
#include "cli/daemon.h"
#include "cli/licensing_commands.h"
#include "cli/operation_commands.h"

namespace sl::cli {

namespace {

constexpr const char* kSynopsis =
    "Usage: slagent [--state-dir DIR] [--key-dir DIR] [--json] COMMAND [ARGS]\n";

constexpr const char* kGlobalOptionsAndExitCodes = R"(Global options:
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

int ShowUsage(CommandContext& context) {
  // Ignores anything after it, as slagent always has.
  context.output().out() << UsageText();
  return kExitOk;
}

std::vector<Command> MakeCommandTable() {
  using S = UsageSection;
  // clang-format off
  return {
    {"identity", S::kConfiguration, {"--product-id", "--serial", "--hostname"}, {},
     {"identity --product-id ID --serial SN [--hostname NAME]  set the device identity (UDI)",
      "identity                     show the device identity"},
     SetOrShowIdentity},
    {"trust-anchor", S::kConfiguration, {}, {},
     {"trust-anchor FILE            the CSSM signing certificate responses must verify against"},
     SetTrustAnchor},
    {"transport", S::kConfiguration,
     {"--url", "--ca-bundle", "--connect-timeout", "--timeout", "--address", "--port", "--username",
      "--password-file"}, {},
     {"transport direct [--url URL]  Direct to CSSM (default URL: Cisco's)",
      "transport onprem --url https://HOST[:PORT]/SmartTransport  Smart Software Manager On-Prem",
      "transport proxy --address HOST --port PORT [--username USER --password-file FILE]  through a proxy",
      "    each also takes --url URL, --ca-bundle FILE (copied), --connect-timeout S, --timeout S;",
      "    options not given keep their values (--url default, --ca-bundle system: the defaults)"},
     SetTransport},
    {"privacy", S::kConfiguration, {}, {},
     {"privacy on|off               do not share my hostname or IP address with Cisco"},
     SetPrivacy},

    {"enable", S::kLicensing, {}, {},
     {"enable                       Smart licensing mode On (starts the 90-day evaluation)"},
     EnableSmartLicensing},
    {"register", S::kLicensing, {"--token", "--token-file"}, {"--reregister"},
     {"register (--token TOKEN | --token-file FILE) [--reregister]  register (FILE -: standard input)"},
     RegisterWithToken},
    {"renew", S::kLicensing, {}, {},
     {"renew auth                   renew authorization now",
      "renew id                     renew registration (ID certificate) now"},
     RenewNow},
    {"deregister", S::kLicensing, {}, {},
     {"deregister                   release the licenses and forget the registration"},
     Deregister},
    {"usage", S::kLicensing, {}, {},
     {"usage set TAG COUNT          set the current usage of a license type (0 removes it)",
      "usage update                 report the usage now"},
     SetOrReportUsage},
    {"factory-reset", S::kLicensing, {}, {"--yes"},
     {"factory-reset --yes          erase all licensing state and keys (back to PAK)"},
     EraseLicensingState},

    {"status", S::kOperation, {}, {},
     {"status                       show the licensing status (never touches the network)"},
     ShowStatus},
    {"run", S::kOperation, {}, {"--once"},
     {"run [--once]                 the daemon: perform renewals and retries when due"},
     RunDaemon},
    {"backup", S::kOperation, {"--passphrase-file"}, {"--plaintext-keys", "--force"},
     {"backup FILE --passphrase-file PF [--force]  save the licensing state, encrypted (PF -: standard input)",
      "backup FILE --plaintext-keys [--force]  the same NOT encrypted: the device key in clear",
      "    --force: over an existing file"},
     WriteBackup},
    {"restore", S::kOperation, {"--passphrase-file"}, {},
     {"restore FILE [--passphrase-file PF]  restore the licensing state from a backup"},
     RestoreBackup},
    {"events", S::kOperation, {"--limit"}, {},
     {"events [--limit N]           the history of operations and results"},
     ShowEvents},

    {"version", S::kNotListed, {}, {}, {}, ShowVersion},
    {"help", S::kNotListed, {}, {}, {}, ShowUsage},
  };
  // clang-format on
}

const char* SectionTitle(UsageSection section) {
  switch (section) {
    case UsageSection::kConfiguration: return "Configuration";
    case UsageSection::kLicensing: return "Licensing";
    case UsageSection::kOperation: return "Operation";
    case UsageSection::kNotListed: break;
  }
  return "";
}

}  // namespace

std::set<std::string> Command::Accepted() const {
  std::set<std::string> accepted = value_options;
  accepted.insert(switches.begin(), switches.end());
  return accepted;
}

const std::vector<Command>& CommandTable() {
  static const std::vector<Command> kTable = MakeCommandTable();
  return kTable;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& command : CommandTable()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

OptionNames KnownOptions() {
  OptionNames known = GlobalOptions();
  for (const Command& command : CommandTable()) {
    known.value_options.insert(command.value_options.begin(), command.value_options.end());
    known.switches.insert(command.switches.begin(), command.switches.end());
  }
  return known;
}

std::string UsageText() {
  std::string text = kSynopsis;
  for (UsageSection section : {UsageSection::kConfiguration, UsageSection::kLicensing, UsageSection::kOperation}) {
    text += std::string("\n") + SectionTitle(section) + ":\n";
    for (const Command& command : CommandTable()) {
      if (command.section != section) continue;
      for (const std::string& line : command.usage_lines) text += "  " + line + "\n";
    }
  }
  return text + "\n" + kGlobalOptionsAndExitCodes;
}

std::string CommandUsageText(const Command& command) {
  std::string text = "Usage: slagent [--state-dir DIR] [--key-dir DIR] [--json] ...\n";
  for (const std::string& line : command.usage_lines) text += "  " + line + "\n";
  return text + "\nAll commands, global options and exit codes: slagent help\n";
}

}  // namespace sl::cli
