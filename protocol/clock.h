// The one seam through which the project reads time.
//
// SystemClock is the only code that reads the wall clock; everything else takes a
// Clock&. Tests use SimulatedClock to walk months or years in milliseconds, and the
// mock CSSM wraps its clock in OffsetClock so that tests can move the server's time.
// Times are whole seconds since the Unix epoch, the resolution of every timer in the
// licensing protocol. Thread-safety: all implementations are safe to share.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "protocol/status.h"

namespace sl {

using UnixSeconds = int64_t;

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 9999-12-31T23:59:59Z: the latest time any message or record may carry.
constexpr UnixSeconds kMaxUnixSeconds = INT64_C(253402300799);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

// Reads the system's real-time clock (so `faketime` moves it).
class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override;
};

// Time stands still until the test moves it.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(UnixSeconds start) : now_(start) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Advance(int64_t seconds) { now_ += seconds; }
  void Set(UnixSeconds t) { now_ = t; }

 private:
  std::atomic<UnixSeconds> now_;
};

// Another clock's time plus an adjustable offset.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base) : base_(base) {}
  UnixSeconds Now() const override { return base_.Now() + offset_.load(); }
  void SetOffset(int64_t seconds) { offset_ = seconds; }
  int64_t offset() const { return offset_.load(); }

 private:
  const Clock& base_;
  std::atomic<int64_t> offset_{0};
};

// "2026-11-28T07:41:23Z"
std::string FormatIso8601(UnixSeconds t);
// Accepts exactly the form FormatIso8601 writes.
Result<UnixSeconds> ParseIso8601(const std::string& text);

}  // namespace sl
