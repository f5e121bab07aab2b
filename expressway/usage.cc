#include "smartlicensing/expressway/usage.h"

namespace sl::expressway {

UsageByTag CollectUsage(const CallTracker& calls, const RegistrationTable& registrations) {
  UsageByTag usage = registrations.Usage();
  usage[kRmsTag] = calls.RmsInUse();
  return usage;
}

Status ApplyUsage(const UsageByTag& usage, Agent& agent) {
  for (const auto& [tag, count] : usage) SL_RETURN_IF_ERROR(agent.SetUsage(tag, count));
  return Status::Ok();
}

}  // namespace sl::expressway
