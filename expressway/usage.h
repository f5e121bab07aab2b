// The usage the Expressway reports to CSSM: RMS licenses of the calls in progress and
// room/desktop licenses of the registrations, by entitlement tag. The agent reports
// exactly these counts (Agent::SetUsage for each tag). Thread-safety: pure function.
#pragma once

#include "expressway/capacity.h"
#include "expressway/license_types.h"
#include "expressway/registrations.h"

namespace sl::expressway {

UsageByTag CollectUsage(const CallTracker& calls, const RegistrationTable& registrations);

}  // namespace sl::expressway
