// A minimal product instance that speaks the licensing protocol by hand, for
// tests of the mock CSSM (and benchmarks): it builds, signs and sends requests and
// verifies the signed responses against the CSSM signing certificate.
// Thread-safety: owned by one test.
#pragma once

#include <functional>
#include <string>

#include "protocol/crypto.h"
#include "protocol/messages.h"
#include "smartlicensing/status.h"

namespace sl::test {

struct Exchange {
  int http_status = 0;
  std::string raw;      // the response body as received
  Status verified;      // OK when the body is an envelope signed by the CSSM key
  Response response;    // decoded when verified
};

class TestDevice {
 public:
  // `post` sends one envelope to the licensing endpoint and returns (status, body).
  using Poster = std::function<std::pair<int, std::string>(const std::string& envelope)>;
  // `now` is the device's clock; the system clock when empty.
  TestDevice(Poster post, Udi udi, std::function<UnixSeconds()> now = {});

  // A request of `type` with a fresh message id, this device's UDI and, once
  // registered, its instance id and certificate serial.
  Request NewRequest(MessageType type) const;
  // Signs with this device's key (or `key`), sends, verifies; remembers the instance
  // id and certificate of a successful registration or renewal.
  Exchange Send(const Request& request);
  Exchange SendSignedBy(const Request& request, const PrivateKey& key);
  Exchange SendRaw(const std::string& envelope);

  Exchange Register(const std::string& token, std::optional<std::string> hostname = "exp1.example.com");
  Exchange Authorize(std::vector<LicenseCount> usage);
  Exchange RenewId();
  Exchange Deregister();

  const std::string& instance_id() const { return instance_id_; }
  const std::string& cert_serial() const { return cert_serial_; }
  const PrivateKey& key() const { return key_; }
  const Udi& udi() const { return udi_; }

 private:
  Poster post_;
  Udi udi_;
  std::function<UnixSeconds()> now_;
  PrivateKey key_;
  Certificate cssm_;
  std::string instance_id_;
  std::string cert_serial_;
};

}  // namespace sl::test
