// Fault injection for the licensing endpoints: test engineers queue faults through
// the admin API and the next matching licensing requests suffer them.
//
// Kinds: a delay before answering (for client timeouts), an HTTP status (500, 503
// with Retry-After, 429...) in place of an answer, a dropped connection (headers
// sent, body cut short), a malformed body, and a response whose signature is spoiled.
// Status, drop and malformed faults stand in for infrastructure in front of CSSM, so
// the request is not processed. A delay holds the request before it is processed, and
// it is processed even if the client gave up meanwhile (a reply lost after the server
// acted); a bad signature spoils the answer after it is processed.
// Thread-safety: all methods are safe to call from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smartlicensing/status.h"

namespace sl::mock {

enum class FaultKind { kDelay, kStatus, kDrop, kMalformed, kBadSignature };
const char* FaultKindName(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  int64_t remaining = 1;  // how many more requests it applies to
  std::string path;       // empty: any licensing path
  int http_status = 503;  // kStatus
  std::optional<int64_t> retry_after_seconds;  // kStatus
  int64_t delay_ms = 0;   // kDelay
};

// Parses the admin API's fault object, e.g. {"kind":"status","status":503,"retry_after":120,"count":2}.
Result<Fault> ParseFault(std::string_view json);
std::string FaultToJson(const Fault& fault);

class FaultPlan {
 public:
  void Add(Fault fault);
  void Clear();
  // The first queued fault matching `path`, counted as used; nullopt when none.
  std::optional<Fault> Take(const std::string& path);
  std::vector<Fault> List() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Fault> faults_;
};

}  // namespace sl::mock
