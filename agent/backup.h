// Restoring a backup: which parts of a sealed state record (the record inside a backup,
// agent_state.h and backup_file.h) are taken over the current state. Time only moves forwards whatever the backup says, and a
// backup of another system never brings its registration, its evaluation time or PAK
// back. Thread-safety: pure function over values.
#pragma once

#include <string>
#include <string_view>

#include "agent/agent_state.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/status.h"

namespace sl {

struct RestoredState {
  AgentState state;
  std::string message;  // the operator's sentence for the kStateRestored event
};

// The state after restoring `backup` over `current` (advanced to now) on the device
// `udi` whose secret is `secret`. Same UDI: everything, registration included (the
// backup must verify with `secret`). Another UDI: Smart Licensing is enabled and valid
// transport and privacy settings restored; the product must register again.
// InvalidArgument/DataLoss for a backup that cannot be read or verified,
// FailedPrecondition for one that may not be restored now.
Result<RestoredState> RestoreBackup(const AgentState& current, std::string_view backup,
                                    const DeviceSecret& secret, const Udi& udi);

}  // namespace sl
