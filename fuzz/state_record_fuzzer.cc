// Fuzzes the agent's sealed state record (agent/agent_state.h). The first byte picks
// what the rest is: 0 a record for OpenState, 1 a record for OpenStateUnverified (a
// backup of another device), 2 the state JSON itself, 3 the state JSON, which the
// harness seals with the right MAC so that mutations reach the decoder through
// OpenState. Property: every state that decodes encodes, decodes again to the same,
// and can be sealed and opened again.
#include "agent/agent_state.h"
#include "base/encoding.h"
#include "base/json.h"
#include "fuzz/fuzz_support.h"

namespace {

const sl::HmacDeviceSecret& Secret() {
  static const sl::HmacDeviceSecret* secret = new sl::HmacDeviceSecret(std::string(32, 'k'));
  return *secret;
}

std::string SealedByHarness(std::string_view state_json) {
  sl::JsonWriter w;
  w.StartObject().Field("format", "sl-agent-state").Field("version", 1).Field("state", state_json);
  w.Field("mac", sl::Base64Encode(Secret().Mac(state_json).value())).EndObject();
  return w.str();
}

// SealState itself refuses (Internal) a state that would not decode back to itself:
// decode -> encode -> decode -> encode must give the same record.
void CheckRoundTrip(const sl::AgentState& state) {
  sl::Result<std::string> sealed = sl::SealState(state, Secret());
  sl::fuzz::Check(sealed.ok(), "an opened state encodes and decodes to itself", sealed.status().message());
  sl::Result<sl::AgentState> again = sl::OpenState(*sealed, Secret());
  sl::fuzz::Check(again.ok(), "a sealed state opens", *sealed);
  sl::fuzz::Check(sl::EncodeStateJson(*again) == sl::EncodeStateJson(state), "a sealed state opens unchanged");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest = sl::fuzz::AsText(data + 1, size - 1);
  sl::Result<sl::AgentState> state = sl::InvalidArgument("");
  switch (data[0] % 4) {
    case 0: state = sl::OpenState(rest, Secret()); break;
    case 1: state = sl::OpenStateUnverified(rest); break;
    case 2: state = sl::DecodeStateJson(rest); break;
    default: {
      sl::JsonWriter probe;
      probe.Value(rest);
      if (!probe.status().ok()) return 0;  // the writer refuses it: no record can hold it
      state = sl::OpenState(SealedByHarness(rest), Secret());
    }
  }
  if (state.ok()) CheckRoundTrip(*state);
  return 0;
}
