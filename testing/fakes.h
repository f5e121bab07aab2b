// Small hand-written doubles the agent tests share: a device's time with a boot clock
// the test moves, a transport that forwards to a test's mock, and a store in memory.
// Fault injection on a store is a wrapper (fault_injection_state_store.h), not a flag
// here. Thread-safety: as noted on each class.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "smartlicensing/state_store.h"
#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"

namespace sl::test {

// A boot clock the test moves by hand, with a boot identity: a "reboot" is a new
// boot_id (and usually a small reading). Set it only while no agent call runs.
class FakeBootClock {
 public:
  explicit FakeBootClock(std::string boot = "boot-1", int64_t start = 1000)
      : seconds(start), boot_id(std::move(boot)) {}
  void Advance(int64_t s) { seconds += s; }

  std::atomic<int64_t> seconds;
  std::string boot_id;
};

// The device's time in agent tests: the wall clock of `wall` (a device whose clock an
// operator may set wrong) and a boot clock that follows `real` time like an uptime
// (the seconds since this object was made; no boot id, so trusted within one process),
// or `boot_clock` when a test sets one.
class DeviceTime : public TimeSource {
 public:
  DeviceTime(const TimeSource& wall, const TimeSource& real)
      : wall_(wall), real_(real), origin_(real.Now()) {}
  UnixSeconds Now() const override { return wall_.Now(); }
  std::optional<int64_t> MonotonicSeconds() const override {
    if (boot_clock != nullptr) return boot_clock->seconds.load();
    return real_.Now() - origin_;
  }
  std::string BootId() const override { return boot_clock != nullptr ? boot_clock->boot_id : ""; }

  const FakeBootClock* boot_clock = nullptr;

 private:
  const TimeSource& wall_;
  const TimeSource& real_;
  const int64_t origin_;
};

// The agent owns the transport its factory makes; this one forwards to a test's mock.
class ForwardingTransport : public Transport {
 public:
  explicit ForwardingTransport(Transport* target) : target_(target) {}
  TransportReply Send(std::string_view envelope) override { return target_->Send(envelope); }

 private:
  Transport* target_;
};

// A factory whose transports all forward to `target` (which must outlive them).
inline TransportFactory ForwardingTransportFactory(Transport* target) {
  return [target](const TransportSettings&) -> std::unique_ptr<Transport> {
    return std::make_unique<ForwardingTransport>(target);
  };
}

// A store in memory that keeps the last saved record (like a real atomic store) and
// counts saves. Copyable: a copy is the "disk" a restarted device finds.
class MemoryStateStore : public StateStore {
 public:
  Result<std::string> Load() override {
    if (!has_record) return NotFound("no state");
    return record;
  }
  Status Save(std::string_view bytes) override {
    record.assign(bytes.data(), bytes.size());
    has_record = true;
    ++saves;
    return Status::Ok();
  }
  Status Erase() override {
    record.clear();
    has_record = false;
    return Status::Ok();
  }

  std::string record;
  bool has_record = false;
  int saves = 0;
};

}  // namespace sl::test
