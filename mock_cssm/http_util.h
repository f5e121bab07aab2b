// Small JSON helpers for the mock's HTTP handlers. Thread-safety: pure functions.
#pragma once

#include <string>

#include "smartlicensing/status.h"

namespace sl::mock {

// {"error":{"code":"...","message":"..."}}
std::string ErrorJson(const std::string& code, const std::string& message);
// The HTTP status an admin API error travels with (400, 403, 404, 409, 413, 500).
int AdminHttpStatus(const Status& status);

}  // namespace sl::mock
