#include "cli/commands.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/iso8601.h"
#include "base/json.h"
#include "base/text.h"
#include "cli/exit_codes.h"
#include "cli/state_dir.h"
#include "cli/status_output.h"
#include "protocol/crypto.h"

namespace sl::cli {

namespace {

constexpr const char* kUsage = R"(usage: slagent [--state-dir DIR] [--key-dir DIR] [--json] COMMAND [ARGS]

Configuration
  identity --product-id ID --serial SN [--hostname NAME]   set the device identity (UDI)
  identity                                                  show it
  trust-anchor FILE            the CSSM signing certificate responses must verify against
  transport direct [--url URL]                 Direct to CSSM (default URL: Cisco's)
  transport onprem --url https://HOST[:PORT]/SmartTransport
  transport proxy --address HOST --port PORT [--username USER --password-file FILE] [--url URL]
      every transport command also takes --ca-bundle FILE, --connect-timeout S, --timeout S
  privacy on|off               do not share my hostname or IP address with Cisco

Licensing
  enable                       Smart licensing mode On (starts the 90-day evaluation)
  register (--token TOKEN | --token-file FILE) [--reregister]
  renew auth                   renew authorization now
  renew id                     renew registration (ID certificate) now
  deregister                   release the licenses and forget the registration
  usage set TAG COUNT          set the current usage of a license type (0 removes it)
  usage update                 report the usage now
  factory-reset --yes          erase all licensing state and keys (back to PAK)

Operation
  status                       show the licensing status (never touches the network)
  run [--once]                 the daemon: perform renewals and retries when due
  backup FILE | restore FILE   save or restore the licensing state
  events [--limit N]           the history of operations and results

Global options
  --state-dir DIR   state directory (default $SLAGENT_STATE_DIR or /var/lib/slagent)
  --key-dir DIR     device secret directory (default $SLAGENT_KEY_DIR, /etc/slagent for the
                    default state directory, else DIR.keys next to the state directory)
  --json            machine-readable output

Exit codes: 0 success, 1 internal error, 2 usage error, 3 refused by CSSM,
4 communication failure (retry scheduled), 5 local state problem, 6 not allowed now.
)";

const std::set<std::string> kValueOptions = {
    "--state-dir", "--key-dir", "--token",     "--token-file", "--url",      "--address",
    "--port",      "--username", "--password-file", "--ca-bundle", "--product-id", "--serial",
    "--hostname",  "--connect-timeout", "--timeout", "--limit"};
const std::set<std::string> kSwitches = {"--json", "--reregister", "--once", "--yes", "--help"};

struct Invocation {
  std::vector<std::string> words;
  std::map<std::string, std::string> options;
  std::set<std::string> switches;
  bool json = false;

  bool Has(const std::string& option) const { return options.count(option) != 0; }
  std::string Get(const std::string& option) const {
    auto it = options.find(option);
    return it == options.end() ? "" : it->second;
  }
};

// One line, whatever the message holds.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

class Output {
 public:
  explicit Output(bool json) : json_(json) {}

  int Fail(const Status& s) {
    int code = ExitCodeFor(s);
    if (json_) {
      JsonWriter w;
      w.StartObject().Field("ok", false).Field("exit_code", code);
      w.Key("error").StartObject().Field("code", StatusCodeSlug(s.code())).Field("message", OneLine(s.message())).EndObject();
      w.EndObject();
      std::cout << w.str() << std::endl;
    } else {
      std::cerr << "slagent: " << OneLine(s.message()) << std::endl;
    }
    return code;
  }
  int Usage(const std::string& message) { return Fail(InvalidArgument(message + " (see 'slagent help')")); }
  int Done(const std::string& message, int code = kExitOk) {
    if (json_) {
      JsonWriter w;
      w.StartObject().Field("ok", code == kExitOk).Field("exit_code", code).Field("message", OneLine(message)).EndObject();
      std::cout << w.str() << std::endl;
    } else {
      std::cout << message << std::endl;
    }
    return code;
  }
  bool json() const { return json_; }

 private:
  bool json_;
};

Result<Invocation> Parse(int argc, char** argv) {
  Invocation inv;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      std::string value;
      size_t eq = arg.find('=');
      bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
      if (kSwitches.count(arg) != 0 && !inline_value) {
        inv.switches.insert(arg);
      } else if (kValueOptions.count(arg) != 0) {
        if (!inline_value) {
          if (i + 1 >= argc) return InvalidArgument("option " + arg + " needs a value");
          value = argv[++i];
        }
        inv.options[arg] = value;
      } else {
        return InvalidArgument("unknown option " + arg);
      }
    } else {
      inv.words.push_back(arg);
    }
  }
  inv.json = inv.switches.count("--json") != 0;
  return inv;
}

Result<int64_t> ParseInteger(const std::string& text, int64_t min, int64_t max, const std::string& what) {
  std::optional<int64_t> n = ParseDecimal(text, min, max);
  if (!n) {
    return InvalidArgument(what + " must be a whole number between " + std::to_string(min) + " and " +
                           std::to_string(max) + ", not '" + text + "'");
  }
  return *n;
}

// A file the operator named on the command line: any problem reading it is a usage error.
Result<std::string> ReadUserFile(const std::string& path, size_t max_bytes, const std::string& what) {
  Result<std::string> data = ReadFileCapped(path, max_bytes);
  if (!data.ok()) return InvalidArgument("the " + what + " file: " + data.status().message());
  return data;
}

// The first line of a secret file, without its line ending.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  Result<std::string> data = ReadUserFile(path, 4096, what);
  if (!data.ok()) return data.status();
  std::string line = data->substr(0, data->find_first_of("\r\n"));
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.empty()) return InvalidArgument("the " + what + " file '" + path + "' is empty");
  return line;
}

// Checks that the command got exactly the words it takes and only the options it knows.
Status Expect(const Invocation& inv, size_t words, const std::set<std::string>& allowed) {
  if (inv.words.size() < words) return InvalidArgument("'" + inv.words[0] + "' is missing an argument");
  if (inv.words.size() > words) return InvalidArgument("unexpected argument '" + inv.words[words] + "'");
  for (const auto& [option, value] : inv.options) {
    if (option == "--state-dir" || option == "--key-dir") continue;
    if (allowed.count(option) == 0) return InvalidArgument("option " + option + " does not apply here");
  }
  for (const std::string& s : inv.switches) {
    if (s == "--json") continue;
    if (allowed.count(s) == 0) return InvalidArgument("option " + s + " does not apply here");
  }
  return Status::Ok();
}

class Cli {
 public:
  explicit Cli(Invocation inv) : inv_(std::move(inv)), out_(inv_.json) {
    std::string dir = inv_.Get("--state-dir");
    if (dir.empty() && getenv("SLAGENT_STATE_DIR") != nullptr) dir = getenv("SLAGENT_STATE_DIR");
    if (dir.empty()) dir = kDefaultStateDir;
    std::string key_dir = inv_.Get("--key-dir");
    if (key_dir.empty() && getenv("SLAGENT_KEY_DIR") != nullptr) key_dir = getenv("SLAGENT_KEY_DIR");
    state_dir_ = dir;
    key_dir_ = key_dir;
  }

  int Run() {
    if (inv_.words.empty() || inv_.switches.count("--help") != 0 || inv_.words[0] == "help") {
      std::cout << kUsage;
      return inv_.words.empty() && inv_.switches.count("--help") == 0 ? kExitUsage : kExitOk;
    }
    const std::string& command = inv_.words[0];
    if (command == "version") return out_.Done("slagent 0.1.0 (licensing protocol 1)");
    if (command == "status") return Status_();
    if (command == "identity") return Identity();
    if (command == "trust-anchor") return TrustAnchor();
    if (command == "transport") return Transport_();
    if (command == "privacy") return Privacy();
    if (command == "enable") return Enable();
    if (command == "register") return Register();
    if (command == "renew") return Renew();
    if (command == "deregister") return Deregister();
    if (command == "usage") return Usage();
    if (command == "factory-reset") return FactoryReset();
    if (command == "run") return RunDaemon();
    if (command == "backup") return Backup();
    if (command == "restore") return Restore();
    if (command == "events") return Events();
    return out_.Usage("unknown command '" + command + "'");
  }

 private:
  // Opens the agent under the state directory's lock (released when Cli ends).
  Result<std::unique_ptr<Agent>> OpenLocked() {
    dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
    SL_RETURN_IF_ERROR(dir_->Prepare(/*lock=*/true));
    return dir_->OpenAgent(/*read_only=*/false);
  }

  int Status_() {
    if (Status s = Expect(inv_, 1, {}); !s.ok()) return out_.Usage(s.message());
    dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
    struct stat st{};
    if (stat(state_dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || access(state_dir_.c_str(), R_OK | X_OK) != 0) {
      return out_.Fail(DataLoss("cannot read the state directory '" + state_dir_ + "'" +
                                (errno != 0 ? std::string(": ") + std::strerror(errno) : "")));
    }
    Result<std::unique_ptr<Agent>> agent = dir_->OpenAgent(/*read_only=*/true);
    if (!agent.ok()) return out_.Fail(agent.status());
    AgentStatus status = (*agent)->GetStatus();
    std::cout << (inv_.json ? FormatStatusJson(status) + "\n" : FormatStatusText(status));
    return kExitOk;
  }

  int Identity() {
    if (inv_.Has("--product-id") || inv_.Has("--serial") || inv_.Has("--hostname")) {
      if (Status s = Expect(inv_, 1, {"--product-id", "--serial", "--hostname"}); !s.ok()) return out_.Usage(s.message());
      DeviceIdentityConfig id{inv_.Get("--product-id"), inv_.Get("--serial"), inv_.Get("--hostname")};
      for (const std::string* part : {&id.product_id, &id.serial_number}) {
        if (part->empty() || part->size() > 64 || part->find_first_of(" \t\n\"\\") != std::string::npos) {
          return out_.Usage("--product-id and --serial are required: 1-64 characters without spaces or quotes");
        }
      }
      if (id.hostname.size() > 253 || id.hostname.find_first_of(" \t\n\"\\") != std::string::npos) {
        return out_.Usage("--hostname must be a host name");
      }
      dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
      if (Status s = dir_->Prepare(true); !s.ok()) return out_.Fail(s);
      if (Status s = dir_->SaveIdentity(id); !s.ok()) return out_.Fail(s);
      return out_.Done("Device identity: product ID " + id.product_id + ", serial number " + id.serial_number +
                       (id.hostname.empty() ? ", hostname from the system" : ", hostname " + id.hostname));
    }
    if (Status s = Expect(inv_, 1, {}); !s.ok()) return out_.Usage(s.message());
    StateDir dir(state_dir_, key_dir_);
    Result<DeviceIdentityConfig> id = dir.LoadIdentity();
    if (!id.ok()) return out_.Fail(id.status());
    return out_.Done("Product ID " + id->product_id + ", serial number " + id->serial_number +
                     (id->hostname.empty() ? ", hostname from the system" : ", hostname " + id->hostname));
  }

  int TrustAnchor() {
    if (Status s = Expect(inv_, 2, {}); !s.ok()) return out_.Usage(s.message());
    Result<std::string> pem = ReadUserFile(inv_.words[1], 16 * 1024, "certificate");
    if (!pem.ok()) return out_.Fail(pem.status());
    Result<Certificate> cert = Certificate::FromPem(*pem);
    if (!cert.ok()) return out_.Usage("'" + inv_.words[1] + "' is not a PEM certificate");
    dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
    if (Status s = dir_->Prepare(true); !s.ok()) return out_.Fail(s);
    if (Status s = dir_->SaveTrustAnchor(*pem); !s.ok()) return out_.Fail(s);
    return out_.Done("CSSM trust anchor: " + cert->SubjectCommonName() + " (valid until " +
                     FormatIso8601(cert->NotAfter()) + ")");
  }

  int Transport_() {
    if (inv_.words.size() < 2) return out_.Usage("'transport' needs direct, onprem or proxy");
    const std::string& kind = inv_.words[1];
    std::set<std::string> allowed = {"--url", "--ca-bundle", "--connect-timeout", "--timeout"};
    if (kind == "proxy") allowed.insert({"--address", "--port", "--username", "--password-file"});
    if (kind != "direct" && kind != "onprem" && kind != "proxy") {
      return out_.Usage("'transport' needs direct, onprem or proxy, not '" + kind + "'");
    }
    if (Status s = Expect(inv_, 2, allowed); !s.ok()) return out_.Usage(s.message());

    TransportSettings settings;
    settings.mode = kind == "onprem" ? TransportMode::kOnPrem : TransportMode::kDirect;
    settings.url = inv_.Get("--url");
    if (kind == "onprem" && settings.url.empty()) {
      return out_.Usage("'transport onprem' needs --url https://<host>[:port]/SmartTransport");
    }
    settings.ca_bundle_path = inv_.Get("--ca-bundle");
    if (!settings.ca_bundle_path.empty()) {
      // Checked now, so that a typo is an error here rather than a failed renewal later.
      Result<std::string> bundle = ReadUserFile(settings.ca_bundle_path, 4 * 1024 * 1024, "CA bundle");
      if (!bundle.ok()) return out_.Fail(bundle.status());
    }
    if (inv_.Has("--connect-timeout")) {
      Result<int64_t> t = ParseInteger(inv_.Get("--connect-timeout"), 1, 600, "--connect-timeout");
      if (!t.ok()) return out_.Usage(t.status().message());
      settings.connect_timeout_seconds = *t;
    }
    if (inv_.Has("--timeout")) {
      Result<int64_t> t = ParseInteger(inv_.Get("--timeout"), 1, 3600, "--timeout");
      if (!t.ok()) return out_.Usage(t.status().message());
      settings.total_timeout_seconds = *t;
    }
    if (kind == "proxy") {
      if (!inv_.Has("--address") || !inv_.Has("--port")) return out_.Usage("'transport proxy' needs --address and --port");
      Result<int64_t> port = ParseInteger(inv_.Get("--port"), 1, 65535, "--port");
      if (!port.ok()) return out_.Usage(port.status().message());
      ProxySettings proxy{inv_.Get("--address"), static_cast<int>(*port), inv_.Get("--username"), ""};
      if (inv_.Has("--password-file")) {
        if (proxy.username.empty()) return out_.Usage("--password-file needs --username");
        Result<std::string> password = ReadSecretFile(inv_.Get("--password-file"), "password");
        if (!password.ok()) return out_.Fail(password.status());
        proxy.password = *password;
      }
      settings.proxy = proxy;
    }
    if (Status s = ValidateTransportSettings(settings); !s.ok()) return out_.Fail(s);
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    if (Status s = (*agent)->SetTransportSettings(settings); !s.ok()) return out_.Fail(s);
    return out_.Done("Transport settings: " + DescribeTransport(settings, !settings.proxy || !settings.proxy->password.empty()));
  }

  int Privacy() {
    if (Status s = Expect(inv_, 2, {}); !s.ok()) return out_.Usage("'privacy' needs on or off");
    const std::string& value = inv_.words[1];
    if (value != "on" && value != "off") return out_.Usage("'privacy' needs on or off, not '" + value + "'");
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    if (Status s = (*agent)->SetPrivacy(value == "on"); !s.ok()) return out_.Fail(s);
    return out_.Done(value == "on" ? "Hostname and IP address are no longer shared with Cisco"
                                   : "Hostname is shared with Cisco again");
  }

  int Enable() {
    if (Status s = Expect(inv_, 1, {}); !s.ok()) return out_.Usage(s.message());
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    if (Status s = (*agent)->Enable(); !s.ok()) return out_.Fail(s);
    AgentStatus status = (*agent)->GetStatus();
    std::string remaining = status.evaluation_remaining_seconds ? FormatDuration(*status.evaluation_remaining_seconds) : "none";
    return out_.Done("Smart licensing mode: On. Evaluation period remaining: " + remaining);
  }

  int Register() {
    if (Status s = Expect(inv_, 1, {"--token", "--token-file", "--reregister"}); !s.ok()) return out_.Usage(s.message());
    std::string token;
    if (inv_.Has("--token") == inv_.Has("--token-file")) return out_.Usage("'register' needs --token TOKEN or --token-file FILE");
    if (inv_.Has("--token")) {
      token = inv_.Get("--token");
    } else {
      Result<std::string> t = ReadSecretFile(inv_.Get("--token-file"), "token");
      if (!t.ok()) return out_.Fail(t.status());
      token = *t;
    }
    if (token.empty()) return out_.Usage("the token is empty");
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    Status s = (*agent)->Register(token, inv_.switches.count("--reregister") != 0);
    if (!s.ok()) return out_.Fail(s);
    AgentStatus status = (*agent)->GetStatus();
    return out_.Done("Registration status: " + status.registration_status + " (Smart account " + status.smart_account +
                     ", virtual account " + status.virtual_account + "). License authorization status: " +
                     status.authorization_status);
  }

  int Renew() {
    if (Status s = Expect(inv_, 2, {}); !s.ok()) return out_.Usage("'renew' needs auth or id");
    const std::string& what = inv_.words[1];
    if (what != "auth" && what != "id") return out_.Usage("'renew' needs auth or id, not '" + what + "'");
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    Status s = what == "auth" ? (*agent)->RenewAuthorization() : (*agent)->RenewRegistration();
    if (!s.ok()) return out_.Fail(s);
    AgentStatus status = (*agent)->GetStatus();
    if (what == "auth") return out_.Done("License authorization status: " + status.authorization_status);
    return out_.Done("Registration renewed; it expires " +
                     (status.registration_expires ? FormatIso8601(*status.registration_expires) : std::string("-")));
  }

  int Deregister() {
    if (Status s = Expect(inv_, 1, {}); !s.ok()) return out_.Usage(s.message());
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    Result<sl::Deregistration> result = (*agent)->Deregister();
    if (!result.ok()) return out_.Fail(result.status());
    return out_.Done(result->message, result->released_on_server ? kExitOk : kExitCommunication);
  }

  int Usage() {
    if (inv_.words.size() >= 2 && inv_.words[1] == "set") {
      if (Status s = Expect(inv_, 4, {}); !s.ok()) return out_.Usage("'usage set' needs TAG COUNT");
      if (!IsValidLicenseTag(inv_.words[2])) return out_.Usage("license tag must be 1-128 letters, digits or . _ - :");
      Result<int64_t> count = ParseInteger(inv_.words[3], 0, kMaxLicenseCount, "COUNT");
      if (!count.ok()) return out_.Usage(count.status().message());
      Result<std::unique_ptr<Agent>> agent = OpenLocked();
      if (!agent.ok()) return out_.Fail(agent.status());
      if (Status s = (*agent)->SetUsage(inv_.words[2], *count); !s.ok()) return out_.Fail(s);
      if (Status s = (*agent)->SaveUsage(); !s.ok()) return out_.Fail(s);
      return out_.Done("Current usage of " + inv_.words[2] + ": " + std::to_string(*count) +
                       " (reported with the next authorization or usage update)");
    }
    if (inv_.words.size() >= 2 && inv_.words[1] == "update") {
      if (Status s = Expect(inv_, 2, {}); !s.ok()) return out_.Usage(s.message());
      Result<std::unique_ptr<Agent>> agent = OpenLocked();
      if (!agent.ok()) return out_.Fail(agent.status());
      if (Status s = (*agent)->UpdateUsage(); !s.ok()) return out_.Fail(s);
      AgentStatus status = (*agent)->GetStatus();
      return out_.Done("Usage updated. License authorization status: " + status.authorization_status);
    }
    return out_.Usage("'usage' needs 'set TAG COUNT' or 'update'");
  }

  int FactoryReset() {
    if (Status s = Expect(inv_, 1, {"--yes"}); !s.ok()) return out_.Usage(s.message());
    if (inv_.switches.count("--yes") == 0) {
      return out_.Usage("factory-reset erases the licensing state, keys and registration; add --yes to confirm");
    }
    dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
    if (Status s = dir_->Prepare(true); !s.ok()) return out_.Fail(s);
    if (Status s = dir_->FactoryReset(); !s.ok()) return out_.Fail(s);
    return out_.Done("Factory reset: licensing state erased; Smart licensing mode: Off (PAK)");
  }

  int Backup() {
    if (Status s = Expect(inv_, 2, {}); !s.ok()) return out_.Usage("'backup' needs FILE");
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    Result<std::string> backup = (*agent)->Backup();
    if (!backup.ok()) return out_.Fail(backup.status());
    if (Status s = WriteFileAtomically(inv_.words[1], *backup); !s.ok()) return out_.Fail(s);
    return out_.Done("Backup written to " + inv_.words[1] + " (it holds the device key: keep it safe)");
  }

  int Restore() {
    if (Status s = Expect(inv_, 2, {}); !s.ok()) return out_.Usage("'restore' needs FILE");
    Result<std::string> backup = ReadUserFile(inv_.words[1], kMaxStateBytes, "backup");
    if (!backup.ok()) return out_.Fail(backup.status());
    Result<std::unique_ptr<Agent>> agent = OpenLocked();
    if (!agent.ok()) return out_.Fail(agent.status());
    if (Status s = (*agent)->Restore(*backup); !s.ok()) return out_.Fail(s);
    AgentStatus status = (*agent)->GetStatus();
    return out_.Done("Restored. Registration status: " + status.registration_status);
  }

  int Events() {
    if (Status s = Expect(inv_, 1, {"--limit"}); !s.ok()) return out_.Usage(s.message());
    int64_t limit = 50;
    if (inv_.Has("--limit")) {
      Result<int64_t> n = ParseInteger(inv_.Get("--limit"), 1, static_cast<int64_t>(kMaxEventLogLines), "--limit");
      if (!n.ok()) return out_.Usage(n.status().message());
      limit = *n;
    }
    StateDir dir(state_dir_, key_dir_);
    Result<std::string> log = ReadFileCapped(dir.EventsPath(), 16 * 1024 * 1024);
    if (!log.ok() && log.status().code() != StatusCode::kNotFound) return out_.Fail(DataLoss(log.status().message()));
    std::vector<std::string> lines;
    std::istringstream in(log.ok() ? *log : "");
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    size_t start = lines.size() > static_cast<size_t>(limit) ? lines.size() - static_cast<size_t>(limit) : 0;
    if (inv_.json) {
      std::cout << "[";
      for (size_t i = start; i < lines.size(); ++i) std::cout << (i > start ? "," : "") << lines[i];
      std::cout << "]\n";
      return kExitOk;
    }
    for (size_t i = start; i < lines.size(); ++i) {
      Result<rapidjson::Document> doc = ParseJson(lines[i]);
      if (!doc.ok()) continue;
      JsonReader r(*doc, "event");
      std::cout << r.String("time", 32) << "  " << r.String("type", 64) << "  " << r.String("message", 4096) << "\n";
    }
    return kExitOk;
  }

  int RunDaemon();

  Invocation inv_;
  Output out_;
  std::string state_dir_;
  std::string key_dir_;
  std::unique_ptr<StateDir> dir_;
};

// When the state file last changed: other slagent commands wake the daemon this way.
std::string StateStamp(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

int Cli::RunDaemon() {
  if (Status s = Expect(inv_, 1, {"--once"}); !s.ok()) return out_.Usage(s.message());
  bool once = inv_.switches.count("--once") != 0;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  if (!once) sigprocmask(SIG_BLOCK, &signals, nullptr);

  SystemTimeSource clock;
  const std::string state_path = StateDir(state_dir_, key_dir_).StatePath();
  for (;;) {
    std::optional<UnixSeconds> deadline;
    std::string stamp;
    Status result;
    {
      Result<std::unique_ptr<Agent>> agent = OpenLocked();
      if (!agent.ok()) return out_.Fail(agent.status());
      std::optional<UnixSeconds> attempted_before = (*agent)->GetStatus().last_communication_attempt;
      result = (*agent)->RunDue();
      deadline = (*agent)->NextDeadline();
      if (once) {
        if (!result.ok()) return out_.Fail(result);
        AgentStatus status = (*agent)->GetStatus();
        // The agent has scheduled the retry; the caller still hears that this
        // attempt failed.
        if (status.last_communication_attempt != attempted_before && !status.last_error.empty()) {
          return out_.Fail(Unavailable(status.last_error + " Next communication attempt: " +
                                       (deadline ? FormatIso8601(*deadline) : std::string("none"))));
        }
        return out_.Done("Registration status: " + status.registration_status + ". License authorization status: " +
                         status.authorization_status + ". Next communication attempt: " +
                         (deadline ? FormatIso8601(*deadline) : std::string("none")));
      }
      stamp = StateStamp(state_path);
      dir_.reset();  // releases the lock while the daemon sleeps
    }
    if (!result.ok()) std::cerr << "slagent run: " << OneLine(result.message()) << std::endl;

    // Sleep until the deadline, at most an hour, measured on the steady clock so
    // that setting the wall clock back cannot stretch the sleep; wake early when
    // another command changes the state or a signal arrives.
    int64_t nap = deadline ? std::clamp<int64_t>(*deadline - clock.Now(), 0, kHour) : kHour;
    auto wake = std::chrono::steady_clock::now() + std::chrono::seconds(nap);
    while (std::chrono::steady_clock::now() < wake) {
      timespec step{2, 0};
      int sig = sigtimedwait(&signals, nullptr, &step);
      if (sig == SIGTERM || sig == SIGINT) {
        std::cerr << "slagent run: stopped" << std::endl;
        return kExitOk;
      }
      if (sig == SIGHUP) break;
      if (StateStamp(state_path) != stamp) break;
    }
  }
}

}  // namespace

int Main(int argc, char** argv) {
  Result<Invocation> inv = Parse(argc, argv);
  if (!inv.ok()) {
    bool json = false;
    for (int i = 1; i < argc; ++i) json = json || std::string(argv[i]) == "--json";
    return Output(json).Usage(inv.status().message());
  }
  return Cli(std::move(inv).value()).Run();
}

}  // namespace sl::cli
