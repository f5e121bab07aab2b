// The usage the Expressway reports to CSSM: RMS licenses of the calls in progress and
// room/desktop licenses of the registrations, by entitlement tag. The agent reports
// exactly these counts (ApplyUsage). Thread-safety: as the objects passed in.
#pragma once

#include "smartlicensing/agent.h"
#include "smartlicensing/expressway/capacity.h"
#include "smartlicensing/expressway/license_types.h"
#include "smartlicensing/expressway/registrations.h"

namespace sl::expressway {

UsageByTag CollectUsage(const CallTracker& calls, const RegistrationTable& registrations);

// Hands the usage to the agent (Agent::SetUsage for each tag; a count of 0 clears a
// type no longer in use). The agent reports it with the next authorization, usage
// report or UpdateUsage().
Status ApplyUsage(const UsageByTag& usage, Agent& agent);

}  // namespace sl::expressway
