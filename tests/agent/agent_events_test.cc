// The Agent's events, callbacks that call back into it, and status answered while an
// exchange with CSSM is in flight.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/agent_harness.h"
#include "testing/bounded_wait.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using ::testing::_;
using ::testing::HasSubstr;
namespace st = terms;

TEST(AgentEventTest, EveryStateChangeAndCommunicationResultIsAnEvent) {
  AgentHarness h;
  h.OpenRegistered();
  std::vector<EventType> types;
  for (const Event& e : h.events) types.push_back(e.type);
  EXPECT_THAT(types, ::testing::ElementsAre(
                         EventType::kModeChanged, EventType::kAuthorizationStatusChanged,       // enable
                         EventType::kRegistrationStatusChanged,                                // pending
                         EventType::kCommunicationSucceeded, EventType::kRegistrationStatusChanged,
                         EventType::kAuthorizationStatusChanged,                               // registered
                         EventType::kCommunicationSucceeded, EventType::kAuthorizationStatusChanged));
  EXPECT_EQ(h.events.back().to, terms::kAuthorized);
  h.GoOffline();
  EXPECT_FALSE(h.agent->RenewAuthorization().ok());
  EXPECT_EQ(h.events.back().type, EventType::kCommunicationFailed);
  EXPECT_THAT(h.events.back().message, HasSubstr("Operation timed out"));
}

TEST(AgentEventTest, CallbacksMayCallBackIntoTheAgent) {
  AgentHarness h;
  AgentEnvironment env = h.Environment();
  std::vector<std::string> seen;
  env.on_event = [&](const Event&) { seen.push_back(h.agent->GetStatus().authorization_status); };
  h.agent = Agent::Open(std::move(env)).value();
  ASSERT_TRUE(h.agent->Enable().ok());
  ASSERT_TRUE(h.agent->Register(kToken, false).ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), st::kNoLicensesInUse);
}

// The exchange is held in the transport while the test asks, from its own thread, what
// a firmware asks at any time. Every wait is bounded: an agent that made them wait for
// the network fails here in seconds, and the held transport is always released so the
// test ends.
TEST(AgentEventTest, StatusIsAnsweredWhileAnExchangeIsInFlight) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  test::Signal in_flight;
  test::Signal release;
  std::string seen_by_transport;
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view e) {
    // Called with the exchange in flight: status and policy must not wait for it.
    seen_by_transport = agent.GetStatus().registration_status;
    in_flight.Notify();
    release.WaitFor(test::kHangLimit);  // bounded, in case the test never gets to release it
    return h.cssm.Handle(e);
  });
  Status renewed = Internal("RenewAuthorization() has not returned");
  test::BackgroundCall exchange("RenewAuthorization()", [&] { renewed = agent.RenewAuthorization(); });
  const bool reached = in_flight.WaitFor(test::kHangLimit);

  std::string seen;
  Status usage_set = Internal("SetUsage() has not returned");
  test::BackgroundCall queries("GetStatus() during an exchange", [&] {
    seen = agent.GetStatus().registration_status;
    (void)agent.MayRegisterNewDevices();
    (void)agent.NextDeadline();
    usage_set = agent.SetUsage("rms", 9);
  });
  const bool answered = queries.Wait(test::kHangLimit);
  release.Notify();  // whatever happened: the exchange may finish now
  ASSERT_TRUE(reached) << "the exchange never reached the transport";
  ASSERT_TRUE(answered) << "GetStatus(), MayRegisterNewDevices(), NextDeadline() or SetUsage() waited for the "
                           "exchange in flight (they must never wait for the network)";
  ASSERT_TRUE(exchange.Wait(test::kHangLimit))
      << "RenewAuthorization() did not return once the transport answered";
  ASSERT_TRUE(renewed.ok()) << renewed.ToString();
  EXPECT_TRUE(usage_set.ok()) << usage_set.ToString();
  EXPECT_EQ(seen, st::kRegistered);
  EXPECT_EQ(seen_by_transport, st::kRegistered);
}

}  // namespace
}  // namespace sl
