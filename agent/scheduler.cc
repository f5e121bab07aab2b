#include "agent/scheduler.h"

#include <algorithm>

#include "agent/agent_time.h"
#include "agent/licensing_timers.h"

namespace sl {

bool JobValid(const AgentState& s, Job job) {
  if (s.mode != LicensingMode::kSmart) return false;
  if (job == Job::kRegister) return !s.pending_token.empty();
  return s.registration == RegistrationState::kRegistered;
}

int64_t AgentState::*JobDueField(Job job) {
  switch (job) {
    case Job::kRegister: return &AgentState::register_due_at;
    case Job::kRenewRegistration: return &AgentState::renew_registration_due_at;
    case Job::kRenewAuthorization: return &AgentState::renew_authorization_due_at;
    case Job::kReportUsage: break;
  }
  return &AgentState::report_usage_due_at;
}

int64_t NextCommunication(const AgentState& s) {
  if (JumpHeld(s) && JobValid(s, Job::kRenewAuthorization)) return ConfirmationDue(s);
  int64_t next = 0;
  for (Job job : kJobs) {
    int64_t due = JobDue(s, job);
    if (!JobValid(s, job) || due == 0) continue;
    due = std::max(due, s.retry_not_before_at);
    if (next == 0 || due < next) next = due;
  }
  return next;
}

std::optional<Job> NextDueJob(const AgentState& s) {
  // A held jump of the wall clock is settled by the next exchange (its signed time, or
  // its failure): an authorization renewal, at once, on the device clock's schedule
  // (agent time stands still while the jump is held, so its retry time may never come).
  if (JumpHeld(s) && JobValid(s, Job::kRenewAuthorization)) {
    if (ConfirmationDue(s) <= s.agent_time) return Job::kRenewAuthorization;
    return std::nullopt;
  }
  if (s.retry_not_before_at > s.agent_time) return std::nullopt;
  for (Job job : kJobs) {
    int64_t due = JobDue(s, job);
    if (JobValid(s, job) && due != 0 && due <= s.agent_time) return job;
  }
  return std::nullopt;
}

std::optional<UnixSeconds> NextDeadline(const AgentState& v) {
  std::optional<int64_t> next;
  auto consider = [&next](int64_t at) {
    if (at > 0 && (!next || at < *next)) next = at;
  };
  if (v.mode == LicensingMode::kSmart) {
    if (v.registration != RegistrationState::kRegistered && EvaluationRemaining(v) > 0) {
      consider(v.agent_time + EvaluationRemaining(v));
    }
    if (v.registration == RegistrationState::kRegistered) {
      consider(v.registration_expires_at);
      if (!AuthorizationExpired(v)) consider(v.authorization_expires_at);
    }
    consider(NextCommunication(v));
  }
  if (!next) return std::nullopt;
  return ToDeviceClock(v, std::max(v.agent_time, *next));
}

int64_t ScheduleAfter(AgentState& s, const Udi& udi, int64_t interval) {
  return s.agent_time + interval + CommunicationJitter(udi, s.jitter_sequence++);
}

int64_t RetryTime(AgentState& s, const Udi& udi, std::optional<int64_t> retry_after) {
  int64_t at = ScheduleAfter(s, udi, kRetryInterval);
  if (retry_after && *retry_after > 0) {
    at = std::max(at, s.agent_time + std::min(*retry_after, kMaxRetryAfter));
  }
  return at;
}

bool ScheduleHostnameRenewal(AgentState& s, const std::optional<std::string>& wanted) {
  if (s.registration != RegistrationState::kRegistered) return false;
  if (wanted == s.sent_hostname) return false;
  // Once scheduled (or being retried after a failure) there is nothing more to do.
  if (s.renew_registration_due_at > std::max(s.agent_time, s.retry_not_before_at) ||
      s.renew_registration_due_at == 0) {
    s.renew_registration_due_at = s.agent_time;
    return true;
  }
  return false;
}

}  // namespace sl
