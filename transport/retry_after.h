// Retry-After: how long a server (or a proxy in front of it) asks the agent to wait.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "smartlicensing/time_source.h"

namespace sl {

// Seconds to wait from a Retry-After header value: delta-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", counted from `now`, never negative);
// nullopt when the value is neither.
std::optional<int64_t> ParseRetryAfter(std::string_view value, UnixSeconds now);

}  // namespace sl
