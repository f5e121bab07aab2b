// The specification's fixed vocabulary and timers, shared by the agent (which shows
// and keeps them) and the mock CSSM (which computes them), so that both say exactly
// the same strings and count the same days. Thread-safety: constants.
#pragma once

#include <cstdint>

#include "protocol/clock.h"

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
