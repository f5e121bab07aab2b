// TimeSource: the one seam through which the project reads time (public API).
//
// A licensing agent needs two kinds of time. Wall-clock time (Now) says when things
// happen and is what CSSM and the operator see, but an operator, NTP or a flat RTC
// battery can move it either way. Elapsed time on a boot clock (MonotonicSeconds)
// cannot be set back, so the agent counts the larger of the two and setting the wall
// clock back never gives licensing time back (see "Time:" in agent.h). Its readings
// are comparable across the processes of one boot, which BootId() identifies.
//
// SystemTimeSource is the only code that reads the system's clocks; everything else
// takes a const TimeSource&. Tests walk months or years in milliseconds on a
// SimulatedTimeSource; the mock CSSM wraps its time in an OffsetTimeSource so that
// tests can move the server's clock. Times are whole seconds since the Unix epoch,
// the resolution of every timer in the licensing protocol.
// Thread-safety: every implementation here is safe to share between threads; the
// setters of SimulatedTimeSource should not race with readers that need a
// consistent pair of readings.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace sl {

using UnixSeconds = int64_t;

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 9999-12-31T23:59:59Z: the latest time any message or record may carry.
constexpr UnixSeconds kMaxUnixSeconds = INT64_C(253402300799);

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // Wall-clock time.
  virtual UnixSeconds Now() const = 0;
  // Seconds since an origin fixed for the whole boot (shared by every process of the
  // boot); never decreases until the next boot. nullopt when this source cannot
  // measure elapsed time: the agent then trusts only forward movements of Now().
  virtual std::optional<int64_t> MonotonicSeconds() const = 0;
  // Identifies the current boot: equal for every process of one boot, different after
  // a reboot. Empty when unknown: monotonic readings are then trusted within one
  // process only.
  virtual std::string BootId() const = 0;
};

// The system's clocks: CLOCK_REALTIME (so `faketime` moves it), CLOCK_BOOTTIME
// (monotonic, and unlike CLOCK_MONOTONIC it counts time in suspend) and Linux's
// /proc/sys/kernel/random/boot_id.
class SystemTimeSource final : public TimeSource {
 public:
  UnixSeconds Now() const override;
  std::optional<int64_t> MonotonicSeconds() const override;
  // The contents of /proc/sys/kernel/random/boot_id, trimmed; "" if unreadable.
  std::string BootId() const override;
};

// Time that stands still until a test moves it. Advance() is time passing (both
// clocks move); Set() is someone setting the wall clock (the boot clock does not
// move); Reboot() starts a new boot.
class SimulatedTimeSource final : public TimeSource {
 public:
  // The boot clock starts at 0. `boot_id` empty: readings are trusted within one
  // process only, as on a system without a boot identity.
  explicit SimulatedTimeSource(UnixSeconds start, std::string boot_id = "")
      : now_(start), boot_id_(std::move(boot_id)) {}

  UnixSeconds Now() const override { return now_.load(); }
  std::optional<int64_t> MonotonicSeconds() const override { return monotonic_.load(); }
  std::string BootId() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return boot_id_;
  }

  // `seconds` of time pass. A negative value moves the wall clock back only.
  void Advance(int64_t seconds) {
    now_ += seconds;
    if (seconds > 0) monotonic_ += seconds;
  }
  // The wall clock is set to `t`; no time passes.
  void Set(UnixSeconds t) { now_ = t; }
  // A new boot: the boot clock restarts at `monotonic_start` under a new identity.
  void Reboot(std::string boot_id, int64_t monotonic_start = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    boot_id_ = std::move(boot_id);
    monotonic_ = monotonic_start;
  }

 private:
  std::atomic<UnixSeconds> now_;
  std::atomic<int64_t> monotonic_{0};
  mutable std::mutex mu_;  // guards boot_id_
  std::string boot_id_;
};

// Another source's time with an adjustable offset on its wall clock: the mock CSSM's
// movable server clock, or a device whose clock an operator set wrong. The boot clock
// and boot identity are the base's.
class OffsetTimeSource final : public TimeSource {
 public:
  explicit OffsetTimeSource(const TimeSource& base) : base_(base) {}
  UnixSeconds Now() const override { return base_.Now() + offset_.load(); }
  std::optional<int64_t> MonotonicSeconds() const override { return base_.MonotonicSeconds(); }
  std::string BootId() const override { return base_.BootId(); }
  void SetOffset(int64_t seconds) { offset_ = seconds; }
  int64_t offset() const { return offset_.load(); }

 private:
  const TimeSource& base_;
  std::atomic<int64_t> offset_{0};
};

}  // namespace sl
