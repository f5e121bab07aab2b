#include "cli/licensing_commands.h"

#include <chrono>
#include <optional>
#include <string>

#include "base/iso8601.h"
#include "cli/pending_usage.h"
#include "cli/status_output.h"
#include "smartlicensing/licensing_terms.h"

namespace sl::cli {

namespace {

// --token, or the first line of --token-file (which keeps the token out of `ps`).
Result<std::string> TokenFrom(const Invocation& inv) {
  if (inv.Has("--token") == inv.Has("--token-file")) return UsageError("'register' needs --token TOKEN or --token-file FILE");
  std::string token;
  if (inv.Has("--token")) {
    token = inv.Get("--token");
  } else {
    Result<std::string> t = ReadSecretFile(inv.Get("--token-file"), "token");
    if (!t.ok()) return t.status();
    token = *t;
  }
  if (token.empty()) return UsageError("the token is empty");
  return token;
}

// A usage count as a --json result.
std::string UsageJson(const std::string& tag, int64_t count, bool queued) {
  JsonWriter w;
  w.StartObject().Field("tag", tag).Field("count", count).Field("queued", queued).EndObject();
  return w.str();
}

int SetUsage(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(4); !s.ok()) return out.Usage("'usage set' needs TAG COUNT");
  const std::string& tag = ctx.word(2);
  if (!IsValidLicenseTag(tag)) return out.Usage("license tag must be 1-128 letters, digits or . _ - :");
  Result<int64_t> count = ParseInteger(ctx.word(3), 0, kMaxLicenseCount, "COUNT");
  if (!count.ok()) return out.Usage(count.status().message());
  // Other local commands hold the lock for milliseconds; one that still holds it after
  // a second is waiting for the network, perhaps for as long as its timeout.
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent(std::chrono::seconds(1));
  if (!agent.ok() && agent.status().code() == StatusCode::kUnavailable) {
    if (Status s = PendingUsage(ctx.state_dir_path()).Queue(tag, *count); !s.ok()) return out.Fail(s);
    return out.Done("Current usage of " + tag + ": " + std::to_string(*count) +
                        " (queued while another slagent command runs; applied when it ends, and reported with the "
                        "next authorization or usage update)",
                    UsageJson(tag, *count, /*queued=*/true));
  }
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->SetUsage(tag, *count); !s.ok()) return out.Fail(s);
  if (Status s = (*agent)->SaveUsage(); !s.ok()) return out.Fail(s);
  return out.Done("Current usage of " + tag + ": " + std::to_string(*count) +
                      " (reported with the next authorization or usage update)",
                  UsageJson(tag, *count, /*queued=*/false));
}

int ReportUsage(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage(s.message());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if ((*agent)->GetStatus().registration_status != terms::kRegistered) {
    // The agent keeps the usage and reports it once registered; nothing was sent now.
    return out.Fail(FailedPrecondition("usage not reported: this product instance is not registered (" +
                                       (*agent)->GetStatus().authorization_status +
                                       "); it is reported with the first authorization after 'slagent register'"));
  }
  if (Status s = (*agent)->UpdateUsage(); !s.ok()) return out.FailOperation(s, **agent);
  AgentStatus status = (*agent)->GetStatus();
  return out.Done("Usage reported to CSSM. License authorization status: " + status.authorization_status,
                  LicensingResultJson(status));
}

// What a factory reset leaves on CSSM: the status of the registered instance, which
// keeps its licenses there until someone removes it; nullopt when nothing is
// registered (or the state cannot be read).
std::optional<AgentStatus> RegisteredInstance(StateDir& dir) {
  Result<std::unique_ptr<Agent>> agent = dir.OpenAgent(/*read_only=*/true);
  if (!agent.ok() || (*agent)->GetStatus().instance_id.empty()) return std::nullopt;
  return (*agent)->GetStatus();
}


}  // namespace

int EnableSmartLicensing(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->Enable(); !s.ok()) return out.Fail(s);
  AgentStatus status = (*agent)->GetStatus();
  std::string remaining =
      status.evaluation_remaining_seconds ? FormatDuration(*status.evaluation_remaining_seconds) : "none";
  return out.Done("Smart licensing mode: On. Evaluation period remaining: " + remaining, LicensingResultJson(status));
}

int RegisterWithToken(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  Result<std::string> token = TokenFrom(ctx.invocation());
  if (!token.ok()) return out.Fail(token.status());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  const bool reregister = ctx.invocation().HasSwitch("--reregister");
  if (!reregister && (*agent)->GetStatus().registration_status == terms::kRegistered) {
    // The agent's own sentence names the web page's check box; here it is a flag.
    return out.Fail(FailedPrecondition(
        "this product instance is already registered; to register it again (for example to move it to another "
        "virtual account), add --reregister"));
  }
  Status s = (*agent)->Register(*token, reregister);
  if (!s.ok()) return out.FailOperation(s, **agent);
  AgentStatus status = (*agent)->GetStatus();
  return out.Done("Registration status: " + status.registration_status + " (Smart account " + status.smart_account +
                      ", virtual account " + status.virtual_account + "). License authorization status: " +
                      status.authorization_status,
                  LicensingResultJson(status));
}

int RenewNow(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage("'renew' needs auth or id");
  const std::string& what = ctx.word(1);
  if (what != "auth" && what != "id") return out.Usage("'renew' needs auth or id, not '" + what + "'");
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  Status s = what == "auth" ? (*agent)->RenewAuthorization() : (*agent)->RenewRegistration();
  if (!s.ok()) return out.FailOperation(s, **agent);
  AgentStatus status = (*agent)->GetStatus();
  if (what == "auth") {
    return out.Done("License authorization status: " + status.authorization_status, LicensingResultJson(status));
  }
  return out.Done("Registration renewed; it expires " +
                      (status.registration_expires ? FormatIso8601(*status.registration_expires) : std::string("-")),
                  LicensingResultJson(status));
}

int Deregister(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  const std::string instance = (*agent)->GetStatus().instance_id;
  Result<Deregistration> result = (*agent)->Deregister();
  if (!result.ok()) return out.Fail(result.status());
  JsonWriter json;
  json.StartObject().Field("instance_id", instance).Field("released_on_server", result->released_on_server).EndObject();
  // The registration is forgotten locally either way; exit 4 says CSSM did not hear
  // of it.
  return out.Done(result->message, json.str(), result->released_on_server ? kExitOk : kExitCommunication);
}

int SetOrReportUsage(CommandContext& ctx) {
  const std::vector<std::string>& words = ctx.invocation().words;
  if (words.size() >= 2 && words[1] == "set") return SetUsage(ctx);
  if (words.size() >= 2 && words[1] == "update") return ReportUsage(ctx);
  return ctx.output().Usage("'usage' needs 'set TAG COUNT' or 'update'");
}

int EraseLicensingState(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  if (!ctx.invocation().HasSwitch("--yes")) {
    return out.Usage("factory-reset erases the licensing state, keys and registration; add --yes to confirm");
  }
  Result<StateDir*> dir = ctx.LockStateDir();
  if (!dir.ok()) return out.Fail(dir.status());
  const std::optional<AgentStatus> left = RegisteredInstance(**dir);
  if (Status s = (*dir)->FactoryReset(); !s.ok()) return out.Fail(s);
  JsonWriter json;
  json.StartObject().Key("instance_left_on_cssm");
  if (left) json.Value(left->instance_id);
  else json.Null();
  json.EndObject();
  std::string warning;
  if (left) {
    warning = ". Warning: product instance " + left->instance_id + " (Smart account " + left->smart_account +
              ", virtual account " + left->virtual_account +
              ") is still registered on CSSM and holds its licenses: remove it there (Product Instances > Remove), "
              "or deregister before a factory reset next time";
  }
  return out.Done("Factory reset: licensing state erased; Smart licensing mode: Off (PAK)" + warning,
                  json.str());
}

}  // namespace sl::cli
