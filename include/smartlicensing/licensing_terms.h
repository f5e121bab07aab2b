// The licensing vocabulary (public API): the specification's status strings and
// timers, who a product instance is (Udi), a license line (LicenseStatus) and the
// protocol's limits. Shared by the agent (which shows and keeps them), the mock CSSM
// (which computes them) and firmware (which compares them), so that all say exactly
// the same strings and count the same days. Thread-safety: constants and value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "smartlicensing/time_source.h"

namespace sl {

// The Unique Device Identifier of a product instance.
struct Udi {
  std::string product_id;     // e.g. "EXPWY-VE-L"
  std::string serial_number;  // e.g. "0A1B2C3D"
  bool operator==(const Udi& o) const {
    return product_id == o.product_id && serial_number == o.serial_number;
  }
};

// One license type in use: its tag, the current count and its status (a per-license-
// type string of the specification, terms::kLicense* or terms::kAuthorized, ...).
struct LicenseStatus {
  std::string tag;
  int64_t count = 0;
  std::string status;
};

// At most this many license types are in use at once, each with at most this count.
constexpr size_t kMaxLicenseLines = 256;
constexpr int64_t kMaxLicenseCount = 1000000;

// Tags are short identifiers: letters, digits and . _ - : (1 to 128 characters).
bool IsValidLicenseTag(std::string_view tag);

}  // namespace sl

namespace sl::terms {

// Registration status.
inline constexpr const char* kRegistered = "Registered";
inline constexpr const char* kUnregistered = "Unregistered";
inline constexpr const char* kRegistrationExpired = "Unregistered: Registration Expired";
inline constexpr const char* kRegistrationPending = "Unregistered: Registration Pending";
inline constexpr const char* kRegistrationFailed = "Unregistered: Registration Failed";

// License authorization status (overall).
inline constexpr const char* kAuthorized = "Authorized";
inline constexpr const char* kAuthorizationExpired = "Authorization Expired";
inline constexpr const char* kOutOfCompliance = "Out-of-compliance";
inline constexpr const char* kNoLicensesInUse = "No Licenses in Use";
inline constexpr const char* kEvaluationMode = "Evaluation Mode";
inline constexpr const char* kEvaluationExpired = "Evaluation Expired";
inline constexpr const char* kNotApplicable = "Not Applicable";

// Per license type (besides Authorization Expired, Evaluation Mode/Expired, Authorized).
inline constexpr const char* kLicenseInvalid = "Invalid";
inline constexpr const char* kLicenseInvalidTag = "Invalid-tag";
inline constexpr const char* kLicenseNotAuthorized = "Not Authorized";
inline constexpr const char* kLicenseOutOfCompliance = "Out of compliance";
inline constexpr const char* kLicenseWaiting = "Waiting";

// Export-Controlled Functionality.
inline constexpr const char* kExportAllowed = "Allowed";
inline constexpr const char* kExportNotAllowed = "Not Allowed";

// Timers.
constexpr int64_t kEvaluationPeriod = 90 * kDay;
constexpr int64_t kAuthorizationRenewalInterval = 30 * kDay;
constexpr int64_t kAuthorizationValidity = 90 * kDay;       // expires 90 days after the last success
constexpr int64_t kRegistrationRenewalInterval = 180 * kDay;  // every 6 months
constexpr int64_t kIdCertificateValidity = 365 * kDay;      // the registration lasts a year
constexpr int64_t kRetryInterval = 15 * kMinute;
constexpr int64_t kUsageReportInterval = 6 * kHour;

}  // namespace sl::terms
