// MonotonicClock: elapsed time that no one can set back.
//
// The wall clock (Clock) can be moved by an operator; a licensing agent that counted
// time by it alone would give back evaluation or authorization time whenever the clock
// is set back. The agent therefore also measures elapsed time with a MonotonicClock and
// counts the larger of the two. Its readings are comparable across processes of the
// same boot, so the agent stores the boot's identity and the reading with every save of
// its state: a later process (the next command of a CLI, the next cycle of a daemon) on
// the same boot measures the time since that save on the monotonic clock too. Across a
// reboot (a different or unknown BootId) only the wall clock's forward movement bridges
// the gap. Readings of more than twenty years are taken as not a boot clock at all
// (libfaketime makes these clocks read the faked wall time) and ignored. Optional but
// strongly recommended: without it, time across which the wall clock went back is not
// counted.
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace sl {

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  // Seconds since an arbitrary origin that is fixed for the whole boot (shared by every
  // process of the boot); never decreases until the next boot.
  virtual int64_t Seconds() const = 0;
  // Identifies the current boot: equal for every process of one boot, different after
  // a reboot. Empty when unknown; readings are then trusted within one process only.
  virtual std::string BootId() const { return ""; }
};

// CLOCK_BOOTTIME: monotonic and, unlike CLOCK_MONOTONIC, counts time in suspend. The
// boot identity is Linux's /proc/sys/kernel/random/boot_id.
class SystemMonotonicClock final : public MonotonicClock {
 public:
  int64_t Seconds() const override;
  // The contents of /proc/sys/kernel/random/boot_id, trimmed; "" if unreadable.
  std::string BootId() const override;
};

}  // namespace sl
