// Fuzzes restoring a backup (agent/backup.h RestoreBackup), a file an operator hands
// the agent. The first byte picks the current state (unregistered or registered) and
// whether the rest is a backup file as is or the state JSON of one, which the harness
// seals with this device's secret so that mutations reach the merge. Property: a
// restored state can be sealed (the agent saves it next) and its message is one line
// of printable text.
#include "agent/backup.h"
#include "base/encoding.h"
#include "base/json.h"
#include "base/text.h"
#include "fuzz/fuzz_support.h"

namespace {

const sl::HmacDeviceSecret& Secret() {
  static const sl::HmacDeviceSecret* secret = new sl::HmacDeviceSecret(std::string(32, 'k'));
  return *secret;
}

const sl::Udi kUdi{"EXPWY-VE-L", "SN1"};

sl::AgentState Current(bool registered) {
  sl::AgentState s;
  s.udi = kUdi;
  s.agent_time = sl::fuzz::kNow;
  s.last_wall = sl::fuzz::kNow;
  s.evaluation_used = 3600;
  s.usage = {{"expressway_rms", 2}};
  if (registered) {
    s.registration = sl::RegistrationState::kRegistered;
    s.instance_id = "PI-1";
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string backup(sl::fuzz::AsText(data + 1, size - 1));
  if (data[0] & 1) {
    sl::JsonWriter w;
    w.StartObject().Field("format", "sl-agent-state").Field("version", 1).Field("state", backup);
    w.Field("mac", sl::Base64Encode(Secret().Mac(backup).value())).EndObject();
    if (!w.status().ok()) return 0;
    backup = w.str();
  }
  sl::Result<sl::RestoredState> restored = sl::RestoreBackup(Current(data[0] & 2), backup, Secret(), kUdi);
  if (!restored.ok()) return 0;
  sl::Result<std::string> sealed = sl::SealState(restored->state, Secret());
  sl::fuzz::Check(sealed.ok(), "a restored state can be saved", sealed.status().message());
  sl::fuzz::Check(sl::SanitizeForDisplay(restored->message, 100000) == restored->message,
                  "the restore message is printable text", restored->message);
  return 0;
}
