// The Agent's transport settings: validation, the Direct <-> On-Prem rule while
// registered, and a new transport from the factory after a change.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using ::testing::HasSubstr;

TEST(AgentTransportTest, DirectToOnPremIsRefusedWhileRegistered) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  TransportSettings onprem;
  onprem.mode = TransportMode::kOnPrem;
  onprem.url = "https://onprem.example.com/SmartTransport";
  Status s = agent.SetTransportSettings(onprem);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("deregister"));

  TransportSettings with_proxy;  // same mode, another proxy: fine
  with_proxy.proxy = ProxySettings{"proxy.example.com", 3128, "alice", "pw-123456"};
  EXPECT_TRUE(agent.SetTransportSettings(with_proxy).ok());

  ASSERT_TRUE(agent.Deregister().ok());
  EXPECT_TRUE(agent.SetTransportSettings(onprem).ok());
  EXPECT_EQ(agent.GetStatus().transport.mode, TransportMode::kOnPrem);
}

TEST(AgentTransportTest, InvalidSettingsAreRejectedWithTheExpectedForm) {
  AgentHarness h;
  Agent& agent = h.Open();
  TransportSettings bad;
  bad.mode = TransportMode::kOnPrem;
  bad.url = "http://onprem.example.com/";
  Status s = agent.SetTransportSettings(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("https://<host>[:port]/SmartTransport"));
}

TEST(AgentTransportTest, TheFactoryIsAskedAgainAfterASettingsChange) {
  AgentHarness h;
  std::vector<TransportSettings> built;
  AgentEnvironment env = h.Environment();
  env.transport_factory = [&](const TransportSettings& s) -> std::unique_ptr<Transport> {
    built.push_back(s);
    return std::make_unique<test::ForwardingTransport>(&h.transport);
  };
  h.agent = Agent::Open(std::move(env)).value();
  ASSERT_TRUE(h.agent->Enable().ok());
  ASSERT_TRUE(h.agent->Register(kToken, false).ok());
  TransportSettings s;
  s.url = "https://cssm.example.com/licservice/license";
  ASSERT_TRUE(h.agent->SetTransportSettings(s).ok());
  ASSERT_TRUE(h.agent->RenewAuthorization().ok());
  ASSERT_EQ(built.size(), 2u);
  EXPECT_EQ(built[1].url, s.url);
}

}  // namespace
}  // namespace sl
