// MonotonicClock: elapsed time that no one can set back.
//
// The wall clock (Clock) can be moved by an operator; a licensing agent that counted
// time by it alone would give back evaluation or authorization time whenever the clock
// is set back. While the process runs, the agent therefore measures elapsed time with
// a MonotonicClock and uses the wall clock only to bridge restarts (where it counts
// forward movement only). Optional but strongly recommended: without it, time between
// two agent calls across which the wall clock went back is not counted.
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>

namespace sl {

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  // Seconds since an arbitrary origin; never decreases while the process lives.
  virtual int64_t Seconds() const = 0;
};

// CLOCK_BOOTTIME: monotonic and, unlike CLOCK_MONOTONIC, counts time in suspend.
class SystemMonotonicClock final : public MonotonicClock {
 public:
  int64_t Seconds() const override;
};

}  // namespace sl
