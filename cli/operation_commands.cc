#include "cli/operation_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/private_files.h"
#include "base/secrets.h"
#include "cli/event_log.h"
#include "cli/status_output.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/state_store.h"

namespace sl::cli {

namespace {

// How many events `slagent events` shows without --limit.
constexpr int64_t kDefaultEventLimit = 50;

// Checked before the agent is opened: with no state file the agent shows a new
// device, and a state directory it cannot read must not pass for one (exit 5). One
// that does not exist yet is a new device's.
Status CheckStateDirReadable(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0 && errno == ENOENT) return Status::Ok();
  if (!S_ISDIR(st.st_mode) || access(path.c_str(), R_OK | X_OK) != 0) {
    return DataLoss("cannot read the state directory '" + path + "'" +
                    (errno != 0 ? std::string(": ") + std::strerror(errno) : ""));
  }
  return CheckPrivateDirectory(path, "the state directory");
}

// What a device needs before the agent can open: the identity and the trust anchor.
std::vector<SetupStep> MissingSetup(const StateDir& dir) {
  std::vector<SetupStep> steps;
  Result<DeviceIdentityConfig> id = dir.LoadIdentity();
  if (!id.ok() && id.status().code() == StatusCode::kFailedPrecondition) {
    steps.push_back({"identity", "slagent identity --product-id ID --serial SN"});
  }
  Result<std::string> anchor = dir.LoadTrustAnchor();
  if (!anchor.ok() && anchor.status().code() == StatusCode::kFailedPrecondition) {
    steps.push_back({"trust_anchor", "slagent trust-anchor FILE"});
  }
  return steps;
}

// The status of a device nobody has configured: PAK, as it left the factory.
AgentStatus NewDeviceStatus() {
  AgentStatus s;
  s.mode = LicensingMode::kPak;
  s.registration_status = terms::kUnregistered;
  s.authorization_status = terms::kNotApplicable;
  return s;
}

}  // namespace

int ShowStatus(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  if (Status s = CheckStateDirReadable(ctx.state_dir_path()); !s.ok()) return out.Fail(s);
  std::vector<SetupStep> setup = MissingSetup(ctx.UnlockedStateDir());
  AgentStatus status = NewDeviceStatus();
  struct stat st{};
  if (setup.empty() || stat(ctx.UnlockedStateDir().StatePath().c_str(), &st) == 0) {
    // Configured, or a device with a state whose configuration was removed since: the
    // agent says what it has, or why it cannot open.
    Result<std::unique_ptr<Agent>> agent = ctx.OpenReadOnlyAgent();
    if (!agent.ok()) return out.Fail(agent.status());
    status = (*agent)->GetStatus();
  }
  JsonWriter w;
  StartData(w);
  if (out.json()) WriteStatusJson(w, status, setup);
  return out.Data(w, FormatStatusText(status, setup));
}

int WriteBackup(CommandContext& ctx) {
  Output& out = ctx.output();
  const Invocation& inv = ctx.invocation();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage("'backup' needs FILE");
  const bool plaintext = inv.HasSwitch("--plaintext-keys");
  if (plaintext == inv.Has("--passphrase-file")) {
    return out.Usage("'backup' needs --passphrase-file FILE (an encrypted backup), or --plaintext-keys for one "
                     "that holds the device key in clear");
  }
  std::string passphrase;
  if (!plaintext) {
    Result<std::string> read = ReadPassphraseFile(inv.Get("--passphrase-file"));
    if (!read.ok()) return out.Fail(read.status());
    passphrase = std::move(read).value();
  }
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  Result<std::string> backup = plaintext ? (*agent)->PlaintextBackup() : (*agent)->Backup(passphrase);
  WipeSecret(passphrase);
  if (!backup.ok()) return out.Fail(backup.status());
  // Never over an existing file unless asked: it may be the only copy of another state.
  // Either way the file is created with mode 0600 and appears complete or not at all.
  const std::string& file = ctx.word(1);
  Status written = inv.HasSwitch("--force") ? WriteFileAtomically(file, *backup) : CreateFileAtomically(file, *backup);
  if (plaintext) WipeSecret(*backup);
  if (written.code() == StatusCode::kAlreadyExists) {
    return out.Fail(AlreadyExists("'" + file + "' exists: choose another file, or add --force to replace it"));
  }
  if (!written.ok()) return out.Fail(written);
  JsonWriter json;
  json.StartObject().Field("file", file).Field("encrypted", !plaintext).EndObject();
  if (plaintext) {
    return out.Done("Backup written to " + file +
                        ". Warning: it is NOT encrypted: it holds the device's private key, any pending "
                        "registration token and the proxy password in clear; whoever reads it can clone "
                        "this device",
                    json.str());
  }
  return out.Done("Encrypted backup written to " + file + " (restore it with its passphrase)", json.str());
}

int RestoreBackup(CommandContext& ctx) {
  Output& out = ctx.output();
  const Invocation& inv = ctx.invocation();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage("'restore' needs FILE");
  Result<std::string> backup = ReadOperatorFile(ctx.word(1), kMaxBackupBytes, "backup");
  if (!backup.ok()) return out.Fail(backup.status());
  std::string passphrase;
  const bool have_passphrase = inv.Has("--passphrase-file");
  if (have_passphrase) {
    Result<std::string> read = ReadPassphraseFile(inv.Get("--passphrase-file"));
    if (!read.ok()) return out.Fail(read.status());
    passphrase = std::move(read).value();
  }
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  Status restored = (*agent)->Restore(*backup, passphrase);
  WipeSecret(passphrase);
  WipeSecret(*backup);
  if (!restored.ok() && restored.code() == StatusCode::kInvalidArgument && !have_passphrase) {
    return out.Usage("'" + ctx.word(1) + "' is an encrypted backup: give its passphrase with --passphrase-file FILE");
  }
  if (!restored.ok()) return out.Fail(restored);
  AgentStatus status = (*agent)->GetStatus();
  return out.Done("Restored. Registration status: " + status.registration_status, LicensingResultJson(status));
}

int ShowEvents(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  int64_t limit = kDefaultEventLimit;
  if (ctx.invocation().Has("--limit")) {
    Result<int64_t> n =
        ParseInteger(ctx.invocation().Get("--limit"), 1, static_cast<int64_t>(kMaxEventLogLines), "--limit");
    if (!n.ok()) return out.Usage(n.status().message());
    limit = *n;
  }
  Result<std::vector<std::string>> lines = ctx.UnlockedStateDir().event_log().LastLines(static_cast<size_t>(limit));
  if (!lines.ok()) return out.Fail(lines.status());
  JsonWriter w;
  StartData(w);
  w.Key("events").StartArray();
  std::string text;
  for (const std::string& line : *lines) {
    std::optional<std::string> described = DescribeEventLine(line);
    if (!described) continue;  // cut short by a power loss
    text += *described + "\n";
    if (out.json()) w.Raw(line);  // the log's lines are JSON objects already
  }
  w.EndArray();
  return out.Data(w, text);
}

int ShowVersion(CommandContext& ctx) {
  // Ignores anything after it, as slagent always has (so does `help`).
  return ShowVersion(ctx.output());
}

int ShowVersion(Output& output) {
  JsonWriter json;
  json.StartObject().Field("version", SL_VERSION).Field("protocol", 1).Field("json_schema", kJsonSchema).EndObject();
  return output.Done(std::string("slagent ") + SL_VERSION + " (licensing protocol 1)", json.str());
}

}  // namespace sl::cli
