// Base64 and hexadecimal, the encodings of the wire format, the state record and
// the command line. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

std::string Base64Encode(std::string_view data);
// Strict: standard alphabet with padding, no whitespace.
Result<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view data);  // lower case
bool IsHex(std::string_view text);
// Either case; InvalidArgument for an odd length or a non-hex character.
Result<std::string> HexDecode(std::string_view hex);

}  // namespace sl
