#include "cli/daemon.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <string>

#include "base/iso8601.h"
#include "cli/daemon_log.h"
#include "cli/status_output.h"
#include "smartlicensing/time_source.h"

namespace sl::cli {

namespace {

enum class Wakeup { kWork, kStop };

// When the daemon's inputs last changed: other slagent commands wake it this way (the
// state, the identity and trust anchor a device waiting for configuration needs, and
// usage queued while the lock was busy).
std::string InputStamp(const std::string& state_dir) {
  std::string stamp;
  for (const char* file : {"/state", "/identity.json", "/cssm-signing.crt", "/usage.pending"}) {
    struct stat st{};
    if (stat((state_dir + file).c_str(), &st) == 0) {
      stamp += std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
               std::to_string(st.st_mtim.tv_nsec);
    }
    stamp += ";";
  }
  return stamp;
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
  if (!result.ok()) return out.FailOperation(result, **agent);
  AgentStatus status = (*agent)->GetStatus();
  // The agent has scheduled the retry; the caller still hears that this attempt failed.
  if (status.last_communication_attempt != attempted_before && !status.last_error.empty()) {
    return out.FailOperation(Unavailable(status.last_error + " Next communication attempt: " + DeadlineText(deadline)),
                             **agent);
  }
  return out.Done("Registration status: " + status.registration_status + ". License authorization status: " +
                      status.authorization_status + ". Next communication attempt: " + DeadlineText(deadline),
                  LicensingResultJson(status));
}

// Sleeps until `deadline`, at most an hour, measured on the steady clock so that
// setting the wall clock back cannot stretch the sleep. Wakes early for work when
// another command changes the daemon's inputs (their stamp differs from `stamp`) or
// on SIGHUP.
Wakeup Sleep(const std::optional<UnixSeconds>& deadline, const sigset_t& signals, const std::string& state_dir,
             const std::string& stamp) {
  int64_t nap = deadline ? std::clamp<int64_t>(*deadline - SystemTimeSource().Now(), 0, kHour) : kHour;
  auto wake = std::chrono::steady_clock::now() + std::chrono::seconds(nap);
  while (std::chrono::steady_clock::now() < wake) {
    // Two-second steps: how soon a change by another command is noticed.
    timespec step{2, 0};
    int sig = sigtimedwait(&signals, nullptr, &step);
    if (sig == SIGTERM || sig == SIGINT) return Wakeup::kStop;
    if (sig == SIGHUP) break;
    if (InputStamp(state_dir) != stamp) break;
  }
  return Wakeup::kWork;
}

// What one pass of the daemon found: when to look again, and what to tell systemd.
struct Pass {
  std::optional<UnixSeconds> deadline;
  std::string waiting_for;
};

// One pass: the agent's due work, logged. A device that cannot be opened is not a
// reason to exit (systemd would restart the daemon every 30 s, for ever): the daemon
// says what is wrong, once per change, and waits for a command to fix it.
Pass RunOnePass(CommandContext& ctx, DaemonLog& log, std::string& last_problem) {
  Pass pass;
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) {
    const Status& s = agent.status();
    const bool configuration = s.code() == StatusCode::kFailedPrecondition;
    pass.waiting_for = (configuration ? "waiting for configuration: " : "cannot open the licensing state: ") +
                       OneLine(s.message());
    if (pass.waiting_for != last_problem) {
      log.Line(configuration ? Priority::kNotice : Priority::kError, pass.waiting_for);
    }
    last_problem = pass.waiting_for;
    return pass;
  }
  last_problem.clear();
  Status result = (*agent)->RunDue();
  if (!result.ok()) log.Line(Priority::kError, result.message());
  pass.deadline = (*agent)->NextDeadline();
  AgentStatus status = (*agent)->GetStatus();
  if (status.mode == LicensingMode::kPak) {
    pass.waiting_for = "Smart Licensing is off (PAK): nothing to do until 'slagent enable'";
  } else {
    pass.waiting_for = status.registration_status + ", " + status.authorization_status +
                       "; next communication " + DeadlineText(pass.deadline);
  }
  return pass;
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

  DaemonLog log(out.err());
  ctx.EchoEvents([&log](const Event& e) { log.LogEvent(e); });
  const std::string& state_dir = ctx.state_dir_path();
  log.Line(Priority::kInfo, "started (state directory " + state_dir + ")");
  std::string last_problem;
  std::string last_waiting;
  for (;;) {
    Pass pass = RunOnePass(ctx, log, last_problem);  // the agent is gone when it returns
    std::string stamp = InputStamp(state_dir);
    ctx.ReleaseStateDir();  // the daemon sleeps without the lock
    if (pass.waiting_for != last_waiting && last_problem.empty()) log.Line(Priority::kInfo, pass.waiting_for);
    last_waiting = pass.waiting_for;
    log.Ready(pass.waiting_for);
    if (Sleep(pass.deadline, signals, state_dir, stamp) == Wakeup::kStop) {
      log.Stopping();
      log.Line(Priority::kInfo, "stopped");
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
