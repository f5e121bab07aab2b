// Room and desktop system registrations and the licenses they consume, per the
// specification's "Room and Desktop Registrations on Expressway" and "License Usage for
// Device Registrations".
//
// Licenses are counted per alias, not per device: an MCU registering three aliases
// takes three room licenses, and a device registered over both SIP and H.323 takes
// one license for each. SIP EX60/EX90 (TC7.3.6 or later), DX70/DX80 (CE8.2 or later)
// and Movi are desktop systems; every other SIP endpoint and every H.323 endpoint is
// a room system. Proxy registrations on Expressway-E consume nothing (they count on
// the Expressway-C they are proxied to). Room and desktop licenses are not
// interchangeable. Local, proxy and MRA registrations all count towards the unit's
// registration limit.
// Thread-safety: not thread-safe; the owner serialises calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "smartlicensing/expressway/capacity.h"
#include "smartlicensing/expressway/license_types.h"

namespace sl::expressway {

enum class Signaling { kSip, kH323 };

enum class RegistrationKind {
  kLocal,            // registered directly to this Expressway
  kProxied,          // SIP, proxied from Expressway-E to this Expressway-C
  kProxyOnE,         // the Expressway-E's side of a proxied registration
  kMra,              // Mobile and Remote Access, proxied to Unified CM
};

struct RegistrationRequest {
  std::string alias;
  Signaling signaling = Signaling::kSip;
  std::string model;             // "EX60", "EX90", "DX70", "DX80", "Movi", anything else
  std::string software_version;  // "TC7.3.6", "CE8.2.1", ...
  RegistrationKind kind = RegistrationKind::kLocal;
};

// The license one registration consumes; nullopt for none.
std::optional<LicenseType> LicenseFor(const RegistrationRequest& request);

class RegistrationTable {
 public:
  // `licensed_room`/`licensed_desktop`: nullopt in Smart mode (reported, not enforced).
  RegistrationTable(PlatformCapacity capacity, std::optional<int64_t> licensed_room,
                    std::optional<int64_t> licensed_desktop);

  // Refused (ResourceExhausted) past the unit's registration or MRA limit, or when
  // no license of the needed type is left; AlreadyExists for a duplicate alias.
  Status Register(const RegistrationRequest& request);
  Status Unregister(const std::string& alias, Signaling signaling);

  int64_t InUse(LicenseType type) const;
  int64_t Registrations() const { return static_cast<int64_t>(entries_.size()); }
  // Current usage to report: room and desktop tags.
  UsageByTag Usage() const;

 private:
  PlatformCapacity capacity_;
  std::optional<int64_t> licensed_room_;
  std::optional<int64_t> licensed_desktop_;
  std::map<std::pair<std::string, Signaling>, RegistrationRequest> entries_;
};

}  // namespace sl::expressway
