#include "cli/daemon.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <string>

#include "base/iso8601.h"
#include "smartlicensing/time_source.h"

namespace sl::cli {

namespace {

enum class Wakeup { kWork, kStop };

// When the state file last changed: other slagent commands wake the daemon this way.
std::string StateStamp(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::string DeadlineText(const std::optional<UnixSeconds>& deadline) {
  return deadline ? FormatIso8601(*deadline) : std::string("none");
}

// `run --once`: one pass, answered like any other command.
int RunDueOnce(CommandContext& ctx) {
  Output& out = ctx.output();
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  std::optional<UnixSeconds> attempted_before = (*agent)->GetStatus().last_communication_attempt;
  Status result = (*agent)->RunDue();
  std::optional<UnixSeconds> deadline = (*agent)->NextDeadline();
  if (!result.ok()) return out.Fail(result);
  AgentStatus status = (*agent)->GetStatus();
  // The agent has scheduled the retry; the caller still hears that this attempt failed.
  if (status.last_communication_attempt != attempted_before && !status.last_error.empty()) {
    return out.Fail(Unavailable(status.last_error + " Next communication attempt: " + DeadlineText(deadline)));
  }
  return out.Done("Registration status: " + status.registration_status + ". License authorization status: " +
                  status.authorization_status + ". Next communication attempt: " + DeadlineText(deadline));
}

// Sleeps until `deadline`, at most an hour, measured on the steady clock so that
// setting the wall clock back cannot stretch the sleep. Wakes early for work when
// another command changes the state (its stamp differs from `stamp`) or on SIGHUP.
Wakeup Sleep(const std::optional<UnixSeconds>& deadline, const sigset_t& signals, const std::string& state_path,
             const std::string& stamp) {
  int64_t nap = deadline ? std::clamp<int64_t>(*deadline - SystemTimeSource().Now(), 0, kHour) : kHour;
  auto wake = std::chrono::steady_clock::now() + std::chrono::seconds(nap);
  while (std::chrono::steady_clock::now() < wake) {
    // Two-second steps: how soon a change by another command is noticed.
    timespec step{2, 0};
    int sig = sigtimedwait(&signals, nullptr, &step);
    if (sig == SIGTERM || sig == SIGINT) return Wakeup::kStop;
    if (sig == SIGHUP) break;
    if (StateStamp(state_path) != stamp) break;
  }
  return Wakeup::kWork;
}

// Plain `run`: passes until SIGTERM or SIGINT.
int RunUntilStopped(CommandContext& ctx) {
  Output& out = ctx.output();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  // Blocked, so that they stay pending until sigtimedwait takes them: a SIGTERM
  // during a pass ends the daemon after the pass, not in the middle of it.
  sigprocmask(SIG_BLOCK, &signals, nullptr);

  const std::string state_path = ctx.UnlockedStateDir().StatePath();
  for (;;) {
    std::optional<UnixSeconds> deadline;
    std::string stamp;
    Status result;
    {
      Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
      if (!agent.ok()) return out.Fail(agent.status());
      result = (*agent)->RunDue();
      deadline = (*agent)->NextDeadline();
      stamp = StateStamp(state_path);
    }  // the agent goes before the state directory it points into
    ctx.ReleaseStateDir();  // the daemon sleeps without the lock
    if (!result.ok()) out.err() << "slagent run: " << OneLine(result.message()) << std::endl;
    if (Sleep(deadline, signals, state_path, stamp) == Wakeup::kStop) {
      out.err() << "slagent run: stopped" << std::endl;
      return kExitOk;
    }
  }
}

}  // namespace

int RunDaemon(CommandContext& ctx) {
  if (Status s = ctx.CheckArguments(1); !s.ok()) return ctx.output().Usage(s.message());
  return ctx.invocation().HasSwitch("--once") ? RunDueOnce(ctx) : RunUntilStopped(ctx);
}

}  // namespace sl::cli
