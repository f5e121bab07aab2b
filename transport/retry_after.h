// Retry-After: how long a server (or a proxy in front of it) asks the agent to wait.
// The one place the transport reads the header: the libcurl header callback hands
// each line to TrackRetryAfter, and the value is turned into seconds by ParseRetryAfter.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smartlicensing/time_source.h"

namespace sl {

// Seconds to wait from a Retry-After header value: delta-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", counted from `now`, never negative);
// nullopt when the value is neither.
std::optional<int64_t> ParseRetryAfter(std::string_view value, UnixSeconds now);

// Follows the header lines of one exchange as libcurl hands them over, status lines
// included, keeping in `value` the raw Retry-After value (trimmed, at most 64
// characters) of the final response: a new status line (after a 100 Continue, say)
// starts a new response and forgets the one before.
void TrackRetryAfter(std::string_view header_line, std::optional<std::string>& value);

}  // namespace sl
