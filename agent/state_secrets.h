// The secret fields of the state record (the device key or key reference, a pending
// registration's key and token, the proxy password): StateFieldCipher encrypts them,
// so that the state file never holds them in clear even though the record's MAC is
// all the rest of it needs, and SecretFieldWriter / SecretFieldReader write and read
// them, sealed or (version 1 records, agent_state.h) in clear.
//
// Each field is AES-256-GCM under a key derived from the device secret,
// K = DeviceSecret::Mac("sl-agent-state field key v1"), so a DeviceSecret whose key
// never leaves a TPM serves unchanged. Every seal draws a fresh random nonce; the
// field's name and the UDI are the associated data, so a sealed value moved to another
// field or another device's record does not open. The stored form is
// Base64(nonce || ciphertext || tag) (docs/backup.md, "The state record").
// Thread-safety: a const object may be used from several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/status.h"

namespace sl {

class StateFieldCipher {
 public:
  // Derives the key from `secret` (one Mac call).
  static Result<StateFieldCipher> ForDevice(const DeviceSecret& secret);

  StateFieldCipher(StateFieldCipher&& other) noexcept;
  StateFieldCipher& operator=(StateFieldCipher&&) = delete;
  StateFieldCipher(const StateFieldCipher&) = delete;
  StateFieldCipher& operator=(const StateFieldCipher&) = delete;
  ~StateFieldCipher();  // wipes the key

  // Base64(nonce || ciphertext || tag) of `clear`, for field `field` of `udi`'s record.
  Result<std::string> Seal(std::string_view field, const Udi& udi, std::string_view clear) const;
  // REQUIRES: nothing; any input is safe. DataLoss unless `sealed` is Seal's output
  // for the same field and UDI under this device's key.
  Result<std::string> Open(std::string_view field, const Udi& udi, std::string_view sealed) const;

  // The length of Seal's output for a clear value of `clear_bytes`.
  static size_t SealedSize(size_t clear_bytes);

 private:
  explicit StateFieldCipher(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// A secret field of the record: `name` when in clear, `sealed_name` when sealed.
struct SecretField {
  const char* name;
  const char* sealed_name;
  size_t max_len;  // of the clear value
};

// Writes the secret fields of one record into `w`: sealed under `cipher`, or in clear
// when it is null. Thread-safety: one writer per record.
class SecretFieldWriter {
 public:
  SecretFieldWriter(JsonWriter& w, const StateFieldCipher* cipher, const Udi& udi)
      : w_(w), cipher_(cipher), udi_(udi) {}
  void Write(const SecretField& field, const std::string& value);
  // The first failure to seal (OpenSSL), after which the record must not be used.
  const Status& status() const { return status_; }

 private:
  JsonWriter& w_;
  const StateFieldCipher* cipher_;
  const Udi& udi_;
  Status status_;
};

// Reads the secret fields of one record, sealed or in clear; a failure is recorded in
// the JsonReader. Without a cipher, a sealed field is an error (another device's state
// file is not a backup). Thread-safety: one reader per record.
class SecretFieldReader {
 public:
  // `udi` is read before the secret fields (it is their associated data).
  SecretFieldReader(const StateFieldCipher* cipher, const Udi& udi) : cipher_(cipher), udi_(udi) {}
  std::string Read(JsonReader& r, const SecretField& field);
  // Whether a secret field held a value in clear.
  bool in_clear() const { return in_clear_; }

 private:
  const StateFieldCipher* cipher_;
  const Udi& udi_;
  bool in_clear_ = false;
};

}  // namespace sl
