#include "agent/backup.h"

#include <algorithm>

#include "base/text.h"

namespace sl {
namespace {

// This device's own backup: everything, but time and evaluation only move forwards
// and the usage is the firmware's live data.
Result<RestoredState> RestoreOwnBackup(const AgentState& current, AgentState verified) {
  AgentState merged = std::move(verified);
  // Deadlines that passed since the backup are due now, and evaluation already
  // consumed stays consumed.
  merged.agent_time = std::max(merged.agent_time, current.agent_time);
  merged.last_wall = current.last_wall;
  // The clock as observed now, not as it was when the backup was taken.
  merged.wall_reading = current.wall_reading;
  merged.unconfirmed_wall = current.unconfirmed_wall;
  merged.confirm_not_before_wall = current.confirm_not_before_wall;
  merged.evaluation_used = std::max(merged.evaluation_used, current.evaluation_used);
  merged.jitter_sequence = std::max(merged.jitter_sequence, current.jitter_sequence);
  merged.usage = current.usage;
  return RestoredState{std::move(merged),
                       "A backup of this product instance was restored; its registration is kept."};
}

// Another system's backup: nothing vouches for it (it is not verified with this
// device's secret), so only its settings are taken, and its transport settings only
// if they are valid.
Result<RestoredState> RestoreOtherSystemsBackup(const AgentState& current, const AgentState& claimed) {
  if (current.registration == RegistrationState::kRegistered || !current.pending_token.empty()) {
    return FailedPrecondition("This product instance is registered: deregister it before restoring the "
                              "backup of another system.");
  }
  AgentState s = current;
  Status usable = ValidateTransportSettings(claimed.transport);
  s.mode = claimed.mode;
  if (usable.ok()) s.transport = claimed.transport;
  s.privacy = claimed.privacy;
  if (s.registration != RegistrationState::kUnregistered) s.registration = RegistrationState::kUnregistered;
  std::string kept = usable.ok() ? std::string()
                                 : " The backup's transport settings are not valid (" +
                                       SanitizeForDisplay(usable.message()) +
                                       "), so the current transport settings were kept.";
  std::string message = "A backup of another system (" + SanitizeForDisplay(claimed.udi.product_id) + " " +
                        SanitizeForDisplay(claimed.udi.serial_number) +
                        ") was restored: Smart Licensing settings are restored, but this product instance "
                        "must be registered again with a registration token." +
                        kept;
  return RestoredState{std::move(s), std::move(message)};
}

}  // namespace

Result<RestoredState> RestoreBackup(const AgentState& current, std::string_view backup,
                                    const DeviceSecret& secret, const Udi& udi) {
  // This device's record (its own backup, or a copy of its state file, whose secrets
  // only this device can open), else what another system's record claims.
  Result<AgentState> verified = OpenState(backup, secret);
  if (!verified.ok() && verified.status().code() != StatusCode::kDataLoss &&
      verified.status().code() != StatusCode::kFailedPrecondition) {
    return verified.status();  // the device secret failed (e.g. a secure element)
  }
  Result<AgentState> claimed = verified.ok() ? verified : OpenStateUnverified(backup);
  if (!claimed.ok()) {
    return Status(claimed.status().code(), "the backup cannot be restored: " + claimed.status().message());
  }
  if (claimed->mode == LicensingMode::kPak && current.mode == LicensingMode::kSmart) {
    return FailedPrecondition("the backup was made with PAK-based licensing; reverting from Smart Licensing "
                              "to PAK needs a factory reset first");
  }
  if (!(claimed->udi == udi)) return RestoreOtherSystemsBackup(current, *claimed);
  if (!verified.ok()) {
    return DataLoss("the backup carries this device's UDI but fails its integrity check: it was edited "
                    "or sealed on another device");
  }
  return RestoreOwnBackup(current, std::move(verified).value());
}

}  // namespace sl
