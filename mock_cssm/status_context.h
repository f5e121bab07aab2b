// Status messages that say where a failure happened: "seed: <why>", "signing key: <why>".
// Thread-safety: pure function.
#pragma once

#include <string>

#include "smartlicensing/status.h"

namespace sl::mock {

// `s` with `where` and ": " in front of its message, keeping its code; OK stays OK.
inline Status Prefixed(const std::string& where, const Status& s) {
  return s.ok() ? s : Status(s.code(), where + ": " + s.message());
}

}  // namespace sl::mock
