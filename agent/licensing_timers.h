// The timers of Smart Licensing (specification; ../shared/reference/licensing-facts.md)
// and the per-device jitter added to every automatic communication.
//
// Jitter: clones of one image that all call CSSM at the same second overload it, and a
// "random" splay chosen once is cloned too. So the jitter is derived from the UDI
// (which clones do not share) and a counter that moves on every scheduling, and it is
// small next to the interval it delays. Thread-safety: constants and pure functions.
#pragma once

#include <cstdint>

#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/time_source.h"

namespace sl {

// The specification's timers (smartlicensing/licensing_terms.h), under the names the agent
// has always used. kAuthorizationValidity also bounds the authorization when none is
// known yet (between a registration and its first authorization); the server sets the
// real expiry.
using terms::kAuthorizationRenewalInterval;
using terms::kAuthorizationValidity;
using terms::kEvaluationPeriod;
using terms::kRegistrationRenewalInterval;
using terms::kRetryInterval;
using terms::kUsageReportInterval;

// Jitter is in [0, kMaxJitter).
constexpr int64_t kMaxJitter = 2 * kMinute;
// A Retry-After longer than this is capped: an unauthenticated header must not be
// able to silence the agent until its grants run out.
constexpr int64_t kMaxRetryAfter = 24 * kHour;

// The jitter, in seconds, for the `sequence`-th scheduling on the device `udi`.
int64_t CommunicationJitter(const Udi& udi, uint64_t sequence);

}  // namespace sl
