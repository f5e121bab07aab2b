// Times and durations as records and operators read them: ISO 8601 times in UTC, the
// one form every message, record and output uses ("2026-11-28T07:41:23Z"), and
// durations in days, hours and minutes. Thread-safety: pure functions.
#pragma once

#include <string>

#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl {

// "2026-11-28T07:41:23Z"
std::string FormatIso8601(UnixSeconds t);
// Accepts exactly the form FormatIso8601 writes.
Result<UnixSeconds> ParseIso8601(const std::string& text);
// "89 days 23 hours" / "5 hours 3 minutes" / "0 minutes"; negative counts as 0.
std::string FormatDuration(int64_t seconds);

}  // namespace sl
