// GoogleMock mocks, one per agent seam, plus small real helpers tests share.
// Thread-safety: as gmock's.
#pragma once

#include <gmock/gmock.h>

#include <atomic>
#include <memory>
#include <string>

#include "smartlicensing/device_identity.h"
#include "smartlicensing/device_secret.h"
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

class MockTransport : public Transport {
 public:
  MOCK_METHOD(TransportReply, Send, (std::string_view request_envelope), (override));
};

class MockStateStore : public StateStore {
 public:
  MOCK_METHOD(Result<std::string>, Load, (), (override));
  MOCK_METHOD(Status, Save, (std::string_view bytes), (override));
  MOCK_METHOD(Status, Erase, (), (override));
};

class MockDeviceIdentity : public DeviceIdentity {
 public:
  MOCK_METHOD(Udi, GetUdi, (), (const, override));
  MOCK_METHOD(std::string, Hostname, (), (const, override));
};

class MockDeviceSecret : public DeviceSecret {
 public:
  MOCK_METHOD(Result<std::string>, Mac, (std::string_view data), (const, override));
};

// The agent owns the transport its factory makes; this one forwards to a test's mock.
class ForwardingTransport : public Transport {
 public:
  explicit ForwardingTransport(Transport* target) : target_(target) {}
  TransportReply Send(std::string_view envelope) override { return target_->Send(envelope); }

 private:
  Transport* target_;
};

// A store in memory that keeps the last successfully saved record (like a real
// atomic store) and counts saves.
class MemoryStateStore : public StateStore {
 public:
  Result<std::string> Load() override {
    if (!has_record) return NotFound("no state");
    return record;
  }
  Status Save(std::string_view bytes) override {
    if (fail_saves) return Internal("disk full (injected)");
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
  bool fail_saves = false;
  int saves = 0;
};

}  // namespace sl::test
