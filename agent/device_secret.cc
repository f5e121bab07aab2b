#include "smartlicensing/device_secret.h"

#include <openssl/evp.h>

#include "base/encoding.h"
#include "base/files.h"
#include "base/private_files.h"
#include "base/secrets.h"
#include "base/text.h"
#include "protocol/crypto.h"
#include "smartlicensing/state_store.h"

namespace sl {
namespace {

// Far above the 64 hex characters and a newline the file holds.
constexpr size_t kMaxKeyFileBytes = 256;

}  // namespace

Result<std::string> HmacDeviceSecret::Mac(std::string_view data) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof(out),
                &out_len) == nullptr) {
    return Internal("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

Result<std::unique_ptr<HmacDeviceSecret>> LoadDeviceSecretFile(const std::string& path) {
  // Never through a link, and never a key others may read (ReadKeyFile).
  Result<std::string> text = ReadKeyFile(path, kMaxKeyFileBytes);
  if (!text.ok() && text.status().code() != StatusCode::kFailedPrecondition) {  // too large: damaged
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFound("the device secret file " + path + " does not exist");
    }
    // A local state problem (DataLoss), not PermissionDenied: to callers that means a
    // refusal by CSSM.
    return DataLoss("cannot use the device secret file: " + text.status().message());
  }
  std::string hex = text.ok() ? std::move(text).value() : std::string();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  Result<std::string> key = HexDecode(hex);
  if (!text.ok() || !key.ok() || key->size() != kDeviceSecretBytes) {
    return DataLoss("the device secret file " + path + " is damaged (expected " +
                    std::to_string(2 * kDeviceSecretBytes) + " hex characters)");
  }
  return std::make_unique<HmacDeviceSecret>(std::move(key).value());
}

Result<std::unique_ptr<HmacDeviceSecret>> LoadOrCreateDeviceSecretFile(const std::string& path) {
  Result<std::unique_ptr<HmacDeviceSecret>> loaded = LoadDeviceSecretFile(path);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  // Created complete or not at all; when another process wins the race (AlreadyExists),
  // its key is the one everybody uses.
  Status created = CreateFileAtomically(path, RandomHex(kDeviceSecretBytes) + "\n");
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) {
    return DataLoss("cannot create the device secret file " + path + ": " + created.message());
  }
  return LoadDeviceSecretFile(path);
}

}  // namespace sl
