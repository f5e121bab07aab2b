// The round-trip property of the protocol's message codecs (protocol/messages.h),
// shared by request_fuzzer.cc and response_fuzzer.cc: whatever the decoder accepts,
// the encoder encodes, and decode -> encode -> decode -> encode gives the same text.
// Anything else aborts (issue 12, defect 4). Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "smartlicensing/status.h"

namespace sl::fuzz {

template <typename Message>
void CheckRoundTrip(std::string_view input, Result<Message> (*decode)(std::string_view),
                    Result<std::string> (*encode)(const Message&)) {
  Result<Message> decoded = decode(input);
  if (!decoded.ok()) return;
  Result<std::string> encoded = encode(*decoded);
  Check(encoded.ok(), "the encoder encodes what the decoder accepted", encoded.status().message());
  Result<Message> again = decode(*encoded);
  Check(again.ok(), "the decoder accepts what the encoder wrote", *encoded + "\n" + again.status().message());
  Result<std::string> twice = encode(*again);
  Check(twice.ok() && *twice == *encoded, "decode -> encode -> decode -> encode is stable", *encoded);
}

}  // namespace sl::fuzz
