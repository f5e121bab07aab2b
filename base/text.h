// Small text helpers every module needs the same way: decimal numbers from the
// command line or configuration, and untrusted text made safe to show in one line.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sl {

// A decimal number of digits only (no sign, spaces or suffix) within [min, max];
// nullopt otherwise.
std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max);

// Text from a peer (an error message, a name) made fit for a status line or a log:
// at most `max_len` characters (then "..."), control characters replaced by spaces.
std::string SanitizeForDisplay(std::string text, size_t max_len = 300);

}  // namespace sl
