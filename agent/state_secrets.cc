#include "agent/state_secrets.h"

#include "agent/aes_gcm.h"
#include "base/encoding.h"
#include "base/secrets.h"

namespace sl {
namespace {

constexpr std::string_view kKeyLabel = "sl-agent-state field key v1";

// Binds a sealed value to its field and its device. NUL cannot occur in a field name
// or a UDI, so the parts cannot be shifted into one another.
std::string AssociatedData(std::string_view field, const Udi& udi) {
  std::string aad = "sl-agent-state field v1";
  for (std::string_view part : {field, std::string_view(udi.product_id), std::string_view(udi.serial_number)}) {
    aad.push_back('\0');
    aad.append(part);
  }
  return aad;
}

}  // namespace

Result<StateFieldCipher> StateFieldCipher::ForDevice(const DeviceSecret& secret) {
  Result<std::string> key = secret.Mac(kKeyLabel);
  if (!key.ok()) return key.status();
  if (key->size() != kAesGcmKeyBytes) return Internal("the device secret's MAC is not 32 bytes");
  return StateFieldCipher(std::move(key).value());
}

StateFieldCipher::StateFieldCipher(StateFieldCipher&& other) noexcept : key_(other.key_) {
  WipeSecret(other.key_);
}

StateFieldCipher::~StateFieldCipher() { WipeSecret(key_); }

Result<std::string> StateFieldCipher::Seal(std::string_view field, const Udi& udi, std::string_view clear) const {
  std::string nonce = RandomBytes(kAesGcmNonceBytes);
  Result<std::string> sealed = AesGcmSeal(key_, nonce, AssociatedData(field, udi), clear);
  if (!sealed.ok()) return sealed.status();
  return Base64Encode(nonce + *sealed);
}

Result<std::string> StateFieldCipher::Open(std::string_view field, const Udi& udi, std::string_view sealed) const {
  Result<std::string> bytes = Base64Decode(sealed);
  if (!bytes.ok() || bytes->size() < kAesGcmNonceBytes + kAesGcmTagBytes) {
    return DataLoss("is not a sealed value");
  }
  std::string_view all(*bytes);
  Result<std::string> clear =
      AesGcmOpen(key_, all.substr(0, kAesGcmNonceBytes), AssociatedData(field, udi), all.substr(kAesGcmNonceBytes));
  if (!clear.ok()) return DataLoss("does not open with this device's key");
  return clear;
}

size_t StateFieldCipher::SealedSize(size_t clear_bytes) {
  return (kAesGcmNonceBytes + clear_bytes + kAesGcmTagBytes + 2) / 3 * 4;
}

void SecretFieldWriter::Write(const SecretField& field, const std::string& value) {
  if (cipher_ == nullptr) {
    w_.Field(field.name, value);
    return;
  }
  Result<std::string> sealed = cipher_->Seal(field.name, udi_, value);
  if (!sealed.ok() && status_.ok()) status_ = sealed.status();
  w_.Field(field.sealed_name, sealed.ok() ? *sealed : std::string());
}

std::string SecretFieldReader::Read(JsonReader& r, const SecretField& field) {
  if (!r.Has(field.sealed_name)) {
    std::string clear = r.String(field.name, field.max_len);
    in_clear_ = in_clear_ || !clear.empty();
    return clear;
  }
  std::string sealed = r.String(field.sealed_name, StateFieldCipher::SealedSize(field.max_len));
  if (r.Has(field.name)) r.Fail(field.name, "is both sealed and in clear");
  if (!r.ok()) return "";
  if (cipher_ == nullptr) {
    r.Fail(field.sealed_name, "is sealed with the key of the device that wrote it (a state file, not a backup)");
    return "";
  }
  Result<std::string> clear = cipher_->Open(field.name, udi_, sealed);
  if (!clear.ok()) r.Fail(field.sealed_name, clear.status().message());
  if (clear.ok() && clear->size() > field.max_len) r.Fail(field.sealed_name, "is too long");
  return r.ok() ? std::move(clear).value() : std::string();
}

}  // namespace sl
