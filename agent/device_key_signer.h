// DeviceKeySigner: a DeviceKey of the public API (smartlicensing/device_key_store.h) as
// the protocol's Signer, so that envelopes and certificate requests are signed by
// whatever holds the device key. Its public key is parsed once, when it is made.
// Thread-safety: as the DeviceKey it wraps (const methods).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocol/crypto.h"
#include "smartlicensing/device_key_store.h"

namespace sl {

class DeviceKeySigner final : public Signer {
 public:
  // Internal when the key gives no usable public key.
  static Result<std::unique_ptr<DeviceKeySigner>> Wrap(std::unique_ptr<DeviceKey> key) {
    Result<PublicKey> public_key = PublicKey::FromPem(key->PublicKeyPem());
    if (!public_key.ok()) return Internal("the device key store gave no usable public key");
    return std::unique_ptr<DeviceKeySigner>(new DeviceKeySigner(std::move(key), std::move(public_key).value()));
  }

  PublicKey Public() const override { return public_key_; }
  Result<std::string> Sign(std::string_view data) const override { return key_->Sign(data); }

 private:
  DeviceKeySigner(std::unique_ptr<DeviceKey> key, PublicKey public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  std::unique_ptr<DeviceKey> key_;
  PublicKey public_key_;
};

}  // namespace sl
