// DeviceIdentity: who this product instance is, as the firmware knows it (public API).
//
// The agent sends the UDI (product ID + serial number) with every message and the
// hostname with registrations and registration renewals (unless privacy is on). The
// UDI also seeds the per-device retry jitter, so clones with different serial numbers
// do not call CSSM in lockstep, and decides whether a restored backup belongs to this
// device. Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <string>

#include "smartlicensing/licensing_terms.h"

namespace sl {

class DeviceIdentity {
 public:
  virtual ~DeviceIdentity() = default;
  // Constant for the life of the device. REQUIRES: both parts non-empty, at most 64 characters.
  virtual Udi GetUdi() const = 0;
  // The current hostname; it may change at any time (the agent then renews the registration).
  virtual std::string Hostname() const = 0;
};

// A fixed identity, for tools and tests.
class StaticDeviceIdentity final : public DeviceIdentity {
 public:
  StaticDeviceIdentity(Udi udi, std::string hostname)
      : udi_(std::move(udi)), hostname_(std::move(hostname)) {}
  Udi GetUdi() const override { return udi_; }
  std::string Hostname() const override { return hostname_; }

 private:
  Udi udi_;
  std::string hostname_;
};

}  // namespace sl
