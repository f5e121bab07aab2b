#include "cli/licensing_commands.h"

#include <string>

#include "base/iso8601.h"
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

int SetUsage(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(4); !s.ok()) return out.Usage("'usage set' needs TAG COUNT");
  const std::string& tag = ctx.word(2);
  if (!IsValidLicenseTag(tag)) return out.Usage("license tag must be 1-128 letters, digits or . _ - :");
  Result<int64_t> count = ParseInteger(ctx.word(3), 0, kMaxLicenseCount, "COUNT");
  if (!count.ok()) return out.Usage(count.status().message());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->SetUsage(tag, *count); !s.ok()) return out.Fail(s);
  if (Status s = (*agent)->SaveUsage(); !s.ok()) return out.Fail(s);
  return out.Done("Current usage of " + tag + ": " + std::to_string(*count) +
                  " (reported with the next authorization or usage update)");
}

int ReportUsage(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage(s.message());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->UpdateUsage(); !s.ok()) return out.Fail(s);
  AgentStatus status = (*agent)->GetStatus();
  return out.Done("Usage updated. License authorization status: " + status.authorization_status);
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
  return out.Done("Smart licensing mode: On. Evaluation period remaining: " + remaining);
}

int RegisterWithToken(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  Result<std::string> token = TokenFrom(ctx.invocation());
  if (!token.ok()) return out.Fail(token.status());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  Status s = (*agent)->Register(*token, ctx.invocation().HasSwitch("--reregister"));
  if (!s.ok()) return out.Fail(s);
  AgentStatus status = (*agent)->GetStatus();
  return out.Done("Registration status: " + status.registration_status + " (Smart account " + status.smart_account +
                  ", virtual account " + status.virtual_account + "). License authorization status: " +
                  status.authorization_status);
}

int RenewNow(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage("'renew' needs auth or id");
  const std::string& what = ctx.word(1);
  if (what != "auth" && what != "id") return out.Usage("'renew' needs auth or id, not '" + what + "'");
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  Status s = what == "auth" ? (*agent)->RenewAuthorization() : (*agent)->RenewRegistration();
  if (!s.ok()) return out.Fail(s);
  AgentStatus status = (*agent)->GetStatus();
  if (what == "auth") return out.Done("License authorization status: " + status.authorization_status);
  return out.Done("Registration renewed; it expires " +
                  (status.registration_expires ? FormatIso8601(*status.registration_expires) : std::string("-")));
}

int Deregister(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(1); !s.ok()) return out.Usage(s.message());
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  Result<Deregistration> result = (*agent)->Deregister();
  if (!result.ok()) return out.Fail(result.status());
  // The registration is forgotten locally either way; exit 4 says CSSM did not hear
  // of it.
  return out.Done(result->message, result->released_on_server ? kExitOk : kExitCommunication);
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
  if (Status s = (*dir)->FactoryReset(); !s.ok()) return out.Fail(s);
  return out.Done("Factory reset: licensing state erased; Smart licensing mode: Off (PAK)");
}

}  // namespace sl::cli
