// DeviceSecret: a key bound to this device that authenticates the agent's stored
// state (public API).
//
// A checksum detects a corrupted state file but not a deliberate edit (for example
// one that moves the evaluation start). The agent therefore seals its state with an
// HMAC-SHA256 under a secret the state file does not contain. Where the secret lives
// is the embedding firmware's decision:
//   - production: a TPM / secure element that computes the MAC without releasing the
//     key (implement DeviceSecret over it);
//   - otherwise: a key file kept OUTSIDE the state directory, readable by the agent's
//     user only (LoadOrCreateDeviceSecretFile). Someone who can read that file can
//     forge state; someone who can only edit or replace the state directory cannot.
// Losing the secret makes the stored state unverifiable (DataLoss), never silently
// fresh. Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

constexpr size_t kDeviceSecretBytes = 32;

class DeviceSecret {
 public:
  virtual ~DeviceSecret() = default;
  // HMAC-SHA256 of `data` under the device's key: 32 raw bytes.
  virtual Result<std::string> Mac(std::string_view data) const = 0;
};

// The key held in memory. REQUIRES: key.size() >= 16 bytes.
class HmacDeviceSecret final : public DeviceSecret {
 public:
  explicit HmacDeviceSecret(std::string key) : key_(std::move(key)) {}
  Result<std::string> Mac(std::string_view data) const override;

 private:
  std::string key_;
};

// Reads the key file at `path` (64 hex characters), creating it with a fresh random
// key and mode 0600 when it does not exist. Creation is atomic and durable (a synced
// temporary file linked to `path`, then the directory synced): a power cut or a
// concurrent reader never sees an empty or partial key, and of two processes creating
// it at once both end with the same key. A file of the wrong form is DataLoss. The
// file is never read through a symbolic link, and a file group or others may read or
// write (mode 0640, 0644, ...) is refused (DataLoss naming the chmod that fixes it),
// as OpenSSH refuses such a private key: used silently, its copies would forge state.
Result<std::unique_ptr<HmacDeviceSecret>> LoadOrCreateDeviceSecretFile(const std::string& path);

// Reads the key file at `path` and never creates it, for read-only callers: NotFound
// when it does not exist, DataLoss when it cannot be read (or is shared, or a link, as
// above) or is not a key file.
Result<std::unique_ptr<HmacDeviceSecret>> LoadDeviceSecretFile(const std::string& path);

}  // namespace sl
