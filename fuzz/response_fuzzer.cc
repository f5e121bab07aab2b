// Fuzzes the response decoder the agent runs on a server's bytes, with the
// encode/decode round-trip check of message_round_trip.h.
#include "fuzz/message_round_trip.h"
#include "protocol/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sl::fuzz::CheckRoundTrip<sl::Response>(sl::fuzz::AsText(data, size), sl::DecodeResponse, sl::EncodeResponse);
  return 0;
}
