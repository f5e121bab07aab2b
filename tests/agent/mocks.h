// GoogleMock mocks, one per agent seam, plus small real helpers tests share.
// Thread-safety: as gmock's.
#pragma once

#include <gmock/gmock.h>

#include <atomic>
#include <memory>
#include <string>

#include "agent/device_identity.h"
#include "agent/device_secret.h"
#include "agent/monotonic_clock.h"
#include "agent/state_store.h"
#include "agent/transport.h"
#include "protocol/clock.h"

namespace sl::test {

class MockClock : public Clock {
 public:
  MOCK_METHOD(UnixSeconds, Now, (), (const, override));
};

class MockMonotonicClock : public MonotonicClock {
 public:
  MOCK_METHOD(int64_t, Seconds, (), (const, override));
  MOCK_METHOD(std::string, BootId, (), (const, override));
};

// A boot-time clock the test moves by hand, with a boot identity: a "reboot" is a new
// boot_id (and usually a small reading). Set it only while no agent call runs.
class FakeMonotonicClock : public MonotonicClock {
 public:
  explicit FakeMonotonicClock(std::string boot = "boot-1", int64_t start = 1000)
      : seconds(start), boot_id(std::move(boot)) {}
  int64_t Seconds() const override { return seconds.load(); }
  std::string BootId() const override { return boot_id; }
  void Advance(int64_t s) { seconds += s; }

  std::atomic<int64_t> seconds;
  std::string boot_id;
};

// Elapsed time read from a (simulated) clock that tests never set back.
// Like a boot clock, it reads the seconds since it was made (an uptime).
class MonotonicFromClock : public MonotonicClock {
 public:
  explicit MonotonicFromClock(const Clock& clock) : clock_(clock), origin_(clock.Now()) {}
  int64_t Seconds() const override { return clock_.Now() - origin_; }

 private:
  const Clock& clock_;
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
