// The scheduler: which automatic communication (job) is due when, and when the agent
// next has work. Pure functions of the state; the agent runs the jobs.
//
// Every job has its due time in AgentState (agent time; 0 = not scheduled). After a
// failure, retry_not_before_at holds every job back until the retry time, so one
// failure is retried once every 15 minutes (plus jitter) rather than once per job.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/agent_state.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/time_source.h"

namespace sl {

// The automatic communications, in the order RunDue() performs what is due.
enum class Job { kRegister, kRenewRegistration, kRenewAuthorization, kReportUsage };
inline constexpr Job kJobs[] = {Job::kRegister, Job::kRenewRegistration, Job::kRenewAuthorization,
                                Job::kReportUsage};

// Whether `job` applies in this state (a pending registration; a registration).
bool JobValid(const AgentState& s, Job job);
// The field of AgentState that holds the job's due time (agent time; 0 = not scheduled).
int64_t AgentState::*JobDueField(Job job);
inline int64_t JobDue(const AgentState& s, Job job) { return s.*JobDueField(job); }

// The agent time of the next automatic communication, 0 when none.
int64_t NextCommunication(const AgentState& s);
// The first job due now, if any (none while a retry is held back); an authorization
// renewal while a jump of the wall clock is held, to settle it.
std::optional<Job> NextDueJob(const AgentState& s);
// When the agent next has work, as the device clock will read then: a communication
// (at once while a jump of the wall clock is held), or an evaluation, authorization or
// registration running out; nullopt when nothing is scheduled.
// REQUIRES: `s` advanced to now.
std::optional<UnixSeconds> NextDeadline(const AgentState& s);

// The agent time `interval` from now plus this device's jitter (which moves the
// state's jitter sequence on): the next run of a periodic job.
int64_t ScheduleAfter(AgentState& s, const Udi& udi, int64_t interval);
// When to retry after a failure: the retry interval with jitter, or later when the
// server asked so with Retry-After (capped at kMaxRetryAfter).
int64_t RetryTime(AgentState& s, const Udi& udi, std::optional<int64_t> retry_after);

// When the hostname CSSM knows (`wanted`: the one to send, nullopt under privacy)
// differs from the one last sent, schedules a registration renewal now. True when it
// scheduled one (the caller tells the operator), false when nothing needed doing.
bool ScheduleHostnameRenewal(AgentState& s, const std::optional<std::string>& wanted);

}  // namespace sl
