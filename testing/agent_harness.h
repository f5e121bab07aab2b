// AgentHarness: an Agent wired to simulated time, a GoogleMock transport that by
// default forwards to a FakeCssm, a mock identity, an in-memory store (or the store a
// test passes) and a recorded event list, plus RunUntil() that plays the firmware's
// scheduler loop.
// Thread-safety: one test thread.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "smartlicensing/agent.h"
#include "testing/fake_cssm.h"
#include "testing/fakes.h"
#include "testing/mocks.h"
#include "testing/test_util.h"

namespace sl::test {

// 2026-01-01T00:00:00Z: any fixed start works; a round one reads well in failures.
constexpr UnixSeconds kStart = 1767225600;
constexpr const char* kToken = "TOKEN-VA1-0123456789abcdef";
constexpr const char* kToken2 = "TOKEN-VA2-fedcba9876543210";

class AgentHarness {
 public:
  explicit AgentHarness(Udi udi = Udi{"EXPWY-VE-L", "SN0001"}, StateStore* store = nullptr)
      : clock(kStart), device_clock(clock), device_time(device_clock, clock), cssm(clock), udi_(std::move(udi)),
        secret(std::string(32, 'k')),
        store_(store != nullptr ? store : &memory_store) {
    cssm.AddToken(kToken, {"Example Corp", "VA-One", true});
    cssm.AddToken(kToken2, {"Example Corp", "VA-Two", false});
    cssm.SetEntitlement("rms", 100);
    cssm.SetEntitlement("room", 10);
    ON_CALL(identity, GetUdi()).WillByDefault(::testing::Return(udi_));
    ON_CALL(identity, Hostname()).WillByDefault([this] { return hostname; });
    ON_CALL(transport, Send(::testing::_)).WillByDefault([this](std::string_view e) {
      ++sends;
      return cssm.Handle(e);
    });
  }

  AgentEnvironment Environment() {
    AgentEnvironment env;
    device_time.boot_clock = boot_clock_override;
    env.time = &device_time;
    env.store = store_;
    env.identity = &identity;
    env.secret = &secret;
    env.transport_factory = ForwardingTransportFactory(&transport);
    env.trust_anchor_pem = ReadPki("cssm-signing.crt");
    env.on_event = [this](const Event& e) { events.push_back(e); };
    return env;
  }

  Agent& Open() { return OpenWith(Environment()); }
  // Opens the agent with `env`: Environment() with some parts replaced by the test
  // (a StrictMock store, secret or transport).
  Agent& OpenWith(AgentEnvironment env) {
    Result<std::unique_ptr<Agent>> opened = Agent::Open(std::move(env));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    agent = std::move(opened).value();
    return *agent;
  }

  // Enable + register + first authorization, all succeeding.
  Agent& OpenRegistered() {
    Open();
    EXPECT_TRUE(agent->Enable().ok());
    agent->SetUsage("rms", 5).ok();
    Status s = agent->Register(kToken, false);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return *agent;
  }

  // The firmware's loop: sleep until NextDeadline(), RunDue(), until `until` (real
  // time, i.e. the server's clock). Returns how many times RunDue ran.
  int RunUntil(UnixSeconds until) {
    int runs = 0;
    for (;;) {
      std::optional<UnixSeconds> next = agent->NextDeadline();
      if (!next) break;
      UnixSeconds next_real = *next - device_clock.offset();
      if (next_real > until) break;
      clock.Set(std::max(next_real, clock.Now()));
      EXPECT_TRUE(agent->RunDue().ok());
      if (++runs > 200000) {
        ADD_FAILURE() << "scheduler did not settle";
        break;
      }
    }
    clock.Set(std::max(until, clock.Now()));
    return runs;
  }

  UnixSeconds Now() const { return clock.Now(); }
  void GoOffline() {
    ON_CALL(transport, Send(::testing::_)).WillByDefault([this](std::string_view) {
      ++sends;
      ++failed_sends;
      return TimeoutReply();
    });
  }
  void GoOnline() {
    ON_CALL(transport, Send(::testing::_)).WillByDefault([this](std::string_view e) {
      ++sends;
      return cssm.Handle(e);
    });
  }

  bool HasEvent(EventType type, const std::string& to = "") const {
    for (const Event& e : events) {
      if (e.type == type && (to.empty() || e.to == to)) return true;
    }
    return false;
  }

  SimulatedTimeSource clock;      // real time; the fake CSSM's clock
  OffsetTimeSource device_clock;  // the device's wall clock: real time unless a test moves it
  // What the agent reads: device_clock's wall time and a boot clock that follows real
  // time (within one process: no boot id), or boot_clock_override when set.
  DeviceTime device_time;
  // When set, Environment() gives the agent this boot clock instead (a FakeBootClock
  // with a boot identity, for tests across processes of one boot).
  const FakeBootClock* boot_clock_override = nullptr;
  FakeCssm cssm;
  Udi udi_;
  std::string hostname = "expressway-1.example.com";
  ::testing::NiceMock<MockDeviceIdentity> identity;
  ::testing::NiceMock<MockTransport> transport;
  HmacDeviceSecret secret;
  MemoryStateStore memory_store;
  StateStore* store_;
  std::vector<Event> events;
  std::unique_ptr<Agent> agent;
  int sends = 0;
  int failed_sends = 0;
};

}  // namespace sl::test
