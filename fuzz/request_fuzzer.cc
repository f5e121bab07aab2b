// Fuzzes the request decoder the mock CSSM (and any server) runs on a device's bytes,
// with the encode/decode round-trip check of message_round_trip.h.
#include "fuzz/message_round_trip.h"
#include "protocol/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sl::fuzz::CheckRoundTrip<sl::Request>(sl::fuzz::AsText(data, size), sl::DecodeRequest, sl::EncodeRequest);
  return 0;
}
