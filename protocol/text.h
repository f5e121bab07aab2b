// Small text helpers every module needs the same way: masking secrets in messages,
// parsing decimal numbers from the command line or configuration, hex decoding.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/status.h"

namespace sl {

// Replaces every occurrence of `secret` in `text` with `mask`. The search resumes
// after each replacement, so a mask that contains the secret cannot loop. Secrets of
// any length are masked (over-masking a short one is the safe failure).
std::string MaskSecret(std::string text, std::string_view secret, std::string_view mask = "<redacted>");

// A decimal number of digits only (no sign, spaces or suffix) within [min, max];
// nullopt otherwise.
std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max);

bool IsHex(std::string_view text);
// Either case; InvalidArgument for an odd length or a non-hex character.
Result<std::string> HexDecode(std::string_view hex);

}  // namespace sl
