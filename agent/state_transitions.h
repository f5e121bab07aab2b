// How the agent's state changes: registration begun, CSSM's answers applied (registered,
// renewed, authorized, refused, or no usable answer), expiry, cancellation. Functions
// over AgentState, without locks, I/O or events, so that each rule can be read (and
// tested) by itself; AgentImpl runs the exchanges and reports what changed.
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <string>

#include "agent/agent_state.h"
#include "agent/cssm_channel.h"
#include "agent/scheduler.h"
#include "protocol/messages.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl {

// Forgets everything the registration held and sets `new_state`. A pending
// registration (token and key) survives; without one, the retry hold is lifted.
void ClearRegistration(AgentState& s, RegistrationState new_state);
// Drops a registration being retried: its token, its key and its schedule.
void CancelPendingRegistration(AgentState& s);
// Applies the expiries that need no communication: a registration past its end.
void Normalize(AgentState& s);

// A registration with `token` and a fresh key, due now; kept until it succeeds or is
// refused, so that a crash or an outage retries it.
void BeginRegistration(AgentState& s, const std::string& token, std::string key_pem);

// CSSM's answers. `wall_now` is when it answered, for the operator; `sent_hostname`
// what the request carried.
// Registered: the instance, its ID certificate and the schedule that follows (a
// re-registration replaces everything); authorization is requested at once.
void ApplyRegistered(AgentState& s, const Udi& udi, const Response& r,
                     const std::optional<std::string>& sent_hostname, UnixSeconds wall_now);
// The ID certificate was renewed.
void ApplyRegistrationRenewed(AgentState& s, const Udi& udi, const Response& r,
                              const std::optional<std::string>& sent_hostname, UnixSeconds wall_now);
// Authorized (`renewal`: an authorization request) or usage reported: the license
// statuses, and the schedule of both.
void ApplyAuthorized(AgentState& s, const Udi& udi, const Response& r, bool renewal, UnixSeconds wall_now);

// True for the refusals of a token (invalid, expired, used up).
bool IsTokenRefusal(const std::string& error_code);
// The token was refused: the pending registration ends ("Registration Failed" unless
// an earlier registration stays). PermissionDenied with the operator's sentence.
Status ApplyTokenRefused(AgentState& s, const Response& r);
// No usable answer: the grants are kept and `job` is retried after the retry interval
// (or the server's Retry-After), whatever the reply's problem, which the state keeps.
// Unavailable with the operator's sentence.
Status ApplyOffline(AgentState& s, const Udi& udi, const CssmReply& reply, const char* what, Job job);
// A signed refusal: the ones acted on at once (the instance or its registration is
// gone on CSSM) remove the local registration and return PermissionDenied; the ones
// that may pass (clock skew, a replay, a server fault) are retried like ApplyOffline
// and return Unavailable.
Status ApplyRefusal(AgentState& s, const Udi& udi, const Response& r, const char* what, Job job);

}  // namespace sl
