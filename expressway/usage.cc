#include "expressway/usage.h"

namespace sl::expressway {

UsageByTag CollectUsage(const CallTracker& calls, const RegistrationTable& registrations) {
  UsageByTag usage = registrations.Usage();
  usage[kRmsTag] = calls.RmsInUse();
  return usage;
}

}  // namespace sl::expressway
